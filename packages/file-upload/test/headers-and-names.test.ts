import { describe, expect, it } from "vitest";
import { attachmentDisposition, formatBytes, parseRangeHeader, sanitizeFileName } from "../src/index.js";

describe("sanitizeFileName", () => {
  it.each([
    ["report.pdf", "report.pdf"],
    ["C:\\Users\\me\\Desktop\\cv.docx", "cv.docx"],
    ["../../etc/passwd", "passwd"],
    ["a\u0000b\u001bc\u007f\u0085.txt", "abc.txt"],
    ["invoice\u202efdp.exe", "invoicefdp.exe"],
    ["  spaced  ", "spaced"],
    ["..", "file"],
    ["", "file"],
    [undefined, "file"],
    ["e\u0301.txt", "\u00e9.txt"],
  ])("%j → %j", (raw, expected) => {
    expect(sanitizeFileName(raw)).toBe(expected);
  });

  it("caps the length at 255 characters without splitting a surrogate pair", () => {
    const name = sanitizeFileName("😀".repeat(300));
    expect(Array.from(name)).toHaveLength(255);
    expect(Buffer.from(name).toString()).toBe(name);
  });
});

describe("attachmentDisposition", () => {
  it("gives an ASCII fallback and the exact name as RFC 5987 filename*", () => {
    expect(attachmentDisposition("résumé 履歴書.pdf")).toBe(
      `attachment; filename="r_sum_ ___.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E5%B1%A5%E6%AD%B4%E6%9B%B8.pdf`,
    );
  });

  it.each(['a"; filename="evil.exe', "a\r\nSet-Cookie: x=y", "a\\b%41", "it's (1)*.txt"])(
    "cannot be broken out of by %j",
    (name) => {
      const value = attachmentDisposition(name);
      expect(value).not.toMatch(/[\r\n]/);
      // Exactly two parameters, the fallback quoted string holds no quote or backslash.
      const match = /^attachment; filename="([^"\\]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]*)$/.exec(
        value,
      );
      expect(match).not.toBeNull();
      expect(decodeURIComponent(match?.[2] ?? "")).toBe(name);
    },
  );
});

describe("parseRangeHeader", () => {
  it.each([
    ["bytes=0-99", { start: 0, end: 99 }],
    ["bytes=100-", { start: 100 }],
    ["bytes=-50", { suffix: 50 }],
    [" bytes = 5 - 6 ", { start: 5, end: 6 }],
    ["bytes=5-4", undefined],
    ["bytes=0-1,3-4", undefined],
    ["items=0-1", undefined],
    ["bytes=-", undefined],
    ["", undefined],
    [undefined, undefined],
  ])("%j → %j", (header, expected) => {
    expect(parseRangeHeader(header)).toEqual(expected);
  });
});

describe("formatBytes", () => {
  it.each([
    [100 * 1024 * 1024, "100 MiB"],
    [1024, "1 KiB"],
    [1536, "1536 bytes"],
    [2 * 1024 ** 3, "2 GiB"],
  ])("%d → %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
