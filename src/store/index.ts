// Opens the store the configuration names: SQLite (a file in the data directory, the embedded
// default) or PostgreSQL (shared by many nodes). A backend is one folder beside the others
// that returns an OpenedStore over the shared queries/ and migrations/.

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseConfig } from "../config.ts";
import { merchantCache } from "./queries/index.ts";
import { openSqliteStore } from "./sqlite/index.ts";
import type { OpenedStore, StoreLog } from "./types.ts";

export type { OpenedStore, PoolStats, StoreLog } from "./types.ts";

const SILENT: StoreLog = { error: () => {} };

export async function openStore(database: DatabaseConfig, log: StoreLog = SILENT, merchantCacheSize?: number): Promise<OpenedStore> {
  const merchants = merchantCache(merchantCacheSize);
  // node-postgres is loaded only for a PostgreSQL database: the embedded default never needs it.
  if (database.kind === "postgres") return (await import("./postgres/index.ts")).openPostgresStore(database.url, database.poolSize, log, merchants);
  mkdirSync(dirname(database.path), { recursive: true, mode: 0o700 });
  return openSqliteStore(database.path, log, merchants);
}
