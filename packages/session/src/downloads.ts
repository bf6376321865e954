import path from "node:path";
import { type CdpConnection, type CdpEvent, connectCdp } from "@webrun/browser-state";

export type DownloadState = "inProgress" | "completed" | "canceled";

export interface Download {
  guid: string;
  suggestedFilename: string;
  state: DownloadState;
  /** Where Chromium writes it (`allowAndName`: named by its guid). */
  file: string;
}

/**
 * Sends the browser's downloads to `dir` (`Browser.setDownloadBehavior`
 * `allowAndName` with events) and follows each by guid from
 * `Browser.downloadWillBegin` to `completed` or `canceled`. Covers the
 * default browser context; a client that sets its own download behaviour
 * (Playwright does for the contexts it creates) takes those downloads over.
 */
export class DownloadWatch {
  readonly #connection: CdpConnection;
  readonly #dir: string;
  readonly #downloads = new Map<string, Download>();

  private constructor(connection: CdpConnection, dir: string) {
    this.#connection = connection;
    this.#dir = dir;
  }

  static async start(cdpUrl: string, dir: string): Promise<DownloadWatch> {
    const connection = await connectCdp(cdpUrl);
    const watch = new DownloadWatch(connection, dir);
    connection.onEvent((event) => watch.#onEvent(event));
    try {
      await connection.send("Browser.setDownloadBehavior", {
        behavior: "allowAndName",
        downloadPath: dir,
        eventsEnabled: true,
      });
    } catch (error) {
      await connection.close();
      throw error;
    }
    return watch;
  }

  /** Every download seen so far, in the order they began. */
  list(): Download[] {
    return [...this.#downloads.values()].map((download) => ({ ...download }));
  }

  async stop(): Promise<void> {
    await this.#connection.close().catch(() => undefined);
  }

  #onEvent({ method, params }: CdpEvent): void {
    if (method === "Browser.downloadWillBegin") {
      const { guid, suggestedFilename } = params as { guid: string; suggestedFilename: string };
      this.#downloads.set(guid, {
        guid,
        suggestedFilename,
        state: "inProgress",
        file: path.join(this.#dir, guid),
      });
    } else if (method === "Browser.downloadProgress") {
      const { guid, state } = params as { guid: string; state: DownloadState };
      const download = this.#downloads.get(guid);
      if (download) download.state = state;
    }
  }
}
