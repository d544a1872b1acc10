// The first schema, as released. Migrations are append-only: a released migration is never
// edited, only followed by another.

import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import { sql } from "kysely";

export const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("merchants")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("client_id", "text", (c) => c.notNull().unique())
      .addColumn("secret_hash", "text", (c) => c.notNull())
      .addColumn("tbc_api_key_hash", "text", (c) => c.unique())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("orders")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id"))
      .addColumn("dialect", "text", (c) => c.notNull())
      .addColumn("external_order_id", "text")
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("capture_mode", "text", (c) => c.notNull())
      .addColumn("currency", "text", (c) => c.notNull())
      // Zero only for a card verification that saves the card (core enforces which).
      .addColumn("amount", "bigint", (c) => c.notNull().check(sql`amount >= 0`))
      .addColumn("authorized_amount", "bigint", (c) => c.notNull().check(sql`authorized_amount >= 0 and authorized_amount <= amount`))
      .addColumn("captured_amount", "bigint", (c) => c.notNull().check(sql`captured_amount >= 0 and captured_amount <= authorized_amount`))
      .addColumn("refunded_amount", "bigint", (c) => c.notNull().check(sql`refunded_amount >= 0`))
      .addColumn("refund_reserved_amount", "bigint", (c) => c.notNull().check(sql`refund_reserved_amount >= 0`))
      .addColumn("language", "text", (c) => c.notNull())
      .addColumn("callback_url", "text")
      .addColumn("success_url", "text")
      .addColumn("fail_url", "text")
      .addColumn("payment_methods", "text", (c) => c.notNull())
      .addColumn("basket", "text", (c) => c.notNull())
      .addColumn("details", "text", (c) => c.notNull())
      .addColumn("reject_reason", "text")
      .addColumn("save_card", "text")
      .addColumn("saved_card_id", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull())
      // The last line of defence of the money rule: no refund beyond what was captured.
      .addCheckConstraint("orders_refunds_within_capture", sql`refunded_amount + refund_reserved_amount <= captured_amount`)
      .execute();
    await db.schema.createIndex("orders_merchant").on("orders").columns(["merchant_id", "created_at"]).execute();
    await db.schema.createIndex("orders_status_expiry").on("orders").columns(["status", "expires_at"]).execute();

    await db.schema
      .createTable("payment_attempts")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("order_id", "text", (c) => c.notNull().references("orders.id"))
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("card_mask", "text", (c) => c.notNull())
      .addColumn("card_brand", "text", (c) => c.notNull())
      .addColumn("card_expiry", "text", (c) => c.notNull())
      .addColumn("cardholder", "text", (c) => c.notNull())
      .addColumn("pan_ciphertext", "text", (c) => c.notNull())
      .addColumn("pan_key_id", "text", (c) => c.notNull())
      .addColumn("decline_reason", "text")
      .addColumn("auth_code", "text")
      .addColumn("transaction_id", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("attempts_order").on("payment_attempts").columns(["order_id", "created_at"]).execute();
    await db.schema.createIndex("attempts_status").on("payment_attempts").columns(["status", "updated_at"]).execute();

    await db.schema
      .createTable("saved_cards")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id"))
      .addColumn("order_id", "text", (c) => c.notNull().unique().references("orders.id"))
      .addColumn("card_mask", "text", (c) => c.notNull())
      .addColumn("card_brand", "text", (c) => c.notNull())
      .addColumn("card_expiry", "text", (c) => c.notNull())
      .addColumn("cardholder", "text", (c) => c.notNull())
      .addColumn("pan_ciphertext", "text", (c) => c.notNull())
      .addColumn("pan_key_id", "text", (c) => c.notNull())
      .addColumn("valid_until", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("deleted_at", "bigint")
      .execute();

    await db.schema
      .createTable("operations")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("order_id", "text", (c) => c.notNull().references("orders.id"))
      .addColumn("merchant_id", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("amount", "bigint", (c) => c.notNull().check(sql`amount >= 0`))
      .addColumn("currency", "text", (c) => c.notNull())
      .addColumn("channel", "text", (c) => c.notNull())
      .addColumn("description", "text")
      .addColumn("failure_reason", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("operations_order").on("operations").columns(["order_id", "created_at"]).execute();
    await db.schema.createIndex("operations_status").on("operations").columns(["status", "updated_at"]).execute();

    await db.schema
      .createTable("outbox")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("merchant_id", "text", (c) => c.notNull())
      .addColumn("order_id", "text", (c) => c.notNull())
      .addColumn("dialect", "text", (c) => c.notNull())
      .addColumn("url", "text", (c) => c.notNull())
      .addColumn("body", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("order_version", "bigint", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull())
      .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
      .addColumn("lease_until", "bigint")
      .addColumn("lease_token", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("delivered_at", "bigint")
      .addColumn("last_error", "text")
      .execute();
    await db.schema.createIndex("outbox_due").on("outbox").columns(["status", "next_attempt_at"]).execute();
    await db.schema.createIndex("outbox_order").on("outbox").columns(["order_id", "order_version"]).execute();

    await db.schema
      .createTable("callback_attempts")
      .addColumn("outbox_id", "text", (c) => c.notNull().references("outbox.id"))
      .addColumn("attempt", "integer", (c) => c.notNull())
      .addColumn("attempted_at", "bigint", (c) => c.notNull())
      .addColumn("duration_ms", "integer", (c) => c.notNull())
      .addColumn("status_code", "integer")
      .addColumn("error", "text")
      .addPrimaryKeyConstraint("callback_attempts_pk", ["outbox_id", "attempt"])
      .execute();

    await db.schema
      .createTable("idempotency_keys")
      .addColumn("merchant_id", "text", (c) => c.notNull())
      .addColumn("scope", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("fingerprint", "text", (c) => c.notNull())
      .addColumn("result", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("idempotency_keys_pk", ["merchant_id", "scope", "key"])
      .execute();

    await db.schema
      .createTable("acquirer_journal")
      .addColumn("reference", "text", (c) => c.primaryKey())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("amount", "bigint", (c) => c.notNull())
      .addColumn("currency", "text", (c) => c.notNull())
      .addColumn("capture", "integer", (c) => c.notNull())
      .addColumn("decline_reason", "text")
      .addColumn("auth_code", "text")
      .addColumn("transaction_id", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .execute();
  },
};
