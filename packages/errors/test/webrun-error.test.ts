import { describe, expect, it } from "vitest";
import {
  errorKinds,
  exitCodeForKind,
  httpStatusByKind,
  isWebrunError,
  toErrorBody,
  WebrunError,
} from "../src/index.js";

describe("WebrunError", () => {
  it("keeps kind, code, issues and details, and hides the cause from the body", () => {
    const error = new WebrunError({
      kind: "invalid_input",
      code: "PROXY_INVALID",
      message: "proxy.port: must be 1-65535",
      issues: [{ path: "proxy.port", message: "must be 1-65535" }],
      cause: new Error("secret-password in here"),
    });
    expect(isWebrunError(error, "PROXY_INVALID")).toBe(true);
    expect(isWebrunError(error, "OTHER")).toBe(false);
    expect(isWebrunError(new Error("x"))).toBe(false);
    const body = toErrorBody(error);
    expect(body).toEqual({
      success: false,
      message: "proxy.port: must be 1-65535",
      code: "PROXY_INVALID",
      issues: [{ path: "proxy.port", message: "must be 1-65535" }],
    });
    expect(JSON.stringify(body)).not.toContain("secret-password");
  });

  it("maps every kind to a 4xx or 5xx status and an exit code", () => {
    for (const kind of errorKinds) {
      const status = httpStatusByKind[kind];
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
      expect([1, 2]).toContain(exitCodeForKind(kind));
    }
    expect(httpStatusByKind.not_found).toBe(404);
    expect(exitCodeForKind("invalid_input")).toBe(1);
    expect(exitCodeForKind("internal")).toBe(2);
  });
});
