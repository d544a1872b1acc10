// Reconciliation is shared by every node: a node claims an unresolved attempt or a pending
// operation with a lease before it asks the acquirer, so that no other node asks at the same
// time, and a dead node's claims are taken over once their lease has run out.

import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const reconciliationLeases: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("payment_attempts").addColumn("lease_until", "bigint").execute();
    await db.schema.alterTable("operations").addColumn("lease_until", "bigint").execute();
  },
};
