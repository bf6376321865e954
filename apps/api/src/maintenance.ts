import type { FastifyBaseLogger } from "fastify";
import type { ApiConfig } from "./config.js";
import type { Services } from "./services.js";

/**
 * Background work on timers: the orphan sweeper (unattached files older
 * than the TTL) and the environment garbage collector (what interrupted
 * saves and deletes left behind). Both are safe with several API processes
 * on one store (the packages claim work by compare-and-swap and never delete
 * what a head or an in-flight save needs). Timers are unref'd, so they never
 * keep a process alive; `stop()` waits for a run in progress.
 */
export function startMaintenance(config: ApiConfig, services: Services, log: FastifyBaseLogger) {
  const jobs = [
    periodic(config.orphanSweepIntervalSeconds, log, "orphan sweep", async () => {
      const report = await services.files.sweepOrphans();
      return report.expired + report.abandoned + report.finished + report.repaired > 0 ? report : undefined;
    }),
    periodic(config.gcIntervalSeconds, log, "environment garbage collection", async () => {
      const report = await services.environments.collectGarbage();
      return report.objectsDeleted > 0 ? report : undefined;
    }),
  ];
  return {
    async stop(): Promise<void> {
      await Promise.all(jobs.map((job) => job.stop()));
    },
  };
}

/** Runs `work` every `seconds`, never overlapping itself; logs what it did when there was something to do. */
function periodic(
  seconds: number,
  log: FastifyBaseLogger,
  name: string,
  work: () => Promise<object | undefined>,
) {
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    running = work()
      .then((report) => {
        if (report) log.info({ report }, name);
      })
      .catch((error: unknown) => log.warn({ err: error }, `${name} failed; retrying at the next interval`))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(run, seconds * 1000);
  timer.unref();
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    },
  };
}
