import { isWebrunError } from "@webrun/errors";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

function refusal(env: NodeJS.ProcessEnv): Error {
  try {
    loadConfig(env);
  } catch (error) {
    expect(isWebrunError(error, "CONFIG_INVALID")).toBe(true);
    return error as Error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe("API keys in the configuration", () => {
  it.each([
    ["unset (127.0.0.1)", {}],
    ["127.0.0.1", { HOST: "127.0.0.1" }],
    ["another 127.x address", { HOST: "127.0.0.2" }],
    ["::1", { HOST: "::1" }],
    ["localhost", { HOST: "localhost" }],
  ])("without API_KEYS, the embedded storage on HOST %s serves the local key", (_, env) => {
    expect(loadConfig(env)).toMatchObject({ storage: "fs", apiKeys: "", localApiKey: true });
  });

  it.each([
    ["0.0.0.0", "HOST=0.0.0.0 is not a loopback address"],
    ["::", "HOST=:: is not a loopback address"],
    ["192.168.1.20", "HOST=192.168.1.20 is not a loopback address"],
    ["my-laptop.local", "HOST=my-laptop.local is not a loopback address"],
  ])("without API_KEYS, HOST=%s is refused, naming API_KEYS", (host, reason) => {
    const error = refusal({ HOST: host });
    expect(error.message).toMatch(/^API_KEYS is required when /);
    expect(error.message).toContain(reason);
  });

  it("without API_KEYS, S3 is refused on loopback too, naming API_KEYS among everything else it lacks", () => {
    const error = refusal({ STORAGE: "s3", S3_BUCKET: "b", WEBRUN_MASTER_KEYS: "k1:x" });
    expect(error.message).toBe(
      'API_KEYS is required when STORAGE=s3: set API_KEYS="<key of 16+ characters>:<userId>,…"',
    );
    const all = refusal({ STORAGE: "s3", API_KEYS: " " });
    expect(all.message.split("; ").map((problem) => problem.split(" ")[0])).toEqual([
      "S3_BUCKET",
      "WEBRUN_MASTER_KEYS",
      "API_KEYS",
    ]);
  });

  it("with API_KEYS, any HOST and S3 start, and no local key is made", () => {
    expect(loadConfig({ HOST: "0.0.0.0", API_KEYS: "wk_0123456789abcdef:alice" })).toMatchObject({
      host: "0.0.0.0",
      localApiKey: false,
    });
    expect(
      loadConfig({ STORAGE: "s3", S3_BUCKET: "b", WEBRUN_MASTER_KEYS: "k1:x", API_KEYS: "k:alice" }),
    ).toMatchObject({ storage: "s3", localApiKey: false });
  });
});
