// What every command of the CLI is made of: its words, its usage, its options (parsed with
// node:util's parseArgs), and how it runs. cli.ts dispatches to them; each group of commands
// is one file of this folder exporting a CommandGroup.

import { parseArgs } from "node:util";
import type { ParseArgsOptionsConfig } from "node:util";

/** The command line itself is wrong: exit 2. */
export class UsageError extends Error {}

/** The command could not do what was asked (an unknown order, a refund above what is left): exit 1. */
export class CommandFailed extends Error {}

export type ParsedInput = { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };

export type Command = {
  /** The words after `tetri`, e.g. "orders refund". */
  name: string;
  /** Everything after the name, as the usage line shows it: "ORDER_ID [--amount AMOUNT] [--json]". */
  synopsis: string;
  summary: string;
  /** Lines of --help after the usage: what the options mean, examples. */
  help?: readonly string[];
  options?: ParseArgsOptionsConfig;
  /** Positional arguments' names, in order; all required. */
  positionals?: readonly string[];
  run(input: ParsedInput): Promise<void>;
};

/** Commands that share a first word; a group whose one command has the group's name is that command. */
export type CommandGroup = {
  name: string;
  commands: readonly Command[];
};

export const usageOf = (command: Command) => `tetri ${command.name}${command.synopsis ? ` ${command.synopsis}` : ""}`;

/** The full --help text of one command. */
export function helpOf(command: Command): string {
  return [`usage: ${usageOf(command)}`, "", command.summary, ...(command.help?.length ? ["", ...command.help] : [])].join("\n");
}

/** Parses a command's arguments, or throws a UsageError that names the problem and the usage. */
export function parseInput(command: Command, args: readonly string[]): ParsedInput {
  const expected = command.positionals ?? [];
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options: command.options ?? {}, allowPositionals: expected.length > 0, strict: true });
  } catch (error) {
    // parseArgs explains unknown options, missing values and stray arguments in one sentence.
    throw new UsageError(`${(error as Error).message} (usage: ${usageOf(command)})`);
  }
  const positionals = parsed.positionals;
  if (positionals.length < expected.length) throw new UsageError(`${expected[positionals.length]} is required (usage: ${usageOf(command)})`);
  if (positionals.length > expected.length) throw new UsageError(`unexpected argument "${positionals[expected.length]}" (usage: ${usageOf(command)})`);
  return { values: parsed.values as ParsedInput["values"], positionals };
}

/** A string option's value, trimmed; undefined when absent. */
export function text(input: ParsedInput, name: string): string | undefined {
  const value = input.values[name];
  return typeof value === "string" ? value.trim() : undefined;
}

export function flag(input: ParsedInput, name: string): boolean {
  return input.values[name] === true;
}

/** An integer option within bounds, or its default. */
export function integer(input: ParsedInput, name: string, bounds: { min: number; max: number; fallback: number }): number {
  const value = text(input, name);
  if (value === undefined) return bounds.fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < bounds.min || n > bounds.max) throw new UsageError(`--${name} must be a whole number from ${bounds.min} to ${bounds.max}`);
  return n;
}

export const JSON_OPTION = { json: { type: "boolean" } } as const satisfies ParseArgsOptionsConfig;

/** Writes one result: JSON on one line for --json, else the human text. */
export function print(input: ParsedInput, json: unknown, human: () => string): void {
  process.stdout.write(`${flag(input, "json") ? JSON.stringify(json) : human()}\n`);
}

/** A table with aligned columns; the header row first. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")).join("\n");
}

/** A time as people read it in a terminal: UTC, to the second. */
export function utc(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
