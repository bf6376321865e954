import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { tarCzf } from "../archives/gnu-tar.js";

/** A state document with one cookie whose value is a secret the logs must never show. */
export function stateWithCookie(value: string, domain = ".example.test") {
  return {
    version: 1,
    cookies: [
      {
        name: "session",
        value,
        domain,
        path: "/",
        expires: Math.floor(Date.now() / 1000) + 86_400,
        httpOnly: true,
        secure: true,
        session: false,
        sameSite: "Lax",
      },
    ],
    origins: [{ origin: "https://app.example.test", localStorage: [{ name: "theme", value: "dark" }] }],
    extensions: [],
  };
}

/** A small fake Chrome user-data-dir made into a `.tar.gz` by GNU tar; returns the archive path and the Preferences bytes. */
export async function fakeProfileArchive(): Promise<{ archive: string; preferences: string; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "webrun-api-profile-"));
  const root = path.join(dir, "profile");
  await mkdir(path.join(root, "Default", "Cache"), { recursive: true });
  const preferences = JSON.stringify({
    profile: { name: "Person 1" },
    marker: randomBytes(8).toString("hex"),
  });
  await writeFile(path.join(root, "Default", "Preferences"), preferences);
  await writeFile(path.join(root, "Local State"), JSON.stringify({ browser: {} }));
  await writeFile(path.join(root, "Default", "Cache", "data_0"), randomBytes(4096));
  const archive = path.join(dir, "profile.tar.gz");
  await tarCzf(archive, root);
  return { archive, preferences, dir };
}

/** Signs a download grant the way the API documents it, from the master key via HKDF: proves the derivation independently. */
export function signDownloadToken(
  masterKey: Buffer,
  keyId: string,
  grant: { userId: string; environmentId: string; version: number; expiresAtSeconds: number },
): string {
  const key = Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), "webrun:download-url", 32));
  const payload = Buffer.from(
    JSON.stringify({
      u: grant.userId,
      e: grant.environmentId,
      v: grant.version,
      x: grant.expiresAtSeconds,
      k: keyId,
    }),
  ).toString("base64url");
  return `${payload}.${createHmac("sha256", key).update(payload).digest("base64url")}`;
}
