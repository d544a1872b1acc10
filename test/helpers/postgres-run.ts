// The global setup of a test run on PostgreSQL (node --test --test-global-setup=…): the
// server must answer, or the whole run fails at once with the reason (never a silent skip);
// the run gets a name its databases start with, and at the end whatever is left is dropped.

import { adminQuery, dropRunDatabases, POSTGRES_ADMIN_URL } from "./database.ts";

const run = `tetri_r${Date.now().toString(36)}${process.pid}`;

export async function globalSetup(): Promise<void> {
  try {
    await adminQuery("select 1");
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL} (this run needs it): ${(error as Error).message}`, { cause: error });
  }
  // Test processes start after this, and inherit it.
  process.env.TETRI_TEST_POSTGRES_RUN = run;
}

export async function globalTeardown(): Promise<void> {
  await dropRunDatabases(run);
}
