// Both engines end their migrations with the same schema: the same tables, columns (type and
// nullability), primary keys, unique keys, indexes and foreign keys, although a few migrations
// are written differently for each. And nodes that start together on one PostgreSQL database
// run its migrations once, under the advisory lock.

import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { openPostgresStore } from "../../src/store/postgres/index.ts";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import { createPostgresDatabase, TEST_DB } from "../helpers/database.ts";
import type { TestPostgresDatabase } from "../helpers/database.ts";
import { tempDir } from "../helpers/fixtures.ts";

type Table = {
  columns: string[];
  primaryKey: string[];
  unique: string[];
  indexes: string[];
  foreignKeys: string[];
};
type Schema = Record<string, Table>;

const SILENT = { error: () => {} };
const MIGRATOR_TABLES = new Set(["kysely_migration", "kysely_migration_lock"]);

function sqliteSchema(path: string): Schema {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const all = <T>(query: string) => db.prepare(query).all() as T[];
    const tables = all<{ name: string }>("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
      .map((t) => t.name)
      .filter((t) => !MIGRATOR_TABLES.has(t));
    return Object.fromEntries(
      tables.map((table) => {
        const info = all<{ name: string; type: string; notnull: number; pk: number }>(`pragma table_info(${table})`);
        const indexes = all<{ name: string; unique: number; origin: string }>(`pragma index_list(${table})`);
        const columnsOf = (index: string) => all<{ name: string }>(`pragma index_info(${index})`).map((c) => c.name).join(",");
        return [
          table,
          {
            columns: info.map((c) => `${c.name} ${c.type.toLowerCase()}${c.notnull || c.pk ? " not null" : ""}`).sort(),
            primaryKey: info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
            unique: indexes.filter((i) => i.unique && i.origin !== "pk").map((i) => columnsOf(i.name)).sort(),
            indexes: indexes.filter((i) => !i.unique).map((i) => `${i.name}(${columnsOf(i.name)})`).sort(),
            foreignKeys: all<{ from: string; table: string; to: string }>(`pragma foreign_key_list(${table})`)
              .map((f) => `${f.from} -> ${f.table}.${f.to}`)
              .sort(),
          },
        ];
      }),
    );
  } finally {
    db.close();
  }
}

async function postgresSchema(url: string): Promise<Schema> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = async <T>(query: string) => (await client.query(query)).rows as T[];
    const columns = await rows<{ table: string; name: string; type: string; nullable: string }>(`
      select table_name as table, column_name as name, data_type as type, is_nullable as nullable
      from information_schema.columns where table_schema = current_schema()`);
    const indexes = await rows<{ table: string; name: string; unique: boolean; primary: boolean; columns: string }>(`
      select t.relname as table, i.relname as name, x.indisunique as unique, x.indisprimary as primary,
        (select string_agg(a.attname, ',' order by k.ord) from unnest(x.indkey) with ordinality k(attnum, ord)
          join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum) as columns,
        exists (select 1 from pg_constraint c where c.conindid = x.indexrelid) as constraint_backed
      from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
      join pg_namespace n on n.oid = t.relnamespace where n.nspname = current_schema()`);
    const foreignKeys = await rows<{ table: string; fk: string }>(`
      select t.relname as table, a.attname || ' -> ' || r.relname || '.' || ra.attname as fk
      from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_class r on r.oid = c.confrelid
      join pg_attribute a on a.attrelid = t.oid and a.attnum = c.conkey[1]
      join pg_attribute ra on ra.attrelid = r.oid and ra.attnum = c.confkey[1]
      join pg_namespace n on n.oid = t.relnamespace where c.contype = 'f' and n.nspname = current_schema()`);
    const tables = [...new Set(columns.map((c) => c.table))].filter((t) => !MIGRATOR_TABLES.has(t));
    return Object.fromEntries(
      tables.map((table) => {
        const own = indexes.filter((i) => i.table === table);
        return [
          table,
          {
            columns: columns
              .filter((c) => c.table === table)
              .map((c) => `${c.name} ${c.type}${c.nullable === "NO" ? " not null" : ""}`)
              .sort(),
            primaryKey: own.find((i) => i.primary)?.columns.split(",") ?? [],
            unique: own.filter((i) => i.unique && !i.primary).map((i) => i.columns).sort(),
            indexes: own.filter((i) => !i.unique).map((i) => `${i.name}(${i.columns})`).sort(),
            foreignKeys: foreignKeys.filter((f) => f.table === table).map((f) => f.fk).sort(),
          },
        ];
      }),
    );
  } finally {
    await client.end();
  }
}

const needsPostgres = TEST_DB === "postgres" ? false : "the run on PostgreSQL (TETRI_TEST_DB=postgres) compares the engines";

describe("the schema after every migration", { skip: needsPostgres }, () => {
  const dir = tempDir("tetri-schema-");
  let database: TestPostgresDatabase;
  before(async () => {
    database = await createPostgresDatabase();
  });
  after(async () => {
    dir.remove();
    await database.remove();
  });

  it("is the same on SQLite and PostgreSQL: tables, columns, keys, indexes, foreign keys", async () => {
    const path = join(dir.path, "schema.sqlite");
    await (await openSqliteStore(path, SILENT)).close();
    await (await openPostgresStore(database.url, 2, SILENT)).close();
    const [sqlite, postgres] = [sqliteSchema(path), await postgresSchema(database.url)];
    assert.deepEqual(Object.keys(postgres).sort(), Object.keys(sqlite).sort());
    for (const table of Object.keys(sqlite)) assert.deepEqual(postgres[table], sqlite[table], table);
    assert.ok(sqlite.orders?.columns.includes("amount bigint not null"), "the comparison reads real columns");
    assert.deepEqual(sqlite.acquirer_journal?.columns.filter((c) => c.startsWith("capture ")), ["capture boolean not null"]);
  });

  it("nodes that start together on one PostgreSQL database run each migration once", async () => {
    const fresh = await createPostgresDatabase();
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(fresh.url, 2, SILENT)));
      await Promise.all(stores.map((s) => s.close()));
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      const { rows } = await client.query("select name, count(*)::int as n from kysely_migration group by name order by name");
      await client.end();
      assert.ok(rows.length >= 6, JSON.stringify(rows));
      assert.deepEqual(rows.filter((r: { n: number }) => r.n !== 1), []);
    } finally {
      await fresh.remove();
    }
  });
});
