// The subscription scheduler never charges twice: a property test over random kill points.
// Two scheduler "processes" run at once, each on its own connection to one database (SQLite
// file, or PostgreSQL in the run on PostgreSQL); either may be killed at a random step: before
// or after any transaction commits, before or after any acquirer call. A killed process stops
// dead (every later call it makes fails), as after SIGKILL; a fresh process then takes over
// once the leases have run out. Whatever the kill points, each period of the subscription is
// charged by the acquirer exactly once.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { checkoutLinks } from "../../src/checkout/links.ts";
import { CardVault, vaultKeyFrom } from "../../src/core/card-vault.ts";
import { payOrder, reconcileAttempts } from "../../src/core/checkout.ts";
import type { CoreContext } from "../../src/core/context.ts";
import { createMerchant } from "../../src/core/merchants.ts";
import { minor } from "../../src/core/money.ts";
import { createOrder } from "../../src/core/orders.ts";
import type { Acquirer, Store } from "../../src/core/ports.ts";
import { requestCardSaving } from "../../src/core/saved-cards.ts";
import { chargeDueSubscriptions, createSubscription, getSubscription, subscriptionIdOf } from "../../src/core/subscriptions.ts";
import type { OpenedStore } from "../../src/store/index.ts";
import { openPostgresStore } from "../../src/store/postgres/index.ts";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import { CREDENTIAL_ISSUERS, coreContext } from "../../src/services.ts";
import { createPostgresDatabase, TEST_DB } from "../helpers/database.ts";
import { CORE_DIALECT, coreOrder } from "../helpers/core.ts";
import { TestClock, tempDir } from "../helpers/fixtures.ts";

const SILENT = { error: () => {} };
const DAY = 86_400_000;
const ACQUIRER_TIMEOUT_MS = 200;
/** Longer than the scheduler's and reconciliation's leases (2 × the acquirer timeout + 1 s). */
const PAST_LEASES = 2 * ACQUIRER_TIMEOUT_MS + 1000 + 1;
const PERIODS = 3;

class Killed extends Error {}

/** One database, opened by as many processes as ask. */
async function sharedDatabase(): Promise<{ open(): Promise<OpenedStore>; remove(): Promise<void> }> {
  if (TEST_DB === "postgres") {
    const database = await createPostgresDatabase();
    return { open: () => openPostgresStore(database.url, 4, SILENT), remove: database.remove };
  }
  const dir = tempDir("tetri-crash-");
  return { open: () => openSqliteStore(join(dir.path, "tetri.sqlite"), SILENT), remove: async () => dir.remove() };
}

/** Where a process dies: at its `step`-th store transaction or acquirer call, before it or after it. */
type KillPoint = { step: number; after: boolean } | null;

/** A scheduler process on its own connection, killed at `kill`: from then on every call it makes fails. */
function processOn(opened: OpenedStore, base: { vault: CardVault; clock: TestClock }, kill: KillPoint): CoreContext {
  let steps = 0;
  let dead = false;
  const die = (): never => {
    dead = true;
    throw new Killed();
  };
  /** Runs one step, dying before or after it when it is the kill point. */
  const step = async <T>(run: () => Promise<T>): Promise<T> => {
    if (dead) throw new Killed();
    const n = steps++;
    if (kill && kill.step === n && !kill.after) die();
    const result = await run();
    if (dead || (kill && kill.step === n && kill.after)) die();
    return result;
  };
  const store: Store = {
    transaction: (work) => step(() => opened.store.transaction((tx) => (dead ? Promise.reject(new Killed()) : work(tx)))),
    read: (work) => (dead ? Promise.reject(new Killed()) : opened.store.read(work)),
    close: () => opened.store.close(),
  };
  const ctx = coreContext({ store, acquirerJournal: opened.acquirerJournal }, {
    ...base,
    links: checkoutLinks("http://tetri.test"),
    acquirerTimeoutMs: ACQUIRER_TIMEOUT_MS,
    reconcileAfterMs: 0,
    onCallbacksCommitted: () => {},
  });
  const real = ctx.acquirer;
  const acquirer: Acquirer = {
    authorize: (request) => step(() => real.authorize(request)),
    authorizeSimulated: (request) => step(() => real.authorizeSimulated(request)),
    completeChallenge: (reference, passed) => step(() => real.completeChallenge(reference, passed)),
    capture: (request) => step(() => real.capture(request)),
    void: (request) => step(() => real.void(request)),
    refund: (request) => step(() => real.refund(request)),
    lookup: (reference) => step(() => real.lookup(reference)),
    payout: (request) => step(() => real.payout(request)),
  };
  return { ...ctx, acquirer };
}

