// `tetri listen` reads a merchant's new callbacks as they are queued: an index by merchant and
// time of queueing, so that this stays one index range however large the outbox grows.

import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const outboxByMerchant: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex("outbox_merchant_created").on("outbox").columns(["merchant_id", "created_at"]).execute();
  },
};
