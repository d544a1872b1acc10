// The simulated methods' rules in core: the points and card split is exact, the card pays only
// the rest, a pending application is decided once, and each method's recorded details.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { minor } from "../../src/core/money.ts";
import { createOrder } from "../../src/core/orders.ts";
import { decideLoanApplication, loyaltyBalance, maskGiftCode, payWithSimulatedMethod, pointsSplit } from "../../src/core/simulated-methods.ts";
import { coreFixture, coreOrder } from "../helpers/core.ts";

const CARD = { number: "4242424242424242", expiry: "12/39", cvc: "123", holder: "P T" };

describe("the points and card split", () => {
  it("adds up to the amount exactly, the points first, in minor units; never more points than the amount", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 12 }), fc.integer({ min: 0, max: 10 ** 12 }), (amount, points) => {
        const split = pointsSplit(minor(amount), minor(points));
        if (points <= 0 || points > amount) return split === undefined;
        return split !== undefined && split.points === points && split.card + split.points === amount && split.card >= 0;
      }),
    );
  });

  it("the loyalty balance and a gift card's mask", () => {
    assert.equal(loyaltyBalance("GEL"), 5000);
    assert.equal(maskGiftCode("GIFT-100"), "GI****00");
    assert.equal(maskGiftCode("ABC"), "***");
  });
});

describe("simulated payments in core", () => {
  let f: Awaited<ReturnType<typeof coreFixture>>;
  before(async () => {
    f = await coreFixture();
  });
  after(() => f.close());

  const attemptOf = (id: string) => f.ctx.store.read((tx) => tx.attempts.latestOfOrder(id as never));
  const ledgerOf = (id: string) => f.ctx.store.read((tx) => tx.operations.ofOrder(id as never));

  it("points and a card: the card is authorized for the rest only; the ledger has the whole amount", async () => {
    const id = await createOrder(f.ctx, f.merchant.id, coreOrder(8001, { paymentMethods: ["loyalty_points"] }));
    const result = await payWithSimulatedMethod(f.ctx, id, { method: "loyalty_points", accountHolder: "Nino", points: minor(4999), card: CARD });
    assert.equal(result.kind, "approved");
    const attempt = await attemptOf(id);
    assert.deepEqual(attempt?.methodDetails, { payer: "Nino", pointsAmount: 4999, loanMonths: null });
    assert.equal((await f.journal.find(attempt?.id ?? ""))?.amount, 3002);
    assert.deepEqual((await ledgerOf(id)).map((op) => `${op.kind} ${op.amount}`).sort(), ["authorization 8001", "capture 8001"]);
  });

  it("a choice that does not fit records nothing; a method the order does not offer is refused", async () => {
    const id = await createOrder(f.ctx, f.merchant.id, coreOrder(1000, { paymentMethods: ["loyalty_points", "gift_card"] }));
    assert.deepEqual(await payWithSimulatedMethod(f.ctx, id, { method: "loyalty_points", accountHolder: "N", points: minor(1001), card: null }), {
      kind: "choice_invalid",
      problem: "points_over_amount",
    });
    assert.equal((await payWithSimulatedMethod(f.ctx, id, { method: "loyalty_points", accountHolder: "N", points: minor(500), card: null })).kind, "card_invalid");
    assert.equal((await payWithSimulatedMethod(f.ctx, id, { method: "bank_transfer", accountHolder: "N", approve: true })).kind, "method_not_offered");
    assert.equal(await attemptOf(id), undefined);
  });

  it("a pending application waits without the acquirer, is decided once, and a second decision changes nothing", async () => {
    const id = await createOrder(f.ctx, f.merchant.id, coreOrder(1000, { paymentMethods: ["installment"], loanOffer: { product: null, months: 6 } }));
    assert.equal((await payWithSimulatedMethod(f.ctx, id, { method: "installment", applicant: "nino", months: 12, decision: "pending" })).kind, "choice_invalid");
    assert.equal((await payWithSimulatedMethod(f.ctx, id, { method: "installment", applicant: "nino", months: 6, decision: "pending" })).kind, "pending");
    const waiting = await attemptOf(id);
    assert.equal(waiting?.status, "awaiting_decision");
    assert.equal(await f.journal.find(waiting?.id ?? ""), undefined, "the acquirer has not been asked");
    const results = await Promise.all([decideLoanApplication(f.ctx, id, true), decideLoanApplication(f.ctx, id, false)]);
    const decided = await attemptOf(id);
    const kind = decided?.status === "approved" ? "approved" : "declined";
    assert.equal(decided?.status, kind);
    // The other decision came while the first was with the acquirer (pending), or after it (the same answer).
    for (const result of results) assert.ok(result.kind === kind || result.kind === "pending", result.kind);
    assert.ok(results.some((result) => result.kind === kind));
    assert.equal((await decideLoanApplication(f.ctx, id, kind !== "approved")).kind, kind, "a later decision changes nothing");
    assert.deepEqual(decided?.methodDetails, { payer: "N", pointsAmount: null, loanMonths: 6 });
  });
});
