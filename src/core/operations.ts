// What a merchant does after a payment: refund, capture (approve) or void (cancel) a
// pre-authorization. Each is reserved in one transaction, sent to the acquirer, and settled
// in a second; the reservation is what keeps concurrent requests from over-refunding.

import { applyOrderEvent, callAcquirer, inTransaction, reconcileFollowUps } from "./context.ts";
import type { CoreContext } from "./context.ts";
import { TetriError, validationError } from "./errors.ts";
import { onceForKey } from "./idempotency.ts";
import { isVisibleOnDashboard, isVisibleTo } from "./orders.ts";
import type { IdempotencyInput } from "./idempotency.ts";
import { newOperationId } from "./ids.ts";
import type { MerchantId, OperationId, OrderId } from "./ids.ts";
import { minor } from "./money.ts";
import type { Currency, MinorUnits } from "./money.ts";
import { canHappen } from "./order-state.ts";
import type { FollowUpOutcome, FollowUpRequest, StoreTx } from "./ports.ts";
import { checkSplit } from "./split.ts";
import type { DashboardPrincipal, DialectId, Operation, OperationChannel, OperationKind, Order, PaymentMethod, SplitPart } from "./types.ts";

type FollowUpKind = Exclude<OperationKind, "authorization">;

/**
 * An amount the request named, read in the order's currency. The order is only known inside
 * the operation's transaction, so the dialect hands over how to read its wire amount, and core
 * reads it there (a bad amount throws the dialect's validation error).
 */
export type RequestedAmount = (currency: Currency) => MinorUnits;

/** Split instructions a capture names, read in the order's currency like its amount. */
export type RequestedSplit = (currency: Currency) => SplitPart[];

/**
 * How long an acquirer holds a pre-authorization: BOG and TBC both document 30 days, after
 * which the hold is released by itself and can no longer be captured.
 */
export const HOLD_PERIOD_MS = 30 * 24 * 3600_000;

/**
 * A bank's limit on partial refunds on the day of the payment (TBC: one partial cancel that
 * day; later days, any number). The day is the bank's: `utcOffsetMinutes` from UTC.
 */
export type SameDayPartialRefunds = { max: number; utcOffsetMinutes: number };

/** The payment methods a bank refunds in full, and those it also refunds in part; a payment of any other takes no refund. */
export type RefundableMethods = { full: readonly PaymentMethod[]; partial: readonly PaymentMethod[] };

export type OperationRequest = {
  merchantId: MerchantId;
  orderId: OrderId;
  dialect: DialectId;
  /** Absent: everything that is left (refund) or was authorized (capture, void). */
  amount?: RequestedAmount;
  /** A capture's split of the captured amount, in place of the order's own; other operations take none. */
  split?: RequestedSplit;
  description?: string;
  idempotency?: IdempotencyInput;
  /** The dialect's bank limits partial refunds on the payment's day. */
  sameDayPartialRefunds?: SameDayPartialRefunds;
  /** The dialect's bank refunds only some methods' payments (absent: every method's). */
  refundableMethods?: RefundableMethods;
  /** Who asks; default the merchant through the API. */
  channel?: OperationChannel;
};

type Plan = { kind: FollowUpKind; amount: MinorUnits };
/** What a plan may look at: the order, its ledger, the time, and the request. */
type PlanInput = {
  order: Order;
  ledger: readonly Operation[];
  now: number;
  requested: MinorUnits | undefined;
  request: OperationRequest;
  /** How the order was paid; read only when the request has rules about methods. */
  method: PaymentMethod | undefined;
};

const dayOf = (at: number, offsetMinutes: number) => Math.floor((at + offsetMinutes * 60_000) / 86_400_000);

