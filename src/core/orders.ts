import { applyOrderEvent, inTransaction, loadOrderView, requireOrder } from "./context.ts";
import type { StoreTx } from "./ports.ts";
import type { CoreContext } from "./context.ts";
import { ERRORS, TetriError, validationError } from "./errors.ts";
import { onceForKey } from "./idempotency.ts";
import type { IdempotencyInput } from "./idempotency.ts";
import { newOrderId } from "./ids.ts";
import type { MerchantId, OrderId, SavedCardId } from "./ids.ts";
import { minor } from "./money.ts";
import { checkSplit } from "./split.ts";
import type { DashboardPrincipal, DialectId, LoanOffer, Order, OrderView, PaymentMethod } from "./types.ts";

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
  | "theme"
  | "callbackUrl"
  | "successUrl"
  | "failUrl"
  | "paymentMethods"
  | "basket"
  | "details"
  | "saveCard"
  | "terminal"
  | "split"
> & {
  /** The loan the shop set up, for an API that has loans (absent: none). */
  loanOffer?: LoanOffer | null;
  /** Methods the named ones bring along (TBC's QR brings BNPL), offered when the merchant has them. */
  alsoOffered?: readonly PaymentMethod[];
  ttlMinutes: number;
  /** Whether the shop named the methods; if not, paymentMethods is every method of its API. */
  methodsNamed: boolean;
};

/** A fresh order in status created, as core builds it for any way of paying. */
export function newOrder(merchantId: MerchantId, request: OrderRequest, now: number, savedCardId: SavedCardId | null = null): Order {
  if (request.amount === 0 && !request.saveCard) {
    throw validationError([{ field: "amount", message: "may be zero only when the card is saved" }]);
  }
  if (request.split) checkSplit(request.split, request.amount, "split");
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
    theme: request.theme,
    callbackUrl: request.callbackUrl,
    successUrl: request.successUrl,
    failUrl: request.failUrl,
    paymentMethods: request.paymentMethods,
    basket: request.basket,
    details: request.details,
    rejectReason: null,
    saveCard: request.saveCard,
    savedCardId,
    terminal: request.terminal,
    split: request.split,
    loanOffer: request.loanOffer ?? null,
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
      const enabled = (await tx.merchantSettings.find(merchantId, request.dialect))?.enabledMethods ?? null;
      const offered = methodsLiveProvides(ctx, request, methodsOffered(request, enabled));
      const available = (method: PaymentMethod) => (enabled ?? [method]).includes(method) && (ctx.liveMethods ?? [method]).includes(method);
      const alongside = (request.alsoOffered ?? []).filter((method) => available(method) && !offered.includes(method));
      const order = newOrder(merchantId, { ...request, paymentMethods: [...offered, ...alongside] }, now);
      await tx.orders.insert(order);
      return order.id;
    }),
  );
  return result;
}

/**
 * The methods a new order's page offers, given those the merchant enabled (null: all). Named
 * methods must all be enabled, as the banks refuse a method the merchant does not have; with
 * none named, the page offers every enabled one.
 */
export function methodsOffered(request: Pick<OrderRequest, "paymentMethods" | "methodsNamed">, enabled: readonly PaymentMethod[] | null): PaymentMethod[] {
  if (enabled === null) return request.paymentMethods;
  if (request.methodsNamed) {
    const missing = request.paymentMethods.filter((method) => !enabled.includes(method));
    if (missing.length > 0) {
      throw new TetriError("TETRI_ERR_METHOD_UNAVAILABLE", { message: `Payment method not enabled for this merchant: ${missing.join(", ")}` });
    }
    return request.paymentMethods;
  }
  const offered = request.paymentMethods.filter((method) => enabled.includes(method));
  if (offered.length === 0) throw new TetriError("TETRI_ERR_METHOD_UNAVAILABLE", { message: "None of this API's payment methods is enabled for this merchant" });
  return offered;
}

/**
 * In live mode, the offered methods that a configured upstream provides. A method the shop
 * named that none provides is refused, rather than leaving its buyer a page without it; with
 * none named, the page offers those there are.
 */
function methodsLiveProvides(ctx: CoreContext, request: Pick<OrderRequest, "methodsNamed">, offered: PaymentMethod[]): PaymentMethod[] {
  const live = ctx.liveMethods;
  if (live === null) return offered;
  const missing = offered.filter((method) => !live.includes(method));
  if (request.methodsNamed && missing.length > 0) {
    throw new TetriError("TETRI_ERR_METHOD_NO_UPSTREAM", { message: `${ERRORS.TETRI_ERR_METHOD_NO_UPSTREAM.message}: ${missing.join(", ")}` });
  }
  const provided = offered.filter((method) => live.includes(method));
  if (provided.length === 0) throw new TetriError("TETRI_ERR_METHOD_NO_UPSTREAM");
  return provided;
}

