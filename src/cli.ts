// npm run tetri -- <command>: administration of a data directory.
//   merchants create --name NAME [--json]

import { parseArgs } from "node:util";
import { loadConfig, ConfigError } from "./config.ts";
import { createMerchant } from "./core/merchants.ts";
import { openStore, systemClock } from "./services.ts";

const USAGE = "usage: npm run tetri -- merchants create --name NAME [--json]";

function fail(reason: string): never {
  console.error(`tetri: ${reason}`);
  process.exit(2);
}

async function merchantsCreate(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { name: { type: "string" }, json: { type: "boolean" } }, strict: true });
  const name = values.name?.trim();
  if (!name) fail(`--name is required\n${USAGE}`);
  if (name.length > 200) fail("--name must be at most 200 characters");
  const store = await openStore(loadConfig());
  try {
    const { merchant, clientSecret } = await createMerchant(store, { name, now: systemClock.now() });
    if (values.json) console.log(JSON.stringify({ client_id: merchant.clientId, client_secret: clientSecret }));
    else console.log(`Merchant "${merchant.name}" created.\n  client_id:     ${merchant.clientId}\n  client_secret: ${clientSecret}`);
  } finally {
    await store.close();
  }
}

const [group, command, ...rest] = process.argv.slice(2);
try {
  if (group === "merchants" && command === "create") await merchantsCreate(rest);
  else fail(USAGE);
} catch (error) {
  fail(error instanceof ConfigError || error instanceof TypeError ? error.message : String(error));
}