function planRefund({ order, ledger, now, requested, request, method }: PlanInput): Plan {
  if (!canHappen(order.status, "refund_partial")) throw new TetriError("TETRI_ERR_ORDER_NOT_REFUNDABLE");
  const left = order.capturedAmount - order.refundedAmount - order.refundReservedAmount;
  const amount = requested ?? left;
  if (amount > left || amount <= 0) throw new TetriError("TETRI_ERR_REFUND_EXCEEDS_AVAILABLE");
  const refundable = request.refundableMethods;
  if (refundable && method) {
    if (!refundable.full.includes(method)) throw new TetriError("TETRI_ERR_METHOD_NOT_REFUNDABLE");
    const partial = amount < left || order.refundedAmount + order.refundReservedAmount > 0;
    if (partial && !refundable.partial.includes(method)) throw new TetriError("TETRI_ERR_METHOD_REFUNDS_IN_FULL");
  }
  const limit = request.sameDayPartialRefunds;
  const capturedAt = ledger.find((op) => op.kind === "capture" && op.status === "completed")?.createdAt;
  if (limit && amount < left && capturedAt !== undefined && dayOf(now, limit.utcOffsetMinutes) === dayOf(capturedAt, limit.utcOffsetMinutes)) {
    const partialsToday = ledger.filter((op) => op.kind === "refund" && op.status !== "failed" && dayOf(op.createdAt, limit.utcOffsetMinutes) === dayOf(now, limit.utcOffsetMinutes));
    if (partialsToday.length >= limit.max) throw new TetriError("TETRI_ERR_PARTIAL_REFUND_LIMIT");
  }
  return { kind: "refund", amount: minor(amount) };
}

/** When the order's hold was placed, if it is still held. */
function heldSince(ledger: readonly Operation[]): number | undefined {
  return ledger.find((op) => op.kind === "authorization" && op.status === "completed")?.createdAt;
}

function planCapture({ order, ledger, now, requested }: PlanInput): Plan {
  if (!canHappen(order.status, "capture_full")) throw new TetriError("TETRI_ERR_ORDER_NOT_AUTHORIZED");
  if (now - (heldSince(ledger) ?? now) >= HOLD_PERIOD_MS) throw new TetriError("TETRI_ERR_AUTHORIZATION_EXPIRED");
  const amount = requested ?? order.authorizedAmount;
  if (amount > order.authorizedAmount) throw new TetriError("TETRI_ERR_CAPTURE_EXCEEDS_AUTHORIZED");
  return { kind: "capture", amount };
}

function planVoid({ order, requested }: PlanInput): Plan {
  if (!canHappen(order.status, "void")) throw new TetriError("TETRI_ERR_ORDER_NOT_AUTHORIZED");
  // A hold is released whole; a smaller charge is a capture of a smaller amount.
  if (requested !== undefined && requested !== order.authorizedAmount) {
    throw validationError([{ field: "amount", message: "a pre-authorization is cancelled in full; complete it with a smaller amount instead" }]);
  }
  return { kind: "void", amount: order.authorizedAmount };
}

export function refundOrder(ctx: CoreContext, request: OperationRequest): Promise<OperationId> {
  return runOperation(ctx, "refund", request, planRefund);
}

export function capturePreauthorization(ctx: CoreContext, request: OperationRequest): Promise<OperationId> {
  return runOperation(ctx, "capture", request, planCapture);
}

export function voidPreauthorization(ctx: CoreContext, request: OperationRequest): Promise<OperationId> {
  return runOperation(ctx, "void", request, planVoid);
}

/**
 * Takes a payment back, whatever stage it is at: a held pre-authorization is released, a
 * captured payment refunded (fully or partly). Which one is decided inside the transaction
 * that reserves it, so a capture racing this request cannot make it the wrong one.
 */
export function cancelPayment(ctx: CoreContext, request: OperationRequest): Promise<OperationId> {
  return runOperation(ctx, "cancel", request, (input) => (input.order.status === "authorized" ? planVoid(input) : planRefund(input)));
}

/**
 * Releases the holds the acquirer no longer keeps (older than HOLD_PERIOD_MS): a void of
 * tetri's own (channel "system"), so the order reads as released and the merchant is called
 * back. Run by the background sweeper; returns how many it released.
 */
