import { createHash } from "node:crypto";
import { pipeline, Readable, Transform } from "node:stream";
import type { BlobStore } from "@webrun/blob-store";
import type { BrowserState } from "@webrun/state";
import { type ContentDigest, integrityError, verifyingStream } from "../archive/content-digest.js";
import { mapConcurrently } from "./concurrency.js";
import { layout } from "./layout.js";
import type { ContentRef } from "./schemas.js";
import { splitState } from "./state-parts.js";

/** A state as stored: its core, its origin groups, and their size in bytes. */
export interface StoredState {
  state: ContentRef;
  originGroups: ContentRef[];
  stateBytes: number;
}

/**
 * Stores the parts of one save. Parts whose SHA-256 the environment's head
 * already holds are reused instead of uploaded (dedup), so a save that only
 * changed cookies uploads only the state document. Everything uploaded is
 * remembered, so a save that loses its race can remove what it wrote.
 */
export class ContentWriter {
  readonly #store: BlobStore;
  readonly #userId: string;
  readonly #envId: string;
  readonly #known = new Map<string, ContentRef>();
  readonly #pending = new Map<string, Promise<ContentRef>>();
  readonly #uploaded: string[] = [];
  readonly #states = new WeakMap<BrowserState, Promise<StoredState>>();
  readonly #stateRounds: Promise<unknown>[] = [];
  #bytesUploaded = 0;

  constructor(store: BlobStore, userId: string, envId: string, reusable: Iterable<ContentRef>) {
    this.#store = store;
    this.#userId = userId;
    this.#envId = envId;
    for (const ref of reusable) this.#known.set(ref.sha256, ref);
  }

  get bytesUploaded(): number {
    return this.#bytesUploaded;
  }

  /** Keys this save wrote (and nothing else references until its version is committed). */
  get uploadedKeys(): readonly string[] {
    return this.#uploaded;
  }

  /** The stored part with these bytes, when the head (or this save) already has one. */
  find(sha256: string): ContentRef | undefined {
    return this.#known.get(sha256);
  }

  /** Stores a small in-memory part (the state document). */
  storeBytes(bytes: Buffer): Promise<ContentRef> {
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    return this.storeFile({ size: bytes.length, sha256 }, () => Readable.from([bytes]), false);
  }

  /**
   * Stores a state's core and origin groups in one concurrent round. A save
   * that knows its state before its files starts this first, so both go up
   * together; asked again for the same state, the same round answers.
   */
  storeState(state: BrowserState, concurrency: number): Promise<StoredState> {
    const started = this.#states.get(state);
    if (started) return started;
    const round = (async () => {
      const parts = splitState(state);
      const [core, ...originGroups] = await mapConcurrently(
        [parts.core, ...parts.originGroups],
        concurrency,
        (part) => this.storeBytes(part),
      );
      const stateBytes = parts.originGroups.reduce((total, group) => total + group.length, parts.core.length);
      return { state: core as ContentRef, originGroups, stateBytes };
    })();
    // Awaited by the save; failing before the save asks for it is not an unhandled rejection.
    round.catch(() => {});
    this.#states.set(state, round);
    this.#stateRounds.push(round);
    return round;
  }

  /** Stores a part whose digest is known up front; `open` is called only when it must be uploaded. */
  storeFile(
    expected: ContentDigest,
    open: () => Readable | Promise<Readable>,
    verify: boolean,
    name = "part",
  ): Promise<ContentRef> {
    const known = this.#known.get(expected.sha256);
    if (known) return Promise.resolve(known);
    const pending = this.#pending.get(expected.sha256);
    if (pending) return pending;
    const upload = (async () => this.upload(expected, await open(), verify, name))();
    this.#pending.set(expected.sha256, upload);
    return upload.finally(() => this.#pending.delete(expected.sha256));
  }

  /** Uploads a body under a fresh key, failing (and storing nothing) when it does not match `expected`. */
  async upload(expected: ContentDigest, body: Readable, verify: boolean, name = "part"): Promise<ContentRef> {
    const key = layout.newContent(this.#userId, this.#envId);
    const checked = verify ? pipeline(body, verifyingStream(expected, name), () => {}) : body;
    await this.#store.put(key, checked, { contentLength: expected.size, ifNoneMatch: "*" });
    this.#uploaded.push(key);
    this.#bytesUploaded += expected.size;
    const ref = { key, size: expected.size, sha256: expected.sha256 };
    this.#known.set(ref.sha256, ref);
    return ref;
  }

  /**
   * Uploads a body whose digest is not known up front (a file streaming out
   * of an uploaded profile), hashing it on the way. When the head already
   * holds the same bytes, the new copy is dropped and the old part used.
   */
  async uploadHashed(size: number, body: Readable, name = "part"): Promise<ContentRef> {
    const key = layout.newContent(this.#userId, this.#envId);
    const hash = createHash("sha256");
    let seen = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        seen += chunk.length;
        callback(null, chunk);
      },
    });
    await this.#store.put(
      key,
      pipeline(body, hashing, () => {}),
      { contentLength: size, ifNoneMatch: "*" },
    );
    this.#bytesUploaded += size;
    const sha256 = hash.digest("hex");
    if (seen !== size) throw new Error(`${name}: stored ${seen} bytes, expected ${size}`);
    const known = this.#known.get(sha256);
    if (known) {
      await this.#store.delete(key);
      return known;
    }
    this.#uploaded.push(key);
    const ref = { key, size, sha256 };
    this.#known.set(sha256, ref);
    return ref;
  }

  /** Best-effort removal of what this save uploaded; garbage collection catches anything left. */
  async discard(): Promise<void> {
    // A state round started ahead of the files may still be writing: let it land, then remove it too.
    await Promise.allSettled([...this.#stateRounds, ...this.#pending.values()]);
    await Promise.allSettled(this.#uploaded.map((key) => this.#store.delete(key)));
  }
}

/**
 * Streams a stored part, failing unless it has exactly the recorded size and
 * SHA-256. Parts are written once, under fresh keys, after their SHA-256 was
 * checked: from a store that authenticates reads they come back as written,
 * so only the size is compared and the bytes are not hashed a second time.
 */
export async function openContent(store: BlobStore, ref: ContentRef, name: string): Promise<Readable> {
  const object = await store.get(ref.key);
  if (!store.authenticatesReads) return pipeline(object.body, verifyingStream(ref, name), () => {});
  if (object.size !== ref.size) {
    object.body.destroy();
    throw integrityError(
      name,
      object.size > ref.size ? "is larger than recorded" : "is smaller than recorded",
    );
  }
  return object.body;
}
