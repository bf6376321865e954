const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

/** What a redacted password shows as. */
export const redacted = "[redacted]";

/**
 * Proxy credentials that do not leak: the password lives in a private field
 * behind a getter, so `JSON.stringify`, `console.log`/`util.inspect`, string
 * templates and object spread all show `[redacted]` or nothing. Read
 * `password` explicitly where it is needed (answering `Fetch.authRequired`,
 * configuring the system proxy).
 */
export class ProxyCredentials {
  readonly username: string;
  readonly #password: string | undefined;

  constructor(username: string, password?: string) {
    this.username = username;
    this.#password = password;
  }

  /** The password in clear; never log it. */
  get password(): string | undefined {
    return this.#password;
  }

  toJSON(): { username: string; password?: string } {
    return this.#password === undefined
      ? { username: this.username }
      : { username: this.username, password: redacted };
  }

  toString(): string {
    return `ProxyCredentials(${JSON.stringify(this.toJSON())})`;
  }

  [inspectSymbol](): string {
    return this.toString();
  }
}
