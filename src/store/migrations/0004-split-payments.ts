// Split payments are core's: the parts an order's capture is split into.

import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const splitPayments: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("orders").addColumn("split", "text").execute();
  },
};
