// How core statuses, decline reasons and errors read in the Paymentz platform's vocabulary:
// the short transactionStatus (Y/N/P/3D/C), the long status, and the 5-digit result codes.
// The platform's own table of codes was never published; only 00001 (approved), 00004
// (captured), 00026 (record found) and 200 (token) are seen in its samples. Every other code
// here is tetri's, one per class, listed in the README.

import type { ErrorCode, FieldProblem } from "../../core/errors.ts";
import type { OrderId } from "../../core/ids.ts";
import type { DeclineReason, FollowUpDeclineReason, OrderView } from "../../core/types.ts";

/** An order id as Paymentz shows it (`paymentId`): the UUID's hex digits. */
export function paymentzPaymentId(id: OrderId): string {
  return id.replaceAll("-", "");
}

export type ShortStatus = "Y" | "N" | "P" | "3D" | "C";

export type PaymentzStatus = { short: ShortStatus; long: string };

/** The status of a payment; a listing that knows no attempt of it reads one being processed as pending (P). */
export function paymentzStatusOf(view: Pick<OrderView, "order" | "attempt">): PaymentzStatus {
  const { order, attempt } = view;
  switch (order.status) {
    case "created":
      return { short: "P", long: "begun" };
    case "processing":
      return attempt?.status === "challenge" ? { short: "3D", long: "pending3DConfirmation" } : { short: "P", long: "authstarted" };
    case "authorized":
      return { short: "Y", long: "authsuccessful" };
    case "captured":
    case "partially_captured":
      return { short: "Y", long: "capturesuccess" };
    case "partially_refunded":
      return { short: "Y", long: "partialrefund" };
    case "refunded":
      return { short: "Y", long: "reversed" };
    case "declined":
      return { short: "N", long: "authfailed" };
    case "expired":
      // A payment link its merchant withdrew is cancelled; one nobody paid in time failed.
      return order.rejectReason === "cancelled" ? { short: "C", long: "cancelled" } : { short: "N", long: "failed" };
    case "voided":
      return { short: "C", long: "authcancelled" };
  }
}

export type ResultCode = { code: string; description: string };

const result = (code: string, description: string): ResultCode => ({ code, description });

export const APPROVED = result("00001", "Transaction succeeded");
export const CAPTURED = result("00004", "Transaction captured successfully");
export const REFUNDED = result("00005", "Transaction refunded successfully");
export const REVERSED = result("00006", "Transaction reversed successfully");
export const PENDING_3D = result("00010", "Pending for 3D authentication");
export const PENDING = result("00011", "Transaction pending");
export const FOUND = result("00026", "Your record found successfully");
export const TOKEN_GENERATED = result("200", "Token generated successfully");
export const REGISTERED = result("00027", "Registration succeeded");
export const DEREGISTERED = result("00028", "Registration deleted successfully");
export const PAID_OUT = result("00030", "Payout succeeded");
export const INVOICE_GENERATED = result("00031", "Invoice generated successfully");
export const INVOICE_REMINDED = result("00032", "Invoice reminder sent successfully");
export const INVOICE_CANCELLED = result("00033", "Invoice cancelled successfully");

const DECLINES: Readonly<Record<DeclineReason, ResultCode>> = {
  issuer_declined: result("20001", "Transaction declined by the issuer"),
  acquirer_declined: result("20002", "Transaction declined by the acquirer bank"),
  insufficient_funds: result("20003", "Insufficient funds"),
  expired_card: result("20004", "Card expired"),
  invalid_card: result("20005", "Invalid card"),
  card_restricted: result("20006", "Card usage is limited"),
  transaction_limit: result("20007", "Transaction count limit exceeded"),
  amount_limit: result("20008", "Amount limit exceeded"),
  technical_error: result("20009", "Technical error at the acquirer"),
  authentication_timeout: result("20010", "3D authentication timed out"),
  authentication_failed: result("20011", "3D authentication failed"),
  unknown: result("20012", "Transaction declined"),
  saved_card_not_found: result("20013", "Registration not found or deleted"),
};

const FOLLOW_UP_DECLINES: Readonly<Record<FollowUpDeclineReason, ResultCode>> = {
  issuer_declined: result("21001", "Operation declined by the issuer"),
  merchant_insufficient_funds: result("21002", "Not enough funds on the merchant account"),
  expired_card: result("21003", "Card expired; the operation cannot be completed"),
  authorization_not_found: result("21004", "The original authorization was not found at the acquirer"),
  technical_error: result("21005", "Technical error at the acquirer"),
};

export function declineResultOf(reason: DeclineReason): ResultCode {
  return DECLINES[reason];
}

export function followUpDeclineResultOf(reason: FollowUpDeclineReason): ResultCode {
  return FOLLOW_UP_DECLINES[reason];
}

