// What every command of the CLI shares: how a wrong command line is told apart from a command
// that failed (exit code 2, not 1), and options parsed with one explanation of what is wrong.

import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";

/** The command line itself is wrong: exit code 2, with the usage. */
export class UsageError extends Error {}

/** The options of `args`, strictly: an unknown option, a missing value or a stray argument is a UsageError. */
export function parseOptions<const O extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, strict: true }).values;
  } catch (error) {
    // parseArgs explains unknown options, missing values and stray arguments in one sentence.
    throw new UsageError(`${(error as Error).message} (${usage})`);
  }
}
