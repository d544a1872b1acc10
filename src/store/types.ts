// What every backend's open function returns: the store core uses, and the test acquirer's
// journal kept in the same database.

import type { AcquirerJournal } from "../acquirers/journal.ts";
import type { Store } from "../core/ports.ts";

/** The database engine under a backend: the few places where SQL must differ ask for it. */
export type Engine = "sqlite" | "postgres";

/** A connection pool's figures, for /metrics. */
export type PoolStats = { open: number; idle: number; waiting: number; size: number };

export type OpenedStore = {
  store: Store;
  /** The test acquirer's books, in the same database. */
  acquirerJournal: AcquirerJournal;
  /** The connection pool now, for a backend that has one. */
  poolStats?: () => PoolStats;
  close(): Promise<void>;
};

export type StoreLog = { error(obj: object, msg: string): void };
