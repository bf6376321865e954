import path from "node:path";
import type { Command } from "commander";
import { type ApiOptions, apiClientFrom, withApiOptions } from "../api-client/api-options.js";
import { regularFileSize } from "../api-client/state-upload.js";
import { downloadToFile } from "../output-file.js";
import { formatTable, print } from "../output-format.js";
import { formatBytes, trackTransfer } from "../progress.js";

interface OutputOptions extends ApiOptions {
  json?: boolean;
}

const fileTable = (files: readonly { fileId: string; originalName: string; size: number }[]) =>
  formatTable(
    ["FILE ID", "NAME", "SIZE"],
    files.map((file) => [file.fileId, file.originalName, formatBytes(file.size)]),
  );

/**
 * `webrun-env files …`: files tasks refer to by `fileId` — upload (kept
 * with an environment, or expiring after an hour), list, delete, get.
 */
export function registerFiles(program: Command): void {
  const files = program.command("files").description("upload and manage files stored behind the webrun API");

  withApiOptions(
    files
      .command("upload")
      .description("upload files (streamed); with --env they stay with that environment")
      .argument("<file...>", "the files")
      .option(
        "--env <id>",
        "attach them to this environment (else they are deleted after 1 hour unless used)",
      ),
  ).action(async (paths: string[], options: OutputOptions & { env?: string }) => {
    const local = await Promise.all(
      paths.map(async (file) => ({
        path: file,
        filename: path.basename(file),
        size: await regularFileSize(file),
      })),
    );
    const answer = await apiClientFrom(options).uploadFiles(local, {
      ...(options.env === undefined ? {} : { environmentId: options.env }),
      tap: (body, length) => trackTransfer("upload", body, length),
    });
    print(options, answer, () =>
      [
        fileTable(answer.files),
        ...(options.env === undefined
          ? ["", "not attached to an environment: deleted after 1 hour unless a session names it"]
          : []),
      ].join("\n"),
    );
  });

  withApiOptions(
    files
      .command("list")
      .description("list the files attached to an environment")
      .requiredOption("--env <id>", "the environment"),
  ).action(async (options: OutputOptions & { env: string }) => {
    const answer = await apiClientFrom(options).listFiles(options.env);
    print(options, answer, () =>
      answer.files.length === 0 ? `no files attached to ${options.env}` : fileTable(answer.files),
    );
  });

  withApiOptions(
    files
      .command("delete")
      .description("remove a file from an environment")
      .requiredOption("--env <id>", "the environment")
      .argument("<fileId>", "the file"),
  ).action(async (fileId: string, options: OutputOptions & { env: string }) => {
    const answer = await apiClientFrom(options).deleteFile(options.env, fileId);
    print(options, answer, () => `deleted file ${fileId} from ${options.env}`);
  });

  withApiOptions(
    files
      .command("get")
      .description("download one of your files")
      .argument("<fileId>", "the file")
      .requiredOption("--out <file>", "where to write it"),
  ).action(async (fileId: string, options: OutputOptions & { out: string }) => {
    const client = apiClientFrom(options);
    const bytes = await downloadToFile(await client.openFile(fileId), options.out, "download", client.apiUrl);
    print(options, { fileId, out: options.out, bytes }, () => `wrote ${options.out}: ${formatBytes(bytes)}`);
  });
}
