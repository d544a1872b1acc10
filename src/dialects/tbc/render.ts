// Renders an order as TBC's payment object (create, get, execution) and as its callback.

import { formatMajorAmount } from "../../core/money.ts";
import type { Currency } from "../../core/money.ts";
import { subscriptionIdOf } from "../../core/subscriptions.ts";
import type { BuyerSummary, Order, OrderView } from "../../core/types.ts";
import { tbcMethodIdOf, tbcOperationTypeOf, tbcPayId, tbcResultCodeOf, tbcStatusOf } from "./codes.ts";
import type { TbcMethodId } from "./codes.ts";

/** Amounts go out as JSON numbers in major units (12.5), as TBC sends them. */
export function tbcAmount(minorUnits: number, currency: Currency): number {
  return Number(formatMajorAmount(minorUnits, currency));
}

export const OK_ENVELOPE = { httpStatusCode: 200, developerMessage: null, userMessage: null } as const;

type TbcDetails = { extra?: string; extra2?: string; methods?: TbcMethodId[]; initiator?: string | null; userIpAddress?: string };

/** TBC names no buyer, only the address the shop saw them at. */
export function tbcBuyerOf(order: Order): BuyerSummary {
  return { name: null, email: null, phone: null, ipAddress: (order.details as TbcDetails).userIpAddress ?? null };
}

export function renderTbcPayment(view: OrderView, links: { self: string; approval?: string }) {
  const { order, attempt, savedCard } = view;
  const details = order.details as TbcDetails;
  const mmyy = (expiry: string) => expiry.replace("/", "");
  const recurringCard = savedCard && savedCard.deletedAt === null
    ? { recId: savedCard.id, cardMask: savedCard.card.mask, expiryDate: mmyy(savedCard.card.expiry) }
    : null;
  return {
    payId: tbcPayId(order.id),
    status: tbcStatusOf(view),
    currency: order.currency,
    amount: tbcAmount(order.amount, order.currency),
    confirmedAmount: tbcAmount(order.capturedAmount, order.currency),
    returnedAmount: tbcAmount(order.refundedAmount, order.currency),
    links: [
      { uri: links.self, method: "GET", rel: "self" },
      ...(links.approval ? [{ uri: links.approval, method: "REDIRECT", rel: "approval_url" }] : []),
    ],
    transactionId: attempt?.transactionId ?? null,
    paymentMethod: attempt ? tbcMethodIdOf(attempt.method) : null,
    recurringCard,
    recId: recurringCard?.recId ?? null,
    RRN: attempt?.transactionId ?? null,
    PaymentCardNumber: attempt?.card?.mask ?? null,
    extra: details.extra ?? null,
    extra2: details.extra2 ?? null,
    merchantPaymentId: order.externalOrderId,
    preAuth: order.captureMode === "manual",
    // A saved-card charge is merchant-initiated when the execution said so (initiator "merchant"),
    // and when a subscription's scheduler made it.
    Initiator: order.savedCardId && (details.initiator?.toLowerCase() === "merchant" || subscriptionIdOf(order)) ? "Merchant" : "client",
    resultCode: tbcResultCodeOf(view),
    operationType: attempt ? tbcOperationTypeOf(attempt.method) : null,
    ...OK_ENVELOPE,
  };
}

/** TBC's callback: only the payment id; the shop reads the payment with GET to learn what happened. */
export function renderTbcCallback(view: OrderView): string {
  return JSON.stringify({ PaymentId: tbcPayId(view.order.id) });
}
