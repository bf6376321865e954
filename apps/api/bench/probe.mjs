// Measures what the load bench cannot see from outside the API: the server process's CPU time, and,
// on S3, how long the S3 server itself takes to answer under the load (a GET of a small object on
// its own client and sockets, every 100 ms), so a slow API request can be told apart into time at
// the S3 server and time queued in our process.
import { readFileSync } from "node:fs";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";

/** User + system CPU seconds a process has used so far (Linux /proc). */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Starts probing the S3 server; `stop()` resolves to p50/p90/p99/max of the probes in ms. */
export async function probeS3(s3) {
  const { testS3Client } = await import("@webrun/test-fixtures");
  const client = testS3Client(s3);
  const object = { Bucket: s3.bucket, Key: "probe/object" };
  await client.send(new PutObjectCommand({ ...object, Body: "probe" }));
  const samples = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const answer = await client.send(new GetObjectCommand(object));
      await answer.Body.transformToString();
      samples.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      client.destroy();
      const sorted = samples.sort((a, b) => a - b);
      const at = (q) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
      return { probes: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
    },
  };
}