/** A scheduler pass as the sweeper makes it: reconciliation first, then due subscriptions. A killed process's pass just ends. */
async function pass(ctx: CoreContext): Promise<void> {
  try {
    await reconcileAttempts(ctx);
    await chargeDueSubscriptions(ctx);
  } catch (error) {
    if (!(error instanceof Killed)) throw error;
  }
}

const killPoint: fc.Arbitrary<KillPoint> = fc.option(fc.record({ step: fc.nat({ max: 12 }), after: fc.boolean() }), { nil: null, freq: 4 });

describe("the subscription scheduler under kills", { timeout: 600_000 }, () => {
  it("two schedulers on one database, killed at random steps, charge each period exactly once", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(killPoint, killPoint), { minLength: PERIODS, maxLength: PERIODS }), async (kills) => {
        const database = await sharedDatabase();
        const [first, second] = [await database.open(), await database.open()];
        try {
          const clock = new TestClock();
          const base = { vault: new CardVault(vaultKeyFrom(randomBytes(32))), clock };
          clock.offset = Date.parse("2027-09-01T09:00:00Z") - Date.now();
          const setup = processOn(first, base, null);
          const { merchant } = await createMerchant(first.store, CREDENTIAL_ISSUERS, { name: "Crash shop", seal: (secret) => base.vault.seal(secret), now: clock.now() });
          const owner = { merchantId: merchant.id, dialect: CORE_DIALECT };
          const parent = await createOrder(setup, merchant.id, coreOrder(500));
          await requestCardSaving(setup, owner, parent, "without_buyer");
          assert.equal((await payOrder(setup, parent, { number: "4242424242424242", expiry: "12/39", cvc: "123", holder: "N B" })).kind, "approved");
          const { subscription } = await createSubscription(setup, owner, {
            parentOrderId: parent,
            amount: minor(700),
            currency: "GEL",
            interval: "daily",
            dayOfMonth: null,
            startDate: "2027-09-01",
            callbackUrl: null,
            externalId: null,
          });

          // Each day both processes run at once, either maybe killed; then, past the leases, fresh
          // processes carry on until nothing moves. A kill before the acquirer saw a charge
          // makes that try a technical decline, retried a day later: the days run on until done.
          for (let day = 0; day < PERIODS + 6; day++) {
            clock.offset = Date.parse("2027-09-01T09:00:00Z") + day * DAY - Date.now();
            const [killA, killB] = kills[day] ?? [null, null];
            await Promise.all([pass(processOn(first, base, killA)), pass(processOn(second, base, killB))]);
            for (let recovery = 0; recovery < 3; recovery++) {
              clock.advance(PAST_LEASES);
              await Promise.all([pass(processOn(first, base, null)), pass(processOn(second, base, null))]);
            }
          }

          const { subscription: after, charges } = await getSubscription(setup, owner, subscription.id);
          const approvedByPeriod = new Map<number, number>();
          for (const charge of charges) {
            const attempt = await first.store.read((tx) => tx.attempts.latestOfOrder(charge.orderId));
            const entry = attempt && (await first.acquirerJournal.find(attempt.id));
            if (entry?.state === "approved") approvedByPeriod.set(charge.period, (approvedByPeriod.get(charge.period) ?? 0) + 1);
          }
          // Every charge the acquirer approved is one the subscription knows; none twice.
          const journalApproved = await countApprovedCharges(first, subscription.id);
          assert.equal(journalApproved, [...approvedByPeriod.values()].reduce((a, b) => a + b, 0), "an approved charge outside the subscription's records");
          for (let period = 0; period < PERIODS; period++) assert.equal(approvedByPeriod.get(period), 1, `period ${period}: ${JSON.stringify(charges)}`);
          for (const [period, n] of approvedByPeriod) assert.equal(n, 1, `period ${period} charged ${n} times`);
          assert.equal(after.pendingOrderId, null);
          assert.ok(after.period >= PERIODS, `the schedule moved on: period ${after.period}`);
        } finally {
          await first.close();
          await second.close();
          await database.remove();
        }
      }),
      { numRuns: TEST_DB === "postgres" ? 12 : 25 },
    );
  });
});

/** Approved authorizations the acquirer made for orders of the subscription, whether or not a charge row names them. */
async function countApprovedCharges(opened: OpenedStore, subscriptionId: string): Promise<number> {
  const orders = await opened.store.read((tx) => tx.orders.search({ limit: 10_000 }));
  let approved = 0;
  for (const order of orders.filter((o) => subscriptionIdOf(o) === subscriptionId)) {
    const attempt = await opened.store.read((tx) => tx.attempts.latestOfOrder(order.id));
    if (attempt && (await opened.acquirerJournal.find(attempt.id))?.state === "approved") approved++;
  }
  return approved;
}