/** The result code that says what the payment's state is, as a payment or a notification reports it. */
export function paymentResultOf(view: OrderView): ResultCode {
  const { attempt } = view;
  const status = paymentzStatusOf(view);
  if (status.short === "N" && attempt?.status === "declined") return declineResultOf(attempt.declineReason ?? "unknown");
  if (status.short === "N") return result("20013", "Transaction expired");
  if (status.short === "3D") return PENDING_3D;
  if (status.short === "P") return PENDING;
  if (status.short === "C") return view.order.status === "expired" ? INVOICE_CANCELLED : REVERSED;
  return APPROVED;
}

/** Validation classes, each with its code: the first problem of a request decides. */
const VALIDATION = {
  missing: result("10011", "Required field missing"),
  wrongType: result("10012", "Invalid field value"),
  negative: result("10013", "Amount must not be negative or zero"),
  huge: result("10014", "Value too large"),
  currency: result("10015", "Currency not supported"),
} as const;

export function validationResultOf(fields: readonly FieldProblem[]): ResultCode {
  const first = fields[0];
  if (!first) return VALIDATION.wrongType;
  if (first.field === "currency") return VALIDATION.currency;
  if (/required/.test(first.message)) return VALIDATION.missing;
  if (/negative|greater than zero/.test(first.message)) return VALIDATION.negative;
  if (/too large|too long|at most|more than/.test(first.message)) return VALIDATION.huge;
  return VALIDATION.wrongType;
}

const ERROR_RESULTS: Partial<Record<ErrorCode, ResultCode>> = {
  TETRI_ERR_MALFORMED_BODY: result("10002", "Malformed request body"),
  TETRI_ERR_CHECKSUM_MISMATCH: result("10003", "Checksum mismatch"),
  TETRI_ERR_UNAUTHENTICATED: result("10004", "Authorization failed: invalid or expired token, or wrong credentials"),
  TETRI_ERR_ORDER_NOT_FOUND: result("10005", "Transaction not found"),
  TETRI_ERR_SAVED_CARD_NOT_FOUND: result("10016", "Invalid registration id"),
  TETRI_ERR_DUPLICATE_REFERENCE: result("10006", "Duplicate merchantTransactionId"),
  TETRI_ERR_ORDER_NOT_REFUNDABLE: result("10007", "Transaction cannot be refunded in its current status"),
  TETRI_ERR_ORDER_NOT_AUTHORIZED: result("10008", "Transaction is not an open pre-authorization"),
  TETRI_ERR_AUTHORIZATION_EXPIRED: result("10008", "Transaction is not an open pre-authorization"),
  TETRI_ERR_REFUND_EXCEEDS_AVAILABLE: result("10009", "Refund amount exceeds the amount left to refund"),
  TETRI_ERR_CAPTURE_EXCEEDS_AUTHORIZED: result("10010", "Capture amount exceeds the authorized amount"),
  TETRI_ERR_ORDER_NOT_PAYABLE: result("10017", "Transaction cannot be paid in its current status"),
  TETRI_ERR_NOT_SUPPORTED: result("10018", "Operation not supported"),
  TETRI_ERR_OPERATION_IN_FLIGHT: result("10019", "Another operation on this transaction is in progress"),
  TETRI_ERR_IDEMPOTENCY_KEY_IN_FLIGHT: result("10019", "Another operation on this transaction is in progress"),
  TETRI_ERR_NOT_FOUND: result("10020", "No such service"),
  TETRI_ERR_PAYOUT_EXCEEDS_BALANCE: result("10023", "Payout amount exceeds the balance"),
  TETRI_ERR_PAYOUT_NOT_FOUND: result("10024", "Payout not found"),
  TETRI_ERR_ORDER_NOT_WITHDRAWABLE: result("10025", "The invoice is no longer pending"),
  TETRI_ERR_MAIL_UNAVAILABLE: result("10026", "E-mail is not configured"),
  TETRI_ERR_PARENT_CARD_NOT_SAVED: result("10027", "The transaction registered no card for recurring payments"),
  TETRI_ERR_PARENT_ORDER_NOT_PAID: result("10027", "The transaction registered no card for recurring payments"),
  TETRI_ERR_SAVED_CARD_OTHER_USE: result("10027", "The transaction registered no card for recurring payments"),
  TETRI_ERR_BODY_TOO_LARGE: result("10014", "Value too large"),
  TETRI_ERR_UNSUPPORTED_MEDIA_TYPE: result("10021", "Unsupported content type"),
  TETRI_ERR_RATE_LIMITED: result("10022", "Too many requests"),
  TETRI_ERR_UNAVAILABLE: result("10098", "Service temporarily unavailable"),
};

export function errorResultOf(code: ErrorCode, fields: readonly FieldProblem[]): ResultCode {
  if (code === "TETRI_ERR_VALIDATION" || code === "TETRI_ERR_CARD_INVALID") return validationResultOf(fields);
  return ERROR_RESULTS[code] ?? result("10099", "Internal error");
}
