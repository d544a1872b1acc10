// What the dashboard keeps: merchants' own settings per bank API (the default callback URL),
// signed-in sessions (server-side, so signing out really ends one and a restart ends none),
// failed sign-ins (the brute-force limit), what a shop answered to a callback, and the
// indexes that list every merchant's orders newest first and count callback attempts by day.

import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const dashboard: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("merchant_dialect_settings")
      .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id"))
      .addColumn("dialect", "text", (c) => c.notNull())
      .addColumn("callback_url", "text")
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("merchant_dialect_settings_pk", ["merchant_id", "dialect"])
      .execute();

    await db.schema
      .createTable("dashboard_sessions")
      // The SHA-256 of the cookie's token: the database never holds a usable session.
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("merchant_id", "text", (c) => c.references("merchants.id"))
      .addColumn("operator", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .addColumn("ends_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("dashboard_sessions_expiry").on("dashboard_sessions").column("expires_at").execute();
    await db.schema.createIndex("dashboard_sessions_merchant").on("dashboard_sessions").column("merchant_id").execute();

    await db.schema
      .createTable("sign_in_failures")
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("failed_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("sign_in_failures_key").on("sign_in_failures").columns(["key", "failed_at"]).execute();

    await db.schema.alterTable("callback_attempts").addColumn("response_excerpt", "text").execute();
    await db.schema.createIndex("callback_attempts_time").on("callback_attempts").column("attempted_at").execute();
    await db.schema.createIndex("orders_created").on("orders").columns(["created_at", "id"]).execute();
  },
};
