import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { payOrder } from "../../src/core/checkout.ts";
import { TetriError } from "../../src/core/errors.ts";
import type { OrderId } from "../../src/core/ids.ts";
import { minor } from "../../src/core/money.ts";
import { capturePreauthorization, refundOrder, voidPreauthorization } from "../../src/core/operations.ts";
import { createOrder, expireDueOrders } from "../../src/core/orders.ts";
import { ORDER_STATES, ORDER_STATUSES, isFinal, nextStatus } from "../../src/core/order-state.ts";
import { CORE_DIALECT, coreFixture, coreOrder } from "../helpers/core.ts";

type Fixture = Awaited<ReturnType<typeof coreFixture>>;

const request = (amount: number, captureMode: "automatic" | "manual") => coreOrder(amount, { captureMode, paymentMethods: [] });

type Step =
  | { op: "pay"; card: string }
  | { op: "refund"; amount: number | undefined }
  | { op: "capture"; amount: number | undefined }
  | { op: "void" }
  | { op: "expire" };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant("pay" as const), card: fc.constantFrom("4242424242424242", "4000000000000002", "4000000000009995") }),
  fc.record({ op: fc.constant("refund" as const), amount: fc.option(fc.integer({ min: 1, max: 1200 }), { nil: undefined }) }),
  fc.record({ op: fc.constant("capture" as const), amount: fc.option(fc.integer({ min: 1, max: 1200 }), { nil: undefined }) }),
  fc.record({ op: fc.constant("void" as const) }),
  fc.record({ op: fc.constant("expire" as const) }),
);

async function apply(f: Fixture, id: OrderId, s: Step): Promise<void> {
  const base = { merchantId: f.merchant.id, orderId: id, dialect: CORE_DIALECT };
  const exactly = (amount: number | undefined) => (amount === undefined ? undefined : () => minor(amount));
  try {
    if (s.op === "pay") await payOrder(f.ctx, id, { number: s.card, expiry: "12/39", cvc: "123", holder: "P T" });
    if (s.op === "refund") await refundOrder(f.ctx, { ...base, amount: exactly(s.amount) });
    if (s.op === "capture") await capturePreauthorization(f.ctx, { ...base, amount: exactly(s.amount) });
    if (s.op === "void") await voidPreauthorization(f.ctx, base);
    if (s.op === "expire") {
      f.clock.advance(16 * 60_000);
      await expireDueOrders(f.ctx);
    }
  } catch (error) {
    // Refusing an operation is fine; it must be a declared domain error, never a crash.
    assert.ok(error instanceof TetriError, `unexpected ${String(error)}`);
    assert.ok(error.status >= 400 && error.status < 500);
  }
}

async function checkInvariants(f: Fixture, id: OrderId): Promise<void> {
  const { order, operations } = await f.ctx.store.read(async (tx) => ({
    order: (await tx.orders.find(id))!,
    operations: await tx.operations.ofOrder(id),
  }));
  assert.ok(order.refundedAmount + order.refundReservedAmount <= order.capturedAmount, "refunded beyond captured");
  assert.ok(order.capturedAmount <= order.authorizedAmount, "captured beyond authorized");
  assert.ok(order.authorizedAmount <= order.amount, "authorized beyond the order amount");
  assert.equal(order.refundReservedAmount, 0, "a refund left pending with a synchronous acquirer");
  const sum = (kind: string) =>
    operations.filter((op) => op.kind === kind && op.status === "completed").reduce((total, op) => total + op.amount, 0);
  assert.equal(sum("refund"), order.refundedAmount, "ledger refunds differ from the order");
  assert.equal(sum("capture"), order.capturedAmount, "ledger captures differ from the order");
  assert.ok(operations.filter((op) => op.kind === "capture" && op.status === "completed").length <= 1, "captured twice");
  if (order.status === "refunded") assert.equal(order.refundedAmount, order.capturedAmount);
  if (order.status === "partially_refunded") assert.ok(order.refundedAmount > 0 && order.refundedAmount < order.capturedAmount);
  if (["created", "processing", "declined", "expired"].includes(order.status)) assert.equal(order.capturedAmount, 0);
}

describe("order state machine", () => {
  let f: Fixture;
  before(async () => {
    f = await coreFixture();
  });
  after(() => f.close());

  it("every transition in the table leads to a known status; final statuses lead nowhere", () => {
    for (const status of ORDER_STATUSES) {
      for (const target of Object.values(ORDER_STATES[status].on)) assert.ok(ORDER_STATUSES.includes(target));
    }
    assert.equal(nextStatus("refunded", "refund_partial"), undefined);
    assert.equal(nextStatus("created", "refund_full"), undefined);
    assert.ok(isFinal("declined") && isFinal("expired") && isFinal("voided") && isFinal("refunded"));
  });

  it("no sequence of operations refunds more than captured or captures more than authorized", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom("automatic" as const, "manual" as const),
        fc.array(step, { minLength: 1, maxLength: 10 }),
        async (amount, captureMode, steps) => {
          const id = await createOrder(f.ctx, f.merchant.id, request(amount, captureMode));
          for (const s of steps) {
            await apply(f, id, s);
            await checkInvariants(f, id);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
