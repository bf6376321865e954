import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./browser-cli-helpers.js";

const environmentId = "683a1f2e4b0c1d2e3f4a5b6c";
const proxyPassword = "proxy-PW-0123";
const secretValue = "form-S3CRET-4567";

let dir: string;
const file = (name: string) => join(dir, name);

const validInput = {
  profileId: environmentId.toUpperCase(),
  reachOutMode: "full",
  proxy: {
    source: "custom",
    type: "http",
    host: "[2001:DB8::1]",
    port: 3128,
    username: "alice",
    password: proxyPassword,
  },
  initialTask: {
    taskDetails: "Log in and download the invoice",
    startingPoint: "https://Example.com",
    avoidDomains: ["Ads.Example.com", "*.tracker.NET"],
    secrets: [{ match: "*.EXAMPLE.com", fields: { username: "alice", password: secretValue } }],
    files: ["file_1", "file_1"],
    outputType: "structured_json",
    outputSchema: { type: "object" },
  },
};

const normalised = {
  mode: "default",
  environmentId,
  reachOutMode: "full",
  proxy: {
    source: "custom",
    type: "http",
    host: "2001:db8::1",
    port: "3128",
    username: "alice",
    password: "[redacted]",
    level: "chrome",
    levelSource: "default",
  },
  task: {
    prompt: "Log in and download the invoice",
    startingUrl: "https://example.com/",
    maxDuration: 300000,
    maxInputTokens: 100000,
    maxOutputTokens: 100000,
    avoidDomains: ["ads.example.com", "*.tracker.net"],
    secrets: [{ match: "*.example.com", fields: { username: "[redacted]", password: "[redacted]" } }],
    files: ["file_1"],
    outputType: "structured_json",
    outputSchema: { type: "object" },
  },
};

const invalidInput = {
  reachOutMode: "sometimes",
  enviromentId: environmentId,
  proxy: {
    source: "custom",
    type: "socks",
    host: "proxy.example.com:1080",
    port: "1080",
    password: proxyPassword,
  },
  task: { prompt: "p", secrets: [{ match: "all", fields: { password: `${secretValue}\n` } }] },
};

const invalidLines = [
  "proxy.host: host must not include a port; put it in port",
  "reachOutMode: reachOutMode must be one of: off, guardrail_only, full",
  "task.secrets.0.fields.password: secret values must not contain control characters or newlines",
  'enviromentId: unknown field "enviromentId"; did you mean environmentId?',
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "check-session-"));
  await writeFile(file("valid.json"), JSON.stringify(validInput));
  await writeFile(file("invalid.json"), JSON.stringify(invalidInput));
  await writeFile(file("empty-object.json"), "{}");
  await writeFile(file("broken.json"), `{"proxy": {"password": "${proxyPassword}", }`);
  await writeFile(file("with-bom.json"), '\uFEFF{"reachOutMode": "off"}');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each case starts a Node process; on a loaded 2-core machine that can take seconds.
