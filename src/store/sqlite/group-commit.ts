// Group commit: transactions that arrive while one is being written are run one after
// another inside a single database transaction, each in its own savepoint, and all are
// made durable by one COMMIT (one fsync). Every caller still gets all-or-nothing for its
// own work: a work that throws is rolled back to its savepoint alone. Nobody is answered
// before the COMMIT that holds their work is on disk.

import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { Database } from "../schema.ts";
import type { StoreLog } from "../types.ts";

type Work = (db: Kysely<Database>) => Promise<unknown>;

type Pending = {
  work: Work;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

const MAX_BATCH = 256;

export type GroupCommit = {
  /** Runs `work` in a savepoint of the next batch; resolves after that batch's COMMIT. */
  run<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * Has `write` run at the start of the next batch, outside any savepoint, with nobody to
   * answer: writes that must commit with the next transaction at the latest, and that no
   * transaction's rollback may take with it. A batch is started for it if none is coming.
   */
  beforeNextBatch(write: Work): void;
};

/**
 * `db` must be the only writer of its database file in this process. Each batch runs inside
 * `turn`, which keeps anything else off the connection while the batch is open.
 */
export function groupCommit(db: Kysely<Database>, turn: <T>(work: () => Promise<T>) => Promise<T>, log: StoreLog): GroupCommit {
  const queue: Pending[] = [];
  let preamble: Work[] = [];
  let scheduled = false;

  async function runBatch(batch: Pending[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    const writes = preamble;
    preamble = [];
    try {
      await turn(() => db.connection().execute(async (connection) => {
        await sql`begin immediate`.execute(connection);
        try {
          for (const write of writes) await write(connection);
          for (const item of batch) {
            await sql`savepoint work`.execute(connection);
            try {
              outcomes.push({ ok: true, value: await item.work(connection) });
              await sql`release work`.execute(connection);
            } catch (error) {
              await sql`rollback to work`.execute(connection);
              await sql`release work`.execute(connection);
              outcomes.push({ ok: false, error });
            }
          }
          await sql`commit`.execute(connection);
        } catch (error) {
          await sql`rollback`.execute(connection).catch(() => {});
          throw error;
        }
      }));
    } catch (error) {
      for (const item of batch) item.reject(error);
      // Writes made before the next batch have nobody to tell but the log when they ran alone.
      if (batch.length === 0) log.error({ err: error }, "writes queued before a batch failed");
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) item.resolve(outcome.value);
      else item.reject(outcome?.error);
    });
  }

  // A batch starts on setImmediate, after the event loop has read every request that is
  // already waiting on a socket, so that they all join it. (node:sqlite is synchronous: a
  // batch started at once would run to its COMMIT before the next request is even parsed.)
  function scheduleBatch(): void {
    scheduled = true;
    setImmediate(() => {
      void runBatch(queue.splice(0, MAX_BATCH)).finally(() => {
        if (queue.length > 0 || preamble.length > 0) scheduleBatch();
        else scheduled = false;
      });
    });
  }

  return {
    run<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (!scheduled) scheduleBatch();
      });
    },
    beforeNextBatch(write) {
      preamble.push(write);
      if (!scheduled) scheduleBatch();
    },
  };
}
