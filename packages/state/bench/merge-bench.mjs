// The three-way merge of two concurrent saves at the size the issue names — 10,000 cookies and
// 1,000 origins (10 localStorage items, 2 sessionStorage items and an IndexedDB store of 20
// records each) — where each side changed 10% of the units and added its own, and 1% changed on
// both sides (conflicts). Prints the median of N runs of `mergeStates` and of `stateChanges`,
// next to the bare cost of reading the three documents (JSON.parse of the same bytes), as wall
// time and as this process's CPU time (user + system: on a shared, loaded machine the wall time
// includes waiting for a core, the CPU time does not), and PASS/MISS against the 200 ms goal on
// both. It reports and never fails.
//
//   pnpm turbo run build --filter=@webrun/state && node packages/state/bench/merge-bench.mjs [--iterations=7]
import { performance } from "node:perf_hooks";
import { mergeStates, stateChanges } from "@webrun/state";

const iterations = Number(process.argv.find((a) => a.startsWith("--iterations="))?.split("=")[1] ?? 7);
const COOKIES = 10_000;
const ORIGINS = 1_000;
const GOAL_MS = 200;
const future = Math.floor(Date.now() / 1000) + 86_400 * 90;

function baseState() {
  const cookies = Array.from({ length: COOKIES }, (_, i) => ({
    name: `c${i % 50}`,
    value: `value-${i}-${"x".repeat(40)}`,
    domain: `.site${Math.floor(i / 50)}.test`,
    path: "/",
    expires: future,
    httpOnly: i % 2 === 0,
    secure: true,
    session: false,
    sameSite: "Lax",
  }));
  const origins = Array.from({ length: ORIGINS }, (_, i) => ({
    origin: `https://app${i}.test`,
    localStorage: Array.from({ length: 10 }, (_, k) => ({
      name: `k${k}`,
      value: `v${i}-${k}-${"y".repeat(60)}`,
    })),
    sessionStorage: Array.from({ length: 2 }, (_, k) => ({ name: `s${k}`, value: `t${i}-${k}` })),
    indexedDB: [
      {
        name: "db",
        version: 1,
        objectStores: [
          {
            name: "items",
            keyPath: "id",
            autoIncrement: false,
            indexes: [],
            records: Array.from({ length: 20 }, (_, r) => ({ key: r, value: { id: r, text: `r${i}-${r}` } })),
          },
        ],
      },
    ],
  }));
  return { version: 1, capturedAt: "2026-12-01T10:00:00Z", cookies, origins, extensions: [] };
}

/** A side's save: `structuredClone` of base with every `step`-th unit changed from `offset` on, plus new cookies. */
function side(base, { capturedAt, tag, offset, step }) {
  const state = structuredClone(base);
  state.capturedAt = capturedAt;
  for (let i = offset; i < state.cookies.length; i += step) state.cookies[i].value = `${tag}-${i}`;
  for (let i = offset; i < state.origins.length; i += step) {
    state.origins[i].localStorage[0].value = `${tag}-${i}`;
    state.origins[i].indexedDB[0].objectStores[0].records[0].value.text = `${tag}-${i}`;
  }
  for (let i = 0; i < 100; i++)
    state.cookies.push({ ...state.cookies[0], name: `${tag}${i}`, domain: `${tag}.test` });
  return state;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const format = (ms) => `${ms.toFixed(1)} ms`;

const base = baseState();
// 10% of units changed on each side; every 100th unit on both (offset 0 in both) is a conflict.
const ours = side(base, { capturedAt: "2026-12-01T10:05:00Z", tag: "ours", offset: 0, step: 10 });
const theirs = side(base, { capturedAt: "2026-12-01T10:04:00Z", tag: "theirs", offset: 0, step: 100 });
const texts = [base, ours, theirs].map((s) => JSON.stringify(s));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);

/** Runs `work` and records its wall and CPU milliseconds. */
function timed(samples, work) {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const result = work();
  const used = process.cpuUsage(cpu);
  samples.wall.push(performance.now() - wall);
  samples.cpu.push((used.user + used.system) / 1000);
  return result;
}
const samples = () => ({ wall: [], cpu: [] });
const merge = samples();
const changes = samples();
const parse = samples();
let report;
for (let round = 0; round < iterations; round++) {
  timed(parse, () => {
    for (const text of texts) JSON.parse(text);
  });
  report = timed(merge, () => mergeStates({ base, ours, theirs })).report;
  timed(changes, () => stateChanges(base, ours));
}

console.log(
  `merge bench: ${COOKIES} cookies + ${ORIGINS} origins per side, 3 documents of ${(bytes / 3 / 1e6).toFixed(1)} MB, median of ${iterations}`,
);
console.log(`  conflicts found: ${report.conflicts} (${JSON.stringify(report.conflictsByKind)})`);
const line = (name, s, note) =>
  console.log(
    `  ${name.padEnd(16)} wall ${format(median(s.wall)).padStart(9)}  cpu ${format(median(s.cpu)).padStart(9)}  ${note}`,
  );
const verdict = (ms) => (ms < GOAL_MS ? "PASS" : "MISS");
line(
  "mergeStates",
  merge,
  `goal < ${GOAL_MS} ms: wall ${verdict(median(merge.wall))}, cpu ${verdict(median(merge.cpu))}`,
);
line("stateChanges", changes, "(the receipt's change counts)");
line("JSON.parse × 3", parse, "(baseline: reading the same three documents)");
console.log(
  `  merge / parse: wall ${(median(merge.wall) / median(parse.wall)).toFixed(2)}×, cpu ${(median(merge.cpu) / median(parse.cpu)).toFixed(2)}×`,
);
