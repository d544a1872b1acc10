// The pay path is straight: creating an order, paying it with a card and writing its callback
// takes three transactions (create; record the attempt; record the answer with its ledger and
// callback), with no read in between, and the acquirer's own journal adds no round trip.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { completeChallenge, payOrder } from "../../src/core/checkout.ts";
import { TetriError } from "../../src/core/errors.ts";
import type { AttemptId } from "../../src/core/ids.ts";
import { createOrder } from "../../src/core/orders.ts";
import { CORE_DIALECT, coreFixture, coreOrder, countingStore } from "../helpers/core.ts";

const order = (captureMode: "automatic" | "manual") => coreOrder(1250, { captureMode });

const CARD = { number: "4242424242424242", expiry: "12/39", cvc: "123", holder: "P T" };

describe("the pay path", () => {
  let counting: ReturnType<typeof countingStore>;
  let f: Awaited<ReturnType<typeof coreFixture>>;
  before(async () => {
    f = await coreFixture({ wrapStore: (store) => (counting = countingStore(store)).store });
  });
  after(() => f.close());

  for (const captureMode of ["automatic", "manual"] as const) {
    it(`create → pay → callback row is three transactions and no read (${captureMode} capture)`, async () => {
      counting.counts.transactions = 0;
      counting.counts.reads = 0;
      const id = await createOrder(f.ctx, f.merchant.id, order(captureMode));
      const result = await payOrder(f.ctx, id, CARD, { merchantId: f.merchant.id, dialect: CORE_DIALECT });
      assert.equal(result.kind, "approved");
      assert.deepEqual(counting.counts, { transactions: 3, reads: 0 });

      const { outbox, attempt } = await f.ctx.store.read(async (tx) => ({
        outbox: await tx.outbox.ofOrder(id),
        attempt: await tx.attempts.latestOfOrder(id),
      }));
      const journal = attempt && (await f.journal.find(attempt.id));
      assert.equal(outbox.length, 1, "the callback row was written with the answer");
      assert.equal(journal?.state, "approved", "the acquirer's journal entry is durable with it");
    });
  }

  it("answering a 3-D Secure challenge of an attempt that is not this order's is a clear not-found", async () => {
    const id = await createOrder(f.ctx, f.merchant.id, order("automatic"));
    const other = await createOrder(f.ctx, f.merchant.id, order("automatic"));
    const challenged = await payOrder(f.ctx, id, { ...CARD, number: "4000000000003220" });
    assert.equal(challenged.kind, "challenge");
    const attemptId = challenged.kind === "challenge" ? challenged.attemptId : ("pat_" as AttemptId);
    for (const [orderId, attempt] of [[other, attemptId], [id, "pat_00000000000000000000000000000000"]] as const) {
      await assert.rejects(completeChallenge(f.ctx, orderId, attempt as AttemptId, true), (error: unknown) => {
        assert.ok(error instanceof TetriError);
        assert.equal(error.code, "TETRI_ERR_PAYMENT_ATTEMPT_NOT_FOUND");
        return true;
      });
    }
    assert.equal((await completeChallenge(f.ctx, id, attemptId, true)).kind, "approved");
  });

  it("another owner's order is not found, and nothing is written for it", async () => {
    const id = await createOrder(f.ctx, f.merchant.id, order("automatic"));
    await assert.rejects(payOrder(f.ctx, id, CARD, { merchantId: "mer_other" as never }), /Order not found/);
    const attempt = await f.ctx.store.read((tx) => tx.attempts.latestOfOrder(id));
    assert.equal(attempt, undefined);
  });
});
