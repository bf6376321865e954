/**
 * Shares the fsyncs of one directory between concurrent writers: the parts
 * of one save land in one directory at once, and each needs its new name
 * made durable. A caller's promise settles only once an fsync that started
 * after the call has finished (one already running may predate its rename),
 * so every caller waiting while an fsync runs shares the single next one.
 */
export class SharedSync {
  readonly #sync: (path: string) => Promise<void>;
  readonly #running = new Map<string, { done: Promise<void>; next?: Promise<void> }>();

  constructor(sync: (path: string) => Promise<void>) {
    this.#sync = sync;
  }

  sync(path: string): Promise<void> {
    const running = this.#running.get(path);
    if (!running) return this.#start(path);
    running.next ??= running.done.then(
      () => this.#start(path),
      () => this.#start(path),
    );
    return running.next;
  }

  #start(path: string): Promise<void> {
    const done = this.#sync(path).finally(() => {
      if (this.#running.get(path)?.done === done) this.#running.delete(path);
    });
    this.#running.set(path, { done });
    return done;
  }
}
