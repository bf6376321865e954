import { randomBytes } from "node:crypto";
import { userIdInvalid } from "../errors.js";

/**
 * Where everything of an environment lives in the BlobStore:
 *
 * ```
 * users/<userId>/environments.json                      index: the user's environment ids (CAS; enforces the limit)
 * users/<userId>/environments/<envId>/record.json       the environment record and its version list (CAS)
 * users/<userId>/environments/<envId>/versions/<n>-<r>.json   immutable version manifests
 * users/<userId>/environments/<envId>/content/<r>       immutable parts: state, extension and profile files
 * ```
 *
 * Content objects get random names rather than their SHA-256: the hash
 * lives in the manifests (that is where dedup looks), and a bucket listing
 * then reveals nothing about which extension or file a user has. Every
 * object is written exactly once and never overwritten, which is what lets
 * garbage collection delete without a conditional delete.
 */
const userIdPattern = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;
const environmentIdPattern = /^[0-9a-f]{24}$/;

export function assertUserId(userId: string): void {
  if (!userIdPattern.test(userId) || userId.includes("..")) throw userIdInvalid();
}

export function isEnvironmentId(id: string): boolean {
  return environmentIdPattern.test(id);
}

export function newEnvironmentId(): string {
  return randomBytes(12).toString("hex");
}

export const layout = {
  usersPrefix: "users/",
  userPrefix: (userId: string) => `users/${userId}/`,
  index: (userId: string) => `users/${userId}/environments.json`,
  environmentsPrefix: (userId: string) => `users/${userId}/environments/`,
  environmentPrefix: (userId: string, envId: string) => `users/${userId}/environments/${envId}/`,
  record: (userId: string, envId: string) => `users/${userId}/environments/${envId}/record.json`,
  versionsPrefix: (userId: string, envId: string) => `users/${userId}/environments/${envId}/versions/`,
  newManifest: (userId: string, envId: string, version: number) =>
    `users/${userId}/environments/${envId}/versions/${String(version).padStart(10, "0")}-${randomBytes(6).toString("hex")}.json`,
  contentPrefix: (userId: string, envId: string) => `users/${userId}/environments/${envId}/content/`,
  newContent: (userId: string, envId: string) =>
    `users/${userId}/environments/${envId}/content/${randomBytes(16).toString("hex")}`,
} as const;

/** Splits `users/<u>/environments/<e>/…` into its parts; undefined for keys outside that shape. */
export function parseEnvironmentKey(
  key: string,
): { userId: string; envId: string; rest: string } | undefined {
  const match = /^users\/([^/]+)\/environments\/([0-9a-f]{24})\/(.+)$/.exec(key);
  if (!match) return undefined;
  return { userId: match[1] as string, envId: match[2] as string, rest: match[3] as string };
}
