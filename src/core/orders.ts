import { applyOrderEvent, inTransaction, loadOrderView, requireOrder } from "./context.ts";
import type { CoreContext } from "./context.ts";
import { TetriError, validationError } from "./errors.ts";
import { onceForKey } from "./idempotency.ts";
import type { IdempotencyInput } from "./idempotency.ts";
import { newOrderId } from "./ids.ts";
import type { MerchantId, OrderId, SavedCardId } from "./ids.ts";
import { minor } from "./money.ts";
import type { Dialect, Order, OrderView } from "./types.ts";

export const TTL_MINUTES = { min: 2, max: 1440, default: 15 } as const;

/** A new order as a dialect parsed it from its bank's request. */
export type OrderRequest = Pick<
  Order,
  | "dialect"
  | "externalOrderId"
  | "captureMode"
  | "currency"
  | "amount"
  | "language"
  | "callbackUrl"
  | "successUrl"
  | "failUrl"
  | "paymentMethods"
  | "basket"
  | "details"
  | "saveCard"
> & { ttlMinutes: number };

/** A fresh order in status created, as core builds it for any way of paying. */
export function newOrder(merchantId: MerchantId, request: OrderRequest, now: number, savedCardId: SavedCardId | null = null): Order {
  if (request.amount === 0 && !request.saveCard) {
    throw validationError([{ field: "amount", message: "may be zero only when the card is saved" }]);
  }
  return {
    id: newOrderId(),
    merchantId,
    dialect: request.dialect,
    externalOrderId: request.externalOrderId,
    status: "created",
    captureMode: request.captureMode,
    currency: request.currency,
    amount: request.amount,
    authorizedAmount: minor(0),
    capturedAmount: minor(0),
    refundedAmount: minor(0),
    refundReservedAmount: minor(0),
    language: request.language,
    callbackUrl: request.callbackUrl,
    successUrl: request.successUrl,
    failUrl: request.failUrl,
    paymentMethods: request.paymentMethods,
    basket: request.basket,
    details: request.details,
    rejectReason: null,
    saveCard: request.saveCard,
    savedCardId,
    createdAt: now,
    expiresAt: now + request.ttlMinutes * 60_000,
    updatedAt: now,
    version: 0,
  };
}

export async function createOrder(
  ctx: CoreContext,
  merchantId: MerchantId,
  request: OrderRequest,
  idempotency?: IdempotencyInput,
): Promise<OrderId> {
  const now = ctx.clock.now();
  const { result } = await inTransaction(ctx, (tx) =>
    onceForKey(tx, merchantId, `${request.dialect}:create_order`, idempotency, now, async () => {
      const order = newOrder(merchantId, request, now);
      await tx.insertOrder(order);
      return order.id;
    }),
  );
  return result;
}

/**
 * The order as its merchant may see it through one bank API. Another merchant's order, or an
 * order made through another bank API, is reported as missing.
 */
export async function getOrderView(
  ctx: CoreContext,
  owner: { merchantId: MerchantId; dialect?: Dialect },
  orderId: OrderId,
): Promise<OrderView> {
  return ctx.store.read(async (tx) => {
    const order = await tx.findOrder(orderId);
    if (!order || !isVisibleTo(order, owner)) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
    return loadOrderView(tx, order);
  });
}

/** The order alone (no attempts or ledger), for a caller that only needs to know it may act on it. */
export async function getOwnOrder(ctx: CoreContext, owner: { merchantId: MerchantId; dialect?: Dialect }, orderId: OrderId): Promise<Order> {
  const order = await ctx.store.read((tx) => tx.findOrder(orderId));
  if (!order || !isVisibleTo(order, owner)) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
  return order;
}

export function isVisibleTo(order: Order, owner: { merchantId: MerchantId; dialect?: Dialect }): boolean {
  return order.merchantId === owner.merchantId && (owner.dialect === undefined || order.dialect === owner.dialect);
}

/** The order as the buyer's checkout page sees it (the page knows only the order id). */
export async function getCheckoutView(ctx: CoreContext, orderId: OrderId): Promise<OrderView> {
  await expireIfDue(ctx, orderId);
  return ctx.store.read(async (tx) => loadOrderView(tx, await requireOrder(tx, orderId)));
}

/** Expires one order if its time is up and nobody paid; true when it is (now) expired. */
export async function expireIfDue(ctx: CoreContext, orderId: OrderId): Promise<boolean> {
  return inTransaction(ctx, async (tx) => {
    const order = await tx.findOrder(orderId);
    if (!order) return false;
    if (order.status === "created" && ctx.clock.now() >= order.expiresAt) {
      await applyOrderEvent(ctx, tx, order, "expire", { rejectReason: "expiration" });
      return true;
    }
    return order.status === "expired";
  });
}

/** Expires every unpaid order past its ttl; returns how many. Run by the background sweeper. */
export async function expireDueOrders(ctx: CoreContext, limit = 500): Promise<number> {
  const due = await ctx.store.read((tx) => tx.ordersDueForExpiry(ctx.clock.now(), limit));
  let expired = 0;
  for (const id of due) if (await expireIfDue(ctx, id)) expired++;
  return expired;
}
