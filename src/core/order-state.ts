// The order state machine as data: every status, the transitions allowed out of it, and
// whether reaching it is news for the merchant (a callback). Core refuses any change this
// table does not allow; property tests walk random operation sequences against it.

export type OrderStatus =
  | "created"
  | "processing"
  | "authorized"
  | "captured"
  | "partially_captured"
  | "declined"
  | "expired"
  | "voided"
  | "partially_refunded"
  | "refunded";

export type OrderEvent =
  | "start_payment"
  | "payment_captured"
  | "payment_authorized"
  | "payment_declined"
  | "expire"
  | "capture_full"
  | "capture_partial"
  | "void"
  | "refund_partial"
  | "refund_full";

type StateSpec = {
  /** Reaching this status sends the merchant a callback. Processing is transient: no callback. */
  readonly notify: boolean;
  readonly on: Partial<Record<OrderEvent, OrderStatus>>;
};

const REFUNDS = { refund_partial: "partially_refunded", refund_full: "refunded" } as const;

export const ORDER_STATES: Readonly<Record<OrderStatus, StateSpec>> = {
  created: { notify: false, on: { start_payment: "processing", expire: "expired" } },
  processing: {
    notify: false,
    on: { payment_captured: "captured", payment_authorized: "authorized", payment_declined: "declined" },
  },
  authorized: { notify: true, on: { capture_full: "captured", capture_partial: "partially_captured", void: "voided" } },
  captured: { notify: true, on: REFUNDS },
  partially_captured: { notify: true, on: REFUNDS },
  partially_refunded: { notify: true, on: REFUNDS },
  declined: { notify: true, on: {} },
  expired: { notify: true, on: {} },
  voided: { notify: true, on: {} },
  refunded: { notify: true, on: {} },
};

export const ORDER_STATUSES = Object.keys(ORDER_STATES) as OrderStatus[];

export function nextStatus(from: OrderStatus, event: OrderEvent): OrderStatus | undefined {
  return ORDER_STATES[from].on[event];
}

export function canHappen(from: OrderStatus, event: OrderEvent): boolean {
  return nextStatus(from, event) !== undefined;
}

export function isFinal(status: OrderStatus): boolean {
  return Object.keys(ORDER_STATES[status].on).length === 0;
}
