import { acquireTestS3Server, type TestS3Server } from "@webrun/test-fixtures";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    s3: TestS3Server;
  }
}

/** Vitest global setup: every suite of the run gets the same S3 server (`inject("s3")`); it never skips. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { server, release } = await acquireTestS3Server();
  project.provide("s3", server);
  return release;
}
