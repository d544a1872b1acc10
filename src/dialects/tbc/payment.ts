// Renders an order as TBC's payment object (create, get, execution) and parses TBC's
// create-payment body into core's OrderRequest.

import type { Static } from "@sinclair/typebox";
import { validationError } from "../../core/errors.ts";
import type { FieldProblem } from "../../core/errors.ts";
import { compactOrderId } from "../../core/ids.ts";
import { formatMajorAmount, isCurrency, minor } from "../../core/money.ts";
import type { Currency, MinorUnits } from "../../core/money.ts";
import type { OrderRequest } from "../../core/orders.ts";
import type { BasketLine, Language, OrderView } from "../../core/types.ts";
import { amountReader, urlReader } from "../../http/field-readers.ts";
import { TBC_METHOD_IDS, TBC_METHODS, tbcResultCodeOf, tbcStatusOf } from "./codes.ts";
import type { TbcMethodId } from "./codes.ts";
import type { CreatePaymentBody } from "./schemas.ts";

export const TBC_CURRENCIES: readonly Currency[] = ["GEL", "USD", "EUR"];
/** TBC's default payment lifetime when expirationMinutes is missing. */
export const DEFAULT_EXPIRATION_MINUTES = 12;

/** Amounts go out as JSON numbers in major units (12.5), as TBC sends them. */
export function tbcAmount(minorUnits: number, currency: Currency): number {
  return Number(formatMajorAmount(minorUnits, currency));
}

export const OK_ENVELOPE = { httpStatusCode: 200, developerMessage: null, userMessage: null } as const;

type TbcDetails = { extra?: string; extra2?: string; methods?: TbcMethodId[]; initiator?: string | null };

export function renderTbcPayment(view: OrderView, links: { self: string; approval?: string }) {
  const { order, attempt, savedCard } = view;
  const details = order.details as TbcDetails;
  const mmyy = (expiry: string) => expiry.replace("/", "");
  const recurringCard = savedCard && savedCard.deletedAt === null
    ? { recId: savedCard.id, cardMask: savedCard.card.mask, expiryDate: mmyy(savedCard.card.expiry) }
    : null;
  return {
    payId: compactOrderId(order.id),
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
    paymentMethod: attempt ? 5 : null,
    recurringCard,
    recId: recurringCard?.recId ?? null,
    RRN: attempt?.transactionId ?? null,
    PaymentCardNumber: attempt?.card.mask ?? null,
    extra: details.extra ?? null,
    extra2: details.extra2 ?? null,
    merchantPaymentId: order.externalOrderId,
    preAuth: order.captureMode === "manual",
    // A saved-card charge is merchant-initiated only when the execution said so (initiator "merchant").
    Initiator: order.savedCardId && details.initiator?.toLowerCase() === "merchant" ? "Merchant" : "client",
    resultCode: tbcResultCodeOf(view),
    operationType: null,
    ...OK_ENVELOPE,
  };
}

const KEYS_IN_ANY_CASE = (value: unknown, keys: readonly string[]): unknown => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const byLower = new Map(keys.map((k) => [k.toLowerCase(), k]));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [byLower.get(k.toLowerCase()) ?? k, v]));
};

/** Folds keys real clients send in another case (callbackurl, Name, subtotal) to TBC's spelling. */
export function foldKeyCase(body: unknown, keys: { top: readonly string[]; amount: readonly string[]; installmentProduct: readonly string[] }): unknown {
  const top = KEYS_IN_ANY_CASE(body, keys.top) as Record<string, unknown>;
  if (top === null || typeof top !== "object" || Array.isArray(top)) return body;
  return {
    ...top,
    ...(top.amount !== undefined ? { amount: KEYS_IN_ANY_CASE(top.amount, keys.amount) } : {}),
    ...(Array.isArray(top.installmentProducts)
      ? { installmentProducts: top.installmentProducts.map((p) => KEYS_IN_ANY_CASE(p, keys.installmentProduct)) }
      : {}),
  };
}

export function parseTbcCurrency(value: string, field: string, problems: FieldProblem[]): Currency {
  if (isCurrency(value) && TBC_CURRENCIES.includes(value)) return value;
  problems.push({ field, message: `must be one of ${TBC_CURRENCIES.join(", ")}` });
  return "GEL";
}

