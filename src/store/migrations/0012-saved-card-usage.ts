// What a saved card may be charged for (BOG saves a card either for charges with the buyer on
// the page or for charges without them); cards saved before were TBC's, good for either.

import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const savedCardUsage: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("saved_cards").addColumn("usage", "text", (c) => c.notNull().defaultTo("any")).execute();
  },
};
