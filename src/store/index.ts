// Opens the store the configuration names. SQLite (a file in the data directory) is the
// embedded default and, for now, the only backend; a backend is one folder beside sqlite/
// that returns an OpenedStore over the shared queries/ and migrations/.

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseConfig } from "../config.ts";
import { openSqliteStore } from "./sqlite/index.ts";
import type { OpenedStore, StoreLog } from "./types.ts";

export type { OpenedStore, StoreLog } from "./types.ts";

const SILENT: StoreLog = { error: () => {} };

export async function openStore(database: DatabaseConfig, log: StoreLog = SILENT): Promise<OpenedStore> {
  mkdirSync(dirname(database.path), { recursive: true, mode: 0o700 });
  return openSqliteStore(database.path, log);
}
