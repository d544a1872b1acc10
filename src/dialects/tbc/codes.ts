// How core statuses, decline reasons and payment methods read in TBC's vocabulary.

import type { OrderId } from "../../core/ids.ts";
import type { DeclineReason, OrderView, PaymentMethod } from "../../core/types.ts";

/** An order id as TBC shows it (`payId`): the UUID's hex digits. */
export function tbcPayId(id: OrderId): string {
  return id.replaceAll("-", "");
}

export type TbcStatus =
  | "Created"
  | "Processing"
  | "Succeeded"
  | "Failed"
  | "Expired"
  | "WaitingConfirm"
  | "CancelPaymentProcessing"
  | "PaymentCompletionProcessing"
  | "Returned"
  | "PartialReturned";

export function tbcStatusOf(view: OrderView): TbcStatus {
  const { order, operations } = view;
  if (order.refundReservedAmount > 0) return "CancelPaymentProcessing";
  const pending = operations.find((op) => op.status === "pending");
  if (pending?.kind === "capture") return "PaymentCompletionProcessing";
  if (pending?.kind === "void") return "CancelPaymentProcessing";
  switch (order.status) {
    case "created":
      return "Created";
    case "processing":
      return "Processing";
    case "authorized":
      return "WaitingConfirm";
    case "captured":
    case "partially_captured":
      return "Succeeded";
    case "declined":
      return "Failed";
    case "expired":
      return "Expired";
    case "voided":
    case "refunded":
      return "Returned";
    case "partially_refunded":
      return "PartialReturned";
  }
}

export type TbcResultCode =
  | "approved"
  | "decline_general"
  | "decline_expired_card"
  | "decline_suspected_fraud"
  | "decline_restricted_card"
  | "decline_invalid_card_number"
  | "decline_not_sufficient_funds"
  | "decline_card_not_effective"
  | "check_with_acquirer";

const DECLINES: Readonly<Record<DeclineReason, TbcResultCode>> = {
  issuer_declined: "decline_general",
  acquirer_declined: "check_with_acquirer",
  insufficient_funds: "decline_not_sufficient_funds",
  expired_card: "decline_expired_card",
  invalid_card: "decline_invalid_card_number",
  card_restricted: "decline_restricted_card",
  transaction_limit: "decline_general",
  amount_limit: "decline_general",
  technical_error: "check_with_acquirer",
  authentication_timeout: "decline_general",
  authentication_failed: "decline_suspected_fraud",
  saved_card_not_found: "decline_general",
  unknown: "check_with_acquirer",
};

export function tbcResultCodeOf(view: OrderView): TbcResultCode | null {
  const attempt = view.attempt;
  if (attempt?.status === "approved") return "approved";
  if (attempt?.status === "declined") return DECLINES[attempt.declineReason ?? "unknown"];
  return null;
}

/** TBC's numeric method ids (`methods`, `paymentMethod`). */
export const TBC_METHOD_IDS = [4, 5, 6, 7, 8, 9, 14] as const;
export type TbcMethodId = (typeof TBC_METHOD_IDS)[number];

/** The core method each TBC id is. */
export const TBC_METHODS: Readonly<Record<TbcMethodId, PaymentMethod>> = {
  4: "qr",
  5: "card",
  6: "loyalty_points",
  7: "bank_transfer",
  8: "installment",
  9: "apple_pay",
  14: "google_pay",
};

/** What an id offers beside its own method, when the merchant has it: TBC's Web QR (4) takes BNPL through the mobile bank too. */
const ALSO_OFFERED: Readonly<Partial<Record<TbcMethodId, readonly PaymentMethod[]>>> = { 4: ["bnpl"] };

/** The core methods a list of TBC ids names, and those they offer beside them. */
export function tbcMethodsOf(ids: readonly TbcMethodId[]): { named: PaymentMethod[]; alongside: PaymentMethod[] } {
  return { named: [...new Set(ids.map((id) => TBC_METHODS[id]))], alongside: [...new Set(ids.flatMap((id) => ALSO_OFFERED[id] ?? []))] };
}

const every = tbcMethodsOf(TBC_METHOD_IDS);

/** Every core method TBC's ids offer. */
export const TBC_PAYMENT_METHODS: readonly PaymentMethod[] = [...every.named, ...every.alongside];

/** The TBC method id of a core payment method (`paymentMethod`); null for one TBC has no id for. */
export function tbcMethodIdOf(method: PaymentMethod): TbcMethodId | null {
  return TBC_METHOD_IDS.find((id) => TBC_METHODS[id] === method || ALSO_OFFERED[id]?.includes(method)) ?? null;
}

/** `operationType`: how a payment through the Web QR (or with Ertguli points) was made; null for the other methods. */
const OPERATION_TYPES: Partial<Record<PaymentMethod, number>> = { qr: 0, bnpl: 1, loyalty_points: 2 };

export function tbcOperationTypeOf(method: PaymentMethod): number | null {
  return OPERATION_TYPES[method] ?? null;
}