describe("webrun-env check-session", { timeout: 30_000 }, () => {
  it("prints valid parameters from a file normalised, 2-space JSON, secrets redacted; exit 0", async () => {
    const result = await runCli(["check-session", file("valid.json")]);
    expect(result).toEqual({ code: 0, stdout: `${JSON.stringify(normalised, null, 2)}\n`, stderr: "" });
    expect(result.stdout).not.toContain(proxyPassword);
    expect(result.stdout).not.toContain(secretValue);
  });

  it("reads stdin for -", async () => {
    const result = await runCli(["check-session", "-"], JSON.stringify(validInput));
    expect(result).toEqual({ code: 0, stdout: `${JSON.stringify(normalised, null, 2)}\n`, stderr: "" });
  });

  it.each([
    [
      "an empty object gets every default",
      "empty-object.json",
      { mode: "default", reachOutMode: "guardrail_only" },
    ],
    ["a UTF-8 byte order mark is tolerated", "with-bom.json", { mode: "default", reachOutMode: "off" }],
  ])("%s", async (_name, name, expected) => {
    const result = await runCli(["check-session", file(name)]);
    expect(result).toEqual({ code: 0, stdout: `${JSON.stringify(expected, null, 2)}\n`, stderr: "" });
  });

  it("prints one path: message line per problem on stderr; exit 1", async () => {
    const result = await runCli(["check-session", file("invalid.json")]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")).toEqual([...invalidLines, ""]);
    expect(result.stderr).not.toContain(secretValue);
    expect(result.stderr).not.toContain(proxyPassword);
  });

  it("reports problems in stdin the same way", async () => {
    const result = await runCli(["check-session", "-"], JSON.stringify(invalidInput));
    expect(result).toEqual({ code: 1, stdout: "", stderr: `${invalidLines.join("\n")}\n` });
  });

  it.each([
    ["a JSON array", "[]", "(root): session parameters must be a JSON object\n"],
    [
      "the old and new task together",
      '{"task":{"prompt":"a"},"initialTask":{"taskDetails":"b"}}',
      "initialTask: give either task or initialTask, not both\n",
    ],
    [
      "a SOCKS proxy with credentials forced to chrome",
      JSON.stringify({
        proxy: {
          source: "custom",
          type: "socks",
          host: "10.0.0.1",
          port: "1080",
          username: "u",
          password: proxyPassword,
          level: "chrome",
        },
      }),
      "proxy.level: level chrome cannot work for a SOCKS proxy with credentials: Chrome has no SOCKS authentication; use level system or remove the credentials\n",
    ],
  ])("refuses %s", async (_name, stdin, stderr) => {
    expect(await runCli(["check-session", "-"], stdin)).toEqual({ code: 1, stdout: "", stderr });
  });

  it("a missing file is one clear line; exit 1", async () => {
    const missing = file("nope.json");
    expect(await runCli(["check-session", missing])).toEqual({
      code: 1,
      stdout: "",
      stderr: `webrun-env: cannot read ${missing}: no such file\n`,
    });
  });

  it("a directory is one clear line; exit 1", async () => {
    expect(await runCli(["check-session", dir])).toEqual({
      code: 1,
      stdout: "",
      stderr: `webrun-env: cannot read ${dir}: it is a directory\n`,
    });
  });

  it("invalid JSON is one line that quotes none of the input; exit 1", async () => {
    const result = await runCli(["check-session", file("broken.json")]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `webrun-env: ${file("broken.json")} is not valid JSON (line 1, column 41)\n`,
    });
  });

  it("empty stdin says so; exit 1", async () => {
    expect(await runCli(["check-session", "-"], "")).toEqual({
      code: 1,
      stdout: "",
      stderr: "webrun-env: stdin is not valid JSON (it is empty)\n",
    });
  });

  it.each([
    [
      "truncated JSON, with where it stops",
      '{"mode": "default"',
      "stdin is not valid JSON (line 1, column 19)",
    ],
    ["JSON cut after a colon", '{"mode":', "stdin is not valid JSON (it ends too early)"],
  ])("%s; exit 1", async (_name, stdin, message) => {
    expect(await runCli(["check-session", "-"], stdin)).toEqual({
      code: 1,
      stdout: "",
      stderr: `webrun-env: ${message}\n`,
    });
  });

  it("without a file argument, says what is missing; exit 1", async () => {
    const result = await runCli(["check-session"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("error: missing required argument 'file'");
  });

  it("--help describes the command; exit 0", async () => {
    const result = await runCli(["check-session", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("Usage: webrun-env check-session [options] <file>");
    expect(result.stdout).toContain("a JSON file with the session parameters, or - to read stdin");
    expect(result.stdout).toContain(
      'Invalid: prints one "path: message" line per problem on stderr; exit 1.',
    );
  });

  it("is listed in the program's help", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/check-session <file>\s+validate session parameters/);
  });
});