export function tbcLanguage(value: string | undefined): Language | undefined {
  const upper = value?.toUpperCase();
  if (upper === undefined || upper === "KA") return "ka";
  if (upper === "EN" || upper === "RU") return "en";
  return undefined;
}

/** Whether MMYY names a month that has already ended at `now` (UTC). */
function monthHasPassed(mmyy: string, now: number): boolean {
  const date = new Date(now);
  const current = date.getUTCFullYear() * 12 + date.getUTCMonth() + 1;
  return 2000 * 12 + Number(mmyy.slice(2)) * 12 + Number(mmyy.slice(0, 2)) < current;
}

export function parseTbcPayment(body: Static<typeof CreatePaymentBody>, live: boolean, now: number): OrderRequest {
  const problems: FieldProblem[] = [];
  const currency = parseTbcCurrency(body.amount.currency, "amount.currency", problems);
  const read = amountReader(currency, problems);
  const total = read("amount.total", body.amount.total, { allowZero: body.saveCard === true });
  for (const field of ["subTotal", "tax", "shipping"] as const) {
    if (body.amount[field] !== undefined) read(`amount.${field}`, body.amount[field], { allowZero: true });
  }

  const language = tbcLanguage(body.language);
  if (!language) problems.push({ field: "language", message: "must be KA or EN" });
  const url = urlReader(live, problems);
  const returnUrl = url("returnurl", body.returnurl);
  const callbackUrl = url("callbackUrl", body.callbackUrl);

  const methods = body.methods ?? [];
  // Ertguli points (6) and installments (8) are GEL only.
  if (currency !== "GEL" && methods.some((m) => m === 6 || m === 8)) {
    problems.push({ field: "methods", message: "methods 6 (Ertguli points) and 8 (installment) take GEL only" });
  }
  if (body.saveCard && methods.some((m) => m === 4 || m === 8 || m === 9)) {
    problems.push({ field: "saveCard", message: "cannot be combined with methods 4, 8 or 9" });
  }
  if (body.saveCardToDate !== undefined && monthHasPassed(body.saveCardToDate, now)) {
    problems.push({ field: "saveCardToDate", message: "must not be a month that has passed" });
  }
  let basket: BasketLine[] = [];
  if (body.installmentProducts) {
    if (currency !== "GEL") problems.push({ field: "installmentProducts", message: "installments are GEL only" });
    basket = body.installmentProducts.map((product, i) => ({
      productId: String(i + 1),
      description: product.name ?? null,
      quantity: String(product.quantity),
      unitPrice: read(`installmentProducts.${i}.price`, product.price, { allowZero: true }) ?? minor(0),
    }));
    const sum = basket.reduce((acc, line) => acc + line.unitPrice * Number(line.quantity), 0);
    if (total !== undefined && sum !== total) {
      problems.push({ field: "installmentProducts", message: "the sum of price × quantity must equal amount.total" });
    }
  } else if (methods.includes(8)) {
    problems.push({ field: "installmentProducts", message: "is required with method 8 (installment)" });
  }

  if (problems.length > 0 || total === undefined || !language) throw validationError(problems);
  if (basket.length === 0) {
    basket = [{ productId: body.merchantPaymentId ?? "payment", description: body.description ?? null, quantity: "1", unitPrice: total as MinorUnits }];
  }
  return {
    dialect: "tbc",
    externalOrderId: body.merchantPaymentId ?? null,
    captureMode: body.preAuth ? "manual" : "automatic",
    currency,
    amount: total,
    language,
    callbackUrl,
    successUrl: returnUrl,
    failUrl: returnUrl,
    // None named means every method the merchant has; the page lists them all.
    paymentMethods: [...new Set((methods.length > 0 ? methods : TBC_METHOD_IDS).map((m) => TBC_METHODS[m]))],
    basket,
    details: {
      extra: body.extra,
      extra2: body.extra2,
      methods,
      userIpAddress: body.userIpAddress,
      description: body.description,
      skipInfoMessage: body.skipInfoMessage,
      amount: body.amount,
    },
    saveCard: body.saveCard ? { until: body.saveCardToDate ?? null } : null,
    ttlMinutes: body.expirationMinutes ?? DEFAULT_EXPIRATION_MINUTES,
  };
}

/** TBC's callback: only the payment id; the shop reads the payment with GET to learn what happened. */
export function renderTbcCallback(view: OrderView): string {
  return JSON.stringify({ PaymentId: compactOrderId(view.order.id) });
}
