// Scheduled subscriptions on saved cards (tetri's own API): the plan, where its schedule stands
// (the period to charge next, the retries of it, the charge in flight, how many charges it
// made), a lease for the node whose scheduler has claimed it, and each charge made: the n-th
// charge of a subscription is one order, never two.

import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const subscriptions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("subscriptions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id"))
      .addColumn("dialect", "text", (c) => c.notNull())
      .addColumn("saved_card_id", "text", (c) => c.notNull().references("saved_cards.id"))
      .addColumn("parent_order_id", "text", (c) => c.notNull().references("orders.id"))
      .addColumn("amount", "bigint", (c) => c.notNull())
      .addColumn("currency", "text", (c) => c.notNull())
      .addColumn("interval", "text", (c) => c.notNull())
      .addColumn("day_of_month", "bigint")
      .addColumn("start_date", "text", (c) => c.notNull())
      .addColumn("callback_url", "text")
      .addColumn("external_id", "text")
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("period", "bigint", (c) => c.notNull())
      .addColumn("retry", "bigint", (c) => c.notNull())
      .addColumn("retry_from", "bigint")
      .addColumn("next_attempt_at", "bigint")
      .addColumn("pending_order_id", "text")
      .addColumn("charge_count", "bigint", (c) => c.notNull())
      .addColumn("failure_reason", "text")
      .addColumn("lease_until", "bigint")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .addColumn("version", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("subscriptions_due").on("subscriptions").columns(["status", "next_attempt_at"]).execute();
    await db.schema.createIndex("subscriptions_merchant").on("subscriptions").columns(["merchant_id", "created_at"]).execute();

    await db.schema
      .createTable("subscription_charges")
      .addColumn("subscription_id", "text", (c) => c.notNull().references("subscriptions.id"))
      .addColumn("seq", "bigint", (c) => c.notNull())
      .addColumn("period", "bigint", (c) => c.notNull())
      .addColumn("retry", "bigint", (c) => c.notNull())
      .addColumn("order_id", "text", (c) => c.notNull().references("orders.id"))
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("subscription_charges_pk", ["subscription_id", "seq"])
      .execute();
  },
};
