import { describe, expect, it } from "vitest";
import { type FieldError, parseSessionParams, redactSessionParams, taskLimits } from "../src/index.js";

const envId = "683a1f2e4b0c1d2e3f4a5b6c";
const defaults = { mode: "default", reachOutMode: "guardrail_only" } as const;
const taskDefaults = {
  maxDuration: 300_000,
  maxInputTokens: 100_000,
  maxOutputTokens: 100_000,
  outputType: "text",
} as const;

describe("parseSessionParams accepts and normalises", () => {
  it.each([
    ["nothing at all: every default", {}, { ...defaults }],
    ["mode default", { mode: "default" }, { ...defaults }],
    [
      "environmentId in upper case",
      { environmentId: envId.toUpperCase() },
      { ...defaults, environmentId: envId },
    ],
    ["profileId becomes environmentId", { profileId: envId }, { ...defaults, environmentId: envId }],
    [
      "profileId and environmentId naming the same environment",
      { environmentId: envId, profileId: envId.toUpperCase() },
      { ...defaults, environmentId: envId },
    ],
    ["policyId", { policyId: "policy_1-a" }, { ...defaults, policyId: "policy_1-a" }],
    ["reachOutMode off", { reachOutMode: "off" }, { ...defaults, reachOutMode: "off" }],
    ["reachOutMode full", { reachOutMode: "full" }, { ...defaults, reachOutMode: "full" }],
    [
      "a proxy, normalised",
      { proxy: { source: "WebRun", country: "gb" } },
      { ...defaults, proxy: { source: "WebRun", country: "GB", level: "chrome", levelSource: "default" } },
    ],
    [
      "a minimal task gets its defaults",
      { task: { prompt: "Find the price" } },
      { ...defaults, task: { prompt: "Find the price", ...taskDefaults } },
    ],
    [
      "a multi-line prompt keeps its line breaks and tabs",
      { task: { prompt: "Step 1\n\tStep 2\r\n" } },
      { ...defaults, task: { prompt: "Step 1\n\tStep 2\r\n", ...taskDefaults } },
    ],
    [
      "initialTask becomes task",
      {
        initialTask: {
          taskDetails: "Log in",
          startingPoint: "https://example.com/login",
          maxDuration: 60_000,
        },
      },
      {
        ...defaults,
        task: {
          prompt: "Log in",
          startingUrl: "https://example.com/login",
          ...taskDefaults,
          maxDuration: 60_000,
        },
      },
    ],
    [
      "startingUrl is normalised by the URL parser",
      { task: { prompt: "p", startingUrl: "HTTPS://Example.COM" } },
      { ...defaults, task: { prompt: "p", startingUrl: "https://example.com/", ...taskDefaults } },
    ],
    [
      "every task field, at its maxima",
      {
        task: {
          prompt: "p",
          startingUrl: "http://example.com:8080/a?b=c",
          maxDuration: 300_000,
          maxInputTokens: taskLimits.maxInputTokens,
          maxOutputTokens: taskLimits.maxOutputTokens,
          terminateOnCompletion: true,
        },
      },
      {
        ...defaults,
        task: {
          ...taskDefaults,
          prompt: "p",
          startingUrl: "http://example.com:8080/a?b=c",
          maxInputTokens: 10_000_000,
          maxOutputTokens: 1_000_000,
          terminateOnCompletion: true,
        },
      },
    ],
    [
      "avoidDomains lowercased, punycoded and deduplicated",
      {
        task: {
          prompt: "p",
          avoidDomains: ["Ads.Example.com", "*.TRACKER.net", "ads.example.com", "bücher.example"],
        },
      },
      {
        ...defaults,
        task: {
          prompt: "p",
          ...taskDefaults,
          avoidDomains: ["ads.example.com", "*.tracker.net", "xn--bcher-kva.example"],
        },
      },
    ],
    [
      "files deduplicated in order",
      { task: { prompt: "p", files: ["f2", envId, "f2"] } },
      { ...defaults, task: { prompt: "p", ...taskDefaults, files: ["f2", envId] } },
    ],
    [
      "secrets: match normalised, values kept",
      {
        task: {
          prompt: "p",
          secrets: [
            { match: "ALL", fields: { api_key: "k" } },
            { match: "*.Example.com", fields: { username: "alice", password: "pw" } },
          ],
        },
      },
      {
        ...defaults,
        task: {
          prompt: "p",
          ...taskDefaults,
          secrets: [
            { match: "all", fields: { api_key: "k" } },
            { match: "*.example.com", fields: { username: "alice", password: "pw" } },
          ],
        },
      },
    ],
    [
      "structured_json with a schema",
      { task: { prompt: "p", outputType: "structured_json", outputSchema: { type: "object" } } },
      {
        ...defaults,
        task: {
          prompt: "p",
          ...taskDefaults,
          outputType: "structured_json",
          outputSchema: { type: "object" },
        },
      },
    ],
    [
      "structured_csv with a schema",
      { task: { prompt: "p", outputType: "structured_csv", outputSchema: { type: "array" } } },
      {
        ...defaults,
        task: { prompt: "p", ...taskDefaults, outputType: "structured_csv", outputSchema: { type: "array" } },
      },
    ],
  ])("%s", (_name, input, expected) => {
    expect(parseSessionParams(input)).toEqual({ ok: true, value: expected });
  });
});

