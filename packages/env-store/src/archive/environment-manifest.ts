import { z } from "zod";
import { archiveError } from "../errors.js";

/** Identifies an environment archive's manifest; bump `version` on any incompatible layout change. */
export const ENVIRONMENT_ARCHIVE_FORMAT = "webrun-environment-archive";
export const ENVIRONMENT_ARCHIVE_VERSION = 1;

export const MANIFEST_ENTRY = "manifest.json";
export const STATE_ENTRY = "state.json";
export const EXTENSIONS_PREFIX = "extensions/";
export const PROFILE_PREFIX = "profile/";

const count = z.number().int().nonnegative();

export const manifestFileSchema = z.strictObject({
  /** Entry path in the archive, e.g. `state.json`, `extensions/<id>/manifest.json`, `profile/Default/Preferences`. */
  path: z.string().min(1).max(4_096),
  size: count,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/**
 * `manifest.json`, the first entry of an environment archive: what follows,
 * with the size and SHA-256 of every other entry, so a reader can verify
 * each part as it streams past and refuse anything missing or added.
 */
export const environmentManifestSchema = z.strictObject({
  format: z.literal(ENVIRONMENT_ARCHIVE_FORMAT),
  version: z.literal(ENVIRONMENT_ARCHIVE_VERSION),
  createdAt: z.iso.datetime(),
  counts: z.strictObject({ extensions: count, extensionFiles: count, profileFiles: count }),
  bytes: z.strictObject({ state: count, extensions: count, profile: count }),
  /** `state.json` first, then extension files, then profile files, in archive order. */
  files: z.array(manifestFileSchema).max(1_000_000),
});

export type EnvironmentManifest = z.infer<typeof environmentManifestSchema>;
export type ManifestFile = z.infer<typeof manifestFileSchema>;

/** Parses `manifest.json` text; anything unexpected is an invalid archive. */
export function parseEnvironmentManifest(text: string): EnvironmentManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw archiveError("ENV_ARCHIVE_INVALID", "Environment archive manifest.json is not JSON", {
      cause: error,
    });
  }
  const result = environmentManifestSchema.safeParse(json);
  if (result.success) {
    checkTotals(result.data);
    return result.data;
  }
  const issue = result.error.issues[0];
  throw archiveError(
    "ENV_ARCHIVE_INVALID",
    `Environment archive manifest.json is invalid at ${issue?.path.map(String).join(".") || "(root)"}: ${issue?.message ?? "unknown problem"}`,
  );
}

/** Where an extension's file lives in the archive. */
export function extensionEntryPath(extensionId: string, filePath: string): string {
  return `${EXTENSIONS_PREFIX}${extensionId}/${filePath}`;
}

/** The counts and byte totals must agree with the file list, or the manifest was not written by us. */
function checkTotals(manifest: EnvironmentManifest): void {
  const extensionFiles = manifest.files.filter((file) => file.path.startsWith(EXTENSIONS_PREFIX));
  const profileFiles = manifest.files.filter((file) => file.path.startsWith(PROFILE_PREFIX));
  const total = (files: ManifestFile[]) => files.reduce((sum, file) => sum + file.size, 0);
  const consistent =
    manifest.files[0]?.path === STATE_ENTRY &&
    manifest.files[0].size === manifest.bytes.state &&
    manifest.files.length === 1 + extensionFiles.length + profileFiles.length &&
    manifest.counts.extensionFiles === extensionFiles.length &&
    manifest.counts.profileFiles === profileFiles.length &&
    manifest.bytes.extensions === total(extensionFiles) &&
    manifest.bytes.profile === total(profileFiles);
  if (!consistent) {
    throw archiveError(
      "ENV_ARCHIVE_INVALID",
      "Environment archive manifest.json: counts or sizes disagree with its file list",
    );
  }
}
