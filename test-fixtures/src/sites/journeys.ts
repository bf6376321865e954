import { testPassword } from "./accounts.js";
import { BrowserDriver } from "./browser-driver.js";
import { type SiteCheck, siteChecks, type TestSiteOrigins, testUserOf } from "./catalogue.js";
import type { SiteStatus } from "./status.js";

const signedIn = (status: SiteStatus) => status.loggedIn;

type FormSite =
  | "bank"
  | "mail"
  | "shop"
  | "admin"
  | "notes"
  | "chat"
  | "docs"
  | "legacy"
  | "sso"
  | "pwa"
  | "vault"
  | "signer";

/** Signs in through `site`'s login form and waits for its account page to say so. */
async function submitLoginOf(driver: BrowserDriver, origins: TestSiteOrigins, site: FormSite): Promise<void> {
  await driver.goto(`${origins[site]}/login`);
  await driver.submitLogin(testUserOf(site), testPassword);
  await driver.status(`${origins[site]}/account`, signedIn);
}

/** Signs a running browser in to one site with a login form, in the tab `pageTargetId` (or the first tab). */
export async function logInToSite(
  endpoint: string,
  origins: TestSiteOrigins,
  site: FormSite,
  pageTargetId?: string,
): Promise<void> {
  const driver = await BrowserDriver.connect(endpoint, pageTargetId);
  try {
    await submitLoginOf(driver, origins, site);
  } finally {
    await driver.close();
  }
}

/** What `site`'s account page says in the tab `pageTargetId` (or the first tab). */
export async function siteStatus(
  endpoint: string,
  origins: TestSiteOrigins,
  site: FormSite,
  pageTargetId?: string,
): Promise<SiteStatus> {
  const driver = await BrowserDriver.connect(endpoint, pageTargetId);
  try {
    return await driver.statusAt(`${origins[site]}/account`);
  } finally {
    await driver.close();
  }
}

/** Evaluates `expression` in the tab `pageTargetId` once it has loaded `url` (navigated there first). */
export async function evaluateAtUrl(
  endpoint: string,
  pageTargetId: string,
  url: string,
  expression: string,
): Promise<unknown> {
  const driver = await BrowserDriver.connect(endpoint, pageTargetId);
  try {
    await driver.goto(url);
    await driver.waitFor(
      `location.href.startsWith(${JSON.stringify(url)}) && document.readyState === "complete"`,
      url,
    );
    return await driver.evaluate(expression);
  } finally {
    await driver.close();
  }
}

/**
 * Signs a running browser in to every test site through their real pages:
 * form POSTs, the SSO redirect dance, and the widget's form inside its
 * third-party iframe. Uses the tab `pageTargetId`, or the browser's first tab.
 */
export async function logInToEverySite(
  endpoint: string,
  origins: TestSiteOrigins,
  pageTargetId?: string,
): Promise<void> {
  const driver = await BrowserDriver.connect(endpoint, pageTargetId);
  try {
    for (const site of ["bank", "mail", "shop", "admin", "notes", "chat", "docs", "legacy", "sso"] as const) {
      await submitLoginOf(driver, origins, site);
    }
    for (const app of ["app1", "app2"] as const) {
      await driver.goto(`${origins[app]}/login`);
      await driver.click("sso");
      await driver.status(`${origins[app]}/account`, signedIn);
    }
    await driver.goto(`${origins.news}/`);
    await driver.status(`${origins.news}/`);
    const widget = await driver.attachToFrame(`${origins.widget}/embed`);
    await driver.submitLogin(testUserOf("widget"), testPassword, widget);
    await driver.status(`${origins.news}/`, signedIn);
  } finally {
    await driver.close();
  }
}

/** A check with what the browser answered. */
export interface SiteCheckResult extends SiteCheck {
  actual: SiteStatus;
  ok: boolean;
}

/**
 * Asks every site "am I logged in?" in the browser's first tab and compares
 * with what a logged-in browser answers. Visiting the pages sends requests.
 * `pageTargetId` names the tab to use (a seeded browser's sessionStorage tab).
 */
export async function checkEverySite(
  endpoint: string,
  origins: TestSiteOrigins,
  pageTargetId?: string,
): Promise<SiteCheckResult[]> {
  const driver = await BrowserDriver.connect(endpoint, pageTargetId);
  try {
    const results: SiteCheckResult[] = [];
    for (const check of siteChecks(origins)) {
      const actual: SiteStatus = await driver.statusAt(check.url).catch((error: unknown) => ({
        loggedIn: false,
        detail: error instanceof Error ? error.message : String(error),
      }));
      const ok =
        actual.loggedIn === check.expected.loggedIn &&
        (check.expected.user === undefined || actual.user === check.expected.user);
      results.push({ ...check, actual, ok });
    }
    return results;
  } finally {
    await driver.close();
  }
}

/** One line per check that failed, for assertion messages. */
export function describeFailedChecks(results: readonly SiteCheckResult[]): string[] {
  return results
    .filter((result) => !result.ok)
    .map(
      (r) => `${r.id} (${r.kind}): expected ${JSON.stringify(r.expected)}, got ${JSON.stringify(r.actual)}`,
    );
}
