/**
 * The commands of a README section a person is meant to copy: every fenced
 * block whose info string is `sh` between `<!-- quickstart` and
 * `<!-- quickstart-end -->`, one command per block, exactly as written.
 */
export function quickstartCommands(markdown: string): string[] {
  const start = markdown.indexOf("<!-- quickstart");
  const end = markdown.indexOf("<!-- quickstart-end -->");
  if (start === -1 || end === -1 || end < start) {
    throw new Error("the README has no <!-- quickstart … --> … <!-- quickstart-end --> section");
  }
  const section = markdown.slice(start, end);
  const commands: string[] = [];
  for (const [, body] of section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    const lines = (body ?? "").split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"));
    if (lines.length !== 1) throw new Error(`a quick-start block must hold one command, not:\n${body}`);
    commands.push(lines[0] as string);
  }
  return commands;
}

/**
 * Fills a command's `<name>` placeholders (what a person copies from an
 * earlier step's output); a placeholder without a value is an error, so a
 * new one in the README cannot run half-filled.
 */
export function fillPlaceholders(command: string, values: Record<string, string>): string {
  return command.replace(/<([a-z]+)>/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for ${placeholder} in: ${command}`);
    return value;
  });
}
