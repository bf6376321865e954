import path from "node:path";
import type { Environment, MergedSave, VersionInfo, VersionSummary } from "@webrun/api-contract";
import type { Command } from "commander";
import { apiClientFrom, withApiOptions } from "../api-client/api-options.js";
import { pullEnvironment } from "../api-client/environment-pull.js";
import { mergeStateFile, pushStateFile, regularFileSize } from "../api-client/state-upload.js";
import { cliError } from "../errors.js";
import { formatTable, formatTime, type OutputOptions, print } from "../output-format.js";
import { formatBytes, trackTransfer } from "../progress.js";
import { type MergeBase, mergeBaseOption, parseVersion } from "../version-options.js";
import { registerEnvCheck } from "./env-check.js";
import { registerEnvDiff } from "./env-diff.js";
import { describeLoginExpiry, loginMark } from "./login-expiry.js";

/** One line on what a merged save did: never a value, names and counts only. */
export function describeMergedSave(saved: MergedSave): string {
  const { cookies, origins, extensions } = saved.changes;
  const changed = (counts: { added: number; changed: number; removed: number }) =>
    counts.added + counts.changed + counts.removed;
  const how = saved.merged
    ? `merged with ${saved.mergedWith.join(", ")}, ${saved.conflicts} conflict${saved.conflicts === 1 ? "" : "s"}`
    : "nothing saved since its base";
  return `${how}; changed ${changed(cookies)} cookies, ${changed(origins)} origins, ${changed(extensions)} extensions`;
}

function describeSummary(summary: VersionSummary | null | undefined): string {
  if (!summary) return "no browser data yet";
  const extensions = summary.extensions.length;
  return [
    `${summary.cookies} cookie${summary.cookies === 1 ? "" : "s"}`,
    `${summary.originCount} origin${summary.originCount === 1 ? "" : "s"}`,
    `${extensions} extension${extensions === 1 ? "" : "s"}`,
    formatBytes(summary.totalBytes),
  ].join(", ");
}

function environmentRows(environments: readonly Environment[]): string[][] {
  return environments.map((environment) => [
    environment._id,
    environment.name,
    environment.status,
    environment.version == null ? "-" : String(environment.version),
    environment.summary ? formatBytes(environment.summary.totalBytes) : "-",
    formatTime(environment.updatedAt),
    loginMark(environment.loginExpiry),
  ]);
}

function versionRows(versions: readonly VersionInfo[]): string[][] {
  return versions.map((version) => [
    String(version.version),
    formatTime(version.savedAt),
    formatBytes(version.totalBytes),
    [
      version.head ? "head" : "",
      version.rolledBackFrom === undefined ? "" : `restored from ${version.rolledBackFrom}`,
    ]
      .filter(Boolean)
      .join(", "),
  ]);
}

function describeEnvironment(answer: {
  environment: Environment;
  files: readonly { fileId: string; originalName: string; size: number }[];
  versions: readonly VersionInfo[];
}): string {
  const { environment, files, versions } = answer;
  const summary = environment.summary;
  const lines = [
    `id           ${environment._id}`,
    `name         ${environment.name}`,
    `description  ${environment.description || "-"}`,
    `status       ${environment.status}`,
    `version      ${environment.version ?? "-"}`,
    `holds        ${describeSummary(summary)}`,
    `created      ${formatTime(environment.createdAt)}`,
    `updated      ${formatTime(environment.updatedAt)}`,
  ];
  if (summary) {
    lines.push(`cookies for  ${summary.cookieDomains.join(", ") || "-"}`);
    lines.push(`origins      ${summary.origins.join(", ") || "-"}`);
    lines.push(
      `extensions   ${summary.extensions.map((e) => `${e.name} ${e.version} (${e.id})`).join(", ") || "-"}`,
    );
    lines.push(...describeLoginExpiry(environment.loginExpiry, summary.cookieExpiry));
  }
  lines.push("", files.length === 0 ? "files: none" : "files:");
  if (files.length > 0) {
    lines.push(
      formatTable(
        ["FILE ID", "NAME", "SIZE"],
        files.map((file) => [file.fileId, file.originalName, formatBytes(file.size)]),
      ),
    );
  }
  lines.push("", versions.length === 0 ? "versions: none" : "versions:");
  if (versions.length > 0) lines.push(formatTable(["VERSION", "SAVED", "SIZE", ""], versionRows(versions)));
  return lines.join("\n");
}