export async function releaseExpiredHolds(ctx: CoreContext, limit = 100): Promise<number> {
  const due = await ctx.store.read((tx) => tx.orders.heldSince(ctx.clock.now() - HOLD_PERIOD_MS, limit));
  let released = 0;
  for (const order of due) {
    try {
      await runOperation(ctx, "release", { merchantId: order.merchantId, orderId: order.id, dialect: order.dialect, channel: "system" }, planVoid);
      released++;
    } catch (error) {
      // Captured or cancelled by the merchant meanwhile: nothing left to release.
      if (!(error instanceof TetriError)) throw error;
    }
  }
  return released;
}

export type DashboardOperation = {
  orderId: OrderId;
  kind: FollowUpKind;
  /** Absent: all that is left (refund) or was authorized (capture, cancel). */
  amount?: MinorUnits;
  idempotency: IdempotencyInput;
  /** The limit the order's bank puts on partial refunds on the payment's day, as its API applies it. */
  sameDayPartialRefunds?: SameDayPartialRefunds;
  /** The methods the order's bank refunds, as its API applies them. */
  refundableMethods?: RefundableMethods;
};

/**
 * A refund, capture or cancel asked for on the dashboard, by the order's merchant or by the
 * operator for it: the same operation, with the same rules, as the merchant's API call.
 */
export async function operateFromDashboard(ctx: CoreContext, principal: DashboardPrincipal, operation: DashboardOperation): Promise<OperationId> {
  const order = await ctx.store.read((tx) => tx.orders.find(operation.orderId));
  if (!order || !isVisibleOnDashboard(order, principal)) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
  const { amount } = operation;
  const request: OperationRequest = {
    merchantId: order.merchantId,
    orderId: order.id,
    dialect: order.dialect,
    amount: amount === undefined ? undefined : () => amount,
    idempotency: operation.idempotency,
    sameDayPartialRefunds: operation.sameDayPartialRefunds,
    refundableMethods: operation.refundableMethods,
    channel: principal.kind === "operator" ? "support" : "dashboard",
  };
  const run = { refund: refundOrder, capture: capturePreauthorization, void: voidPreauthorization }[operation.kind];
  return run(ctx, request);
}

async function runOperation(
  ctx: CoreContext,
  scopeName: string,
  request: OperationRequest,
  plan: (input: PlanInput) => Plan,
): Promise<OperationId> {
  const now = ctx.clock.now();
  const scope = `${request.dialect}:${scopeName}:${request.orderId}`;
  const reserved = await inTransaction(ctx, (tx) =>
    onceForKey(tx, request.merchantId, scope, request.idempotency, now, async () => {
      const order = await tx.orders.find(request.orderId);
      if (!order || !isVisibleTo(order, request)) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
      const requested = request.amount?.(order.currency);
      const ledger = await tx.operations.ofOrder(order.id);
      const method = request.refundableMethods ? (await tx.attempts.latestOfOrder(order.id))?.method : undefined;
      const { kind, amount } = plan({ order, ledger, now, requested, request, method });
      if (kind !== "refund" && ledger.some((op) => op.status === "pending" && op.kind !== "refund")) {
        throw new TetriError("TETRI_ERR_OPERATION_IN_FLIGHT");
      }
      // Checked against what this capture takes, as a split on create is against the order's amount.
      const split = kind === "capture" ? request.split?.(order.currency) : undefined;
      if (split) checkSplit(split, amount, "split");
      const operation: Operation = {
        id: newOperationId(),
        orderId: order.id,
        merchantId: order.merchantId,
        kind,
        status: "pending",
        amount,
        currency: order.currency,
        channel: request.channel ?? "public_api",
        description: request.description ?? null,
        failureReason: null,
        createdAt: now,
        updatedAt: now,
      };
      await tx.operations.insert(operation);
      // Saving the order bumps its version, so two reservations racing on it cannot both commit.
      const reservedAmount = kind === "refund" ? order.refundReservedAmount + amount : order.refundReservedAmount;
      await applyOrderEvent(ctx, tx, order, null, { refundReservedAmount: minor(reservedAmount), ...(split ? { split } : {}) });
      return {
        operationId: operation.id,
        kind,
        authorization: await authorizationReference(tx, order),
        amount,
        currency: order.currency,
      };
    }),
  );
  const { operationId, kind, authorization, amount, currency } = reserved.result;
  if (reserved.replayed) return operationId;
  const outcome = await sendFollowUp(ctx, kind, { reference: operationId, authorization, amount, currency });
  await finishOperation(ctx, operationId, outcome);
  return operationId;
}

