import { kindReport, stateReport } from "@webrun/state";
import { describe, expect, it } from "vitest";
import { stateReportLines } from "../src/state-report-lines.js";

describe("stateReportLines", () => {
  it("says nothing of a complete report", () => {
    const nothingLost = kindReport(3, 3, []);
    const report = stateReport({
      cookies: nothingLost,
      origins: nothingLost,
      extensions: nothingLost,
      passkeys: nothingLost,
      warnings: [],
    });
    expect(stateReportLines("capture", report)).toEqual([]);
  });

  it("names each kind that lost something, with counts, reasons and examples, then the warnings", () => {
    const report = stateReport({
      cookies: kindReport(3300, 10_000, [{ reason: "over Chromium's global cap of 3300", count: 6700 }]),
      origins: kindReport(4, 5, [
        { reason: "IndexedDB values that cannot be serialised", count: 1, examples: ["https://notes.test"] },
      ]),
      extensions: kindReport(0, 0, []),
      passkeys: kindReport(1, 1, []),
      warnings: ["the profile was not readable"],
    });
    expect(stateReportLines("webrun-env: session capture", report)).toEqual([
      "webrun-env: session capture: cookies: 3300/10000 kept whole; 6700 over Chromium's global cap of 3300",
      "webrun-env: session capture: origins: 4/5 kept whole; 1 IndexedDB values that cannot be serialised (e.g. https://notes.test)",
      "webrun-env: session capture: warning: the profile was not readable",
    ]);
  });
});
