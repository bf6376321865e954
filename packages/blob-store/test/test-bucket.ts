import type { S3Client } from "@aws-sdk/client-s3";
import * as fixtures from "@webrun/test-fixtures";
import { inject } from "vitest";

/** A raw SDK client for this run's S3 server, with the settings our driver uses. */
export function testS3Client(): S3Client {
  return fixtures.testS3Client(inject("s3"));
}

/** Creates a fresh bucket on this run's S3 server for one test file; `remove` empties and deletes it. */
export function createTestBucket(label: string): Promise<{ bucket: string; remove: () => Promise<void> }> {
  return fixtures.createTestBucket(inject("s3"), label);
}
