// The test acquirer's journal kept `capture` as an integer (0001 was written for SQLite, which
// has no boolean): it becomes a boolean, as every other flag is, so that PostgreSQL stores and
// returns a real one. PostgreSQL converts the column in place; SQLite, which cannot change a
// column's type, rebuilds the table (nothing refers to it).

import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import { sql } from "kysely";
import type { Engine } from "../types.ts";

export const journalCaptureFlag = (engine: Engine): Migration => ({
  async up(db: Kysely<unknown>) {
    if (engine === "postgres") {
      await sql`alter table acquirer_journal alter column capture type boolean using capture <> 0`.execute(db);
      return;
    }
    await db.schema
      .createTable("acquirer_journal_next")
      .addColumn("reference", "text", (c) => c.primaryKey())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("amount", "bigint", (c) => c.notNull())
      .addColumn("currency", "text", (c) => c.notNull())
      .addColumn("capture", "boolean", (c) => c.notNull())
      .addColumn("decline_reason", "text")
      .addColumn("auth_code", "text")
      .addColumn("transaction_id", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("terminal", "text")
      .addColumn("card_behaviour", "text")
      .execute();
    await sql`insert into acquirer_journal_next
      select reference, kind, state, amount, currency, capture <> 0, decline_reason, auth_code, transaction_id, created_at, terminal, card_behaviour
      from acquirer_journal`.execute(db);
    await db.schema.dropTable("acquirer_journal").execute();
    await db.schema.alterTable("acquirer_journal_next").renameTo("acquirer_journal").execute();
  },
});
