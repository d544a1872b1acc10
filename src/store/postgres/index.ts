// The shared backend: PostgreSQL, for any number of tetri nodes on one database. Transactions
// run at READ COMMITTED on a pooled connection each, truly at the same time: what keeps them
// apart is in the queries (an order read in a transaction is locked until it commits, and every
// write of it still checks and bumps its version; claims of shared work skip rows another node
// holds). Reads are one REPEATABLE READ, READ ONLY snapshot. Migrations run under an advisory
// lock, so nodes that start together run them once.

import pg from "pg";
import { Migrator } from "kysely/migration";
import type { Kysely } from "kysely";
import type { Store } from "../../core/ports.ts";
import { migrationsFor } from "../migrations/index.ts";
import { nestingGuard } from "../nesting.ts";
import { acquirerJournalQueries, merchantCache, queriesOn } from "../queries/index.ts";
import type { MerchantCache } from "../queries/index.ts";
import type { Database } from "../schema.ts";
import type { OpenedStore, StoreLog } from "../types.ts";
import { openPool, translated } from "./connection.ts";

/** Runs `work`, and says what its database errors mean to core. */
async function meaning<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translated(error);
  }
}

export async function openPostgresStore(url: string, poolSize: number, log: StoreLog, merchants: MerchantCache = merchantCache()): Promise<OpenedStore> {
  const { pool, db } = openPool(url, poolSize, log);
  try {
    await meaning(() => migrate(url, db));
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const nesting = nestingGuard<Kysely<Database>>();

  const snapshot = <T>(work: (snap: Kysely<Database>) => Promise<T>): Promise<T> => {
    const current = nesting.currentRead();
    if (current) return work(current);
    nesting.refuse("a read");
    return meaning(() =>
      db
        .transaction()
        .setIsolationLevel("repeatable read")
        .setAccessMode("read only")
        .execute((snap) => nesting.run("read", snap, () => work(snap))),
    );
  };

  const store: Store = {
    transaction: (work) => {
      nesting.refuse("a transaction");
      return meaning(() =>
        db
          .transaction()
          .setIsolationLevel("read committed")
          .execute((tx) => nesting.run("transaction", tx, () => work(queriesOn(tx, { rowLocks: true, merchants })))),
      );
    },
    read: (work) => snapshot((snap) => work(queriesOn(snap, { rowLocks: false, merchants }))),
    close: () => db.destroy(),
  };
  return {
    store,
    acquirerJournal: {
      find: (reference) => meaning(() => acquirerJournalQueries(db).find(reference)),
      // Awaited: the entry is committed on its own before this returns, so before whatever the
      // caller writes next (a round trip; SQLite's store can queue it into the next batch instead).
      record: (entry) => {
        nesting.refuse("an acquirer journal write");
        return meaning(() => acquirerJournalQueries(db).put(entry));
      },
    },
    poolStats: () => ({ open: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, size: poolSize }),
    close: () => store.close(),
  };
}

/**
 * Runs every pending migration while holding a session advisory lock (on a connection of its
 * own, outside the pool the migrator uses), keyed by the schema: a node that starts while
 * another migrates waits for it, then finds nothing left to do.
 */
async function migrate(url: string, db: Kysely<Database>): Promise<void> {
  const lock = new pg.Client({ connectionString: url, application_name: "tetri-migrations" });
  await lock.connect();
  try {
    await lock.query("select pg_advisory_lock(hashtextextended('tetri:migrations:' || coalesce(current_schema(), ''), 0))");
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrationsFor("postgres") } });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
  } finally {
    // Closing the session releases its advisory lock, also when a migration failed.
    await lock.end();
  }
}
