// What every backend's open function returns: the store core uses, and the test acquirer's
// journal kept in the same database.

import type { AcquirerJournal } from "../acquirers/journal.ts";
import type { Store } from "../core/ports.ts";

export type OpenedStore = {
  store: Store;
  /** The test acquirer's books, in the same database. */
  acquirerJournal: AcquirerJournal;
  close(): Promise<void>;
};

export type StoreLog = { error(obj: object, msg: string): void };
