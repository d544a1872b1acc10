// How core statuses and decline reasons read in BOG's vocabulary.

import type { Language, DeclineReason, Order, RejectReason } from "../../core/types.ts";

export type BogStatus =
  | "created"
  | "processing"
  | "completed"
  | "rejected"
  | "refund_requested"
  | "refunded"
  | "refunded_partially"
  | "auth_requested"
  | "blocked"
  | "partial_completed";

/**
 * The order's BOG status. `refund_requested` (a refund sent to the acquirer, not yet answered)
 * is shown on reads only: a callback always reports a settled status.
 */
export function bogStatusOf(order: Order, options: { settledOnly?: boolean } = {}): BogStatus {
  if (order.refundReservedAmount > 0 && !options.settledOnly) return "refund_requested";
  switch (order.status) {
    case "created":
      return "created";
    case "processing":
      return "processing";
    case "authorized":
      return "blocked";
    case "captured":
      return "completed";
    case "partially_captured":
      return "partial_completed";
    case "partially_refunded":
      return "refunded_partially";
    case "refunded":
      return "refunded";
    case "declined":
    case "expired":
    case "voided":
      return "rejected";
  }
}

export const BOG_STATUS_LABELS: Readonly<Record<BogStatus, Record<Language, string>>> = {
  created: { ka: "შექმნილი", en: "Created" },
  processing: { ka: "მუშავდება", en: "Processing" },
  completed: { ka: "წარმატებული", en: "Completed" },
  rejected: { ka: "უარყოფილი", en: "Rejected" },
  refund_requested: { ka: "მოთხოვნილია დაბრუნება", en: "Refund requested" },
  refunded: { ka: "დაბრუნებული", en: "Refunded" },
  refunded_partially: { ka: "ნაწილობრივ დაბრუნებული", en: "Partially refunded" },
  auth_requested: { ka: "მოთხოვნილია ავტორიზაცია", en: "Authorization requested" },
  blocked: { ka: "დაბლოკილი", en: "Blocked" },
  partial_completed: { ka: "ნაწილობრივ დასრულებული", en: "Partially completed" },
};

/** BOG payment response codes (payment_detail.code). */
export const BOG_PAYMENT_CODES = {
  "100": "Successful payment",
  "101": "Card usage is limited",
  "102": "Saved card not found",
  "103": "Invalid card",
  "104": "Transaction count limit exceeded",
  "105": "Card expired",
  "106": "Amount limit exceeded",
  "107": "Insufficient funds",
  "108": "Authentication declined",
  "109": "Technical issue",
  "110": "Transaction expired",
  "111": "Authentication timeout",
  "112": "General error",
  "199": "Unknown response",
  "200": "Successful pre-authorization",
} as const;

export type BogPaymentCode = keyof typeof BOG_PAYMENT_CODES;

const DECLINE_CODES: Readonly<Record<DeclineReason, BogPaymentCode>> = {
  card_restricted: "101",
  invalid_card: "103",
  transaction_limit: "104",
  expired_card: "105",
  amount_limit: "106",
  insufficient_funds: "107",
  issuer_declined: "108",
  authentication_failed: "108",
  technical_error: "109",
  authentication_timeout: "111",
  unknown: "199",
};

export function bogCodeOfRejection(reason: RejectReason): BogPaymentCode | undefined {
  if (reason === "expiration") return "110";
  if (reason === "cancelled") return undefined;
  return DECLINE_CODES[reason];
}

/** transfer_method.value of a card payment, as the bank words it. */
export const BOG_CARD_METHOD_LABEL: Readonly<Record<Language, string>> = { ka: "ბარათით გადახდა", en: "Card payment" };
