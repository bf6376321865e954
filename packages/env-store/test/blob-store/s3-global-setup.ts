import { type RgwServer, startRgw } from "@webrun/test-fixtures";
import type { TestProject } from "vitest/node";

/** The S3 server the suites run against: one given in the environment, or a Ceph RGW started for this run. */
export interface TestS3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    s3: TestS3Server;
  }
}

/**
 * Vitest global setup: the S3 suites never skip. Uses WEBRUN_TEST_S3_ENDPOINT
 * (+ _ACCESS_KEY, _SECRET_KEY, optional _REGION) when set, else starts a
 * throw-away Ceph RGW and stops it when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = process.env;
  if (env.WEBRUN_TEST_S3_ENDPOINT) {
    if (!env.WEBRUN_TEST_S3_ACCESS_KEY || !env.WEBRUN_TEST_S3_SECRET_KEY) {
      throw new Error(
        "WEBRUN_TEST_S3_ENDPOINT is set: also set WEBRUN_TEST_S3_ACCESS_KEY and WEBRUN_TEST_S3_SECRET_KEY",
      );
    }
    project.provide("s3", {
      endpoint: env.WEBRUN_TEST_S3_ENDPOINT,
      region: env.WEBRUN_TEST_S3_REGION ?? "us-east-1",
      accessKeyId: env.WEBRUN_TEST_S3_ACCESS_KEY,
      secretAccessKey: env.WEBRUN_TEST_S3_SECRET_KEY,
    });
    return async () => {};
  }
  const rgw: RgwServer = await startRgw();
  process.stderr.write(`[env-store tests] Ceph RGW ready at ${rgw.endpoint} in ${rgw.startupMs} ms\n`);
  project.provide("s3", {
    endpoint: rgw.endpoint,
    region: rgw.region,
    accessKeyId: rgw.accessKeyId,
    secretAccessKey: rgw.secretAccessKey,
  });
  return () => rgw.stop();
}
