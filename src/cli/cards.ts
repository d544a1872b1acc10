// npm run tetri -- cards <command>: the card vault of a data directory.
//   cards rotate-key [--batch-size N]
//
// rotate-key re-seals every card number and secret sealed under a retired key
// (TETRI_CARD_KEYS_RETIRED) with the current one (TETRI_CARD_KEY), in batches, while the
// servers run (configured with the same keys). It can be killed at any moment and run again;
// it says when the retired keys seal nothing any more and may be removed.
//
// Exit codes as the rest of the CLI: 0 done, 1 the command failed (bad configuration, a
// database error, values under a key that is not configured), 2 the command line is wrong.

import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config.ts";

const USAGE = "usage: npm run tetri -- cards rotate-key [--batch-size N]";
const DEFAULT_BATCH_SIZE = 100;

class UsageError extends Error {}

function batchSizeOf(args: string[]): number {
  let values: { "batch-size"?: string };
  try {
    ({ values } = parseArgs({ args, options: { "batch-size": { type: "string" } }, strict: true }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (${USAGE})`);
  }
  const text = values["batch-size"];
  if (text === undefined) return DEFAULT_BATCH_SIZE;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 10_000) throw new UsageError(`--batch-size must be a whole number from 1 to 10000 (${USAGE})`);
  return Number(text);
}

const listed = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([keyId, n]) => `${n} under key ${keyId}`)
    .join(", ");

async function rotateKey(args: string[]): Promise<void> {
  const batchSize = batchSizeOf(args);
  const config = loadConfig();
  // Loaded only now, so that a usage error answers at once.
  const [{ cardVault, openConfiguredStore }, { resealUnderCurrentKey, sealedValueCounts }] = await Promise.all([
    import("../services.ts"),
    import("../core/card-key-rotation.ts"),
  ]);
  const vault = cardVault(config);
  const opened = await openConfiguredStore(config);
  try {
    const before = await sealedValueCounts(opened.store, vault);
    const waiting = Object.values(before.retired).reduce((a, b) => a + b, 0);
    const detail = waiting > 0 ? ` (${listed(before.retired)})` : "";
    console.log(`current card key ${vault.currentKeyId}; ${waiting} value(s) to re-seal${detail}`);
    const resealed = await resealUnderCurrentKey(opened.store, vault, {
      batchSize,
      onBatch: (total) => console.log(`re-sealed ${total} of ${waiting}`),
    });
    const after = await sealedValueCounts(opened.store, vault);
    if (Object.keys(after.unknown).length > 0) {
      throw new Error(
        `${listed(after.unknown)}: sealed under a key that is neither TETRI_CARD_KEY nor in TETRI_CARD_KEYS_RETIRED; add it to TETRI_CARD_KEYS_RETIRED and run again`,
      );
    }
    const left = Object.values(after.retired).reduce((a, b) => a + b, 0);
    if (left > 0) throw new Error(`${listed(after.retired)} still (written meanwhile by a server with an older configuration?): run again`);
    const retired = vault.retiredKeyIds;
    console.log(
      retired.length > 0
        ? `done: re-sealed ${resealed}; all ${after.current} value(s) are under key ${vault.currentKeyId}. Nothing remains under the retired key(s) ${retired.join(", ")}: they may now be removed from TETRI_CARD_KEYS_RETIRED.`
        : `done: nothing to re-seal; all ${after.current} value(s) are under key ${vault.currentKeyId} (TETRI_CARD_KEYS_RETIRED names no key).`,
    );
  } finally {
    await opened.close();
  }
}

function fail(reason: string, code: number): never {
  console.error(`tetri: ${reason.replace(/\s*\n\s*/g, " ")}`);
  process.exit(code);
}

/** `cards …`, from the words after `cards` on the command line. */
export async function cardsCommand(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  try {
    if (command === "rotate-key") await rotateKey(rest);
    else if (command === "--help" || command === "-h" || command === "help") console.log(USAGE);
    else throw new UsageError(`unknown command "cards${command ? ` ${command}` : ""}" (${USAGE})`);
  } catch (error) {
    if (error instanceof UsageError) fail(error.message, 2);
    fail(error instanceof ConfigError ? error.message : `cards ${command} failed: ${(error as Error).message ?? String(error)}`, 1);
  }
}
