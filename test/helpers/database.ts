// Which database a test run stores in: TETRI_TEST_DB=sqlite (the default: a file in each
// server's data directory) or TETRI_TEST_DB=postgres (the machine's PostgreSQL at
// 127.0.0.1:5432, user postgres, trust auth). On PostgreSQL every store gets a database of its
// own, named after the run, and drops it when it closes; the run's global setup
// (postgres-run.ts) checks that the server is there and drops whatever a crashed test left.

import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import { openPostgresStore } from "../../src/store/postgres/index.ts";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import type { OpenedStore } from "../../src/store/index.ts";
import { tempDir } from "./fixtures.ts";

export type TestDb = "sqlite" | "postgres";

function testDb(): TestDb {
  const raw = process.env.TETRI_TEST_DB ?? "sqlite";
  if (raw !== "sqlite" && raw !== "postgres") throw new Error(`TETRI_TEST_DB must be sqlite or postgres, got "${raw}"`);
  return raw;
}

export const TEST_DB: TestDb = testDb();

/** The machine's PostgreSQL, through the database that always exists there. */
export const POSTGRES_ADMIN_URL = process.env.TETRI_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Every node of one PostgreSQL database must seal with the same card key: tests use this one. */
export const TEST_CARD_KEY = Buffer.alloc(32, 9).toString("base64");

/** The prefix of every database this run creates: the global setup's, or this process's own. */
const RUN = process.env.TETRI_TEST_POSTGRES_RUN ?? `tetri_p${process.pid}`;
let created = 0;

/** A database URL on the same server as the admin URL. */
function urlOf(database: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs one statement as the admin (CREATE/DROP DATABASE cannot run in a transaction or a pool). */
export async function adminQuery(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

export type TestPostgresDatabase = { name: string; url: string; remove(): Promise<void> };

/** A new, empty PostgreSQL database of this run's. */
export async function createPostgresDatabase(): Promise<TestPostgresDatabase> {
  const name = `${RUN}_${++created}_${randomBytes(3).toString("hex")}`;
  await adminQuery(`create database ${name}`);
  return { name, url: urlOf(name), remove: () => dropPostgresDatabase(name) };
}

export async function dropPostgresDatabase(name: string): Promise<void> {
  await adminQuery(`drop database if exists ${name} with (force)`);
}

/** The run's databases left behind (a test process that crashed before it dropped its own). */
export async function dropRunDatabases(run: string): Promise<void> {
  const { rows } = await adminQuery(`select datname from pg_database where datname like '${run}\\_%'`);
  for (const { datname } of rows as Array<{ datname: string }>) await dropPostgresDatabase(datname);
}

export type TestDatabase = {
  /** What a server's configuration adds to store there: nothing for SQLite (its data directory). */
  env: Record<string, string>;
  remove(): Promise<void>;
};

/** Where one test server keeps its data in this run. */
export async function testDatabase(): Promise<TestDatabase> {
  if (TEST_DB === "sqlite") return { env: {}, remove: async () => {} };
  const database = await createPostgresDatabase();
  return { env: { TETRI_DATABASE_URL: database.url, TETRI_CARD_KEY: TEST_CARD_KEY }, remove: database.remove };
}

const SILENT = { error: () => {} };

/** A store of its own on `engine` (this run's by default), for tests of core and of the store. */
export async function openTestStore(engine: TestDb = TEST_DB): Promise<{ opened: OpenedStore; remove(): Promise<void> }> {
  if (engine === "postgres") {
    const database = await createPostgresDatabase();
    const opened = await openPostgresStore(database.url, 4, SILENT);
    return { opened, remove: database.remove };
  }
  const dir = tempDir("tetri-store-");
  const opened = await openSqliteStore(join(dir.path, "store.sqlite"), SILENT);
  return { opened, remove: async () => dir.remove() };
}
