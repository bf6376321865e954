/**
 * @webrun/proxy-config — validates session parameters and proxy settings and
 * compiles a proxy to what a launcher needs. Imports nothing of ours: every
 * parser returns a {@link ParseResult} instead of throwing.
 */
export { iso3166Alpha2Codes } from "./country-codes.js";
export { ProxyCredentials, redacted } from "./credentials.js";
export { isLoopbackHost } from "./host.js";
export {
  type ChromeLaunchPlan,
  type LaunchPlan,
  type LaunchPlanOptions,
  type ManagedProxy,
  type ProxyEndpoint,
  proxyBypassList,
  type ResolveManagedProxy,
  type SystemLaunchPlan,
  toLaunchPlan,
  webRtcPolicyArg,
} from "./launch-plan.js";
export {
  decideLevel,
  type LevelDecision,
  type LevelFacts,
  type LevelRule,
  type LevelSource,
  levelRules,
  type ProxyLevel,
  proxyLevels,
} from "./level-rules.js";
export {
  type CustomProxyConfig,
  countrySchema,
  hostSchema,
  type ProxyConfig,
  parseProxy,
  portSchema,
  proxySchema,
  type WebRunProxyConfig,
} from "./proxy-schema.js";
export { redactSessionParams } from "./redact.js";
export { type FieldError, type ParseResult, rootPath } from "./result.js";
export {
  parseSessionParams,
  reachOutModes,
  type SessionParams,
  sessionParamsSchema,
} from "./session-schema.js";
export { initialTaskSchema, outputTypes, type Task, taskLimits, taskSchema } from "./task-schema.js";
