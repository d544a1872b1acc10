// Two more of a merchant's settings per bank API, as the banks keep them in their dashboards:
// the payment methods its orders may offer, and its access tokens' lifetime. Null keeps the
// API's own default, as every merchant had before.

import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const merchantApiSettings: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("merchant_dialect_settings").addColumn("enabled_methods", "text").execute();
    await db.schema.alterTable("merchant_dialect_settings").addColumn("token_ttl_seconds", "integer").execute();
  },
};
