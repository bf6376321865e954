import { writeFile } from "node:fs/promises";
import {
  type BrowserState,
  fromPlaywrightStorageState,
  parseBrowserState,
  playwrightConversionLosses,
  toPlaywrightStorageState,
} from "@webrun/state";
import { type Command, Option } from "commander";
import { cliError } from "../errors.js";
import { writeFileAtomically } from "../output-file.js";
import { inputLabel, readJsonInput } from "../read-input.js";

const formats = ["webrun", "playwright"] as const;
type Format = (typeof formats)[number];

/** A BrowserState may carry inline extension files and 10 MiB storage values. */
const maxInputBytes = 256 * 1024 * 1024;

/**
 * `webrun-env convert`: BrowserState ↔ Playwright storageState. The input is
 * validated on the way in (bad fields reported by path, exit 1); the output
 * is written atomically with mode 0600, since it holds cookies.
 */
export function registerConvert(program: Command): void {
  program
    .command("convert")
    .description(
      "convert a browser state between the webrun BrowserState and Playwright storageState formats",
    )
    .argument("<input>", "a JSON file, or - to read stdin")
    .addOption(
      new Option(
        "--from <format>",
        "the input format (default: inferred: a document with `version` is webrun)",
      ).choices(formats),
    )
    .addOption(new Option("--to <format>", "the output format (default: the other one)").choices(formats))
    .option("--out <file>", "write here (atomically, mode 0600) instead of stdout")
    .addHelpText(
      "after",
      [
        "",
        "webrun → playwright keeps cookies (session cookies as expires -1, CHIPS partition keys),",
        "first-party localStorage and IndexedDB; it drops sessionStorage, partitioned (third-party)",
        "storage, extensions and cookie priority/sourceScheme/sourcePort, and says so on stderr.",
        "playwright → webrun keeps everything Playwright's document holds except opfs and credentials.",
        "Converting a format to itself validates and normalises it.",
        "Invalid input: one 'path: message' line per problem on stderr; exit 1.",
        "",
        "Examples:",
        "  webrun-env convert --to playwright state.json --out storage-state.json",
        "  cat storage-state.json | webrun-env convert - > state.json",
      ].join("\n"),
    )
    .action(async (input: string, options: { from?: Format; to?: Format; out?: string }) => {
      const document = await readJsonInput(input, { maxBytes: maxInputBytes });
      const from = options.from ?? inferFormat(document, inputLabel(input));
      const to = options.to ?? (from === "webrun" ? "playwright" : "webrun");
      const state: BrowserState =
        from === "webrun" ? parseBrowserState(document) : fromPlaywrightStorageState(document);
      if (to === "playwright") {
        for (const loss of playwrightConversionLosses(state)) {
          process.stderr.write(`webrun-env: not in Playwright's format, dropped: ${loss}\n`);
        }
      }
      const output = to === "webrun" ? state : toPlaywrightStorageState(state);
      const text = `${JSON.stringify(output, null, 2)}\n`;
      if (options.out === undefined) process.stdout.write(text);
      else await writeOutput(options.out, text);
    });
}

function inferFormat(document: unknown, label: string): Format {
  if (typeof document === "object" && document !== null && !Array.isArray(document)) {
    if ("version" in document) return "webrun";
    if ("cookies" in document || "origins" in document) return "playwright";
  }
  throw cliError({
    kind: "invalid_input",
    code: "CONVERT_FORMAT_UNKNOWN",
    message: `cannot tell the format of ${label}: pass --from webrun or --from playwright`,
  });
}

/** Atomic, owner-only (the state holds cookies); a failure leaves no file behind. */
async function writeOutput(target: string, text: string): Promise<void> {
  try {
    await writeFileAtomically(target, (temporary) => writeFile(temporary, text, { mode: 0o600, flag: "wx" }));
  } catch (error) {
    throw cliError({
      kind: "invalid_input",
      code: "OUTPUT_UNWRITABLE",
      message: `cannot write ${target}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
      cause: error,
    });
  }
}
