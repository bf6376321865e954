import { Transform, type TransformCallback } from "node:stream";
import { blobLengthMismatch } from "../../errors.js";

/**
 * Passes bytes through and fails (which aborts the request carrying them)
 * when the stream is longer or shorter than declared: a short body would
 * otherwise leave S3 waiting for bytes that never come.
 */
export class ExactLength extends Transform {
  #seen = 0;

  constructor(
    private readonly key: string,
    private readonly expected: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.expected) callback(blobLengthMismatch(this.key, this.expected, this.#seen));
    else callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.#seen === this.expected ? null : blobLengthMismatch(this.key, this.expected, this.#seen));
  }
}

/** Counts the bytes that pass, for bodies whose length is learnt on the way. */
export class ByteCounter extends Transform {
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}
