// tetri <command>: the gateway's command-line tool (`npx tetri …`, or `npm run tetri -- …`).
// Each group of commands is a file of src/cli/ listed once in GROUPS.
//
// Errors are one line on stderr. Exit codes: 0 done, 1 the command failed (bad configuration,
// an unknown order, a refused refund, a database error), 2 the command line itself is wrong.

import { ConfigError } from "./config.ts";
import type { Command, CommandGroup } from "./cli/command.ts";
import { CommandFailed, UsageError, helpOf, parseInput, usageOf } from "./cli/command.ts";
import { cardCommands } from "./cli/cards.ts";
import { listenCommands } from "./cli/listen.ts";
import { merchantCommands } from "./cli/merchants.ts";
import { orderCommands } from "./cli/orders.ts";
import { serveCommands } from "./cli/serve.ts";
import { triggerCommands } from "./cli/trigger.ts";

const GROUPS: readonly CommandGroup[] = [serveCommands, merchantCommands, orderCommands, cardCommands, listenCommands, triggerCommands];

const USAGE = "usage: tetri <command> [options] (tetri --help lists the commands)";

const HELP_FLAGS = new Set(["--help", "-h"]);

function overview(): string {
  const commands = GROUPS.flatMap((g) => g.commands);
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "usage: tetri <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "tetri <command> --help shows a command's options. Configuration is the environment's, as for the server",
    "(TETRI_DATA_DIR, TETRI_DATABASE_URL, TETRI_CARD_KEY, …): see the README.",
  ].join("\n");
}

function groupHelp(group: CommandGroup): string {
  return [`usage: tetri ${group.name} <${group.commands.map((c) => c.name.split(" ")[1]).join("|")}> …`, "", ...group.commands.map((c) => `  ${usageOf(c)}\n      ${c.summary}`)].join("\n");
}

function fail(reason: string, code: number): never {
  process.stderr.write(`tetri: ${reason.replace(/\s*\n\s*/g, " ")}\n`);
  process.exit(code);
}

/** The command the words name, and the arguments after them. */
function commandOf(args: readonly string[]): { command: Command; rest: string[] } | { group: CommandGroup; rest: string[] } | undefined {
  const group = GROUPS.find((g) => g.name === args[0]);
  if (!group) return undefined;
  const single = group.commands.find((c) => c.name === group.name);
  if (single) return { command: single, rest: args.slice(1) };
  const command = group.commands.find((c) => c.name === `${group.name} ${args[1]}`);
  return command ? { command, rest: args.slice(2) } : { group, rest: args.slice(1) };
}

async function main(args: readonly string[]): Promise<void> {
  const [first] = args;
  if (first === undefined) fail(USAGE, 2);
  if (HELP_FLAGS.has(first) || first === "help") return void process.stdout.write(`${overview()}\n`);
  const found = commandOf(args);
  if (!found) fail(`unknown command "${args.slice(0, 2).join(" ")}" (${USAGE})`, 2);
  if ("group" in found) {
    const [word] = found.rest;
    const names = found.group.commands.map((c) => c.name.split(" ")[1]).join(", ");
    if (word === undefined) fail(`tetri ${found.group.name} needs a command: ${names} (${USAGE})`, 2);
    if (HELP_FLAGS.has(word)) return void process.stdout.write(`${groupHelp(found.group)}\n`);
    fail(`unknown command "${args.slice(0, 2).join(" ")}" (${USAGE})`, 2);
  }
  const { command, rest } = found;
  if (rest.some((a) => HELP_FLAGS.has(a))) return void process.stdout.write(`${helpOf(command)}\n`);
  await command.run(parseInput(command, rest));
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) fail(error.message, 2);
  if (error instanceof CommandFailed || error instanceof ConfigError) fail(error.message, 1);
  const { isTetriError } = await import("./core/errors.ts");
  if (isTetriError(error)) {
    const fields = error.fields.map((f) => `${f.field}: ${f.message}`).join("; ");
    fail(`${error.message}${fields ? ` (${fields})` : ""}`, 1);
  }
  fail(`${process.argv.slice(2, 4).join(" ")} failed: ${(error as Error).message ?? String(error)}`, 1);
}
