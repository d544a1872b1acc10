// npm run tetri -- <command>: administration of a data directory.
//   merchants create --name NAME [--json]
//
// Errors are one line on stderr. Exit codes: 0 done, 1 the command failed (bad
// configuration, database error), 2 the command line itself is wrong.

import { parseArgs } from "node:util";
import { loadConfig, ConfigError } from "./config.ts";

const USAGE = "usage: npm run tetri -- merchants create --name NAME [--json]";

class UsageError extends Error {}

function fail(reason: string, code: number): never {
  console.error(`tetri: ${reason.replace(/\s*\n\s*/g, " ")}`);
  process.exit(code);
}

async function merchantsCreate(args: string[]): Promise<void> {
  let values: { name?: string; json?: boolean };
  try {
    ({ values } = parseArgs({ args, options: { name: { type: "string" }, json: { type: "boolean" } }, strict: true }));
  } catch (error) {
    // parseArgs explains unknown options, missing values and stray arguments in one sentence.
    throw new UsageError(`${(error as Error).message} (${USAGE})`);
  }
  const name = values.name?.trim();
  if (!name) throw new UsageError(`--name is required (${USAGE})`);
  if (name.length > 200) throw new UsageError("--name must be at most 200 characters");
  const config = loadConfig();
  // Loaded only now, so that a usage error answers at once instead of after the whole server's imports.
  const [{ createMerchant }, { CREDENTIAL_ISSUERS, cardVault, openConfiguredStore, systemClock }, { DIALECTS }] = await Promise.all([
    import("./core/merchants.ts"),
    import("./services.ts"),
    import("./dialects/registry.ts"),
  ]);
  const opened = await openConfiguredStore(config);
  try {
    const vault = cardVault(config);
    const seal = (secret: string) => vault.seal(secret);
    const { merchant, clientSecret, credentials } = await createMerchant(opened.store, CREDENTIAL_ISSUERS, { name, seal, now: systemClock.now() });
    if (values.json) {
      console.log(JSON.stringify({ client_id: merchant.clientId, client_secret: clientSecret, ...credentials }));
    } else {
      const lines = [`Merchant "${merchant.name}" created.`, `  client_id:     ${merchant.clientId}`, `  client_secret: ${clientSecret}`];
      for (const { credential } of DIALECTS) {
        if (credential) lines.push(`  ${`${credential.label}:`.padEnd(15)}${credentials[credential.name]}`);
      }
      console.log(lines.join("\n"));
    }
  } finally {
    await opened.close();
  }
}

const [group, command, ...rest] = process.argv.slice(2);
try {
  if (group === "merchants" && command === "create") await merchantsCreate(rest);
  else if (group === "cards") await (await import("./cli/cards.ts")).cardsCommand(process.argv.slice(3));
  else if (group === "help" || group === "--help" || group === "-h") console.log(USAGE);
  else if (group === undefined) fail(USAGE, 2);
  else fail(`unknown command "${[group, command].filter(Boolean).join(" ")}" (${USAGE})`, 2);
} catch (error) {
  if (error instanceof UsageError) fail(error.message, 2);
  fail(error instanceof ConfigError ? error.message : `merchants create failed: ${(error as Error).message ?? String(error)}`, 1);
}
