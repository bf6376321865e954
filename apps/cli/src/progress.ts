import { pipeline, type Readable, Transform } from "node:stream";
import { Presets, SingleBar } from "cli-progress";

/** Smaller transfers finish before a bar would be worth drawing. */
export const minBytesForBar = 1024 * 1024;

/** `1536` → `1.5 KiB`: sizes for people (tables, bars). */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * Passes a transfer's bytes through unchanged and draws a progress bar on
 * `stream` (stderr) while they flow — only when it is a terminal and the
 * transfer is large (a known total of at least 1 MiB, or an unknown total
 * once 1 MiB has passed). Otherwise the body is returned as it is, so
 * scripts and pipes never see bar output.
 */
export function trackTransfer(
  label: string,
  body: Readable,
  totalBytes: number | undefined,
  stream: NodeJS.WritableStream = process.stderr,
): Readable {
  if ((stream as NodeJS.WriteStream).isTTY !== true) return body;
  if (totalBytes !== undefined && totalBytes < minBytesForBar) return body;
  const bar = new SingleBar(
    {
      stream,
      format:
        totalBytes === undefined
          ? `${label} {done} {speed}`
          : `${label} [{bar}] {percentage}% {done}/{size} {speed}`,
      barsize: 30,
      hideCursor: true,
      fps: 10,
    },
    Presets.shades_classic,
  );
  const startedAt = Date.now();
  const payload = (done: number) => ({
    done: formatBytes(done),
    size: formatBytes(totalBytes ?? done),
    speed: `${formatBytes(Math.round(done / Math.max((Date.now() - startedAt) / 1000, 0.001)))}/s`,
  });
  let done = 0;
  let drawing = false;
  const stop = () => {
    if (!drawing) return;
    drawing = false;
    bar.stop();
  };
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      if (!drawing && (totalBytes !== undefined || done >= minBytesForBar)) {
        drawing = true;
        bar.start(totalBytes ?? 0, 0, payload(0));
      }
      if (drawing) bar.update(done, payload(done));
      callback(null, chunk);
    },
    flush(callback) {
      if (drawing) bar.update(done, payload(done));
      stop();
      callback();
    },
    // Synchronous, so the bar's line is finished before anyone prints the error that ended the transfer.
    destroy(error, callback) {
      stop();
      callback(error);
    },
  });
  // pipeline forwards a failure of either side to the other, and the bar stops with it.
  return pipeline(body, meter, stop);
}
