// How core statuses, decline reasons and payment methods read in BOG's vocabulary.

import type { RefundableMethods } from "../../core/operations.ts";
import type {
  DeclineReason,
  FollowUpDeclineReason,
  Operation,
  OperationChannel,
  Order,
  PaymentAttempt,
  PaymentMethod,
  RejectReason,
  SavedCard,
  SavedCardUsage,
} from "../../core/types.ts";

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
 * and `auth_requested` (an approval, which BOG calls "authorize", not yet answered) are shown on
 * reads only: a callback always reports a settled status.
 */
export function bogStatusOf(order: Order, operations: readonly Operation[], options: { settledOnly?: boolean } = {}): BogStatus {
  if (!options.settledOnly) {
    if (order.refundReservedAmount > 0) return "refund_requested";
    if (operations.some((op) => op.kind === "capture" && op.status === "pending")) return "auth_requested";
  }
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

/** BOG's pages and texts speak Georgian and English (Accept-Language, `lang`). */
export const BOG_LANGUAGES = ["ka", "en"] as const;
export type BogLanguage = (typeof BOG_LANGUAGES)[number];

/** An order's language as BOG names it: its orders are only ever made in one of BOG's. */
export function bogLanguageOf(order: Order): BogLanguage {
  return order.language === "en" ? "en" : "ka";
}

export const BOG_STATUS_LABELS: Readonly<Record<BogStatus, Record<BogLanguage, string>>> = {
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
  "122": "Declined by the acquirer bank",
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
  issuer_declined: "112",
  acquirer_declined: "122",
  authentication_failed: "108",
  technical_error: "109",
  authentication_timeout: "111",
  saved_card_not_found: "102",
  unknown: "199",
};

/** The payment code of a rejected order; none for a hold the merchant cancelled (the payment itself succeeded). */
export function bogCodeOfRejection(reason: RejectReason): BogPaymentCode | undefined {
  if (reason === "expiration" || reason === "hold_expired") return "110";
  if (reason === "cancelled") return undefined;
  return DECLINE_CODES[reason];
}

/** BOG action codes (actions[].code) of a refund, capture or cancel the acquirer refused. */
export const BOG_ACTION_CODES = {
  "161": "Refund could not be completed; contact the issuer",
  "162": "Issuer declined the refund",
  "163": "Not enough funds on the merchant account",
  "167": "Card expired; refund to another card",
  "179": "Unknown response",
} as const;

export type BogActionCode = keyof typeof BOG_ACTION_CODES;

const ACTION_CODES: Readonly<Record<FollowUpDeclineReason, BogActionCode>> = {
  authorization_not_found: "161",
  issuer_declined: "162",
  merchant_insufficient_funds: "163",
  expired_card: "167",
  technical_error: "179",
};

export function bogActionCodeOf(reason: FollowUpDeclineReason): BogActionCode {
  return ACTION_CODES[reason];
}

/** BOG's payment_method names, and the core method each one is. */
/** actions[].request_channel: who asked; the buyer's own payment (checkout) is no action. */
export const BOG_REQUEST_CHANNELS: Readonly<Partial<Record<OperationChannel, string>>> = {
  public_api: "public_api",
  dashboard: "business_manager",
  support: "support",
};

export const BOG_METHODS = {
  card: "card",
  google_pay: "google_pay",
  apple_pay: "apple_pay",
  bog_p2p: "bank_transfer",
  bog_loyalty: "loyalty_points",
  bnpl: "bnpl",
  bog_loan: "installment",
  gift_card: "gift_card",
} as const satisfies Record<string, PaymentMethod>;

export type BogMethod = keyof typeof BOG_METHODS;
export const BOG_METHOD_NAMES = Object.keys(BOG_METHODS) as BogMethod[];

/**
 * What BOG refunds: cards, Apple Pay, Google Pay and its own authorization (the internet bank,
 * loyalty points; our reading) in full; only cards and wallets also in part. Loans, BNPL and
 * gift cards it does not list, so tetri refunds none of them through the BOG API.
 */
export const BOG_REFUNDABLE_METHODS: RefundableMethods = {
  full: ["card", "google_pay", "apple_pay", "bank_transfer", "loyalty_points"],
  partial: ["card", "google_pay", "apple_pay"],
};

/** transfer_method.value, as the bank words each method. */
const METHOD_LABELS: Readonly<Record<BogMethod, Record<BogLanguage, string>>> = {
  card: { ka: "ბარათით გადახდა", en: "Card payment" },
  google_pay: { ka: "Google Pay", en: "Google Pay" },
  apple_pay: { ka: "Apple Pay", en: "Apple Pay" },
  bog_p2p: { ka: "ინტერნეტბანკით გადახდა", en: "Internet bank transfer" },
  bog_loyalty: { ka: "ქულებით გადახდა", en: "Loyalty points" },
  bnpl: { ka: "ნაწილ-ნაწილ გადახდა", en: "Buy now, pay later" },
  bog_loan: { ka: "განვადება", en: "Installment loan" },
  gift_card: { ka: "სასაჩუქრე ბარათი", en: "Gift card" },
};

/** The transfer_method of an attempt: the BOG name of the method it used. */
export function bogTransferMethodOf(attempt: PaymentAttempt, language: BogLanguage): { key: BogMethod; value: string } | null {
  const key = BOG_METHOD_NAMES.find((name) => BOG_METHODS[name] === attempt.method);
  return key ? { key, value: METHOD_LABELS[key][language] } : null;
}

/**
 * payer_identifier: the card's mask (BOG writes x for the hidden digits) for a card or wallet;
 * for the bank's own methods, who paid as the attempt recorded them (an account's holder, a
 * loan applicant's initial, a gift card's masked code), as BOG documents.
 */
export function bogPayerOf(attempt: PaymentAttempt): string | null {
  return attempt.methodDetails?.payer ?? attempt.card?.mask.replaceAll("*", "x") ?? null;
}

/** payment_option: an ordinary payment, a saved card with the buyer there, or a charge without them. */
export function bogPaymentOptionOf(attempt: PaymentAttempt, order: Order): "direct_debit" | "recurrent" | "subscription" {
  if (!attempt.customerPresent) return "subscription";
  return order.savedCardId ? "recurrent" : "direct_debit";
}

/** saved_card_type: what a card was saved for. A card saved through another API (any use) is never shown here. */
const SAVED_CARD_TYPES: Readonly<Record<SavedCardUsage, "recurrent" | "subscription" | null>> = {
  with_buyer: "recurrent",
  without_buyer: "subscription",
  any: null,
};

/** The BOG saved-card type of `PUT /orders/{id}/cards` ("recurrent") and `/subscriptions` ("subscription"). */
export const BOG_SAVED_CARD_USAGE = { recurrent: "with_buyer", subscription: "without_buyer" } as const satisfies Record<string, SavedCardUsage>;

export function bogSavedCardTypeOf(card: SavedCard): "recurrent" | "subscription" | null {
  return SAVED_CARD_TYPES[card.usage];
}
