// One order as the dashboard shows it: the order with its card and ledger, where its callbacks
// go, a timeline of everything that happened to it (its payment attempt, every operation, every
// callback and each delivery attempt of it), and what may still be done to it, by the same
// rules the API's operations apply.

import { callbackUrlOf, loadOrderView } from "./context.ts";
import type { CoreContext } from "./context.ts";
import { TetriError } from "./errors.ts";
import type { OrderId } from "./ids.ts";
import { minor } from "./money.ts";
import type { MinorUnits } from "./money.ts";
import { canHappen, ORDER_STATES } from "./order-state.ts";
import { isVisibleOnDashboard } from "./orders.ts";
import type { CallbackAttempt, DashboardPrincipal, Operation, OrderView, OutboxMessage, PaymentAttempt } from "./types.ts";

export type TimelineEvent =
  | { kind: "created"; at: number }
  | { kind: "attempt"; at: number; attempt: PaymentAttempt }
  | { kind: "operation"; at: number; operation: Operation }
  | { kind: "expired"; at: number }
  | { kind: "callback"; at: number; message: OutboxMessage }
  | { kind: "callback_attempt"; at: number; message: OutboxMessage; attempt: CallbackAttempt };

/** What may be done to the order now; an amount of zero means that operation is not possible. */
export type OrderActions = {
  refundable: MinorUnits;
  capturable: MinorUnits;
  cancellable: boolean;
  resendable: boolean;
};

export type OrderDetail = {
  view: OrderView;
  /** Where its callbacks go (its own URL, or the merchant's default one), or null. */
  callbackUrl: string | null;
  /** Oldest first. */
  timeline: TimelineEvent[];
  actions: OrderActions;
};

function actionsOf(view: OrderView, callbackUrl: string | null): OrderActions {
  const { order } = view;
  // A capture or cancel already with the acquirer blocks another (the API says operation_in_flight).
  const captureOrVoidPending = view.operations.some((op) => op.status === "pending" && op.kind !== "refund");
  const holdOpen = canHappen(order.status, "capture_full") && !captureOrVoidPending;
  return {
    refundable: canHappen(order.status, "refund_partial")
      ? minor(Math.max(0, order.capturedAmount - order.refundedAmount - order.refundReservedAmount))
      : minor(0),
    capturable: holdOpen ? order.authorizedAmount : minor(0),
    cancellable: holdOpen && canHappen(order.status, "void"),
    resendable: ORDER_STATES[order.status].notify && callbackUrl !== null,
  };
}

/** Ledger lines written in one transaction read in the order money moves: authorized, then captured. */
const LEDGER_ORDER: Readonly<Record<Operation["kind"], number>> = { authorization: 0, capture: 1, void: 2, refund: 3 };

function timelineOf(view: OrderView, messages: OutboxMessage[], attempts: CallbackAttempt[]): TimelineEvent[] {
  const { order, attempt } = view;
  const byId = new Map(messages.map((m) => [m.id, m]));
  const operations = [...view.operations].sort((a, b) => a.createdAt - b.createdAt || LEDGER_ORDER[a.kind] - LEDGER_ORDER[b.kind]);
  const events: TimelineEvent[] = [
    { kind: "created", at: order.createdAt },
    ...(attempt ? [{ kind: "attempt" as const, at: attempt.createdAt, attempt }] : []),
    ...operations.map((operation) => ({ kind: "operation" as const, at: operation.createdAt, operation })),
    ...(order.status === "expired" ? [{ kind: "expired" as const, at: order.expiresAt }] : []),
    ...messages.map((message) => ({ kind: "callback" as const, at: message.createdAt, message })),
    ...attempts.flatMap((a) => {
      const message = byId.get(a.outboxId);
      return message ? [{ kind: "callback_attempt" as const, at: a.attemptedAt, message, attempt: a }] : [];
    }),
  ];
  // Stable: what was recorded together keeps the order it was listed in above.
  return events.sort((a, b) => a.at - b.at);
}

export async function orderDetail(ctx: CoreContext, principal: DashboardPrincipal, orderId: OrderId): Promise<OrderDetail> {
  return ctx.store.read(async (tx) => {
    const order = await tx.orders.find(orderId);
    if (!order || !isVisibleOnDashboard(order, principal)) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
    const [view, callbackUrl, messages, attempts] = await Promise.all([
      loadOrderView(tx, order),
      callbackUrlOf(tx, order),
      tx.outbox.ofOrder(order.id),
      tx.outbox.attemptsOfOrder(order.id),
    ]);
    return { view, callbackUrl, timeline: timelineOf(view, messages, attempts), actions: actionsOf(view, callbackUrl) };
  });
}
