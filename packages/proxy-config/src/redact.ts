import { redacted } from "./credentials.js";
import type { SessionParams } from "./session-schema.js";

/**
 * A copy of normalised session parameters fit for logs and terminals: the
 * proxy password and every secret value read `[redacted]`; everything else,
 * secret names included, is kept.
 */
export function redactSessionParams(params: SessionParams): SessionParams {
  const proxy =
    params.proxy?.source === "custom" && params.proxy.password !== undefined
      ? { ...params.proxy, password: redacted }
      : params.proxy;
  const secrets = params.task?.secrets?.map((secret) => ({
    match: secret.match,
    fields: Object.fromEntries(Object.keys(secret.fields).map((name) => [name, redacted])),
  }));
  return {
    ...params,
    ...(proxy === undefined ? {} : { proxy }),
    ...(params.task === undefined
      ? {}
      : { task: { ...params.task, ...(secrets === undefined ? {} : { secrets }) } }),
  };
}