/**
 * `webrun-env env …`: environments stored behind the webrun API — list,
 * create, update, delete, inspect, push (save a captured state as a new
 * version), pull, versions and rollback.
 */
export function registerEnv(program: Command): void {
  const env = program
    .command("env")
    .description("manage environments stored behind the webrun API")
    .addHelpText(
      "after",
      [
        "",
        "Every subcommand takes --api <url> (or WEBRUN_API, default http://127.0.0.1:8080)",
        "and the key from WEBRUN_API_KEY (or --key); --json prints the API's answer.",
        "",
        "Example:",
        "  export WEBRUN_API_KEY=…",
        "  id=$(webrun-env env create work --json | jq -r .environment._id)",
        "  webrun-env capture --cdp http://127.0.0.1:9222 --push $id",
        "  webrun-env launch --env $id",
      ].join("\n"),
    );

  withApiOptions(
    env
      .command("list")
      .description(
        "list your environments, newest first; LOGINS marks (!) cookie domains expired or expiring within 7 days",
      ),
  ).action(async (options: OutputOptions) => {
    const answer = await apiClientFrom(options).listEnvironments();
    print(options, answer, () =>
      answer.environments.length === 0
        ? "no environments yet: create one with `webrun-env env create <name>`"
        : formatTable(
            ["ID", "NAME", "STATUS", "VERSION", "SIZE", "UPDATED", "LOGINS"],
            environmentRows(answer.environments),
          ),
    );
  });

  withApiOptions(
    env
      .command("create")
      .description("create an empty environment")
      .argument("<name>", "its name (at most 100 characters)")
      .option("--description <text>", "what it is for (at most 500 characters)"),
  ).action(async (name: string, options: OutputOptions & { description?: string }) => {
    const answer = await apiClientFrom(options).createEnvironment({
      name,
      ...(options.description === undefined ? {} : { description: options.description }),
    });
    print(
      options,
      answer,
      () => `created environment ${answer.environment._id} (${answer.environment.name})`,
    );
  });

  withApiOptions(
    env
      .command("update")
      .description("rename or re-describe an environment")
      .argument("<id>", "the environment")
      .option("--name <name>", "its new name")
      .option("--description <text>", "its new description"),
  ).action(async (id: string, options: OutputOptions & { name?: string; description?: string }) => {
    if (options.name === undefined && options.description === undefined) {
      throw cliError({
        kind: "invalid_input",
        code: "NOTHING_TO_UPDATE",
        message: "give --name and/or --description",
      });
    }
    const answer = await apiClientFrom(options).updateEnvironment(id, {
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.description === undefined ? {} : { description: options.description }),
    });
    print(
      options,
      answer,
      () => `updated environment ${answer.environment._id} (${answer.environment.name})`,
    );
  });

  withApiOptions(
    env
      .command("delete")
      .description("delete an environment with its browser data and all its files")
      .argument("<id>", "the environment"),
  ).action(async (id: string, options: OutputOptions) => {
    const answer = await apiClientFrom(options).deleteEnvironment(id);
    print(options, answer, () => `deleted environment ${id} with its browser data and files`);
  });

  withApiOptions(
    env
      .command("inspect")
      .description("show an environment: what it holds, its files and versions")
      .argument("<id>", "the environment"),
  ).action(async (id: string, options: OutputOptions) => {
    const answer = await apiClientFrom(options).getEnvironment(id);
    print(options, answer, () => describeEnvironment(answer));
  });

  withApiOptions(
    env
      .command("push")
      .description("save a state document (.json) or environment archive (.tar.gz) as a new version")
      .argument("<id>", "the environment")
      .argument("<file>", "what `webrun-env capture --out` wrote: .json or .tar.gz")
      .option("--base <version>", "save only if the head is still this version (else exit 1)", parseVersion)
      .addOption(mergeBaseOption().conflicts("base")),
  ).action(
    async (id: string, file: string, options: OutputOptions & { base?: number; mergeBase?: MergeBase }) => {
      const client = apiClientFrom(options);
      if (options.mergeBase !== undefined) {
        const merged = await mergeStateFile(client, id, file, options.mergeBase.version);
        print(
          options,
          merged,
          () =>
            `saved version ${merged.saved.version} of ${id} (${describeMergedSave(merged.saved)}): ${describeSummary(merged.summary)}`,
        );
        return;
      }
      const answer = await pushStateFile(client, id, file, {
        ...(options.base === undefined ? {} : { baseVersion: options.base }),
      });
      print(
        options,
        answer,
        () => `saved version ${answer.version} of ${id}: ${describeSummary(answer.summary)}`,
      );
    },
  );

  withApiOptions(
    env
      .command("import-profile")
      .description("replace the browser data with a Chrome profile archive (a .tar.gz of a user-data-dir)")
      .argument("<id>", "the environment")
      .argument("<profile.tar.gz>", "e.g. tar czf profile.tar.gz -C ~/.config/chromium . (at most 500 MB)"),
  ).action(async (id: string, file: string, options: OutputOptions) => {
    const local = { path: file, filename: path.basename(file), size: await regularFileSize(file) };
    const answer = await apiClientFrom(options).importProfile(id, local, {
      tap: (body, length) => trackTransfer(`upload ${id}`, body, length),
    });
    print(
      options,
      answer,
      () => `saved version ${answer.version} of ${id}: ${describeSummary(answer.summary)}`,
    );
  });

  withApiOptions(
    env
      .command("download-link")
      .description("a link to the browser data as .tar.gz, valid 1 hour, that needs no API key")
      .argument("<id>", "the environment"),
  ).action(async (id: string, options: OutputOptions) => {
    const answer = await apiClientFrom(options).profileDownloadLink(id);
    print(options, answer, () => `${answer.downloadUrl}\n(valid until ${formatTime(answer.expiresAt)})`);
  });

  withApiOptions(
    env
      .command("pull")
      .description("download an environment's browser data")
      .argument("<id>", "the environment")
      .requiredOption(
        "--out <file>",
        ".tar.gz: the environment archive (with extensions); .json: the state document",
      )
      .option("--version <version>", "a kept version instead of the head", parseVersion),
  ).action(async (id: string, options: OutputOptions & { out: string; version?: number }) => {
    const pulled = await pullEnvironment(apiClientFrom(options), id, options.out, options.version);
    const result = { environmentId: id, out: options.out, ...pulled };
    print(
      options,
      result,
      () => `wrote ${options.out}: version ${pulled.version ?? "?"} of ${id}, ${formatBytes(pulled.bytes)}`,
    );
  });

  withApiOptions(
    env
      .command("versions")
      .description("list an environment's kept versions, newest first")
      .argument("<id>", "the environment"),
  ).action(async (id: string, options: OutputOptions) => {
    const answer = await apiClientFrom(options).listVersions(id);
    print(options, answer, () =>
      answer.versions.length === 0
        ? `${id} has no versions yet: push one with \`webrun-env env push ${id} <file>\``
        : formatTable(["VERSION", "SAVED", "SIZE", ""], versionRows(answer.versions)),
    );
  });

  registerEnvDiff(env);
  registerEnvCheck(env);

  withApiOptions(
    env
      .command("rollback")
      .description("make a kept version the head again (saved as a new version; nothing is lost)")
      .argument("<id>", "the environment")
      .argument("<version>", "the version to go back to", parseVersion),
  ).action(async (id: string, version: number, options: OutputOptions) => {
    const answer = await apiClientFrom(options).restoreVersion(id, version);
    print(
      options,
      answer,
      () => `${id} is back at version ${version}'s data, saved as version ${answer.version}`,
    );
  });
}
