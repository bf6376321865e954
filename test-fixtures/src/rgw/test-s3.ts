import { randomBytes } from "node:crypto";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { startRgw } from "./start-rgw.js";

/** Where a test reaches its S3 server. */
export interface TestS3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * The S3 server a suite runs against, never skipped: the one
 * WEBRUN_TEST_S3_ENDPOINT (+ _ACCESS_KEY, _SECRET_KEY, optional _REGION)
 * names — `pnpm test` starts one Ceph RGW and shares it that way — else a
 * throw-away Ceph RGW that `release` stops.
 */
export async function acquireTestS3Server(): Promise<{
  server: TestS3Server;
  release: () => Promise<void>;
}> {
  const env = process.env;
  if (env.WEBRUN_TEST_S3_ENDPOINT) {
    if (!env.WEBRUN_TEST_S3_ACCESS_KEY || !env.WEBRUN_TEST_S3_SECRET_KEY) {
      throw new Error(
        "WEBRUN_TEST_S3_ENDPOINT is set: also set WEBRUN_TEST_S3_ACCESS_KEY and WEBRUN_TEST_S3_SECRET_KEY",
      );
    }
    return {
      server: {
        endpoint: env.WEBRUN_TEST_S3_ENDPOINT,
        region: env.WEBRUN_TEST_S3_REGION ?? "us-east-1",
        accessKeyId: env.WEBRUN_TEST_S3_ACCESS_KEY,
        secretAccessKey: env.WEBRUN_TEST_S3_SECRET_KEY,
      },
      release: async () => {},
    };
  }
  const rgw = await startRgw();
  process.stderr.write(`[tests] Ceph RGW ready at ${rgw.endpoint} in ${rgw.startupMs} ms\n`);
  const { endpoint, region, accessKeyId, secretAccessKey } = rgw;
  return { server: { endpoint, region, accessKeyId, secretAccessKey }, release: () => rgw.stop() };
}

/** A raw SDK client for the test S3 server, with the settings our driver uses. */
export function testS3Client(server: TestS3Server): S3Client {
  return new S3Client({
    region: server.region,
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** Creates a fresh bucket `webrun-<label>-<random>` on the test server; `remove` empties and deletes it. */
export async function createTestBucket(
  server: TestS3Server,
  label: string,
): Promise<{ bucket: string; remove: () => Promise<void> }> {
  const client = testS3Client(server);
  const bucket = `webrun-${label}-${randomBytes(5).toString("hex")}`;
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    client.destroy();
    throw error;
  }
  const remove = async (): Promise<void> => {
    try {
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
        );
        const objects = (page.Contents ?? []).map((o) => ({ Key: o.Key }));
        if (objects.length > 0)
          await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    } finally {
      client.destroy();
    }
  };
  return { bucket, remove };
}

/** The settings that switch the API to S3 (`STORAGE=s3` and the S3 variables of the README) for a bucket on the test server. */
export function apiS3Settings(server: TestS3Server, bucket: string): Record<string, string> {
  return {
    STORAGE: "s3",
    S3_BUCKET: bucket,
    S3_ENDPOINT: server.endpoint,
    S3_REGION: server.region,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
  };
}