/**
 * The order as its merchant may see it through one bank API. Another merchant's order, or an
 * order made through another bank API, is reported as missing.
 */
export async function getOrderView(
  ctx: CoreContext,
  owner: OrderOwner,
  orderId: OrderId,
): Promise<OrderView> {
  return ctx.store.read(async (tx) => loadOrderView(tx, await visibleOrder(tx, owner, orderId)));
}

/** The owner's order alone, for a caller that needs none of the rest of its view. */
export async function getOrder(ctx: CoreContext, owner: OrderOwner, orderId: OrderId): Promise<Order> {
  return ctx.store.read((tx) => visibleOrder(tx, owner, orderId));
}

async function visibleOrder(tx: StoreTx, owner: OrderOwner, orderId: OrderId): Promise<Order> {
  const order = await tx.orders.find(orderId);
  if (!order || !isVisibleTo(order, owner)) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
  return order;
}

/**
 * The merchant's order that carries this shop reference (`externalOrderId`), made through this
 * bank API; the newest if the shop reused it. Another merchant's is not found.
 */
export async function findOrderByExternalId(ctx: CoreContext, owner: Required<OrderOwner>, externalOrderId: string): Promise<OrderView> {
  return ctx.store.read(async (tx) => {
    const found = await tx.orders.search({ merchantId: owner.merchantId, dialect: owner.dialect, text: { externalOrderId }, limit: 20 });
    const order = found.find((o) => o.externalOrderId === externalOrderId);
    if (!order) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
    return loadOrderView(tx, order);
  });
}

/** Who may see an order: its merchant, through the dialect that made it (any dialect when absent). */
export type OrderOwner = { merchantId: MerchantId; dialect?: DialectId };

export function isVisibleTo(order: Order, owner: OrderOwner): boolean {
  return order.merchantId === owner.merchantId && (owner.dialect === undefined || order.dialect === owner.dialect);
}

/** Who sees an order on the dashboard: its merchant, and the operator (every merchant's). */
export function isVisibleOnDashboard(order: Order, principal: DashboardPrincipal): boolean {
  return principal.kind === "operator" || order.merchantId === principal.merchantId;
}

/**
 * The order as the buyer's checkout page sees it (the page knows only the order id). A read:
 * whether an unpaid order has run out of time is decided by paying it, or by the sweeper.
 */
export async function getCheckoutView(ctx: CoreContext, orderId: OrderId): Promise<OrderView> {
  return ctx.store.read(async (tx) => loadOrderView(tx, await requireOrder(tx, orderId)));
}

/** Whether an unpaid order's time is up at `now`: the one rule both the pay path and the sweeper apply. */
export function isPastExpiry(order: Order, now: number): boolean {
  return order.status === "created" && now >= order.expiresAt;
}

/** Expires an order inside `tx` if its time is up and nobody paid; returns the order as it now is. */
export async function expireIfDue(ctx: CoreContext, tx: StoreTx, order: Order): Promise<Order> {
  if (!isPastExpiry(order, ctx.clock.now())) return order;
  return applyOrderEvent(ctx, tx, order, "expire", { rejectReason: "expiration" });
}

/**
 * Withdraws an order nobody has paid yet (a payment link its merchant cancels): it ends now as
 * expired, rejected as cancelled, and can no longer be paid; its merchant is called back.
 */
export async function withdrawUnpaidOrder(ctx: CoreContext, owner: Required<OrderOwner>, orderId: OrderId): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const found = await tx.orders.find(orderId);
    if (!found || !isVisibleTo(found, owner)) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
    const order = await expireIfDue(ctx, tx, found);
    if (order.status !== "created") throw new TetriError("TETRI_ERR_ORDER_NOT_WITHDRAWABLE");
    await applyOrderEvent(ctx, tx, order, "expire", { rejectReason: "cancelled" });
  });
}

const EXPIRY_BATCH = 50;

/**
 * Expires every unpaid order past its ttl (up to `limit`); returns how many. Run by the
 * background sweeper, in batches: each batch's orders are locked by its transaction, so nodes
 * sweeping at once expire different orders, and a payment of one of them waits or is refused.
 */
export async function expireDueOrders(ctx: CoreContext, limit = 500): Promise<number> {
  let seen = 0;
  let expired = 0;
  while (seen < limit) {
    const size = Math.min(EXPIRY_BATCH, limit - seen);
    const batch = await inTransaction(ctx, async (tx) => {
      const due = await tx.orders.dueForExpiry(ctx.clock.now(), size);
      let done = 0;
      for (const id of due) {
        const found = await tx.orders.find(id);
        if (found && (await expireIfDue(ctx, tx, found)).status === "expired") done++;
      }
      return { due: due.length, expired: done };
    });
    seen += batch.due;
    expired += batch.expired;
    if (batch.due < size) break;
  }
  return expired;
}
