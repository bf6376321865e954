import { once } from "node:events";
import { createGzip } from "node:zlib";
import { END_OF_TAR, tarHeader } from "./tar-writer.js";

/**
 * A `.tar.gz` of `count` one-byte files named `<prefix><n>`: the archive a
 * hostile client posts to make the server do per-entry work. 200,000
 * entries are ~200 MB of tar that gzip to ~3 MB, built in about a second:
 * every header is the first one with its name and checksum patched.
 */
export async function manyEntriesTarGz(count: number, prefix = ""): Promise<Buffer> {
  const template = tarHeader({ name: "" }, 1);
  template.fill(" ", 148, 156);
  const templateSum = template.reduce((sum, byte) => sum + byte, 0);
  const record = Buffer.alloc(1024);
  record.write("x", 512);
  const gzip = createGzip({ level: 1 });
  const chunks: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    gzip.once("end", () => resolve(Buffer.concat(chunks)));
    gzip.once("error", reject);
  });
  const batch = 2_000;
  for (let start = 0; start < count; start += batch) {
    const end = Math.min(count, start + batch);
    const tar = Buffer.alloc((end - start) * 1024);
    for (let n = start; n < end; n++) {
      const offset = (n - start) * 1024;
      template.copy(tar, offset);
      const name = Buffer.from(`${prefix}${n}`, "latin1");
      name.copy(tar, offset);
      const checksum = name.reduce((sum, byte) => sum + byte, templateSum);
      tar.write(`${checksum.toString(8).padStart(6, "0")}\0 `, offset + 148, "latin1");
      record.copy(tar, offset + 512, 512);
    }
    if (!gzip.write(tar)) await once(gzip, "drain");
  }
  gzip.end(END_OF_TAR);
  return done;
}
