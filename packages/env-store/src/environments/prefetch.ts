import type { Readable } from "node:stream";

/**
 * Opens streams in order with up to `ahead` requests in flight, so reading
 * many stored parts one after another is not paid for in round trips. Only
 * the response headers and a socket buffer are held per opened stream.
 * Streams the consumer never reached are destroyed when it stops early.
 */
export async function* prefetchInOrder<T>(
  items: readonly T[],
  ahead: number,
  open: (item: T) => Promise<Readable>,
): AsyncGenerator<{ item: T; body: Readable }> {
  const pending: Promise<Readable>[] = [];
  let next = 0;
  const fill = () => {
    while (next < items.length && pending.length < ahead) {
      const opening = open(items[next] as T);
      opening.catch(() => {}); // observed when its turn comes
      pending.push(opening);
      next += 1;
    }
  };
  let index = 0;
  try {
    for (; index < items.length; index += 1) {
      fill();
      const body = await (pending.shift() as Promise<Readable>);
      yield { item: items[index] as T, body };
    }
  } finally {
    for (const opening of pending)
      opening.then(
        (body) => body.destroy(),
        () => {},
      );
  }
}
