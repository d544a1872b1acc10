// The embedded default: one SQLite file, through node:sqlite (no native build), on one
// connection (its page cache stays warm; a second connection would drop its cache at every
// commit of the first). Transactions go through group commit; read snapshots take their turn
// between batches, so a read never sees a batch that is still being written.

import { closeSync, openSync } from "node:fs";
import { sql } from "kysely";
import { Migrator } from "kysely/migration";
import type { Store } from "../../core/ports.ts";
import type { OpenedStore, StoreLog } from "../types.ts";
import { migrationsFor } from "../migrations/index.ts";
import { nestingGuard } from "../nesting.ts";
import { acquirerJournalQueries, merchantCache, queriesOn } from "../queries/index.ts";
import type { MerchantCache } from "../queries/index.ts";
import { openConnection } from "./connection.ts";
import type { SqliteConnection } from "./connection.ts";
import { groupCommit } from "./group-commit.ts";

/** Runs works one at a time, in the order they asked. */
function turns() {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    take<T>(work: () => Promise<T>): Promise<T> {
      const run = tail.then(work);
      tail = run.catch(() => {});
      return run;
    },
    idle: () => tail,
  };
}

export async function openSqliteStore(path: string, log: StoreLog, merchants: MerchantCache = merchantCache()): Promise<OpenedStore> {
  // The file holds secret hashes and sealed card numbers: owner-only from its first byte.
  // SQLite gives the -wal and -shm files the same mode.
  closeSync(openSync(path, "a", 0o600));
  const connection = openConnection(path);
  await migrate(connection);
  connection.raw.exec("PRAGMA foreign_keys = ON");
  const { db, raw } = connection;
  const turn = turns();
  const batches = groupCommit(db, turn.take, log);
  const begin = raw.prepare("BEGIN");
  const commit = raw.prepare("COMMIT");

  const nesting = nestingGuard<SqliteConnection["db"]>();
  const snapshot = <T>(work: (db: SqliteConnection["db"]) => Promise<T>): Promise<T> => {
    if (nesting.currentRead()) return work(db);
    nesting.refuse("a read");
    return turn.take(() =>
      nesting.run("read", db, async () => {
        begin.run();
        try {
          return await work(db);
        } finally {
          commit.run();
        }
      }),
    );
  };

  const store: Store = {
    transaction: (work) => {
      nesting.refuse("a transaction");
      return batches.run((tx) => nesting.run("transaction", tx, () => work(queriesOn(tx, { rowLocks: false, merchants }))));
    },
    read: (work) => snapshot((snap) => work(queriesOn(snap, { rowLocks: false, merchants }))),
    close: async () => {
      await turn.idle();
      await db.destroy();
    },
  };
  return {
    store,
    acquirerJournal: {
      find: (reference) => snapshot((snap) => acquirerJournalQueries(snap).find(reference)),
      async record(entry) {
        // Not awaited: written at the start of the next batch, in the transaction of whatever
        // the caller writes next (or before it), which is what AcquirerJournal promises. A
        // failed write fails that batch, and so the caller's transaction too.
        nesting.refuse("an acquirer journal write");
        batches.beforeNextBatch((tx) => acquirerJournalQueries(tx).put(entry));
      },
    },
    close: () => store.close(),
  };
}

/** Runs every pending migration in one IMMEDIATE transaction, with foreign keys off as SQLite's table rebuilds need. */
async function migrate({ raw, db }: SqliteConnection): Promise<void> {
  raw.exec("PRAGMA foreign_keys = OFF");
  raw.exec("BEGIN IMMEDIATE");
  try {
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrationsFor("sqlite") }, disableTransactions: true });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
    const broken = await sql`pragma foreign_key_check`.execute(db);
    if (broken.rows.length > 0) throw new Error(`migration left ${broken.rows.length} broken foreign keys`);
    raw.exec("COMMIT");
  } catch (error) {
    raw.exec("ROLLBACK");
    throw error;
  }
}
