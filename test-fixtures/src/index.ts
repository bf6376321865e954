export { fakeProfileArchive, signDownloadToken, stateWithCookie } from "./api/api-fixtures.js";
export { tarCzf } from "./archives/gnu-tar.js";
export {
  gzipBomb,
  type HostileArchive,
  hostileArchives,
  pseudoRandomBytes,
} from "./archives/hostile-archives.js";
export { hostileCorpusDir, writeHostileCorpus } from "./archives/make-hostile.js";
export { manyEntriesTarGz } from "./archives/many-entries.js";
export { END_OF_TAR, type RawTarEntry, rawTar, type TarEntryType, tarHeader } from "./archives/tar-writer.js";
export {
  chromiumTestTimeoutMs,
  killAllTestChromiums,
  launchTestChromium,
  runTestChromium,
  type TestChromium,
  testChromiumArgs,
  testChromiumPath,
} from "./chromium/test-chromium.js";
export { type ScriptedHandler, type ScriptedServer, startScriptedServer } from "./http/scripted-server.js";
export { modulesLoadedBy } from "./modules/modules-loaded-by.js";
export {
  exitedProcessPid,
  killRaceWorkers,
  type RaceWorker,
  race,
  startRaceWorkers,
} from "./processes/race-workers.js";
export {
  acquireTestS3Server,
  apiS3Settings,
  createTestBucket,
  type RgwServer,
  type StartRgwOptions,
  startRgw,
  type TestS3Server,
  testS3Client,
} from "./rgw/index.js";
export * from "./sites/index.js";
export { makeTestCertificates, type TestCertificates } from "./tls/certificates.js";