async function authorizationReference(tx: StoreTx, order: Order) {
  const attempt = await tx.attempts.latestOfOrder(order.id);
  if (!attempt || attempt.status !== "approved") throw new Error(`order ${order.id} has no approved attempt`);
  return attempt.id;
}

/** Records the acquirer's answer to an operation, once. No answer leaves it for reconciliation. */
export async function finishOperation(
  ctx: CoreContext,
  operationId: OperationId,
  outcome: FollowUpOutcome | undefined,
): Promise<void> {
  if (outcome === undefined) return;
  await inTransaction(ctx, async (tx) => {
    const operation = await tx.operations.find(operationId);
    if (!operation || operation.status !== "pending") return;
    const order = await tx.orders.find(operation.orderId);
    if (!order) throw new Error(`operation ${operationId} has no order`);
    const now = ctx.clock.now();
    const approved = outcome.kind === "approved";
    await tx.operations.update({
      ...operation,
      status: approved ? "completed" : "failed",
      failureReason: outcome.kind === "declined" ? outcome.reason : null,
      updatedAt: now,
    });
    const amount = operation.amount;
    // A refund, capture or cancel the merchant asked for and that failed is news too.
    const failed = { newsForMerchant: true };
    if (operation.kind === "refund") {
      const released = minor(order.refundReservedAmount - amount);
      if (!approved) {
        await applyOrderEvent(ctx, tx, order, null, { refundReservedAmount: released }, failed);
        return;
      }
      const refunded = minor(order.refundedAmount + amount);
      await applyOrderEvent(ctx, tx, order, refunded === order.capturedAmount ? "refund_full" : "refund_partial", {
        refundedAmount: refunded,
        refundReservedAmount: released,
      });
    } else if (!approved) {
      await applyOrderEvent(ctx, tx, order, null, {}, failed);
    } else if (operation.kind === "capture") {
      const full = amount === order.authorizedAmount;
      await applyOrderEvent(ctx, tx, order, full ? "capture_full" : "capture_partial", { capturedAmount: amount });
    } else {
      await applyOrderEvent(ctx, tx, order, "void", { rejectReason: operation.channel === "system" ? "hold_expired" : "cancelled" });
    }
  });
}

/** Settles operations left pending; an authorization is never sent again (the buyer's payment is reconciled as an attempt). */
export function reconcileOperations(ctx: CoreContext, limit = 100): Promise<number> {
  return reconcileFollowUps<Operation>(ctx, limit, {
    claim: (tx, before, batch, lease) => tx.operations.claimPending(before, batch, lease),
    resend: (operation) => resend(ctx, operation),
    postpone: (tx, operation, at) => tx.operations.postponePending(operation.id, at),
    settle: (operation, outcome) => finishOperation(ctx, operation.id, outcome),
  });
}

async function resend(ctx: CoreContext, operation: Operation): Promise<FollowUpOutcome | undefined> {
  if (operation.kind === "authorization") return undefined;
  const authorization = await ctx.store.read(async (tx) => {
    const order = await tx.orders.find(operation.orderId);
    return order && authorizationReference(tx, order);
  });
  if (!authorization) return undefined;
  return sendFollowUp(ctx, operation.kind, { reference: operation.id, authorization, amount: operation.amount, currency: operation.currency });
}

function sendFollowUp(ctx: CoreContext, kind: FollowUpKind, call: FollowUpRequest) {
  return callAcquirer(ctx, () =>
    kind === "refund" ? ctx.acquirer.refund(call) : kind === "capture" ? ctx.acquirer.capture(call) : ctx.acquirer.void(call),
  );
}
