import { randomBytes } from "node:crypto";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { inject } from "vitest";

/** A raw SDK client for the test S3 server, with the settings our driver uses. */
export function testS3Client(): S3Client {
  const s3 = inject("s3");
  return new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** Creates a fresh bucket for one test file; `remove` empties and deletes it. */
export async function createTestBucket(
  label: string,
): Promise<{ bucket: string; remove: () => Promise<void> }> {
  const client = testS3Client();
  const bucket = `webrun-${label}-${randomBytes(5).toString("hex")}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const remove = async (): Promise<void> => {
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      const objects = (page.Contents ?? []).map((o) => ({ Key: o.Key }));
      if (objects.length > 0)
        await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    client.destroy();
  };
  return { bucket, remove };
}
