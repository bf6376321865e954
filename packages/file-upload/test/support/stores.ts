import type { BlobStore } from "@webrun/env-store";

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
  return {
    driver: `${store.driver}+jitter`,
    put: async (key, body, options) => (await pause(), store.put(key, body, options)),
    get: async (key, options) => (await pause(), store.get(key, options)),
    head: async (key) => (await pause(), store.head(key)),
    delete: async (key) => (await pause(), store.delete(key)),
    list: (prefix) => store.list(prefix),
    close: () => store.close(),
  };
}
