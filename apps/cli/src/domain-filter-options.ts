import { type DomainFilter, normalizeDomain } from "@webrun/state";
import type { Command } from "commander";

/** `--only-domain` / `--exclude-domain`, as commander hands them over (already normalised). */
export interface DomainFilterOptions {
  onlyDomain?: string[];
  excludeDomain?: string[];
}

/** A bad domain is refused while the arguments are read, before anything is loaded or started. */
const collectDomain = (value: string, previous: string[] = []) => [...previous, normalizeDomain(value)];

/**
 * Adds the repeatable `--only-domain <d>` and `--exclude-domain <d>` to a
 * command; `what` names what they limit ("seed", "import"). A domain covers
 * its subdomains.
 */
export function withDomainFilterOptions(command: Command, what: string): Command {
  return command
    .option(
      "--only-domain <domain>",
      `${what} only this domain's logins, subdomains included (repeatable)`,
      collectDomain,
    )
    .option(
      "--exclude-domain <domain>",
      `${what} everything but this domain's logins, subdomains included (repeatable)`,
      collectDomain,
    );
}

/** The filter the options name, for `filterStateByDomain` and `openSession`; undefined when none was given. */
export function domainFilterFrom(options: DomainFilterOptions): DomainFilter | undefined {
  if (options.onlyDomain === undefined && options.excludeDomain === undefined) return undefined;
  return {
    ...(options.onlyDomain ? { only: options.onlyDomain } : {}),
    ...(options.excludeDomain ? { exclude: options.excludeDomain } : {}),
  };
}

/** One stderr line per `--only-domain` that matched nothing: most likely a typo, never silently an empty result. */
export function warnUnmatchedDomains(unmatched: readonly string[], what: string): void {
  for (const domain of unmatched) {
    process.stderr.write(
      `webrun-env: warning: --only-domain ${domain} matched nothing: no cookie or storage of ${domain} or its subdomains to ${what}\n`,
    );
  }
}
