// One of several processes taking the same fs lock, run by file-lock-processes.test.ts with the lock module to load.
// Every few rounds it first leaves a lock behind as a dead process would, so the others keep breaking stale locks
// while taking the lock. Inside the lock it appends "enter <id>" and "leave <id>" to a shared log.
// Prints "ready", waits for "go" on stdin so all workers start together, then prints JSON.

import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import { link, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { createInterface } from "node:readline";

const [lockModule, lockPath, logPath, id, rounds, deadPid] = process.argv.slice(2);
const { withFileLock } = await import(lockModule);

/** Puts a lock of the dead process in place if the lock is free; true when it did. */
async function leaveStaleLock() {
  const content = {
    host: hostname(),
    pid: Number(deadPid),
    token: randomBytes(12).toString("hex"),
    time: Date.now(),
  };
  const aside = `${lockPath}#planted-${content.token}`;
  await writeFile(aside, JSON.stringify(content));
  try {
    await link(aside, lockPath);
    return true;
  } catch {
    return false;
  } finally {
    await unlink(aside);
  }
}

process.stdout.write("ready\n");
await new Promise((resolve) => createInterface({ input: process.stdin }).once("line", resolve));

let planted = 0;
for (let round = 0; round < Number(rounds); round++) {
  if (round % 2 === 0 && (await leaveStaleLock())) planted += 1;
  await withFileLock(lockPath, async () => {
    appendFileSync(logPath, `enter ${id}\n`);
    // Yield to the event loop inside the lock, as real work does: an intruder has time to enter.
    await new Promise((resolve) => setTimeout(resolve, 1));
    appendFileSync(logPath, `leave ${id}\n`);
  });
}
process.stdout.write(`${JSON.stringify({ planted })}\n`);
