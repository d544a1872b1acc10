// What a payment attempt really was, so receipts derive it instead of assuming it: the
// method, whether the buyer was there, and the terminal the acquirer used (orders say which
// terminal they asked for). The test
// acquirer's journal keeps the terminal and what the card makes it do on later refunds.

import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import { sql } from "kysely";

export const attemptDetails: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("payment_attempts").addColumn("method", "text", (c) => c.notNull().defaultTo("card")).execute();
    await db.schema.alterTable("payment_attempts").addColumn("customer_present", "boolean", (c) => c.notNull().defaultTo(true)).execute();
    await db.schema.alterTable("payment_attempts").addColumn("terminal", "text").execute();
    // Attempts made before this migration: merchant-initiated exactly when they charged a saved card.
    await sql`update payment_attempts set customer_present = false
      where order_id in (select id from orders where saved_card_id is not null)`.execute(db);
    // Before this migration the test acquirer had one terminal: every approval used it.
    await sql`update payment_attempts set terminal = 'default' where status = 'approved'`.execute(db);
    await db.schema.alterTable("orders").addColumn("terminal", "text").execute();
    // Orders made before kept the requested terminal only in BOG's echo of config.account.tag.
    const tagged = await sql<{ id: string; details: string }>`select id, details from orders where details like '%"tag"%'`.execute(db);
    for (const { id, details } of tagged.rows) {
      const tag = (JSON.parse(details) as { config?: { account?: { tag?: unknown } } | null }).config?.account?.tag;
      if (typeof tag === "string") await sql`update orders set terminal = ${tag} where id = ${id}`.execute(db);
    }
    await db.schema.alterTable("acquirer_journal").addColumn("terminal", "text").execute();
    await db.schema.alterTable("acquirer_journal").addColumn("card_behaviour", "text").execute();
  },
};
