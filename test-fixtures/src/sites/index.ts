export { testPassword } from "./accounts.js";
export { BrowserDriver } from "./browser-driver.js";
export { type SiteCheck, type SiteId, siteChecks, type TestSiteOrigins, testUserOf } from "./catalogue.js";
export {
  checkTestExtension,
  copyTestExtensionWithoutKey,
  logInToTestExtension,
  type TestExtension,
  testExtension,
  testExtensionUser,
  unpackedExtensionId,
} from "./extension.js";
export {
  checkEverySite,
  describeFailedChecks,
  evaluateAtUrl,
  logInToEverySite,
  logInToSite,
  type SiteCheckResult,
  siteStatus,
} from "./journeys.js";
export { type PasskeyAnswer, type PasskeySite, startPasskeySite } from "./passkey-site.js";
export type { SiteStatus } from "./status.js";
export { type SiteHit, startTestSites, type TestSites } from "./test-sites.js";
