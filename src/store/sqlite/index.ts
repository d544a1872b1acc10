// The embedded default: one SQLite file, through node:sqlite (no native build). One writer
// connection runs every transaction through group commit; one read-only connection serves
// read snapshots, so a read never sees a batch that is still being written.

import { AsyncLocalStorage } from "node:async_hooks";
import { closeSync, openSync } from "node:fs";
import { sql } from "kysely";
import { Migrator } from "kysely/migration";
import type { Store } from "../../core/ports.ts";
import type { OpenedStore, StoreLog } from "../types.ts";
import { MIGRATIONS } from "../migrations/index.ts";
import { acquirerJournalQueries, queriesOn } from "../queries/index.ts";
import { openConnection } from "./connection.ts";
import type { SqliteConnection } from "./connection.ts";
import { groupCommit } from "./group-commit.ts";

export async function openSqliteStore(path: string, log: StoreLog): Promise<OpenedStore> {
  // The file holds secret hashes and sealed card numbers: owner-only from its first byte.
  // SQLite gives the -wal and -shm files the same mode.
  closeSync(openSync(path, "a", 0o600));
  const writer = openConnection(path);
  await migrate(writer);
  writer.raw.exec("PRAGMA foreign_keys = ON");
  const reader = openConnection(path, { readOnly: true });
  const batches = groupCommit(writer.db);

  // Which kind of work the current async context is inside: a transaction or read started
  // from inside a transaction would wait for itself forever, so it fails at once instead.
  const inside = new AsyncLocalStorage<"transaction" | "read">();
  const refuseNested = (what: string) => {
    if (inside.getStore() === "transaction") throw new Error(`${what} inside a transaction would wait for that transaction forever`);
  };

  // Snapshots take turns on the one read connection: each is BEGIN … COMMIT around its reads.
  // A read inside a read shares the snapshot it is in.
  let readTail: Promise<unknown> = Promise.resolve();
  const snapshot = <T>(work: (db: SqliteConnection["db"]) => Promise<T>): Promise<T> => {
    refuseNested("a read");
    if (inside.getStore() === "read") return work(reader.db);
    const run = readTail.then(() =>
      inside.run("read", async () => {
        reader.raw.exec("BEGIN");
        try {
          return await work(reader.db);
        } finally {
          reader.raw.exec("COMMIT");
        }
      }),
    );
    readTail = run.catch(() => {});
    return run;
  };

  const store: Store = {
    transaction: (work) => {
      refuseNested("a transaction");
      return batches.run((db) => inside.run("transaction", () => work(queriesOn(db))));
    },
    read: (work) => snapshot((db) => work(queriesOn(db))),
    close: async () => {
      await readTail;
      await reader.db.destroy();
      await writer.db.destroy();
    },
  };
  return {
    store,
    acquirerJournal: {
      find: (reference) => snapshot((db) => acquirerJournalQueries(db).find(reference)),
      async record(entry) {
        // Queued, not awaited: the batch it joins commits before (or with) whatever the caller
        // writes next, which is what AcquirerJournal promises.
        refuseNested("an acquirer journal write");
        batches.run((db) => acquirerJournalQueries(db).put(entry)).catch((error: unknown) => log.error({ err: error }, "acquirer journal write failed"));
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
    const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, disableTransactions: true });
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
