import type { BlobStore, PutOptions } from "@webrun/blob-store";

/** Every key in a store, sorted: "nothing left behind" assertions compare this. */
export async function allKeys(store: BlobStore, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list(prefix)) keys.push(info.key);
  return keys;
}

/**
 * The same store with a random pause (0–`maxDelayMs` ms) before every
 * operation, so concurrent callers interleave in many different orders.
 */
export function jitteryStore(store: BlobStore, maxDelayMs = 3): BlobStore {
  const pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * maxDelayMs));
  const paused =
    <A extends unknown[], R>(operation: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await pause();
      return operation(...args);
    };
  return {
    driver: `${store.driver}+jitter`,
    put: paused((key, body, options) => store.put(key, body, options)),
    get: paused((key, options) => store.get(key, options)),
    head: paused((key) => store.head(key)),
    delete: paused((key) => store.delete(key)),
    list: (prefix) => store.list(prefix),
    close: () => store.close(),
  };
}

/** The same store, with `beforePut` awaited before every put (to hold one writer while another runs). */
export function hookedStore(
  store: BlobStore,
  beforePut: (key: string, body: unknown, options: PutOptions | undefined) => Promise<void>,
): BlobStore {
  return {
    ...store,
    driver: store.driver,
    put: async (key, body, options) => {
      await beforePut(key, body, options);
      return store.put(key, body, options);
    },
    get: (key, options) => store.get(key, options),
    head: (key) => store.head(key),
    delete: (key) => store.delete(key),
    list: (prefix) => store.list(prefix),
    close: () => store.close(),
  };
}
