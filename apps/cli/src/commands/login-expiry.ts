import type { Environment } from "@webrun/api-contract";
import { formatTable, formatTime } from "../output-format.js";

type LoginExpiry = NonNullable<Environment["loginExpiry"]>;
type CookieExpiry = NonNullable<NonNullable<Environment["summary"]>["cookieExpiry"]>;

function domains(count: number): string {
  return `${count} domain${count === 1 ? "" : "s"}`;
}

/** `env list`'s LOGINS column, as of the API's read: `-` unknown, `ok`, or what has run out or soon will. */
export function loginMark(expiry: LoginExpiry | undefined): string {
  if (expiry === undefined) return "-";
  const marks = [
    expiry.expired.length > 0 ? `${domains(expiry.expired.length)} expired` : "",
    expiry.expiresWithin7Days.length > 0
      ? `${domains(expiry.expiresWithin7Days.length)} expiring within 7 days`
      : "",
  ].filter(Boolean);
  return marks.length === 0 ? "ok" : `! ${marks.join(", ")}`;
}

/** `env inspect`'s lines on logins: where they stand now, then each cookie domain's expiries as saved. */
export function describeLoginExpiry(
  loginExpiry: LoginExpiry | undefined,
  cookieExpiry: CookieExpiry | undefined,
): string[] {
  if (loginExpiry === undefined || cookieExpiry === undefined)
    return ["logins       unknown (saved before cookie expiries were kept)"];
  const now = [
    loginExpiry.expired.length > 0 ? `expired: ${loginExpiry.expired.join(", ")}` : "",
    loginExpiry.expiresWithin7Days.length > 0
      ? `expire within 7 days: ${loginExpiry.expiresWithin7Days.join(", ")}`
      : "",
  ].filter(Boolean);
  const lines = [
    `logins now   ${now.length === 0 ? "none expired or expiring within 7 days" : now.join("; ")}`,
  ];
  if (cookieExpiry.domains.length === 0) return lines;
  lines.push(
    "",
    `cookie expiry as saved (${formatTime(cookieExpiry.at)}: ${cookieExpiry.expired} expired, ${cookieExpiry.expiresWithin7Days} expiring within 7 days):`,
    formatTable(
      ["DOMAIN", "PERSISTENT", "SESSION", "FIRST EXPIRES", "LAST EXPIRES"],
      cookieExpiry.domains.map((d) => [
        d.domain,
        String(d.persistentCookies),
        String(d.sessionCookies),
        formatTime(d.earliestExpiry),
        formatTime(d.latestExpiry),
      ]),
    ),
  );
  return lines;
}
