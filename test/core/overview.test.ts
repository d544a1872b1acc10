// The overview's counts: payments, declines by reason, money captured and refunded, and
// callback attempts, each in the local day it happened (Tbilisi's day starts at 20:00 UTC),
// for one merchant or, for the operator, all of them.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LocalDate } from "../../src/core/calendar.ts";
import { payOrder } from "../../src/core/checkout.ts";
import { TetriError } from "../../src/core/errors.ts";
import { newOutboxId } from "../../src/core/ids.ts";
import type { OrderId } from "../../src/core/ids.ts";
import { createMerchant } from "../../src/core/merchants.ts";
import { minor } from "../../src/core/money.ts";
import { refundOrder } from "../../src/core/operations.ts";
import { createOrder } from "../../src/core/orders.ts";
import { overviewOf } from "../../src/core/overview.ts";
import type { DashboardPrincipal, Merchant } from "../../src/core/types.ts";
import { CREDENTIAL_ISSUERS } from "../../src/services.ts";
import { CORE_DIALECT, coreFixture, coreOrder } from "../helpers/core.ts";

const ZONE = "Asia/Tbilisi";
const DIALECT = CORE_DIALECT;


describe("overview", () => {
  let f: Awaited<ReturnType<typeof coreFixture>>;
  let other: Merchant;
  const at = (iso: string) => {
    f.clock.offset = Date.parse(iso) - Date.now();
  };

  async function pay(merchant: Merchant, amount: number, when: string, card = "4242424242424242"): Promise<OrderId> {
    at(when);
    const id = await createOrder(f.ctx, merchant.id, coreOrder(amount, { callbackUrl: null }));
    await payOrder(f.ctx, id, { number: card, expiry: "12/39", cvc: "123", holder: "A B" });
    return id;
  }

  async function callbackAttempt(merchant: Merchant, orderId: OrderId, when: string, error: string | null) {
    const id = newOutboxId();
    const time = Date.parse(when);
    await f.ctx.store.transaction(async (tx) => {
      await tx.outbox.insert({
        id,
        merchantId: merchant.id,
        orderId,
        dialect: DIALECT,
        url: "https://shop.example/cb",
        body: "{}",
        status: "pending",
        orderVersion: 1,
        attempts: 0,
        nextAttemptAt: time,
        createdAt: time,
        deliveredAt: null,
        lastError: null,
      });
      await tx.outbox.claimDue(time, 1000, { until: time + 1000, token: id });
      await tx.outbox.finishAttempt({ id, status: error ? "pending" : "delivered", nextAttemptAt: time, deliveredAt: error ? null : time, lastError: error }, id, {
        outboxId: id,
        attemptedAt: time,
        durationMs: 5,
        statusCode: error ? 500 : 200,
        error,
        responseExcerpt: null,
      });
    });
  }

  before(async () => {
    f = await coreFixture();
    other = (await createMerchant(f.ctx.store, CREDENTIAL_ISSUERS, { name: "Other", now: Date.now(), seal: (secret) => f.ctx.vault.seal(secret) })).merchant;
    // 2026-03-09 in Tbilisi ends at 19:59:59 UTC.
    const lastOfNinth = await pay(f.merchant, 1000, "2026-03-09T19:59:00Z");
    await pay(f.merchant, 2050, "2026-03-09T20:01:00Z");
    await pay(f.merchant, 500, "2026-03-09T21:00:00Z", "4000000000009995");
    await pay(f.merchant, 700, "2026-03-10T10:00:00Z", "4000000000009995");
    await pay(f.merchant, 900, "2026-03-10T11:00:00Z", "4000000000000002");
    at("2026-03-10T12:00:00Z");
    await refundOrder(f.ctx, { merchantId: f.merchant.id, orderId: lastOfNinth, dialect: DIALECT, amount: () => minor(250) });
    await callbackAttempt(f.merchant, lastOfNinth, "2026-03-09T19:00:00Z", null);
    await callbackAttempt(f.merchant, lastOfNinth, "2026-03-10T09:00:00Z", "HTTP 500");
    await callbackAttempt(f.merchant, lastOfNinth, "2026-03-10T09:01:00Z", null);
    // Another merchant's payment on the 10th, and one outside the range.
    await pay(other, 9999, "2026-03-10T13:00:00Z");
    await pay(f.merchant, 12345, "2026-03-12T10:00:00Z");
  });
  after(() => f.close());

  const range = { from: "2026-03-09" as LocalDate, to: "2026-03-11" as LocalDate, timeZone: ZONE };
  const merchant = (): DashboardPrincipal => ({ kind: "merchant", merchantId: f.merchant.id });

  it("puts each payment, decline, refund and callback attempt in the local day it happened", async () => {
    const overview = await overviewOf(f.ctx, merchant(), range);
    assert.deepEqual(
      overview.days.map((d) => [d.date, d.approved, d.declined, d.captured.GEL ?? 0, d.refunded.GEL ?? 0, d.callbacksDelivered, d.callbacksFailed]),
      [
        ["2026-03-09", 1, 0, 1000, 0, 1, 0],
        ["2026-03-10", 1, 3, 2050, 250, 1, 1],
        ["2026-03-11", 0, 0, 0, 0, 0, 0],
      ],
    );
    assert.equal(overview.approved, 2);
    assert.equal(overview.declined, 3);
    assert.deepEqual(overview.captured, { GEL: 3050 });
    assert.deepEqual(overview.refunded, { GEL: 250 });
    assert.deepEqual(overview.declinesByReason, [
      { reason: "insufficient_funds", count: 2 },
      { reason: "issuer_declined", count: 1 },
    ]);
    assert.deepEqual([overview.callbacksDelivered, overview.callbacksFailed], [2, 1]);
  });

  it("the operator counts every merchant, or the one it names", async () => {
    const operator: DashboardPrincipal = { kind: "operator", name: "ops" };
    const all = await overviewOf(f.ctx, operator, range);
    assert.equal(all.approved, 3);
    assert.deepEqual(all.captured, { GEL: 3050 + 9999 });
    const theirs = await overviewOf(f.ctx, operator, { ...range, merchantId: other.id });
    assert.deepEqual([theirs.approved, theirs.declined, theirs.captured.GEL], [1, 0, 9999]);
    // A merchant cannot widen its view by naming another.
    const own = await overviewOf(f.ctx, merchant(), { ...range, merchantId: other.id });
    assert.equal(own.approved, 2);
  });

  it("refuses a range that ends before it starts or is longer than a year", async () => {
    for (const bad of [
      { from: "2026-03-10", to: "2026-03-09" },
      { from: "2025-01-01", to: "2026-03-09" },
    ]) {
      await assert.rejects(overviewOf(f.ctx, merchant(), { ...range, from: bad.from as LocalDate, to: bad.to as LocalDate }), (error) => {
        assert.ok(error instanceof TetriError);
        assert.equal(error.code, "TETRI_ERR_VALIDATION");
        return true;
      });
    }
  });
});
