// A core context on a real database (this run's: an SQLite file, or a PostgreSQL database of
// its own), for unit and property tests of core without HTTP.

import { randomBytes } from "node:crypto";
import { checkoutLinks } from "../../src/checkout/links.ts";
import { CardVault, vaultKeyFrom } from "../../src/core/card-vault.ts";
import { createMerchant } from "../../src/core/merchants.ts";
import { minor } from "../../src/core/money.ts";
import type { OrderRequest } from "../../src/core/orders.ts";
import type { Store } from "../../src/core/ports.ts";
import type { DialectId } from "../../src/core/types.ts";
import { CREDENTIAL_ISSUERS, coreContext } from "../../src/services.ts";
import { openTestStore } from "./database.ts";
import { TestClock } from "./fixtures.ts";

export const CORE_DIALECT = "bog" as DialectId;

/** A core order request of `amount` minor units (one basket line); `changes` replace fields. */
export function coreOrder(amount: number, changes: Partial<OrderRequest> = {}): OrderRequest {
  return {
    dialect: CORE_DIALECT,
    externalOrderId: null,
    captureMode: "automatic",
    currency: "GEL",
    amount: minor(amount),
    language: "en",
    theme: "light",
    callbackUrl: "http://127.0.0.1:9/cb",
    successUrl: null,
    failUrl: null,
    paymentMethods: ["card"],
    basket: [{ productId: "p", description: null, quantity: "1", unitPrice: minor(amount) }],
    details: {},
    saveCard: null,
    terminal: null,
    split: null,
    ttlMinutes: 15,
    ...changes,
  };
}

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
  const vault = new CardVault(vaultKeyFrom(randomBytes(32)));
  const ctx = coreContext({ store, acquirerJournal: opened.acquirerJournal }, {
    vault,
    clock,
    links: checkoutLinks("http://tetri.test"),
    acquirerTimeoutMs: 1000,
    reconcileAfterMs: 0,
    onCallbacksCommitted: () => {},
  });
  const { merchant } = await createMerchant(opened.store, CREDENTIAL_ISSUERS, { name: "Core shop", now: clock.now(), seal: (secret) => vault.seal(secret) });
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
