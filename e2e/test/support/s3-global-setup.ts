import { acquireTestS3Server } from "@webrun/test-fixtures";
import type { TestProject } from "vitest/node";

/** Vitest global setup: the API suites' S3 mode runs against one real S3 server (`inject("s3")`). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { server, release } = await acquireTestS3Server();
  project.provide("s3", server);
  return release;
}
