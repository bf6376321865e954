import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cephConfig } from "./ceph-config.js";
import { type Daemon, logTail, run, startDaemon, startWatchdog, stopDaemon } from "./daemons.js";
import { freePort } from "./free-port.js";

/** A running Ceph RADOS Gateway: a real S3 endpoint on loopback. */
export interface RgwServer {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Milliseconds from the call to S3 answering. */
  startupMs: number;
  /** Kills every daemon and removes the cluster's directory. */
  stop(): Promise<void>;
}

export interface StartRgwOptions {
  /** Parent of the cluster's own temporary directory (default: the OS temp dir). */
  dataDir?: string;
  /** RAM the in-memory OSD may use (default 2 GiB). */
  memstoreBytes?: number;
  /** Give up after this long (default 120 s). */
  timeoutMs?: number;
}

const requiredBinaries: ReadonlyArray<readonly [string, string]> = [
  ["ceph-mon", "ceph-mon"],
  ["monmaptool", "ceph-base"],
  ["ceph-osd", "ceph-osd"],
  ["radosgw", "radosgw"],
  ["radosgw-admin", "ceph-common"],
  ["ceph", "ceph-common"],
  ["ceph-authtool", "ceph-common"],
];

function assertCephInstalled(): void {
  const path = (process.env.PATH ?? "/usr/bin").split(":");
  const missing = requiredBinaries.filter(([binary]) => !path.some((dir) => existsSync(join(dir, binary))));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map(([, pkg]) => pkg))].join(" ");
    throw new Error(
      `Ceph RGW test fixture: missing ${missing.map(([b]) => b).join(", ")}; install the Debian packages: apt-get install ${packages}`,
    );
  }
}

/** Every live cluster of this process, killed synchronously should the process exit without stop(). */
const live = new Set<Daemon[]>();
process.once("exit", () => {
  for (const daemons of live) for (const daemon of daemons) daemon.process.kill("SIGKILL");
});

/**
 * Starts a single-host Ceph cluster (monitor, in-memory OSD, radosgw) on
 * loopback with random ports and an S3 user. All daemons are children of
 * this process; `stop()`, the process exit hook and a watchdog (for SIGKILL)
 * make sure none outlives it.
 */
export async function startRgw(options: StartRgwOptions = {}): Promise<RgwServer> {
  assertCephInstalled();
  const started = Date.now();
  try {
    return await startCluster(options, started);
  } catch {
    // A port taken between picking and binding it (clusters start in parallel): once more with new ports.
    return startCluster(options, started);
  }
}

async function startCluster(options: StartRgwOptions, started: number): Promise<RgwServer> {
  const parent = options.dataDir ?? tmpdir();
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, "webrun-rgw-"));
  const pidFile = join(dir, "daemons.pids");
  await writeFile(pidFile, "");
  const watchdog = startWatchdog(process.pid, pidFile, dir);
  const daemons: Daemon[] = [];
  live.add(daemons);

  const stop = async (): Promise<void> => {
    for (const daemon of [...daemons].reverse()) await stopDaemon(daemon);
    live.delete(daemons);
    if (watchdog.pid !== undefined) {
      try {
        process.kill(watchdog.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const server = await bootCluster(dir, pidFile, daemons, options);
    return { ...server, startupMs: Date.now() - started, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function bootCluster(
  dir: string,
  pidFile: string,
  daemons: Daemon[],
  options: StartRgwOptions,
): Promise<Omit<RgwServer, "stop" | "startupMs">> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const fsid = randomUUID();
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  for (const sub of ["mon", "osd0", "run", "log", "rgw"]) await mkdir(join(dir, sub));
  const conf = join(dir, "ceph.conf");
  await writeFile(
    conf,
    cephConfig({ fsid, dir, monPort, rgwPort, memstoreBytes: options.memstoreBytes ?? 2 * 1024 ** 3 }),
  );

  // Monitor: a one-member monmap, then mkfs and run it.
  await run("ceph-authtool", [
    "--create-keyring",
    join(dir, "keyring"),
    "--gen-key",
    "-n",
    "mon.",
    "--cap",
    "mon",
    "allow *",
  ]);
  await run("monmaptool", [
    "--create",
    "--addv",
    "a",
    `[v2:127.0.0.1:${monPort}]`,
    "--fsid",
    fsid,
    join(dir, "monmap"),
  ]);
  await run("ceph-mon", ["--mkfs", "-i", "a", "--monmap", join(dir, "monmap"), "-c", conf]);
  const mon = await startDaemon("mon.a", "ceph-mon", ["-f", "-i", "a", "-c", conf], dir, pidFile);
  daemons.push(mon);

  // OSD: registered with the monitor (this waits for it to answer), then mkfs and run.
  const osdUuid = randomUUID();
  await untilDaemonsFail(
    daemons,
    run("ceph", ["-c", conf, "--connect-timeout", "60", "osd", "new", osdUuid]),
  );
  await run("ceph-osd", ["-i", "0", "--mkfs", "--osd-uuid", osdUuid, "-c", conf]);
  daemons.push(await startDaemon("osd.0", "ceph-osd", ["-f", "-i", "0", "-c", conf], dir, pidFile));

  // Gateway and its S3 user (user creation waits for the OSD, creating the RGW pools).
  daemons.push(
    await startDaemon("client.rgw", "radosgw", ["-f", "-n", "client.rgw", "-c", conf], dir, pidFile),
  );
  const accessKeyId = `WEBRUN${randomBytes(7).toString("hex").toUpperCase()}`;
  const secretAccessKey = randomBytes(20).toString("base64url");
  await untilDaemonsFail(
    daemons,
    run("radosgw-admin", [
      "-c",
      conf,
      "user",
      "create",
      "--uid=webrun-test",
      "--display-name=webrun test",
      `--access-key=${accessKeyId}`,
      `--secret=${secretAccessKey}`,
    ]),
  );
  const endpoint = `http://127.0.0.1:${rgwPort}`;
  await untilDaemonsFail(daemons, waitForS3(endpoint, deadline));
  return { endpoint, accessKeyId, secretAccessKey, region: "us-east-1" };
}

/** Waits for `work`, failing fast (with the daemon's log) if a daemon dies meanwhile. */
async function untilDaemonsFail<T>(daemons: readonly Daemon[], work: Promise<T>): Promise<T> {
  const deaths = daemons.map((daemon) =>
    daemon.exited.then((status) => {
      throw new Error(
        `Ceph RGW test fixture: ${daemon.name} exited (${status}):\n${logTail(daemon.logFile)}`,
      );
    }),
  );
  return Promise.race([work, ...deaths]);
}

async function waitForS3(endpoint: string, deadline: number): Promise<void> {
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(endpoint, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Ceph RGW test fixture: ${endpoint} did not answer in time (${last})`);
}
