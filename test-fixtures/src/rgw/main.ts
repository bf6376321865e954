import { startRgw } from "./start-rgw.js";

/**
 * `node test-fixtures/dist/rgw/main.js`: starts one Ceph RGW in the
 * foreground, prints its endpoint and credentials as one JSON line, and stops
 * it on SIGINT/SIGTERM. For benchmarks and manual runs.
 */
const server = await startRgw({
  ...(process.env.RGW_DATA_DIR ? { dataDir: process.env.RGW_DATA_DIR } : {}),
  ...(process.env.RGW_MEMSTORE_BYTES ? { memstoreBytes: Number(process.env.RGW_MEMSTORE_BYTES) } : {}),
});
const { stop, ...visible } = server;
process.stdout.write(`${JSON.stringify(visible)}\n`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void stop().then(() => process.exit(0));
  });
}
