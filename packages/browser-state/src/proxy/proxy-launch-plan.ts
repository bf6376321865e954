import type { LaunchPlan } from "@webrun/proxy-config";

/**
 * A proxy launch plan as `@webrun/proxy-config` compiles it (`toLaunchPlan()`):
 * `chromeArgs` go on Chromium's command line (none at `system` level, where
 * the machine routes traffic), and `credentials`, when present, answer the
 * proxy's login challenge through CDP.
 */
export type ProxyLaunchPlan = Pick<LaunchPlan, "chromeArgs" | "credentials">;

/** The login for a proxy challenge; the password is read only when answering. */
export interface ProxyLogin {
  readonly username: string;
  readonly password?: string | undefined;
}
