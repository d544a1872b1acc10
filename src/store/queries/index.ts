// Every query tetri runs, written once in Kysely for any database it runs on, one file per
// aggregate. Rows are mapped to domain types here and nowhere else.

import type { Kysely } from "kysely";
import type { StoreTx } from "../../core/ports.ts";
import type { Database } from "../schema.ts";
import { attemptQueries } from "./attempts.ts";
import { idempotencyQueries } from "./idempotency.ts";
import type { MerchantCache } from "./merchant-cache.ts";
import { credentialQueries, merchantQueries, merchantSettingsQueries } from "./merchants.ts";
import { operationQueries } from "./operations.ts";
import { orderQueries } from "./orders.ts";
import { outboxQueries } from "./outbox.ts";
import { payoutQueries } from "./payouts.ts";
import { savedCardQueries } from "./saved-cards.ts";
import { sealedValueQueries } from "./sealed-values.ts";
import { subscriptionQueries } from "./subscriptions.ts";
import { settingQueries } from "./settings.ts";
import { sessionQueries, signInFailureQueries } from "./sessions.ts";
import { statsQueries } from "./stats.ts";

export { acquirerJournalQueries } from "./acquirer-journal.ts";
export { merchantCache } from "./merchant-cache.ts";
export type { MerchantCache } from "./merchant-cache.ts";

/** What a backend gives the repositories of each unit of work: its kind of locking, and what it remembers across them. */
export type QueryOptions = { rowLocks: boolean; merchants: MerchantCache };

/**
 * The repositories of core/ports.ts over one Kysely handle: a transaction, or a read snapshot.
 * Each is made on first use: most units of work touch two or three of them.
 *
 * `rowLocks` is true for a transaction of a backend whose transactions run at the same time
 * (PostgreSQL): an order read in it is locked until it commits, so a concurrent change of the
 * same order waits its turn and reads it fresh instead of failing its version check; an
 * idempotency key is locked likewise; claims of shared work skip rows that another transaction
 * holds. SQLite's transactions take turns: it needs none of it. `merchants` is the backend's
 * cache of merchants by id, shared by all its units of work.
 */
class Repositories implements StoreTx {
  readonly #db: Kysely<Database>;
  readonly #rowLocks: boolean;
  readonly #merchantCache: MerchantCache;
  #merchants?: StoreTx["merchants"];
  #merchantSettings?: StoreTx["merchantSettings"];
  #credentials?: StoreTx["credentials"];
  #orders?: StoreTx["orders"];
  #attempts?: StoreTx["attempts"];
  #operations?: StoreTx["operations"];
  #savedCards?: StoreTx["savedCards"];
  #outbox?: StoreTx["outbox"];
  #idempotency?: StoreTx["idempotency"];
  #settings?: StoreTx["settings"];
  #sessions?: StoreTx["sessions"];
  #signInFailures?: StoreTx["signInFailures"];
  #stats?: StoreTx["stats"];
  #sealedValues?: StoreTx["sealedValues"];
  #subscriptions?: StoreTx["subscriptions"];
  #payouts?: StoreTx["payouts"];

  constructor(db: Kysely<Database>, options: QueryOptions) {
    this.#db = db;
    this.#rowLocks = options.rowLocks;
    this.#merchantCache = options.merchants;
  }

  get merchants() {
    return (this.#merchants ??= merchantQueries(this.#db, this.#merchantCache));
  }
  get merchantSettings() {
    return (this.#merchantSettings ??= merchantSettingsQueries(this.#db));
  }
  get credentials() {
    return (this.#credentials ??= credentialQueries(this.#db));
  }
  get orders() {
    return (this.#orders ??= orderQueries(this.#db, this.#rowLocks));
  }
  get attempts() {
    return (this.#attempts ??= attemptQueries(this.#db, this.#rowLocks));
  }
  get operations() {
    return (this.#operations ??= operationQueries(this.#db, this.#rowLocks));
  }
  get savedCards() {
    return (this.#savedCards ??= savedCardQueries(this.#db));
  }
  get outbox() {
    return (this.#outbox ??= outboxQueries(this.#db, this.#rowLocks));
  }
  get idempotency() {
    return (this.#idempotency ??= idempotencyQueries(this.#db, this.#rowLocks));
  }
  get settings() {
    return (this.#settings ??= settingQueries(this.#db));
  }
  get sessions() {
    return (this.#sessions ??= sessionQueries(this.#db));
  }
  get signInFailures() {
    return (this.#signInFailures ??= signInFailureQueries(this.#db));
  }
  get stats() {
    return (this.#stats ??= statsQueries(this.#db));
  }
  get sealedValues() {
    return (this.#sealedValues ??= sealedValueQueries(this.#db, this.#rowLocks));
  }
  get subscriptions() {
    return (this.#subscriptions ??= subscriptionQueries(this.#db, this.#rowLocks));
  }
  get payouts() {
    return (this.#payouts ??= payoutQueries(this.#db, this.#rowLocks));
  }
}

export function queriesOn(db: Kysely<Database>, options: QueryOptions): StoreTx {
  return new Repositories(db, options);
}
