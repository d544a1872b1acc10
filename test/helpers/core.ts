// A core context on a real database (this run's: an SQLite file, or a PostgreSQL database of
// its own), for unit and property tests of core without HTTP.

import { randomBytes } from "node:crypto";
import { checkoutLinks } from "../../src/checkout/links.ts";
import { CardVault, vaultKeyFrom } from "../../src/core/card-vault.ts";
import { createMerchant } from "../../src/core/merchants.ts";
import type { Store } from "../../src/core/ports.ts";
import { CREDENTIAL_ISSUERS, coreContext } from "../../src/services.ts";
import { openTestStore } from "./database.ts";
import { TestClock } from "./fixtures.ts";

/** A store that counts the transactions and read snapshots core asks for. */
export function countingStore(store: Store) {
  const counts = { transactions: 0, reads: 0 };
  const counted: Store = {
    transaction: (work) => (counts.transactions++, store.transaction(work)),
    read: (work) => (counts.reads++, store.read(work)),
    close: () => store.close(),
  };
  return { store: counted, counts };
}

export async function coreFixture(options: { wrapStore?: (store: Store) => Store } = {}) {
  const { opened, remove } = await openTestStore();
  const clock = new TestClock();
  const store = options.wrapStore?.(opened.store) ?? opened.store;
  const ctx = coreContext({ store, acquirerJournal: opened.acquirerJournal }, {
    vault: new CardVault(vaultKeyFrom(randomBytes(32))),
    clock,
    links: checkoutLinks("http://tetri.test"),
    acquirerTimeoutMs: 1000,
    reconcileAfterMs: 0,
    onCallbacksCommitted: () => {},
  });
  const { merchant } = await createMerchant(opened.store, CREDENTIAL_ISSUERS, { name: "Core shop", now: clock.now() });
  return {
    ctx,
    clock,
    merchant,
    journal: opened.acquirerJournal,
    async close() {
      await opened.close();
      await remove();
    },
  };
}
