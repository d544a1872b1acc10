// Every query tetri runs, written once in Kysely for any database it runs on, one file per
// aggregate. Rows are mapped to domain types here and nowhere else.

import type { Kysely } from "kysely";
import type { StoreTx } from "../../core/ports.ts";
import type { Database } from "../schema.ts";
import { attemptQueries } from "./attempts.ts";
import { idempotencyQueries } from "./idempotency.ts";
import { credentialQueries, merchantQueries } from "./merchants.ts";
import { operationQueries } from "./operations.ts";
import { orderQueries } from "./orders.ts";
import { outboxQueries } from "./outbox.ts";
import { savedCardQueries } from "./saved-cards.ts";

export { acquirerJournalQueries } from "./acquirer-journal.ts";

/** The repositories of core/ports.ts over one Kysely handle: a transaction, or a read snapshot. */
export function queriesOn(db: Kysely<Database>): StoreTx {
  return {
    merchants: merchantQueries(db),
    credentials: credentialQueries(db),
    orders: orderQueries(db),
    attempts: attemptQueries(db),
    operations: operationQueries(db),
    savedCards: savedCardQueries(db),
    outbox: outboxQueries(db),
    idempotency: idempotencyQueries(db),
  };
}
