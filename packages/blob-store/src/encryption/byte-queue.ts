/** Bytes received but not yet consumed, taken off the front in exact amounts without copying more than needed. */
export class ByteQueue {
  #parts: Buffer[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#parts.push(bytes);
    this.#length += bytes.length;
  }

  /** Removes and returns the first `count` bytes; the caller checks `length` first. */
  take(count: number): Buffer {
    const first = this.#parts[0];
    if (first && first.length >= count) {
      const taken = first.subarray(0, count);
      if (first.length === count) this.#parts.shift();
      else this.#parts[0] = first.subarray(count);
      this.#length -= count;
      return taken;
    }
    const all = Buffer.concat(this.#parts);
    this.#parts = all.length > count ? [all.subarray(count)] : [];
    this.#length = all.length - count;
    return all.subarray(0, count);
  }
}
