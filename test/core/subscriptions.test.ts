// Scheduled subscriptions with a controlled clock: the dates charges fall on (end-of-month
// clamping, leap years), a year of monthly charges on the 31st, soft declines retried after 1,
// 3 and 5 days and then past due, hard declines stopping it, pause and resume. Time only moves
// when the test moves it; nothing sleeps for a schedule.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { payOrder } from "../../src/core/checkout.ts";
import type { CoreContext } from "../../src/core/context.ts";
import type { OrderId } from "../../src/core/ids.ts";
import { minor } from "../../src/core/money.ts";
import { createOrder } from "../../src/core/orders.ts";
import { requestCardSaving } from "../../src/core/saved-cards.ts";
import { dateOf, periodDate, retryDate } from "../../src/core/subscription-schedule.ts";
import { cancelSubscription, chargeDueSubscriptions, createSubscription, getSubscription, pauseSubscription, resumeSubscription } from "../../src/core/subscriptions.ts";
import type { SubscriptionRequest } from "../../src/core/subscriptions.ts";
import type { SubscriptionInterval } from "../../src/core/types.ts";
import { CORE_DIALECT, coreFixture, coreOrder } from "../helpers/core.ts";

const DAY = 86_400_000;
const plan = (interval: SubscriptionInterval, startDate: string, dayOfMonth: number | null = null) => ({ interval, startDate, dayOfMonth });
const dates = (p: ReturnType<typeof plan>, n: number) => Array.from({ length: n }, (_, i) => dateOf(periodDate(p, i)));

describe("subscription schedule", () => {
  it("monthly on the 31st: the last day of shorter months, February 29th in a leap year", () => {
    assert.deepEqual(dates(plan("monthly", "2027-01-31", 31), 14), [
      "2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31", "2027-06-30", "2027-07-31",
      "2027-08-31", "2027-09-30", "2027-10-31", "2027-11-30", "2027-12-31", "2028-01-31", "2028-02-29",
    ]);
  });

  it("monthly: the first charge is in the start month unless the start is past that day; the day defaults to the start's", () => {
    assert.deepEqual(dates(plan("monthly", "2027-01-10", 15), 2), ["2027-01-15", "2027-02-15"]);
    assert.deepEqual(dates(plan("monthly", "2027-01-20", 15), 2), ["2027-02-15", "2027-03-15"]);
    assert.deepEqual(dates(plan("monthly", "2027-02-28", 30), 3), ["2027-02-28", "2027-03-30", "2027-04-30"]);
    assert.deepEqual(dates(plan("monthly", "2027-11-30", 31), 3), ["2027-11-30", "2027-12-31", "2028-01-31"]);
  });

  it("daily and weekly count whole UTC days from the start; retries fall 1, 3 and 5 days after the declined try's day", () => {
    assert.deepEqual(dates(plan("daily", "2027-12-30"), 4), ["2027-12-30", "2027-12-31", "2028-01-01", "2028-01-02"]);
    assert.deepEqual(dates(plan("weekly", "2027-02-22"), 3), ["2027-02-22", "2027-03-01", "2027-03-08"]);
    const declined = Date.parse("2027-02-28T23:59:00Z");
    assert.deepEqual([1, 2, 3].map((retry) => dateOf(retryDate(declined, retry))), ["2027-03-01", "2027-03-03", "2027-03-05"]);
  });
});

