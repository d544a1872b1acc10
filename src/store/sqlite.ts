// The embedded default: one SQLite file in the data directory, through node:sqlite (no
// native build). Acknowledged means durable: WAL with synchronous=FULL.

import { closeSync, openSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import type { StatementSync } from "node:sqlite";
import { Kysely, SqliteDialect } from "kysely";
import { Migrator } from "kysely/migration";
import type { SqliteDatabase, SqliteStatement } from "kysely";
import type { Store } from "../core/ports.ts";
import { groupCommit } from "./group-commit.ts";
import { queriesOn } from "./queries.ts";
import { MIGRATIONS } from "./schema.ts";
import type { Database } from "./schema.ts";

/**
 * Kysely's SqliteDialect speaks better-sqlite3's interface; this is node:sqlite wearing it.
 * Statements are prepared once per SQL text: Kysely builds the same few queries again and
 * again, and preparing was a measurable share of each request.
 */
function adapt(db: DatabaseSync): SqliteDatabase {
  const prepared = new Map<string, { statement: StatementSync; reader: boolean }>();
  const prepare = (sql: string) => {
    let entry = prepared.get(sql);
    if (!entry) {
      const statement = db.prepare(sql);
      entry = { statement, reader: statement.columns().length > 0 };
      if (prepared.size >= MAX_PREPARED) prepared.clear();
      prepared.set(sql, entry);
    }
    return entry;
  };
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const { statement, reader } = prepare(sql);
      return {
        reader,
        all: (parameters) => statement.all(...(parameters as never[])),
        run: (parameters) => statement.run(...(parameters as never[])),
        iterate: (parameters) => statement.iterate(...(parameters as never[])),
      };
    },
  };
}

// Queries with IN lists vary in text; a bound keeps the cache from growing without end.
const MAX_PREPARED = 500;

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
    transaction: groupCommit(db),
    read: (work) => work(queriesOn(db)),
    close: () => db.destroy(),
  };
}

export async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}
