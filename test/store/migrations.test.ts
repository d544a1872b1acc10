// A data directory made by the first release keeps working: its merchants' TBC apikeys, its
// orders and attempts are all there after the migrations that followed.

import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import { Migrator } from "kysely/migration";
import type { DialectId } from "../../src/core/types.ts";
import { hashRandomKey, merchantByCredential } from "../../src/core/merchants.ts";
import { initial } from "../../src/store/migrations/0001-initial.ts";
import { openConnection } from "../../src/store/sqlite/connection.ts";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import type { OpenedStore } from "../../src/store/index.ts";
import { tempDir } from "../helpers/fixtures.ts";

const dir = tempDir("tetri-migrate-");
const path = join(dir.path, "old.sqlite");

/** The database exactly as the first release left it, with a little data in it. */
async function firstReleaseDatabase(): Promise<void> {
  const { raw, db } = openConnection(path);
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => ({ "0001_initial": initial }) } }).migrateToLatest();
  if (error) throw error;
  const details = JSON.stringify({ config: { account: { tag: "pos-7" } } });
  raw.exec(`
    insert into merchants values ('mer_a', 'Shop A', '100', 'scrypt$x', '${hashRandomKey("tbc-key-a")}', 1);
    insert into merchants values ('mer_b', 'Shop B', '200', 'scrypt$y', null, 2);
    insert into orders (id, merchant_id, dialect, status, capture_mode, currency, amount, authorized_amount, captured_amount,
      refunded_amount, refund_reserved_amount, language, payment_methods, basket, details, created_at, expires_at, updated_at, version)
      values ('00000000-0000-4000-8000-000000000001', 'mer_a', 'bog', 'captured', 'automatic', 'GEL', 500, 500, 500, 0, 0, 'en', '[]', '[]', '${details}', 1, 2, 1, 2),
             ('00000000-0000-4000-8000-000000000002', 'mer_a', 'tbc', 'captured', 'automatic', 'GEL', 300, 300, 300, 0, 0, 'en', '[]', '[]', '{}', 1, 2, 1, 2);
    update orders set saved_card_id = 'card1' where id = '00000000-0000-4000-8000-000000000002';
    insert into payment_attempts values ('pat_1', '00000000-0000-4000-8000-000000000001', 'approved', '424242******4242', 'visa', '12/39', 'A', 'c', 'k', null, '1', '2', 1, 1);
    insert into payment_attempts values ('pat_2', '00000000-0000-4000-8000-000000000002', 'approved', '424242******4242', 'visa', '12/39', 'A', 'c', 'k', null, '1', '2', 1, 1);
    insert into acquirer_journal values ('pat_1', 'authorization', 'approved', 500, 'GEL', 1, null, '1', '2', 1),
      ('pat_2', 'authorization', 'approved', 300, 'GEL', 0, null, '1', '2', 1);
  `);
  await db.destroy();
}

describe("migrations from the first release", () => {
  let opened: OpenedStore;
  before(async () => {
    await firstReleaseDatabase();
    opened = await openSqliteStore(path, { error: () => {} });
  });
  after(async () => {
    await opened.close();
    dir.remove();
  });

  it("a merchant's TBC apikey still names it; a merchant without one has none", async () => {
    const found = await merchantByCredential(opened.store, "tbc" as DialectId, hashRandomKey("tbc-key-a"));
    assert.equal(found?.merchant.id, "mer_a");
    assert.equal(found?.merchant.clientId, "100");
    assert.equal(await merchantByCredential(opened.store, "tbc" as DialectId, hashRandomKey("tbc-key-b")), undefined);
    assert.equal(await opened.store.read((tx) => tx.merchants.count()), 2);
  });

  it("orders keep their requested terminal, attempts say how they were made and through which terminal", async () => {
    const { bog, tbc, cardAttempt, savedCardAttempt } = await opened.store.read(async (tx) => ({
      bog: await tx.orders.find("00000000-0000-4000-8000-000000000001" as never),
      tbc: await tx.orders.find("00000000-0000-4000-8000-000000000002" as never),
      cardAttempt: await tx.attempts.find("pat_1" as never),
      savedCardAttempt: await tx.attempts.find("pat_2" as never),
    }));
    assert.equal(bog?.terminal, "pos-7");
    assert.equal(tbc?.terminal, null);
    assert.deepEqual([cardAttempt?.method, cardAttempt?.customerPresent, cardAttempt?.terminal], ["card", true, "default"]);
    assert.deepEqual([savedCardAttempt?.method, savedCardAttempt?.customerPresent], ["card", false]);
  });

  it("the test acquirer's journal keeps its entries, capture now a flag", async () => {
    const [captured, held] = await Promise.all([opened.acquirerJournal.find("pat_1"), opened.acquirerJournal.find("pat_2")]);
    assert.deepEqual([captured?.capture, captured?.amount, held?.capture, held?.amount], [true, 500, false, 300]);
  });

  it("foreign keys hold after the rebuild of merchants", () => {
    const raw = new DatabaseSync(path, { readOnly: true });
    try {
      assert.deepEqual(raw.prepare("pragma foreign_key_check").all(), []);
      assert.throws(() => raw.prepare("select tbc_api_key_hash from merchants").all(), /no such column/);
    } finally {
      raw.close();
    }
  });
});
