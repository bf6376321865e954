/**
 * What this package knows about Chrome and proxies, as rules with reasons.
 *
 * `chrome` level hands the proxy to Chrome (`--proxy-server`): fast to start,
 * WebRTC leaks closed by a policy flag. `system` level routes the whole
 * machine through the proxy: no leak at all, but a slower cold start. When
 * `level` is omitted we pick the best level that works for the configuration:
 *
 * | proxy                              | level omitted → | `chrome` given | `system` given |
 * |------------------------------------|-----------------|----------------|----------------|
 * | WebRun (managed pool)              | chrome          | ok*            | ok             |
 * | custom http, no credentials        | chrome          | ok             | ok             |
 * | custom http, username/password     | chrome          | ok             | ok             |
 * | custom socks, no credentials       | chrome          | ok             | ok             |
 * | custom socks, username/password    | system          | error          | ok             |
 *
 * Why: Chrome's `--proxy-server` takes no credentials, but an HTTP proxy's
 * `407` reaches CDP as `Fetch.authRequired`, which the launcher answers with
 * the plan's credentials — so authenticated HTTP works at `chrome` level.
 * Chrome has no SOCKS authentication at all, so a SOCKS proxy with
 * credentials only works when the machine, not Chrome, speaks to it.
 *
 * (*) A WebRun proxy is only known once the pool resolves it; the same rules
 * then apply to what the pool returned (see `toLaunchPlan`): a default level
 * moves to `system` for a SOCKS-with-credentials answer, a given `chrome`
 * level becomes an error.
 */

/** Where the proxy is applied. */
export type ProxyLevel = "system" | "chrome";

/** Whether the level was given by the caller or chosen by these rules. */
export type LevelSource = "given" | "default";

export const proxyLevels = ["system", "chrome"] as const satisfies readonly ProxyLevel[];

/** The facts a level decision depends on. `type` is unknown for a WebRun proxy before the pool answers. */
export interface LevelFacts {
  source: "WebRun" | "custom";
  type?: "http" | "socks";
  hasCredentials: boolean;
}

export type LevelDecision =
  | { ok: true; level: ProxyLevel; levelSource: LevelSource }
  | { ok: false; message: string; rule: LevelRule };

/** One rule: which configurations it covers, the level it picks, whether `chrome` can work, and why. */
export interface LevelRule {
  applies: (facts: LevelFacts) => boolean;
  description: string;
  defaultLevel: ProxyLevel;
  chromeWorks: boolean;
  reason: string;
}

/** The rules, most specific first; the first that applies decides. */
export const levelRules: readonly LevelRule[] = [
  {
    applies: (facts) => facts.type === "socks" && facts.hasCredentials,
    description: "SOCKS proxy with credentials",
    defaultLevel: "system",
    chromeWorks: false,
    reason: "Chrome has no SOCKS authentication",
  },
  {
    applies: (facts) => facts.type === "http" && facts.hasCredentials,
    description: "HTTP proxy with credentials",
    defaultLevel: "chrome",
    chromeWorks: true,
    reason: "Chrome reports the proxy's 407 as CDP Fetch.authRequired, answered with the credentials",
  },
  {
    applies: (facts) => facts.type !== undefined && !facts.hasCredentials,
    description: "HTTP or SOCKS proxy without credentials",
    defaultLevel: "chrome",
    chromeWorks: true,
    reason: "Chrome speaks to the proxy directly; the WebRTC policy flag closes the IP leak",
  },
  {
    applies: (facts) => facts.source === "WebRun" && facts.type === undefined,
    description: "WebRun managed proxy, before the pool resolves it",
    defaultLevel: "chrome",
    chromeWorks: true,
    reason: "the pool's proxies are checked again against these rules once resolved",
  },
];

/**
 * Decides the level for a proxy: the given one when it can work, else an
 * error that says why and what to do; the rule's default when none is given.
 */
export function decideLevel(facts: LevelFacts, given: ProxyLevel | undefined): LevelDecision {
  const rule = levelRules.find((candidate) => candidate.applies(facts));
  if (rule === undefined) throw new Error("no proxy level rule applies; the rules must cover every case");
  if (given === undefined) return { ok: true, level: rule.defaultLevel, levelSource: "default" };
  if (given === "chrome" && !rule.chromeWorks) {
    return {
      ok: false,
      message: `level chrome cannot work for a ${rule.description}: ${rule.reason}; use level system or remove the credentials`,
      rule,
    };
  }
  return { ok: true, level: given, levelSource: "given" };
}