describe("the subscription scheduler", () => {
  let fixture: Awaited<ReturnType<typeof coreFixture>>;
  let ctx: CoreContext;
  before(async () => {
    fixture = await coreFixture();
    ctx = fixture.ctx;
  });
  after(() => fixture.close());

  const owner = () => ({ merchantId: fixture.merchant.id, dialect: CORE_DIALECT });
  /** Puts the clock at 09:00 UTC of a date. */
  const setDate = (date: string) => (fixture.clock.offset = Date.parse(`${date}T09:00:00Z`) - Date.now());

  /** A paid order that saved its card for charges without the buyer. */
  async function parentWith(card: string): Promise<OrderId> {
    const id = await createOrder(ctx, fixture.merchant.id, coreOrder(500));
    await requestCardSaving(ctx, owner(), id, "without_buyer");
    const paid = await payOrder(ctx, id, { number: card, expiry: "12/39", cvc: "123", holder: "Nino Beridze" });
    assert.equal(paid.kind, "approved");
    return id;
  }

  const request = (parentOrderId: OrderId, changes: Partial<SubscriptionRequest> = {}): SubscriptionRequest => ({
    parentOrderId,
    amount: minor(999),
    currency: "GEL",
    interval: "monthly",
    dayOfMonth: null,
    startDate: undefined,
    callbackUrl: null,
    externalId: null,
    ...changes,
  });

  /** Runs the scheduler once a day (at 09:00 UTC) for `days` days from `from`. */
  async function runDaily(from: string, days: number) {
    for (let d = 0; d < days; d++) {
      setDate(dateOf(Date.parse(`${from}T00:00:00Z`) + d * DAY));
      await chargeDueSubscriptions(ctx);
    }
  }

  /** The subscription's charges, each with its order's status and the date it was made. */
  async function chargesOf(id: Awaited<ReturnType<typeof createSubscription>>["subscription"]["id"]) {
    const { charges } = await getSubscription(ctx, owner(), id);
    return ctx.store.read((tx) =>
      Promise.all(
        charges.map(async (c) => {
          const order = (await tx.orders.find(c.orderId))!;
          return { date: dateOf(c.createdAt), period: c.period, retry: c.retry, status: order.status, amount: order.amount, reason: order.rejectReason };
        }),
      ),
    );
  }

  it("a year of monthly charges on the 31st: exactly 12, on the right dates, each a paid order of the amount", async () => {
    setDate("2027-01-31");
    const parent = await parentWith("4242424242424242");
    const { subscription } = await createSubscription(ctx, owner(), request(parent, { dayOfMonth: 31, startDate: "2027-01-31" }));
    await runDaily("2027-01-31", 365);
    const charges = await chargesOf(subscription.id);
    assert.deepEqual(
      charges.map((c) => c.date),
      ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31", "2027-06-30", "2027-07-31", "2027-08-31", "2027-09-30", "2027-10-31", "2027-11-30", "2027-12-31"],
    );
    assert.ok(charges.every((c) => c.status === "captured" && c.amount === 999 && c.retry === 0));
    assert.deepEqual(charges.map((c) => c.period), [...Array(12).keys()]);
    const { subscription: now } = await getSubscription(ctx, owner(), subscription.id);
    assert.equal(now.status, "active");
    assert.equal(dateOf(now.nextAttemptAt!), "2028-01-31");
    // Running the scheduler again the same day charges nothing more.
    await chargeDueSubscriptions(ctx);
    assert.equal((await chargesOf(subscription.id)).length, 12);
  });

  it("a soft decline (card 0051, insufficient funds) is retried after 1, 3 and 5 days, then the subscription is past due", async () => {
    setDate("2027-03-10");
    const parent = await parentWith("4000000000000051");
    const { subscription } = await createSubscription(ctx, owner(), request(parent, { interval: "weekly" }));
    await runDaily("2027-03-10", 30);
    const charges = await chargesOf(subscription.id);
    assert.deepEqual(
      charges.map((c) => [c.date, c.retry, c.status, c.reason]),
      [
        ["2027-03-10", 0, "declined", "insufficient_funds"],
        ["2027-03-11", 1, "declined", "insufficient_funds"],
        ["2027-03-13", 2, "declined", "insufficient_funds"],
        ["2027-03-15", 3, "declined", "insufficient_funds"],
      ],
    );
    const { subscription: pastDue } = await getSubscription(ctx, owner(), subscription.id);
    assert.equal(pastDue.status, "past_due");
    assert.equal(pastDue.failureReason, "insufficient_funds");
    assert.equal(pastDue.nextAttemptAt, null);
    // Resumed, the declined period is tried again at once, with its retries afresh.
    const resumed = await resumeSubscription(ctx, owner(), subscription.id);
    assert.equal(resumed.subscription.status, "active");
    await chargeDueSubscriptions(ctx);
    const again = await chargesOf(subscription.id);
    assert.deepEqual(again.slice(4).map((c) => [c.date, c.period, c.retry, c.status]), [["2027-04-08", 0, 0, "declined"]]);
    assert.equal(dateOf((await getSubscription(ctx, owner(), subscription.id)).subscription.nextAttemptAt!), "2027-04-09", "retry 1, a day after the resumed try");
  });

  it("a hard decline (card 0259, restricted) stops the subscription after one charge", async () => {
    setDate("2027-05-01");
    const parent = await parentWith("4000000000000259");
    const { subscription } = await createSubscription(ctx, owner(), request(parent, { interval: "daily" }));
    await runDaily("2027-05-01", 5);
    const charges = await chargesOf(subscription.id);
    assert.deepEqual(charges.map((c) => [c.status, c.reason]), [["declined", "card_restricted"]]);
    const { subscription: stopped } = await getSubscription(ctx, owner(), subscription.id);
    assert.equal(stopped.status, "stopped");
    await assert.rejects(resumeSubscription(ctx, owner(), subscription.id), /has ended/);
  });

  it("paused, nothing is charged; resumed, it carries on from today without the periods it missed; cancelled, it ends", async () => {
    setDate("2027-06-01");
    const parent = await parentWith("4242424242424242");
    const { subscription } = await createSubscription(ctx, owner(), request(parent, { interval: "daily" }));
    await runDaily("2027-06-01", 2);
    await pauseSubscription(ctx, owner(), subscription.id);
    await runDaily("2027-06-03", 3);
    assert.deepEqual((await chargesOf(subscription.id)).map((c) => c.date), ["2027-06-01", "2027-06-02"]);
    setDate("2027-06-06");
    const resumed = await resumeSubscription(ctx, owner(), subscription.id);
    assert.equal(dateOf(resumed.subscription.nextAttemptAt!), "2027-06-06");
    await runDaily("2027-06-06", 2);
    const charges = await chargesOf(subscription.id);
    assert.deepEqual(charges.map((c) => [c.date, c.period]), [["2027-06-01", 0], ["2027-06-02", 1], ["2027-06-06", 5], ["2027-06-07", 6]]);
    await cancelSubscription(ctx, owner(), subscription.id);
    await runDaily("2027-06-08", 3);
    assert.equal((await chargesOf(subscription.id)).length, 4);
    await assert.rejects(pauseSubscription(ctx, owner(), subscription.id), /has ended/);
  });

  it("a deleted card is a hard decline (code 102's reason): the subscription stops", async () => {
    setDate("2027-07-01");
    const parent = await parentWith("4242424242424242");
    const { subscription } = await createSubscription(ctx, owner(), request(parent, { interval: "daily" }));
    await runDaily("2027-07-01", 1);
    const { deleteSavedCard } = await import("../../src/core/saved-cards.ts");
    await deleteSavedCard(ctx, owner(), { parentOrderId: parent });
    await runDaily("2027-07-02", 2);
    assert.deepEqual((await chargesOf(subscription.id)).map((c) => [c.status, c.reason]), [["captured", null], ["declined", "saved_card_not_found"]]);
    assert.equal((await getSubscription(ctx, owner(), subscription.id)).subscription.status, "stopped");
  });
});
