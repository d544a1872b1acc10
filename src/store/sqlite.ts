// The embedded default: one SQLite file in the data directory, through node:sqlite (no
// native build). Acknowledged means durable: WAL with synchronous=FULL.

import { closeSync, openSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { Kysely, SqliteDialect } from "kysely";
import { Migrator } from "kysely/migration";
import type { SqliteDatabase, SqliteStatement } from "kysely";
import type { Store } from "../core/ports.ts";
import { queriesOn } from "./queries.ts";
import { MIGRATIONS } from "./schema.ts";
import type { Database } from "./schema.ts";

/** Kysely's SqliteDialect speaks better-sqlite3's interface; this is node:sqlite wearing it. */
function adapt(db: DatabaseSync): SqliteDatabase {
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const statement = db.prepare(sql);
      return {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...(parameters as never[])),
        run: (parameters) => statement.run(...(parameters as never[])),
        iterate: (parameters) => statement.iterate(...(parameters as never[])),
      };
    },
  };
}

export async function openSqliteStore(path: string): Promise<Store> {
  // The file holds secret hashes and sealed card numbers: owner-only from its first byte.
  // SQLite gives the -wal and -shm files the same mode.
  closeSync(openSync(path, "a", 0o600));
  const raw = new DatabaseSync(path);
  raw.exec("PRAGMA journal_mode = WAL");
  raw.exec("PRAGMA synchronous = FULL");
  raw.exec("PRAGMA foreign_keys = ON");
  raw.exec("PRAGMA busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: adapt(raw) }) });
  await migrate(db);
  return {
    transaction: (work) => db.transaction().execute((trx) => work(queriesOn(trx))),
    read: (work) => work(queriesOn(db)),
    close: () => db.destroy(),
  };
}

export async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}
