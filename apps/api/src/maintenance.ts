import type { FastifyBaseLogger } from "fastify";
import type { ApiConfig } from "./config.js";
import type { Services } from "./services.js";

/**
 * The orphan sweeper: deletes unattached files older than the TTL on a
 * timer. Safe with several API processes sweeping one store (the package
 * claims each orphan by compare-and-swap). The timer is unref'd, so it never
 * keeps a process alive; `stop()` waits for a sweep in progress.
 */
export function startOrphanSweeper(config: ApiConfig, services: Services, log: FastifyBaseLogger) {
  let running: Promise<void> | undefined;
  const sweep = () => {
    if (running) return;
    running = services.files
      .sweepOrphans()
      .then((report) => {
        if (report.expired + report.abandoned + report.finished + report.repaired > 0)
          log.info({ sweep: report }, "orphan sweep");
      })
      .catch((error: unknown) =>
        log.warn({ err: error }, "orphan sweep failed; retrying at the next interval"),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(sweep, config.orphanSweepIntervalSeconds * 1000);
  timer.unref();
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    },
  };
}