const errors = (...pairs: [string, string][]): FieldError[] =>
  pairs.map(([path, message]) => ({ path, message }));
const reachOutMessage = "reachOutMode must be one of: off, guardrail_only, full";
const task = (fields: Record<string, unknown>) => ({ task: { prompt: "p", ...fields } });

describe("parseSessionParams refuses, naming the field", () => {
  it.each([
    ["null", null, errors(["(root)", "session parameters must be a JSON object"])],
    ["an array", [], errors(["(root)", "session parameters must be a JSON object"])],
    ["a string", "default", errors(["(root)", "session parameters must be a JSON object"])],
    ["another mode", { mode: "fast" }, errors(["mode", 'mode must be "default"'])],
    ["reachOutMode on", { reachOutMode: "on" }, errors(["reachOutMode", reachOutMessage])],
    ["reachOutMode in upper case", { reachOutMode: "OFF" }, errors(["reachOutMode", reachOutMessage])],
    ["reachOutMode null", { reachOutMode: null }, errors(["reachOutMode", reachOutMessage])],
    ["reachOutMode a number", { reachOutMode: 1 }, errors(["reachOutMode", reachOutMessage])],
    [
      "a short environmentId",
      { environmentId: "683a1f2e" },
      errors(["environmentId", "environmentId must be 24 hexadecimal characters"]),
    ],
    [
      "a non-hex profileId",
      { profileId: "683a1f2e4b0c1d2e3f4a5b6z" },
      errors(["profileId", "profileId must be 24 hexadecimal characters"]),
    ],
    [
      "environmentId a number",
      { environmentId: 683 },
      errors(["environmentId", "environmentId must be 24 hexadecimal characters"]),
    ],
    [
      "profileId and environmentId disagreeing",
      { environmentId: envId, profileId: "683a1f2e4b0c1d2e3f4a5b6d" },
      errors([
        "profileId",
        "profileId and environmentId name different environments; give only environmentId",
      ]),
    ],
    [
      "a policyId with a slash",
      { policyId: "a/b" },
      errors(["policyId", "policyId must be 1-64 letters, digits, '_' or '-'"]),
    ],
    [
      "a typo at the top level",
      { enviromentId: envId },
      errors(["enviromentId", 'unknown field "enviromentId"; did you mean environmentId?']),
    ],
    ["an unknown top-level field", { browser: "chrome" }, errors(["browser", 'unknown field "browser"'])],
    [
      "task and initialTask together",
      { task: { prompt: "a" }, initialTask: { taskDetails: "b" } },
      errors(["initialTask", "give either task or initialTask, not both"]),
    ],
    ["task not an object", { task: "do it" }, errors(["task", "task must be an object"])],
    ["a task without prompt", { task: {} }, errors(["task.prompt", "prompt is required"])],
    [
      "an initialTask without taskDetails",
      { initialTask: {} },
      errors(["initialTask.taskDetails", "taskDetails is required"]),
    ],
    ["a blank prompt", task({ prompt: " \n " }), errors(["task.prompt", "prompt must not be empty"])],
    [
      "a NUL in the prompt",
      task({ prompt: "a\u0000b" }),
      errors(["task.prompt", "prompt must not contain control characters other than line breaks and tabs"]),
    ],
    [
      "a prompt over the limit",
      task({ prompt: "x".repeat(100_001) }),
      errors(["task.prompt", "prompt must be at most 100000 characters"]),
    ],
    [
      "a typo in a task field",
      task({ maxDurration: 1000 }),
      errors(["task.maxDurration", 'unknown field "maxDurration"; did you mean maxDuration?']),
    ],
    [
      "the old spelling inside task",
      { task: { taskDetails: "p" } },
      errors(
        ["task.prompt", "prompt is required"],
        ["task.taskDetails", "taskDetails is the initialTask spelling; in task use prompt"],
      ),
    ],
    [
      "the new spelling inside initialTask",
      { initialTask: { taskDetails: "p", startingUrl: "https://example.com" } },
      errors([
        "initialTask.startingUrl",
        "startingUrl is the task spelling; in initialTask use startingPoint",
      ]),
    ],
    [
      "maxDuration above the maximum",
      task({ maxDuration: 300_001 }),
      errors(["task.maxDuration", "maxDuration must be a whole number of milliseconds from 1 to 300000"]),
    ],
    [
      "maxDuration zero",
      task({ maxDuration: 0 }),
      errors(["task.maxDuration", "maxDuration must be a whole number of milliseconds from 1 to 300000"]),
    ],
    [
      "maxDuration fractional",
      task({ maxDuration: 1.5 }),
      errors(["task.maxDuration", "maxDuration must be a whole number of milliseconds from 1 to 300000"]),
    ],
    [
      "maxDuration as a string",
      task({ maxDuration: "1000" }),
      errors(["task.maxDuration", "maxDuration must be a whole number of milliseconds from 1 to 300000"]),
    ],
    [
      "maxInputTokens above the maximum",
      task({ maxInputTokens: 10_000_001 }),
      errors(["task.maxInputTokens", "maxInputTokens must be a whole number from 1 to 10000000"]),
    ],
    [
      "maxOutputTokens negative",
      task({ maxOutputTokens: -5 }),
      errors(["task.maxOutputTokens", "maxOutputTokens must be a whole number from 1 to 1000000"]),
    ],
    [
      "terminateOnCompletion as a string",
      task({ terminateOnCompletion: "yes" }),
      errors(["task.terminateOnCompletion", "terminateOnCompletion must be true or false"]),
    ],
    [
      "startingUrl with another scheme",
      task({ startingUrl: "ftp://example.com" }),
      errors(["task.startingUrl", "startingUrl must be an http or https URL"]),
    ],
    [
      "startingUrl not a URL",
      task({ startingUrl: "example.com" }),
      errors(["task.startingUrl", "startingUrl must be an http or https URL"]),
    ],
    [
      "startingUrl a javascript: URL",
      task({ startingUrl: "javascript:alert(1)" }),
      errors(["task.startingUrl", "startingUrl must be an http or https URL"]),
    ],
    [
      "startingUrl with credentials",
      task({ startingUrl: "https://alice:pw@example.com" }),
      errors(["task.startingUrl", "startingUrl must not include credentials; use secrets"]),
    ],
    [
      "startingPoint with a newline",
      { initialTask: { taskDetails: "p", startingPoint: "https://example.com/\n" } },
      errors(["initialTask.startingPoint", "startingPoint must not contain control characters or newlines"]),
    ],
    [
      "avoidDomains not an array",
      task({ avoidDomains: "example.com" }),
      errors(["task.avoidDomains", "avoidDomains must be an array of domains"]),
    ],
    [
      "a URL in avoidDomains",
      task({ avoidDomains: ["example.com", "https://ads.example.com/"] }),
      errors([
        "task.avoidDomains.1",
        "avoidDomains entries must be a domain such as example.com or *.example.com, not a URL",
      ]),
    ],
    [
      "a wildcard over a top-level domain",
      task({ avoidDomains: ["*.com"] }),
      errors([
        "task.avoidDomains.0",
        "avoidDomains entries wildcard must cover a domain with at least two labels (*.example.com)",
      ]),
    ],
    [
      "a wildcard inside a label",
      task({ avoidDomains: ["ads*.example.com"] }),
      errors([
        "task.avoidDomains.0",
        "avoidDomains entries may use * only as the whole first label (*.example.com)",
      ]),
    ],
    [
      "an IP address in avoidDomains",
      task({ avoidDomains: ["10.0.0.1"] }),
      errors([
        "task.avoidDomains.0",
        "avoidDomains entries must be a domain such as example.com or *.example.com",
      ]),
    ],
    [
      "a number in avoidDomains",
      task({ avoidDomains: [5] }),
      errors(["task.avoidDomains.0", "avoidDomains entries must be a string"]),
    ],
    [
      "too many avoidDomains",
      task({ avoidDomains: Array.from({ length: 101 }, (_, i) => `d${i}.example.com`) }),
      errors(["task.avoidDomains", "avoidDomains may list at most 100 domains"]),
    ],
    [
      "a file id with a slash",
      task({ files: ["ok", "../etc/passwd"] }),
      errors(["task.files.1", "file ids must be 1-64 letters, digits, '_' or '-'"]),
    ],
    [
      "files not an array",
      task({ files: "f1" }),
      errors(["task.files", "files must be an array of file ids"]),
    ],
    [
      "an unknown outputType",
      task({ outputType: "json" }),
      errors(["task.outputType", "outputType must be one of: text, structured_json, structured_csv"]),
    ],
    [
      "structured_json without a schema",
      task({ outputType: "structured_json" }),
      errors(["task.outputSchema", "outputSchema is required when outputType is structured_json"]),
    ],
    [
      "structured_csv without a schema",
      task({ outputType: "structured_csv" }),
      errors(["task.outputSchema", "outputSchema is required when outputType is structured_csv"]),
    ],
    [
      "a schema with text output",
      task({ outputSchema: { type: "object" } }),
      errors([
        "task.outputSchema",
        "outputSchema applies only to outputType structured_json or structured_csv; remove it or set outputType",
      ]),
    ],
    [
      "a schema that is an array",
      task({ outputType: "structured_json", outputSchema: [] }),
      errors(["task.outputSchema", "outputSchema must be a JSON Schema object"]),
    ],
    [
      "secrets not an array",
      task({ secrets: { match: "all" } }),
      errors(["task.secrets", "secrets must be an array of {match, fields}"]),
    ],
    [
      "a secret with an invalid match",
      task({ secrets: [{ match: "https://example.com", fields: { a: "b" } }] }),
      errors([
        "task.secrets.0.match",
        "match must be a domain such as example.com or *.example.com, not a URL, or all",
      ]),
    ],
    [
      "a secret without fields",
      task({ secrets: [{ match: "all" }] }),
      errors(["task.secrets.0.fields", "fields is required"]),
    ],
    [
      "a secret with empty fields",
      task({ secrets: [{ match: "all", fields: {} }] }),
      errors(["task.secrets.0.fields", "fields must name at least one secret"]),
    ],
    [
      "a secret with an unknown key",
      task({ secrets: [{ match: "all", fields: { a: "b" }, feilds: {} }] }),
      errors(["task.secrets.0.feilds", 'unknown field "feilds"; did you mean fields?']),
    ],
    [
      "a secret value that is not a string",
      task({ secrets: [{ match: "all", fields: { pin: 1234 } }] }),
      errors(["task.secrets.0.fields.pin", "secret values must be strings"]),
    ],
    [
      "an empty secret value",
      task({ secrets: [{ match: "all", fields: { pin: "" } }] }),
      errors(["task.secrets.0.fields.pin", "secret values must not be empty"]),
    ],
    [
      "a secret name with a space",
      task({ secrets: [{ match: "all", fields: { "my pin": "1" } }] }),
      errors([
        "task.secrets.0.fields",
        "secret name \"my pin\" must be 1-64 letters, digits, '_', '-' or '.'",
      ]),
    ],
    [
      "two secrets for the same match",
      task({
        secrets: [
          { match: "*.example.com", fields: { a: "1" } },
          { match: "*.EXAMPLE.com", fields: { b: "2" } },
        ],
      }),
      errors([
        "task.secrets.1.match",
        "match *.example.com is already used by secrets.0; merge their fields",
      ]),
    ],
    [
      "proxy problems, under proxy",
      { proxy: { source: "custom", type: "http", host: "x", port: "99999" } },
      errors(["proxy.port", "port must be a number from 1 to 65535"]),
    ],
    [
      "problems at every level at once",
      {
        reachOutMode: "maybe",
        extra: 1,
        task: { prompt: "p", maxDuration: 0, secrets: [{ match: "all", fields: { a: 1 } }] },
      },
      errors(
        ["reachOutMode", reachOutMessage],
        ["task.maxDuration", "maxDuration must be a whole number of milliseconds from 1 to 300000"],
        ["task.secrets.0.fields.a", "secret values must be strings"],
        ["extra", 'unknown field "extra"'],
      ),
    ],
  ])("%s", (_name, input, expected) => {
    expect(parseSessionParams(input)).toEqual({ ok: false, errors: expected });
  });
});

