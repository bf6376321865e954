import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createEncryptedBlobStore, createFsBlobStore, loadOrCreateLocalKeyring } from "@webrun/blob-store";
import { createEnvironmentStore, type EnvironmentStore, environmentExists } from "@webrun/env-store";
import { createFileService, type FileService } from "@webrun/file-upload";
import {
  evaluateAtUrl,
  logInToSite,
  siteStatus,
  startTestSites,
  type TestSites,
} from "@webrun/test-fixtures";
import { afterAll, beforeAll } from "vitest";
import { type OpenSessionOptions, openSession, type Session, type SessionBackend } from "../../src/index.js";
import { storeBackend } from "../../src/store/index.js";

export const userId = "alice";

/**
 * One test file's world: the HTTPS test sites, an encrypted environment
 * store and file service on the fs driver, and sessions opened against it
 * with the sites' Chromium flags, each in a temp dir the test can inspect.
 */
export interface SessionWorld {
  /** Holds the store (`blobs/`) and its master key (`data/`). */
  root: string;
  sites: TestSites;
  environments: EnvironmentStore;
  files: FileService;
  backend: SessionBackend;
  /** Parent of every session folder opened through `open` (empty when nothing was left behind). */
  tempDir: string;
  /** Where failed saves keep their captures. */
  unsavedDir: string;
  createEnvironment(name: string): Promise<string>;
  open(environmentId: string, options?: Partial<OpenSessionOptions>): Promise<Session>;
  stop(): Promise<void>;
}

export async function startSessionWorld(): Promise<SessionWorld> {
  const root = await mkdtemp(path.join(tmpdir(), "webrun-session-test-"));
  const sites = await startTestSites();
  const { keyring } = await loadOrCreateLocalKeyring(path.join(root, "data"));
  const store = createEncryptedBlobStore(
    await createFsBlobStore({ root: path.join(root, "blobs") }),
    keyring,
  );
  const environments = createEnvironmentStore({ store });
  const files = createFileService({
    store,
    environments: { exists: (user, id) => environmentExists(environments, user, id) },
  });
  const backend = storeBackend({ environments, files, userId });
  const tempDir = path.join(root, "sessions");
  const unsavedDir = path.join(root, "unsaved");
  await mkdir(tempDir);
  return {
    root,
    sites,
    environments,
    files,
    backend,
    tempDir,
    unsavedDir,
    createEnvironment: async (name) => (await environments.create(userId, { name }))._id,
    open: (environmentId, options = {}) =>
      openSession({
        backend,
        environmentId,
        chromeArgs: sites.chromiumArgs,
        tempDir,
        unsavedDir,
        ...options,
      }),
    stop: async () => {
      await sites.stop();
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * One world for the enclosing test file or `describe`: started before its
 * tests, stopped after. The object is filled in when it starts.
 */
export function useSessionWorld(): SessionWorld {
  const world = {} as SessionWorld;
  beforeAll(async () => {
    Object.assign(world, await startSessionWorld());
  });
  afterAll(() => world.stop());
  return world;
}

type FormSite = Parameters<typeof logInToSite>[2];

/** Signs the session's first tab in to `site` through its real login form. */
export const logIn = (session: Session, sites: TestSites, site: FormSite) =>
  logInToSite(session.cdpUrl, sites.origins, site, session.pageTargetId);

/** What `site`'s account page says in the session's first tab. */
export const statusOf = (session: Session, sites: TestSites, site: FormSite) =>
  siteStatus(session.cdpUrl, sites.origins, site, session.pageTargetId);

/** Evaluates `expression` in the session's first tab, on `url` (navigated to first). */
export const evaluateAt = (session: Session, url: string, expression: string): Promise<unknown> =>
  evaluateAtUrl(session.cdpUrl, session.pageTargetId, url, expression);

/** Entries left in a folder. */
export async function leftIn(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}
