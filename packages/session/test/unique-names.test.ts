import { describe, expect, it } from "vitest";
import { diskSafeName, UniqueNames } from "../src/unique-names.js";

describe("names on disk", () => {
  it("numbers collisions before the extension, past names already taken", () => {
    const names = new UniqueNames(["report.pdf", "report (2).pdf"]);
    expect(
      ["report.pdf", "report.pdf", "README", "README", ".env", ".env"].map((n) => names.claim(n)),
    ).toEqual(["report (3).pdf", "report (4).pdf", "README", "README (2)", ".env", ".env (2)"]);
  });

  it("keeps one path segment: no separators, no NUL, no dot names", () => {
    expect(["../../etc/passwd", "a\\b.txt", "x\0y", "..", ".", "", "dir/"].map(diskSafeName)).toEqual([
      "passwd",
      "b.txt",
      "xy",
      "file",
      "file",
      "file",
      "dir",
    ]);
  });
});
