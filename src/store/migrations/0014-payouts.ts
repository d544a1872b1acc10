// Payouts: money a merchant sends out of its balance to a card. Each is its own record beside
// the orders (it belongs to no order, though it may name the payment whose card it pays); the
// merchant's reference is unique per merchant and API.

import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const payouts: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("payouts")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id"))
      .addColumn("dialect", "text", (c) => c.notNull())
      .addColumn("external_id", "text", (c) => c.notNull())
      .addColumn("order_id", "text", (c) => c.references("orders.id"))
      .addColumn("currency", "text", (c) => c.notNull())
      .addColumn("amount", "bigint", (c) => c.notNull().check(sql`amount > 0`))
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("failure_reason", "text")
      .addColumn("card_mask", "text", (c) => c.notNull())
      .addColumn("card_brand", "text", (c) => c.notNull())
      .addColumn("card_expiry", "text", (c) => c.notNull())
      .addColumn("cardholder", "text", (c) => c.notNull())
      .addColumn("pan_ciphertext", "text", (c) => c.notNull())
      .addColumn("pan_key_id", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("payouts_reference").unique().on("payouts").columns(["merchant_id", "dialect", "external_id"]).execute();
    await db.schema.createIndex("payouts_balance").on("payouts").columns(["merchant_id", "currency", "status"]).execute();
    // The balance adds up a merchant's captured orders in a currency.
    await db.schema.createIndex("orders_merchant_currency").on("orders").columns(["merchant_id", "currency"]).execute();
  },
};
