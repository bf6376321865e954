import { once } from "node:events";
import { PassThrough, type Readable } from "node:stream";

/** Something that reads a whole stream, e.g. a sink storing a file or a side inspection. */
export type StreamConsumer = (body: Readable) => Promise<void>;

/**
 * Feeds one stream to several consumers at the pace of the slowest, without
 * buffering beyond each consumer's stream buffer. Fails as soon as any
 * consumer fails; what a consumer leaves unread is drained.
 */
export async function fanOut(body: Readable, consumers: readonly StreamConsumer[]): Promise<void> {
  const [only] = consumers;
  if (consumers.length === 1 && only !== undefined) {
    await only(body);
    return;
  }
  const branches = consumers.map(() => new PassThrough());
  // A consumer that returns without reading everything must not stall the others: drain its branch.
  const consuming = consumers.map((consume, i) => {
    const branch = branches[i] as PassThrough;
    return consume(branch).then(() => {
      branch.resume();
    });
  });
  const failed = Promise.race(consuming.map((promise) => promise.then(() => new Promise<never>(() => {}))));
  const pump = async () => {
    for await (const chunk of body) {
      for (const branch of branches) {
        if (!branch.destroyed && !branch.write(chunk)) await writable(branch);
      }
    }
    for (const branch of branches) branch.end();
    await Promise.all(consuming);
  };
  try {
    await Promise.race([pump(), failed]);
  } catch (error) {
    for (const branch of branches) branch.destroy();
    body.destroy();
    await Promise.allSettled(consuming);
    throw error;
  }
}

/** Resolves when `branch` takes more data, or is gone (a consumer may destroy its stream and return). */
async function writable(branch: PassThrough): Promise<void> {
  const settled = new AbortController();
  const { signal } = settled;
  try {
    await Promise.race([once(branch, "drain", { signal }), once(branch, "close", { signal })]);
  } finally {
    settled.abort();
  }
}
