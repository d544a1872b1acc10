// Payouts in core: the merchant's balance in a currency is exactly its captured payments less
// their refunds less its payouts, a payout never takes it below zero, and a refused payout
// gives its money back, whatever sequence of payments, refunds and payouts happens.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { payOrder } from "../../src/core/checkout.ts";
import { TetriError } from "../../src/core/errors.ts";
import { minor } from "../../src/core/money.ts";
import { refundOrder } from "../../src/core/operations.ts";
import { createOrder } from "../../src/core/orders.ts";
import { makePayout, merchantBalance, reconcilePayouts } from "../../src/core/payouts.ts";
import type { OrderId } from "../../src/core/ids.ts";
import type { CoreContext } from "../../src/core/context.ts";
import type { Acquirer } from "../../src/core/ports.ts";
import type { Payout } from "../../src/core/types.ts";
import { CORE_DIALECT, coreFixture, coreOrder } from "../helpers/core.ts";

const CARD = { number: "4242424242424242", expiry: "12/39", cvc: "123", holder: "P T" };
const REFUSING = { ...CARD, number: "4000000000000002" };

type Step = { kind: "pay"; amount: number } | { kind: "refund"; amount: number } | { kind: "payout"; amount: number; refused: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("pay" as const), amount: fc.integer({ min: 1, max: 5000 }) }),
  fc.record({ kind: fc.constant("refund" as const), amount: fc.integer({ min: 1, max: 3000 }) }),
  fc.record({ kind: fc.constant("payout" as const), amount: fc.integer({ min: 1, max: 6000 }), refused: fc.boolean() }),
);

describe("payouts", () => {
  let f: Awaited<ReturnType<typeof coreFixture>>;
  before(async () => {
    f = await coreFixture();
  });
  after(() => f.close());

  // A refund is owed to the buyer whatever the merchant paid out: after payouts it may take the
  // balance below zero (the merchant then owes it), and no payout is made until it is positive.
  it("the balance is exact after any sequence, and a payout beyond it is refused", async () => {
    let sequence = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const currency = "USD";
        const start = await merchantBalance(f.ctx, f.merchant.id, currency);
        let expected = start as number;
        const paid: OrderId[] = [];
        for (const s of steps) {
          if (s.kind === "pay") {
            const id = await createOrder(f.ctx, f.merchant.id, coreOrder(s.amount, { currency }));
            assert.equal((await payOrder(f.ctx, id, CARD, { merchantId: f.merchant.id, dialect: CORE_DIALECT })).kind, "approved");
            paid.push(id);
            expected += s.amount;
          } else if (s.kind === "refund") {
            const id = paid[paid.length - 1];
            if (!id) continue;
            try {
              await refundOrder(f.ctx, { merchantId: f.merchant.id, dialect: CORE_DIALECT, orderId: id, amount: () => minor(s.amount) });
              expected -= s.amount;
            } catch (error) {
              assert.ok(error instanceof TetriError && error.code === "TETRI_ERR_REFUND_EXCEEDS_AVAILABLE" || error instanceof TetriError && error.code === "TETRI_ERR_ORDER_NOT_REFUNDABLE");
            }
          } else {
            const input = { merchantId: f.merchant.id, dialect: CORE_DIALECT, externalId: `p-${sequence++}`, currency, amount: minor(s.amount), to: { kind: "card" as const, card: s.refused ? REFUSING : CARD } } as const;
            if (s.amount > expected) {
              await assert.rejects(makePayout(f.ctx, input), (error: unknown) => error instanceof TetriError && error.code === "TETRI_ERR_PAYOUT_EXCEEDS_BALANCE");
              continue;
            }
            const outcome = await makePayout(f.ctx, input);
            assert.equal(outcome.kind, "paid");
            if (outcome.kind !== "paid") continue;
            assert.equal(outcome.balanceBefore, expected);
            assert.equal(outcome.payout.status, s.refused ? "failed" : "completed");
            if (!s.refused) expected -= s.amount;
            assert.equal(outcome.balanceAfter, expected);
          }
          const balance = await merchantBalance(f.ctx, f.merchant.id, currency);
          assert.equal(balance, expected);
        }
      }),
      { numRuns: 15 },
    );
  });

  it("another currency's balance is its own", async () => {
    const before = await merchantBalance(f.ctx, f.merchant.id, "GBP");
    const id = await createOrder(f.ctx, f.merchant.id, coreOrder(700, { currency: "EUR" }));
    await payOrder(f.ctx, id, CARD, { merchantId: f.merchant.id, dialect: CORE_DIALECT });
    assert.equal(await merchantBalance(f.ctx, f.merchant.id, "GBP"), before);
    await assert.rejects(
      makePayout(f.ctx, { merchantId: f.merchant.id, dialect: CORE_DIALECT, externalId: "gbp", currency: "GBP", amount: minor(before + 1), to: { kind: "card", card: CARD } }),
      (error: unknown) => error instanceof TetriError && error.code === "TETRI_ERR_PAYOUT_EXCEEDS_BALANCE",
    );
  });

  it("a payout the acquirer never received is sent again by reconciliation under its own reference: paid once, or refused and its money back", async () => {
    const currency = "GEL";
    const start = await merchantBalance(f.ctx, f.merchant.id, currency);
    const id = await createOrder(f.ctx, f.merchant.id, coreOrder(1000, { currency }));
    await payOrder(f.ctx, id, CARD, { merchantId: f.merchant.id, dialect: CORE_DIALECT });
    const real = f.ctx.acquirer;
    const payingThrough = (payout: Acquirer["payout"]): CoreContext => ({
      ...f.ctx,
      acquirer: {
        authorize: (r) => real.authorize(r),
        authorizeSimulated: (r) => real.authorizeSimulated(r),
        completeChallenge: (reference, passed) => real.completeChallenge(reference, passed),
        capture: (r) => real.capture(r),
        void: (r) => real.void(r),
        refund: (r) => real.refund(r),
        lookup: (reference) => real.lookup(reference),
        payout,
      },
    });
    // The call is lost on the way: the acquirer never hears of it.
    const lost = payingThrough(() => Promise.reject(new Error("connection reset")));
    const started: Payout[] = [];
    for (const [externalId, card] of [["lost-ok", CARD], ["lost-refused", REFUSING]] as const) {
      const outcome = await makePayout(lost, { merchantId: f.merchant.id, dialect: CORE_DIALECT, externalId, currency, amount: minor(400), to: { kind: "card", card } });
      assert.ok(outcome.kind === "paid" && outcome.payout.status === "pending");
      started.push(outcome.payout);
    }
    assert.equal(await merchantBalance(f.ctx, f.merchant.id, currency), start + 200, "pending payouts hold their money");
    let sent = 0;
    const counting = payingThrough((request) => {
      sent++;
      return real.payout(request);
    });
    assert.equal(await reconcilePayouts(counting), 0, "nothing is due before the acquirer's timeout has passed");
    f.clock.advance(f.ctx.acquirerTimeoutMs + 1);
    assert.equal(await reconcilePayouts(counting), 2);
    assert.equal(await reconcilePayouts(counting), 0, "a settled payout is not sent again");
    assert.equal(sent, 2);
    const [paid, refused] = await f.ctx.store.read((tx) => Promise.all(started.map((p) => tx.payouts.find(p.id))));
    assert.deepEqual([paid?.status, refused?.status, refused?.failureReason], ["completed", "failed", "issuer_declined"]);
    assert.equal(await merchantBalance(f.ctx, f.merchant.id, currency), start + 600, "the refused payout gave its money back");
  });
});
