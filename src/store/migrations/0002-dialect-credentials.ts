// Credentials a dialect gives a merchant move from a column of their own on merchants into
// one table that every dialect shares. The only such credential so far was the TBC apikey
// hash; this migration names it because it moves the data that exists.

import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import { sql } from "kysely";
import type { Engine } from "../types.ts";

export const dialectCredentials = (engine: Engine): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("dialect_credentials")
      .addColumn("dialect", "text", (c) => c.notNull())
      .addColumn("lookup", "text", (c) => c.notNull())
      .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id"))
      .addColumn("secret_ciphertext", "text")
      .addColumn("secret_key_id", "text")
      .addColumn("details", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("dialect_credentials_pk", ["dialect", "lookup"])
      .execute();
    await db.schema.createIndex("dialect_credentials_merchant").on("dialect_credentials").columns(["merchant_id", "dialect"]).execute();
    await sql`insert into dialect_credentials (dialect, lookup, merchant_id, secret_ciphertext, secret_key_id, details, created_at)
      select 'tbc', tbc_api_key_hash, id, null, null, '{}', created_at from merchants where tbc_api_key_hash is not null`.execute(db);

    if (engine === "postgres") {
      // PostgreSQL drops the column and its UNIQUE constraint in place (a rebuild is not
      // possible there while foreign keys point at the table).
      await db.schema.alterTable("merchants").dropColumn("tbc_api_key_hash").execute();
      return;
    }
    // The old column is UNIQUE, which SQLite cannot drop: the table is rebuilt without it (the
    // store runs migrations with foreign keys off and checks them afterwards, as SQLite asks).
    await db.schema
      .createTable("merchants_next")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("client_id", "text", (c) => c.notNull().unique())
      .addColumn("secret_hash", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .execute();
    await sql`insert into merchants_next (id, name, client_id, secret_hash, created_at)
      select id, name, client_id, secret_hash, created_at from merchants`.execute(db);
    await db.schema.dropTable("merchants").execute();
    await db.schema.alterTable("merchants_next").renameTo("merchants").execute();
  },
});
