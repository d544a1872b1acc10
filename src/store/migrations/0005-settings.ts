// What every node of one database must share, by name: the signing keys and the CSRF secret
// (sealed with the card key), and which merchant is the demo one. Nodes starting together
// agree on the first value written under a name.

import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const settings: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("settings")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .execute();
  },
};