describe("secret values are never echoed", () => {
  const secret = "hunter2-TOPSECRET";
  it.each([
    ["a value with a newline", { match: "all", fields: { password: `${secret}\n` } }],
    ["a value too long", { match: "all", fields: { password: secret.repeat(300) } }],
    ["a value beside a bad name", { match: "all", fields: { "bad name": secret } }],
    ["a value beside a bad match", { match: "not a domain", fields: { password: secret } }],
    ["a value in a duplicate entry", { match: "all", fields: { password: secret }, extra: true }],
    ["a value of a secret given as an array", { match: "all", fields: [secret] }],
  ])("%s", (_name, secretEntry) => {
    const result = parseSessionParams({ task: { prompt: "p", secrets: [secretEntry] } });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(secret);
  });

  it("redactSessionParams hides secret values and the proxy password, keeping names", () => {
    const parsed = parseSessionParams({
      proxy: {
        source: "custom",
        type: "http",
        host: "p.example.com",
        port: "80",
        username: "u",
        password: secret,
      },
      task: { prompt: "p", secrets: [{ match: "all", fields: { password: secret } }] },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const shown = JSON.stringify(redactSessionParams(parsed.value));
    expect(shown).not.toContain(secret);
    expect(redactSessionParams(parsed.value)).toMatchObject({
      proxy: { username: "u", password: "[redacted]" },
      task: { secrets: [{ match: "all", fields: { password: "[redacted]" } }] },
    });
    // The original value is untouched: the launcher still needs it.
    expect(JSON.stringify(parsed.value)).toContain(secret);
  });
});
