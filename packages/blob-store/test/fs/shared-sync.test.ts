import { describe, expect, it } from "vitest";
import { SharedSync } from "../../src/drivers/fs/shared-sync.js";

/** A sync that records each start and finishes only when told to. */
function controlledSync() {
  const started: { path: string; finish: (error?: Error) => void }[] = [];
  const sync = (path: string) =>
    new Promise<void>((resolve, reject) => {
      started.push({ path, finish: (error) => (error ? reject(error) : resolve()) });
    });
  return { started, sync };
}

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe("SharedSync", () => {
  it("answers callers that arrive during a sync with one sync started after it, not the running one", async () => {
    const { started, sync } = controlledSync();
    const shared = new SharedSync(sync);
    const first = shared.sync("/d");
    const second = shared.sync("/d");
    const third = shared.sync("/d");
    expect(started).toHaveLength(1);
    started[0]?.finish();
    await first;
    // The running sync may predate the later callers' renames: they are not answered by it.
    expect(await settled(second)).toBe(false);
    expect(started).toHaveLength(2);
    started[1]?.finish();
    await Promise.all([second, third]);
    expect(started).toHaveLength(2);
    // Nothing running: the next caller starts its own.
    const fourth = shared.sync("/d");
    expect(started).toHaveLength(3);
    started[2]?.finish();
    await fourth;
  });

  it("keeps directories apart and passes a failed sync's error to those who waited on it, then starts afresh", async () => {
    const { started, sync } = controlledSync();
    const shared = new SharedSync(sync);
    const a = shared.sync("/a");
    const b = shared.sync("/b");
    expect(started.map((s) => s.path)).toEqual(["/a", "/b"]);
    const aAgain = shared.sync("/a");
    started[0]?.finish(new Error("disk gone"));
    await expect(a).rejects.toThrow("disk gone");
    expect(started).toHaveLength(3);
    started[2]?.finish(new Error("still gone"));
    await expect(aAgain).rejects.toThrow("still gone");
    started[1]?.finish();
    await b;
    const later = shared.sync("/a");
    expect(started).toHaveLength(4);
    started[3]?.finish();
    await later;
  });
});
