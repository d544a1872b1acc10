// Split payments' arithmetic: exact, never more than captured, the merchant keeps remainders.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { minor } from "../../src/core/money.ts";
import { basisPointsOf, checkSplit, percentText, splitTransfersOf } from "../../src/core/split.ts";
import type { Order, SplitPart } from "../../src/core/types.ts";

const captured = (amount: number, split: SplitPart[]): Order => ({ capturedAmount: minor(amount), split }) as Order;

describe("split payments", () => {
  it("percentages are read exactly, to two decimals, within (0, 100]", () => {
    assert.deepEqual(["12.5", 33.33, "100", 0.01, "7"].map(basisPointsOf), [1250, 3333, 10000, 1, 700]);
    for (const bad of ["0", 0, "100.01", "1.234", "-5", "abc", "1e2", ""]) assert.equal(basisPointsOf(bad), undefined, String(bad));
    assert.deepEqual([1250, 10000, 1, 700].map(percentText), ["12.5", "100", "0.01", "7"]);
  });

  it("fixed parts and percentages of the capture, percentages rounded down", () => {
    const transfers = splitTransfersOf(
      captured(1000, [
        { account: "A", amount: minor(250), basisPoints: null },
        { account: "B", amount: null, basisPoints: 3333 },
      ]),
    );
    assert.deepEqual(transfers, [
      { account: "A", amount: 250 },
      { account: "B", amount: 333 },
    ]);
  });

  it("no split ever sends out more than was captured, whatever the parts and the captured amount", () => {
    const part = fc.oneof(
      fc.record({ account: fc.constant("X"), amount: fc.integer({ min: 1, max: 10_000 }).map(minor), basisPoints: fc.constant(null) }),
      fc.record({ account: fc.constant("Y"), amount: fc.constant(null), basisPoints: fc.integer({ min: 1, max: 10_000 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.array(part, { maxLength: 10 }), (amount, parts) => {
        const transfers = splitTransfersOf(captured(amount, parts));
        const sent = transfers.reduce((sum, t) => sum + t.amount, 0);
        assert.ok(sent <= amount, `${sent} > ${amount}`);
        for (const t of transfers) assert.ok(Number.isSafeInteger(t.amount) && t.amount >= 0);
      }),
    );
  });

  it("a split whose amounts exceed the order, or whose percentages exceed 100, or with more than 10 parts, is refused", () => {
    const fixed = (n: number) => ({ account: "A", amount: minor(n), basisPoints: null });
    const share = (bp: number) => ({ account: "B", amount: null, basisPoints: bp });
    assert.throws(() => checkSplit([fixed(600), fixed(500)], minor(1000), "split"), /not valid/);
    assert.throws(() => checkSplit([share(6000), share(5000)], minor(1000), "split"), /not valid/);
    assert.throws(() => checkSplit(Array.from({ length: 11 }, () => fixed(1)), minor(1000), "split"), /not valid/);
    checkSplit([fixed(500), share(5000)], minor(1000), "split");
  });
});
