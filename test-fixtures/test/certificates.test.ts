import { X509Certificate } from "node:crypto";
import { expect, it } from "vitest";
import { makeTestCertificates } from "../src/index.js";

it("makes a CA and a leaf certificate for the test hosts, signed by that CA", async () => {
  const { caCert, cert, key } = await makeTestCertificates(["bank.test"]);
  const ca = new X509Certificate(caCert);
  const leaf = new X509Certificate(cert);
  expect(ca.ca).toBe(true);
  expect(leaf.verify(ca.publicKey)).toBe(true);
  expect(leaf.checkHost("bank.test")).toBe("bank.test");
  expect(leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
  expect(leaf.checkPrivateKey(await import("node:crypto").then((c) => c.createPrivateKey(key)))).toBe(true);
});
