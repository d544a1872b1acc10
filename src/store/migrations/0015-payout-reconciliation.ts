// A payout whose acquirer call went unanswered stays pending until reconciliation asks the
// acquirer about it; like attempts and operations, a node claims it with a lease first.

import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const payoutReconciliation: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("payouts").addColumn("lease_until", "bigint").execute();
    await db.schema.createIndex("payouts_pending").on("payouts").columns(["status", "updated_at"]).execute();
  },
};
