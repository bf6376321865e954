import { parseProxy, toLaunchPlan } from "@webrun/proxy-config";
import { cliError } from "./errors.js";

/** `--proxy <json>` → a Chrome launch plan; problems come back as `path: message` lines. */
export async function proxyPlanFrom(json: string) {
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch {
    throw cliError({
      kind: "invalid_input",
      code: "INVALID_PROXY",
      message: "--proxy is not valid JSON",
      issues: [{ path: "proxy", message: "must be a JSON object" }],
    });
  }
  const parsed = parseProxy(input);
  if (!parsed.ok) {
    throw cliError({
      kind: "invalid_input",
      code: "INVALID_PROXY",
      message: "--proxy is invalid",
      issues: parsed.errors,
    });
  }
  if (parsed.value.source !== "custom") {
    throw cliError({
      kind: "invalid_input",
      code: "INVALID_PROXY",
      message: "--proxy is invalid",
      issues: [
        { path: "proxy.source", message: "a WebRun proxy is assigned by the API; give a custom proxy here" },
      ],
    });
  }
  const plan = await toLaunchPlan(parsed.value);
  if (!plan.ok) {
    throw cliError({
      kind: "invalid_input",
      code: "INVALID_PROXY",
      message: "--proxy is invalid",
      issues: plan.errors,
    });
  }
  return plan.value;
}
