import { once } from "node:events";
import { PassThrough, type Readable } from "node:stream";

/** Something that reads a whole stream, e.g. a sink storing a file or a side inspection. */
export type StreamConsumer = (body: Readable) => Promise<void>;

/**
 * Feeds one stream to several consumers at the pace of the slowest, without
 * buffering beyond each consumer's stream buffer. Fails as soon as any
 * consumer fails; every consumer must read its stream to the end.
 */
export async function fanOut(body: Readable, consumers: readonly StreamConsumer[]): Promise<void> {
  const [only] = consumers;
  if (consumers.length === 1 && only !== undefined) {
    await only(body);
    return;
  }
  const branches = consumers.map(() => new PassThrough());
  const consuming = consumers.map((consume, i) => consume(branches[i] as PassThrough));
  const failed = Promise.race(consuming.map((promise) => promise.then(() => new Promise<never>(() => {}))));
  const pump = async () => {
    for await (const chunk of body) {
      for (const branch of branches) {
        if (!branch.write(chunk)) await once(branch, "drain");
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
