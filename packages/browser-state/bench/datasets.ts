import { randomBytes } from "node:crypto";
import { BROWSER_STATE_VERSION, type BrowserState, type Cookie } from "@webrun/state";

/** The shape of one benchmark dataset. */
export interface DatasetShape {
  label: string;
  cookies: number;
  origins: number;
  keysPerOrigin: number;
}

export const datasetA: DatasetShape = { label: "A", cookies: 500, origins: 20, keysPerOrigin: 50 };
export const datasetB: DatasetShape = { label: "B", cookies: 500, origins: 200, keysPerOrigin: 20 };

export function describeDataset(shape: DatasetShape): string {
  return `${shape.cookies} cookies, ${shape.origins} origins × ${shape.keysPerOrigin} localStorage keys`;
}

const text = (bytes: number) => randomBytes(bytes).toString("base64url");

/**
 * A state of the given shape on `https://site-<n>.bench` origins: cookies
 * spread over the origins' hosts (a mix of HttpOnly, session and persistent),
 * localStorage values of ~100 characters. Both contenders get exactly this
 * document (Playwright through `toPlaywrightStorageState`).
 */
export function makeDataset(shape: DatasetShape): BrowserState {
  const origin = (n: number) => `https://site-${n}.bench`;
  const inAMonth = Math.floor(Date.now() / 1000) + 30 * 24 * 3600;
  const cookies: Cookie[] = Array.from({ length: shape.cookies }, (_, i) => {
    const session = i % 5 === 0;
    return {
      name: `cookie_${i}`,
      value: text(30),
      domain: `site-${i % shape.origins}.bench`,
      path: "/",
      expires: session ? -1 : inAMonth,
      httpOnly: i % 2 === 0,
      secure: true,
      session,
      sameSite: "Lax",
    };
  });
  const origins = Array.from({ length: shape.origins }, (_, n) => ({
    origin: origin(n),
    localStorage: Array.from({ length: shape.keysPerOrigin }, (_, k) => ({
      name: `key_${k}`,
      value: text(75),
    })),
    sessionStorage: [],
    indexedDB: [],
  }));
  return { version: BROWSER_STATE_VERSION, cookies, origins, extensions: [] };
}

/** Counts what a captured state holds of the dataset, to prove a timed capture was complete. */
export function countState(state: {
  cookies: readonly unknown[];
  origins: readonly { origin: string; localStorage: readonly unknown[] }[];
}): { cookies: number; items: number } {
  const bench = state.origins.filter((o) => o.origin.endsWith(".bench"));
  return { cookies: state.cookies.length, items: bench.reduce((sum, o) => sum + o.localStorage.length, 0) };
}
