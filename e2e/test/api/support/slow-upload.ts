import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";

/** Polls `condition` every 50 ms until it holds. */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A multipart upload sent in two halves, so a test can look at the environment in between. */
export async function slowMultipartUpload(baseUrl: string, urlPath: string, apiKey: string, file: Buffer) {
  const boundary = `----webrun${randomBytes(8).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="profile.tar.gz"\r\nContent-Type: application/gzip\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const half = Math.floor(file.length / 2);
  const url = new URL(urlPath, baseUrl);
  const request = httpRequest(url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${apiKey}`,
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "content-length": String(head.length + file.length + tail.length),
    },
  });
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.on("response", (response) => {
      let body = "";
      response.on("data", (chunk) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
  });
  answered.catch(() => {});
  request.write(head);
  request.write(file.subarray(0, half));
  return {
    finish: async () => {
      request.end(Buffer.concat([file.subarray(half), tail]));
      return answered;
    },
    abort: async () => {
      request.destroy();
    },
  };
}
