/**
 * What a launch needs from a proxy configuration: Chromium arguments and,
 * when the proxy wants a login, the credentials answered through CDP
 * (`Fetch.authRequired`). Structurally compatible with the plan
 * `@webrun/proxy-config` compiles (`toLaunchPlan()`).
 */
export interface ProxyLaunchPlan {
  args: readonly string[];
  auth?: { username: string; password: string } | undefined;
}
