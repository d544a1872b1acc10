// The hosted page's theme an order asked for (BOG's Theme header); orders made before it had none: light.

import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const pageTheme: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("orders").addColumn("theme", "text", (c) => c.notNull().defaultTo("light")).execute();
  },
};
