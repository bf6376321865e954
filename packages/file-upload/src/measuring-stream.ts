import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

/** What passed through a {@link MeasuringStream}. */
export interface Measurement {
  size: number;
  sha256: string;
  /** The first bytes, for content sniffing. */
  head: Buffer;
}

/**
 * A pass-through that counts, hashes and keeps the first `headBytes` of what
 * flows into the store, so a file is measured in the same single pass that
 * stores it (and backpressure from the store reaches the client unchanged).
 */
export class MeasuringStream extends Transform {
  private readonly hash = createHash("sha256");
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;
  private size = 0;

  /** `limit`: past `maxBytes` the stream fails with `tooLarge()` (a source with no limit of its own). */
  constructor(
    private readonly headBytes: number,
    private readonly limit?: { maxBytes: number; tooLarge: () => Error },
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.limit && this.size > this.limit.maxBytes) {
      callback(this.limit.tooLarge());
      return;
    }
    this.hash.update(chunk);
    if (this.headLength < this.headBytes) {
      const part = chunk.subarray(0, this.headBytes - this.headLength);
      this.headChunks.push(Buffer.from(part));
      this.headLength += part.length;
    }
    callback(null, chunk);
  }

  /** Valid once the stream has ended. */
  measurement(): Measurement {
    return { size: this.size, sha256: this.hash.copy().digest("hex"), head: Buffer.concat(this.headChunks) };
  }
}
