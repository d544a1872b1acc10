// One node:sqlite connection dressed as the better-sqlite3 interface Kysely's SqliteDialect
// speaks. Statements are prepared once per SQL text (Kysely builds the same few queries again
// and again, and preparing was a measurable share of each request); booleans are bound as
// 1/0, the only form SQLite has; a busy or locked database becomes RetryableStoreError.

import { DatabaseSync } from "node:sqlite";
import type { StatementSync } from "node:sqlite";
import { Kysely, SqliteDialect } from "kysely";
import type { SqliteDatabase, SqliteStatement } from "kysely";
import { RetryableStoreError } from "../../core/ports.ts";
import type { Database } from "../schema.ts";

// Queries with IN lists vary in text; a bound keeps the cache from growing without end.
const MAX_PREPARED = 500;
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

type Bindable = null | number | bigint | string | NodeJS.ArrayBufferView;

function bindable(parameters: readonly unknown[]): Bindable[] {
  return parameters.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : (p as Bindable)));
}

function translated<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    const code = (error as { errcode?: number }).errcode;
    if (code !== undefined && ((code & 0xff) === SQLITE_BUSY || (code & 0xff) === SQLITE_LOCKED)) {
      throw new RetryableStoreError(error);
    }
    throw error;
  }
}

function adapt(db: DatabaseSync): SqliteDatabase {
  const prepared = new Map<string, { statement: StatementSync; reader: boolean }>();
  const prepare = (sql: string) => {
    let entry = prepared.get(sql);
    if (!entry) {
      const statement = translated(() => db.prepare(sql));
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
        all: (parameters) => translated(() => statement.all(...bindable(parameters))),
        run: (parameters) => translated(() => statement.run(...bindable(parameters))),
        iterate: (parameters) => statement.iterate(...bindable(parameters)),
      };
    },
  };
}

export type SqliteConnection = { raw: DatabaseSync; db: Kysely<Database> };

/** Acknowledged means durable: WAL with synchronous=FULL. Another process (the CLI) waits its turn up to 5 s. */
export function openConnection(path: string): SqliteConnection {
  const raw = new DatabaseSync(path);
  raw.exec("PRAGMA journal_mode = WAL");
  raw.exec("PRAGMA synchronous = FULL");
  raw.exec("PRAGMA busy_timeout = 5000");
  return { raw, db: new Kysely<Database>({ dialect: new SqliteDialect({ database: adapt(raw) }) }) };
}
