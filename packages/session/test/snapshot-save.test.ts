import type { CaptureResult } from "@webrun/browser-state";
import { type BrowserState, emptyBrowserState, type OriginState } from "@webrun/state";
import { describe, expect, it } from "vitest";
import { snapshotToSave } from "../src/snapshot-save.js";

const signer = "https://signer.test";

/** A state whose signer origin holds one IndexedDB record, `value`. */
function withKey(value: unknown): BrowserState {
  const origin = {
    origin: signer,
    localStorage: [],
    sessionStorage: [],
    indexedDB: [
      {
        name: "signer",
        version: 1,
        objectStores: [
          { name: "keys", keyPath: null, autoIncrement: false, indexes: [], records: [{ key: "k", value }] },
        ],
      },
    ],
  } as unknown as OriginState;
  return { ...emptyBrowserState(), origins: [origin] };
}
const oldKey = withKey({ $type: "Unsupported", kind: "CryptoKey" });
const newKey = withKey({ $type: "Unsupported", kind: "CryptoKey", enrolled: 2 });
const seededWhole = {
  seeded: ["IndexedDB of https://signer.test"],
  indexedDbOrigins: new Set([signer]),
  skipped: [],
};
const failed = (state: BrowserState): CaptureResult => ({
  state,
  report: {} as CaptureResult["report"],
  snapshotMissing: "copying the profile's storage folders failed (EACCES)",
});

describe("what a session's save does with the storage snapshot when it has no fresh one", () => {
  it("drops the head's when the session changed IndexedDB it carries, saying why", () => {
    const decided = snapshotToSave(
      { headHadSnapshot: true, seeded: seededWhole },
      failed(newKey),
      "/x",
      oldKey,
      oldKey,
    );
    expect(decided.snapshot).toEqual({ drop: decided.reason });
    expect(decided.reason).toBe(
      "dropped: no fresh storage snapshot could be taken (copying the profile's storage folders failed (EACCES)), " +
        `and it would override the newer IndexedDB this session saved for ${signer}; ` +
        "those origins keep their portable IndexedDB, without the values JSON cannot carry",
    );
  });

  it("keeps it when the session changed none of that IndexedDB; a fresh one replaces it", () => {
    const kept = snapshotToSave(
      { headHadSnapshot: true, seeded: seededWhole },
      failed(oldKey),
      "/x",
      oldKey,
      oldKey,
    );
    expect(kept.snapshot).toBeUndefined();
    expect(kept.reason).toMatch(/^kept as it was: no fresh storage snapshot could be taken/);
    const fresh = snapshotToSave(
      { headHadSnapshot: true, seeded: seededWhole },
      {
        state: newKey,
        report: {} as CaptureResult["report"],
        snapshot: {} as CaptureResult["snapshot"] & object,
      },
      "/x",
      oldKey,
      oldKey,
    );
    expect(fresh).toEqual({ snapshot: { dir: "/x" } });
  });
});
