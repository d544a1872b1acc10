// Renders orders as the Paymentz platform shows payments: the answer of /payments and its
// back-office calls, the notification to notificationUrl, and the form the buyer's browser
// posts back to merchantRedirectUrl. Amounts go out with two decimals, as they came in.

import { formatMajorAmountFixed } from "../../core/money.ts";
import type { BuyerSummary, CardBrand, Order, OrderView, SavedCard } from "../../core/types.ts";
import type { ShopReturn } from "../../checkout/links.ts";
import type { CallbackRenderContext } from "../dialect.ts";
import { CHECKSUMS } from "./checksums.ts";
import { paymentResultOf, paymentzPaymentId, paymentzStatusOf } from "./codes.ts";
import type { ResultCode } from "./codes.ts";
import type { PaymentzDetails } from "./parse.ts";

export const PAYMENTZ_PREFIX = "/transactionServices/REST/v1";

/** yyyy-MM-dd HH:mm:ss, in UTC. */
export function paymentzTimestamp(at: number): string {
  return new Date(at).toISOString().slice(0, 19).replace("T", " ");
}

const BRANDS: Readonly<Record<CardBrand, string>> = { visa: "VISA", mc: "MASTERCARD", amex: "AMEX", other: "CARD" };

function detailsOf(order: Order): PaymentzDetails {
  return order.details as PaymentzDetails;
}

export function paymentzBuyerOf(order: Order): BuyerSummary {
  const customer = detailsOf(order).customer ?? {};
  const name = [customer.givenName, customer.surname].filter(Boolean).join(" ");
  const phone = [customer.telnocc, customer.phone].filter(Boolean).join(" ");
  return { name: name || null, email: customer.email ?? null, phone: phone || null, ipAddress: customer.ip ?? null };
}

function cardOf(view: OrderView) {
  const card = view.attempt?.card;
  if (!card) return undefined;
  const [month = "", year = ""] = card.expiry.split("/");
  return { bin: card.mask.slice(0, 6), last4Digits: card.mask.slice(-4), holder: card.holder, expiryMonth: month, expiryYear: `20${year}` };
}

export const amountText = (order: Order) => formatMajorAmountFixed(order.amount, order.currency);

/** The payment as /payments, /payments/{id} and /inquiry answer it; `result` overrides the one its state says. */
export function renderPayment(view: OrderView, now: number, options: { result?: ResultCode; paymentType?: string } = {}) {
  const { order, savedCard } = view;
  const details = detailsOf(order);
  const status = paymentzStatusOf(view);
  const result = options.result ?? paymentResultOf(view);
  const card = cardOf(view);
  const registrationId = savedCard && savedCard.deletedAt === null ? savedCard.id : undefined;
  return {
    paymentId: paymentzPaymentId(order.id),
    paymentType: options.paymentType ?? (order.captureMode === "manual" ? "PA" : "DB"),
    paymentBrand: details.paymentBrand ?? (view.attempt?.card ? BRANDS[view.attempt.card.brand] : undefined),
    paymentMode: details.paymentMode ?? "CC",
    merchantTransactionId: order.externalOrderId ?? "",
    amount: amountText(order),
    currency: order.currency,
    capturedAmount: formatMajorAmountFixed(order.capturedAmount, order.currency),
    refundedAmount: formatMajorAmountFixed(order.refundedAmount, order.currency),
    descriptor: details.descriptor,
    status: status.long,
    transactionStatus: status.short,
    result,
    ...(card ? { card } : {}),
    ...(registrationId ? { registrationId } : {}),
    remark: result.description,
    timestamp: paymentzTimestamp(now),
  };
}

/** A stored card as the platform's card object shows it. */
export function renderRegistration(card: SavedCard) {
  const [month = "", year = ""] = card.card.expiry.split("/");
  const last4 = card.card.mask.slice(-4);
  return {
    registrationId: card.id,
    registrationStatus: card.deletedAt === null ? "ACTIVE" : "INACTIVE",
    cardType: BRANDS[card.card.brand],
    bin: card.card.mask.slice(0, 6),
    last4Digits: last4,
    lastFourDigits: last4,
    holder: card.card.holder,
    expiryMonth: month,
    expiryYear: `20${year}`,
  };
}

/** The fields a notification and a shop return share, with their checksum (none when the merchant has no secure key). */
async function statusFields(view: OrderView, now: number, context: CallbackRenderContext) {
  const { order } = view;
  const status = paymentzStatusOf(view);
  const paymentId = paymentzPaymentId(order.id);
  const merchantTransactionId = order.externalOrderId ?? "";
  const amount = amountText(order);
  const secret = (await context.credential())?.secret;
  const result = paymentResultOf(view);
  return {
    paymentId,
    merchantTransactionId,
    amount,
    currency: order.currency,
    status: status.short,
    transactionStatus: status.short,
    result,
    timestamp: paymentzTimestamp(now),
    checksum: secret === undefined ? undefined : CHECKSUMS.notification(paymentId, merchantTransactionId, amount, status.short, secret),
  };
}

export async function renderPaymentzCallback(view: OrderView, now: number, context: CallbackRenderContext): Promise<string> {
  const payment = renderPayment(view, now);
  const fields = await statusFields(view, now, context);
  return JSON.stringify({
    ...fields,
    paymentType: payment.paymentType,
    paymentBrand: payment.paymentBrand,
    paymentMode: payment.paymentMode,
    descriptor: payment.descriptor,
    capturedAmount: payment.capturedAmount,
    refundedAmount: payment.refundedAmount,
    ...(payment.card ? { card: { bin: payment.card.bin, last4Digits: payment.card.last4Digits } } : {}),
    ...(payment.registrationId ? { registrationId: payment.registrationId } : {}),
  });
}

/** After the hosted page or 3-D Secure: a form POST to merchantRedirectUrl with the status and where to read the payment. */
export async function paymentzShopReturn(view: OrderView, now: number, context: CallbackRenderContext): Promise<ShopReturn | undefined> {
  const url = view.order.successUrl;
  if (!url) return undefined;
  const { result, checksum, ...fields } = await statusFields(view, now, context);
  return {
    url,
    fields: {
      ...fields,
      resultCode: result.code,
      resultDescription: result.description,
      resourcePath: `${PAYMENTZ_PREFIX}/payments/${fields.paymentId}`,
      ...(checksum ? { checksum } : {}),
    },
  };
}
