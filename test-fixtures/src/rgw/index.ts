export { type RgwServer, type StartRgwOptions, startRgw } from "./start-rgw.js";
export {
  acquireTestS3Server,
  apiS3Settings,
  createTestBucket,
  type TestS3Server,
  testS3Client,
} from "./test-s3.js";
