import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A throwaway certificate authority and one leaf certificate signed by it, all PEM. */
export interface TestCertificates {
  caCert: string;
  cert: string;
  key: string;
}

/**
 * Makes a fresh CA and a leaf certificate for `hosts` (plus `*.test`,
 * `localhost` and 127.0.0.1) with the `openssl` CLI. EC P-256 keys keep it
 * to a few tens of milliseconds. Nothing is written outside a temp dir that
 * is removed before returning; the private keys exist only in memory after.
 */
export async function makeTestCertificates(hosts: readonly string[]): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), "webrun-tls-"));
  try {
    const file = (name: string) => join(dir, name);
    const names = ["*.test", "localhost", ...hosts].map((host) => `DNS:${host}`);
    await writeFile(
      file("leaf.ext"),
      [
        "basicConstraints=CA:FALSE",
        "keyUsage=digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth",
        `subjectAltName=${[...names, "IP:127.0.0.1"].join(",")}`,
      ].join("\n"),
    );
    const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    await openssl([
      "req",
      "-x509",
      ...ecKey,
      "-keyout",
      file("ca.key"),
      "-out",
      file("ca.crt"),
      "-days",
      "2",
      "-subj",
      "/CN=webrun test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    await openssl([
      "req",
      "-new",
      ...ecKey,
      "-keyout",
      file("leaf.key"),
      "-out",
      file("leaf.csr"),
      "-subj",
      "/CN=webrun test sites",
    ]);
    await openssl([
      "x509",
      "-req",
      "-in",
      file("leaf.csr"),
      "-CA",
      file("ca.crt"),
      "-CAkey",
      file("ca.key"),
      "-CAcreateserial",
      "-out",
      file("leaf.crt"),
      "-days",
      "2",
      "-extfile",
      file("leaf.ext"),
    ]);
    const [caCert, cert, key] = await Promise.all(
      ["ca.crt", "leaf.crt", "leaf.key"].map((name) => readFile(file(name), "utf8")),
    );
    return { caCert: caCert as string, cert: cert as string, key: key as string };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run("openssl", args, { timeout: 30_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`openssl ${args[0]} failed (is the openssl CLI installed?): ${stderr.trim()}`, {
      cause: error,
    });
  }
}
