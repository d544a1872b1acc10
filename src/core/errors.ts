// Every error tetri answers with is declared here once, with a stable code and its HTTP
// status. Dialects render them in their bank's error shape; nobody invents an error string
// at a throw site.

export type FieldProblem = { field: string; message: string };

type ErrorSpec = { status: number; message: string };

export const ERRORS = {
  TETRI_ERR_VALIDATION: { status: 400, message: "The request is not valid" },
  TETRI_ERR_MALFORMED_BODY: { status: 400, message: "The request body is not valid JSON" },
  TETRI_ERR_BODY_TOO_LARGE: { status: 413, message: "The request body is too large" },
  TETRI_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "The request body must be application/json" },
  TETRI_ERR_UNAUTHENTICATED: { status: 401, message: "A valid Bearer access token is required" },
  TETRI_ERR_INVALID_API_KEY: { status: 401, message: "A valid apikey header is required" },
  TETRI_ERR_NOT_FOUND: { status: 404, message: "No such resource" },
  TETRI_ERR_ORDER_NOT_FOUND: { status: 404, message: "Order not found" },
  TETRI_ERR_SAVED_CARD_NOT_FOUND: { status: 404, message: "Saved card not found" },
  TETRI_ERR_PAYMENT_ATTEMPT_NOT_FOUND: { status: 404, message: "No such payment attempt for this order" },
  TETRI_ERR_METHOD_NOT_ALLOWED: { status: 405, message: "Method not allowed" },
  TETRI_ERR_METHOD_UNAVAILABLE: { status: 403, message: "This payment method is not available to this merchant" },
  TETRI_ERR_METHOD_NO_UPSTREAM: {
    status: 403,
    message: "This payment method is not available in live mode: no configured upstream provides it (test mode simulates every method)",
  },
  TETRI_ERR_ORDER_NOT_PAYABLE: { status: 400, message: "The order cannot be paid in its current status" },
  TETRI_ERR_ORDER_NOT_REFUNDABLE: { status: 400, message: "The order has no paid amount that can be refunded" },
  TETRI_ERR_REFUND_EXCEEDS_AVAILABLE: { status: 400, message: "The refund amount exceeds the amount left to refund" },
  TETRI_ERR_ORDER_NOT_AUTHORIZED: { status: 400, message: "The order has no pre-authorization to approve or cancel" },
  TETRI_ERR_CAPTURE_EXCEEDS_AUTHORIZED: { status: 400, message: "The amount exceeds the pre-authorized amount" },
  TETRI_ERR_AUTHORIZATION_EXPIRED: { status: 400, message: "The pre-authorization is older than its 30-day hold and can no longer be captured" },
  TETRI_ERR_PARTIAL_REFUND_LIMIT: {
    status: 400,
    message: "A payment can be refunded in part only once on the day it was made; refund the rest in full, or again tomorrow",
  },
  TETRI_ERR_METHOD_NOT_REFUNDABLE: { status: 400, message: "The bank refunds no payment made with this payment method" },
  TETRI_ERR_METHOD_REFUNDS_IN_FULL: { status: 400, message: "The bank refunds a payment made with this payment method only in full, at once" },
  TETRI_ERR_CARD_INVALID: { status: 400, message: "The card details are not valid" },
  TETRI_ERR_CARD_SAVE_TOO_LATE: { status: 400, message: "A card can be marked for saving only while its order awaits the buyer's payment" },
  TETRI_ERR_CARD_SAVE_ALREADY_REQUESTED: { status: 409, message: "This order's card is already marked for saving" },
  TETRI_ERR_PARENT_ORDER_NOT_PAID: { status: 400, message: "The parent order has not been paid, so it saved no card" },
  TETRI_ERR_PARENT_CARD_NOT_SAVED: { status: 400, message: "The parent order did not ask to save its card" },
  TETRI_ERR_SUBSCRIPTION_NOT_FOUND: { status: 404, message: "Subscription not found" },
  TETRI_ERR_SUBSCRIPTION_ENDED: { status: 409, message: "The subscription has ended (cancelled, or stopped by a hard decline): create a new one" },
  TETRI_ERR_SAVED_CARD_OTHER_USE: {
    status: 400,
    message: "The parent order's card was saved for the other kind of charge (recurrent: with the buyer; subscription: without)",
  },
  TETRI_ERR_IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    message: "The Idempotency-Key was already used with a different request",
  },
  /** Internal: an optimistic-concurrency clash; core reruns the change, and only a clash that keeps happening reaches a client. */
  TETRI_ERR_CONFLICT: { status: 409, message: "The order was changed by another request; retry" },
  TETRI_ERR_OPERATION_IN_FLIGHT: { status: 409, message: "Another capture or cancel of this order is still in progress" },
  TETRI_ERR_IDEMPOTENCY_KEY_IN_FLIGHT: {
    status: 409,
    message: "A request with this Idempotency-Key is still in progress; send it again to get its response",
  },
  TETRI_ERR_NO_CALLBACK_URL: {
    status: 400,
    message: "The order names no callback URL and the merchant has set no default one for its API",
  },
  TETRI_ERR_NOTHING_TO_REPORT: { status: 400, message: "The order has not reached a status that a callback reports" },
  TETRI_ERR_PAYOUT_EXCEEDS_BALANCE: { status: 400, message: "The payout exceeds the merchant's balance in its currency" },
  TETRI_ERR_PAYOUT_NOT_FOUND: { status: 404, message: "Payout not found" },
  TETRI_ERR_ORDER_NOT_WITHDRAWABLE: { status: 400, message: "Only an order nobody has paid yet can be withdrawn" },
  TETRI_ERR_MAIL_UNAVAILABLE: { status: 400, message: "No mail server is configured on this tetri (TETRI_SMTP_URL)" },
  TETRI_ERR_CHECKSUM_MISMATCH: { status: 400, message: "The request's checksum does not match its fields and the merchant's secure key" },
  TETRI_ERR_DUPLICATE_REFERENCE: { status: 409, message: "The merchant already made an order with this transaction reference" },
  TETRI_ERR_NOT_SUPPORTED: { status: 400, message: "This operation of the bank's API is not supported by tetri" },
  TETRI_ERR_RATE_LIMITED: { status: 429, message: "Too many requests" },
  TETRI_ERR_INTERNAL: { status: 500, message: "Internal error" },
  /** The database cannot be reached: nothing is wrong with the request, it may be sent again (with its idempotency key). */
  TETRI_ERR_UNAVAILABLE: { status: 503, message: "The service is temporarily unavailable; retry" },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class TetriError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: readonly FieldProblem[];

  constructor(code: ErrorCode, options: { message?: string; fields?: readonly FieldProblem[] } = {}) {
    super(options.message ?? ERRORS[code].message);
    this.name = "TetriError";
    this.code = code;
    this.status = ERRORS[code].status;
    this.fields = options.fields ?? [];
  }
}

export function isTetriError(error: unknown): error is TetriError {
  return error instanceof TetriError;
}

export function validationError(fields: readonly FieldProblem[]): TetriError {
  return new TetriError("TETRI_ERR_VALIDATION", { fields });
}
