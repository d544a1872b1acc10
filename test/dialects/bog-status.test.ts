// BOG's order status as the receipt and the callback read it, from core's order and ledger.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bogStatusOf } from "../../src/dialects/bog/codes.ts";
import type { Operation, Order } from "../../src/core/types.ts";

const order = (changes: Partial<Order>): Order => ({ status: "authorized", refundReservedAmount: 0, ...changes }) as Order;
const op = (kind: Operation["kind"], status: Operation["status"]): Operation => ({ kind, status }) as Operation;

describe("BOG status", () => {
  it("an approval (BOG's authorize) still with the acquirer reads auth_requested; the callback reports the settled status", () => {
    const held = order({ status: "authorized" });
    const ledger = [op("authorization", "completed"), op("capture", "pending")];
    assert.equal(bogStatusOf(held, ledger), "auth_requested");
    assert.equal(bogStatusOf(held, ledger, { settledOnly: true }), "blocked");
    assert.equal(bogStatusOf(held, [op("authorization", "completed"), op("capture", "failed")]), "blocked");
  });

  it("a refund with the acquirer reads refund_requested, a settled one the order's status", () => {
    const paid = order({ status: "captured", refundReservedAmount: 100 as never });
    assert.equal(bogStatusOf(paid, []), "refund_requested");
    assert.equal(bogStatusOf(paid, [], { settledOnly: true }), "completed");
    assert.equal(bogStatusOf(order({ status: "partially_refunded" }), []), "refunded_partially");
  });
});
