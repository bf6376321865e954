import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { Keyring } from "@webrun/blob-store";
import type { BrowserState } from "@webrun/state";

export const EXTENSION_ID = "abcdefghijklmnopabcdefghijklmnop";

export interface ExtensionFixture {
  files: Map<string, Buffer>;
  open: (extensionId: string, path: string) => Readable;
  opened: string[];
}

/** An extension's files (random, incompressible) and a source that records what was opened. */
export function extensionFiles(totalBytes: number, count = 4): ExtensionFixture {
  const files = new Map<string, Buffer>();
  files.set(
    "manifest.json",
    Buffer.from(JSON.stringify({ manifest_version: 3, name: "Fixture", version: "1.2.3" })),
  );
  for (let i = 0; i < count; i += 1)
    files.set(`lib/part-${i}.js`, randomBytes(Math.floor(totalBytes / count)));
  const opened: string[] = [];
  return {
    files,
    opened,
    open: (extensionId, path) => {
      opened.push(`${extensionId}/${path}`);
      const bytes = files.get(path);
      if (!bytes) throw new Error(`no fixture file ${path}`);
      return Readable.from([bytes]);
    },
  };
}

export function stateWith(cookieValue: string, extension?: ExtensionFixture): BrowserState {
  return {
    version: 1,
    cookies: [
      {
        name: "session",
        value: cookieValue,
        domain: ".example.com",
        path: "/",
        expires: -1,
        httpOnly: true,
        secure: true,
        session: true,
        sameSite: "Lax",
      },
      {
        name: "pref",
        value: "dark",
        domain: "app.test",
        path: "/",
        expires: 2_000_000_000,
        httpOnly: false,
        secure: false,
        session: false,
      },
    ],
    origins: [
      {
        origin: "https://app.test",
        localStorage: [{ name: "token", value: `ls-${cookieValue}` }],
        sessionStorage: [],
        indexedDB: [],
      },
    ],
    extensions: extension
      ? [
          {
            id: EXTENSION_ID,
            name: "Fixture",
            version: "1.2.3",
            manifest: { manifest_version: 3, name: "Fixture", version: "1.2.3" },
            enabled: true,
            files: [...extension.files].map(([path, bytes]) => ({
              path,
              size: bytes.length,
              sha256: createHash("sha256").update(bytes).digest("hex"),
            })),
            storage: { local: { seen: true }, sync: {} },
          },
        ]
      : [],
  };
}

/** A clock tests move by hand. */
export function manualClock(start = Date.now()) {
  let now = start;
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** The rejection of a promise that must reject. */
export async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/** A keyring with one fresh random master key. */
export function randomKeyring(): Keyring {
  return new Keyring(new Map([["k1", randomBytes(32)]]), "k1");
}
