// Parses TBC's request bodies into core's requests: create-payment into an OrderRequest,
// with TBC's key spellings, currencies and languages.

import type { Static } from "@sinclair/typebox";
import { validationError } from "../../core/errors.ts";
import type { FieldProblem } from "../../core/errors.ts";
import { isCurrency, minor } from "../../core/money.ts";
import type { Currency, MinorUnits } from "../../core/money.ts";
import type { OrderRequest } from "../../core/orders.ts";
import type { BasketLine, DialectId, Language } from "../../core/types.ts";
import { amountReader, urlReader } from "../shared/fields.ts";
import { TBC_PAYMENT_METHODS, tbcMethodsOf } from "./codes.ts";
import type { CreatePaymentBody, ExecutionBody } from "./schemas.ts";

export const TBC_CURRENCIES: readonly Currency[] = ["GEL", "USD", "EUR"];
/** TBC's default payment lifetime when expirationMinutes is missing. */
export const DEFAULT_EXPIRATION_MINUTES = 12;

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
  if (upper === "EN") return "en";
  if (upper === "RU") return "ru";
  return undefined;
}

/** TBC's own samples give `returnurl` as `test.ge/callback`: a URL without a scheme means https. */
function withScheme(value: string | undefined): string | undefined {
  return value === undefined || /^[a-z][a-z0-9+.-]*:/i.test(value) ? value : `https://${value}`;
}

/** Whether MMYY names a month that has already ended at `now` (UTC). */
function monthHasPassed(mmyy: string, now: number): boolean {
  const date = new Date(now);
  const current = date.getUTCFullYear() * 12 + date.getUTCMonth() + 1;
  return 2000 * 12 + Number(mmyy.slice(2)) * 12 + Number(mmyy.slice(0, 2)) < current;
}

export function parseTbcPayment(dialect: DialectId, body: Static<typeof CreatePaymentBody>, live: boolean, now: number): OrderRequest {
  const problems: FieldProblem[] = [];
  const currency = parseTbcCurrency(body.amount.currency, "amount.currency", problems);
  const read = amountReader(currency, problems);
  const total = read("amount.total", body.amount.total, { allowZero: body.saveCard === true });
  for (const field of ["subTotal", "tax", "shipping"] as const) {
    if (body.amount[field] !== undefined) read(`amount.${field}`, body.amount[field], { allowZero: true });
  }

  const language = tbcLanguage(body.language);
  if (!language) problems.push({ field: "language", message: "must be KA, EN or RU" });
  const url = urlReader(live, problems);
  const returnUrl = url("returnurl", withScheme(body.returnurl));
  const callbackUrl = url("callbackUrl", withScheme(body.callbackUrl));

  const methods = body.methods ?? [];
  const named = tbcMethodsOf(methods);
  // Ertguli points (6) and installments (8) are GEL only.
  if (currency !== "GEL" && methods.some((m) => m === 6 || m === 8)) {
    problems.push({ field: "methods", message: "methods 6 (Ertguli points) and 8 (installment) take GEL only" });
  }
  if (body.saveCard && methods.some((m) => m === 4 || m === 8 || m === 9)) {
    problems.push({ field: "saveCard", message: "cannot be combined with methods 4, 8 or 9" });
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
    dialect,
    externalOrderId: body.merchantPaymentId ?? null,
    captureMode: body.preAuth ? "manual" : "automatic",
    currency,
    amount: total,
    language,
    theme: "light",
    callbackUrl,
    successUrl: returnUrl,
    failUrl: returnUrl,
    // None named means every method the merchant has; the page lists them all.
    ...(methods.length > 0
      ? { paymentMethods: named.named, alsoOffered: named.alongside, methodsNamed: true }
      : { paymentMethods: [...TBC_PAYMENT_METHODS], methodsNamed: false }),
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
    // A keep-until month that has already passed is TBC's "use the card's own expiry".
    saveCard: body.saveCard
      ? { until: body.saveCardToDate && !monthHasPassed(body.saveCardToDate, now) ? body.saveCardToDate : null, usage: "any" }
      : null,
    terminal: null,
    split: null,
    ttlMinutes: body.expirationMinutes ?? DEFAULT_EXPIRATION_MINUTES,
  };
}

/** An execution (a charge of a saved card) as the new order it makes. */
export function parseTbcExecution(dialect: DialectId, body: Static<typeof ExecutionBody>): OrderRequest {
  const problems: FieldProblem[] = [];
  const currency = parseTbcCurrency(body.money.currency, "money.currency", problems);
  const amount = amountReader(currency, problems)("money.amount", body.money.amount);
  if (amount === undefined || problems.length > 0) throw validationError(problems);
  return {
    dialect,
    externalOrderId: body.merchantPaymentId ?? null,
    captureMode: body.preAuth ? "manual" : "automatic",
    currency,
    amount,
    language: "ka",
    theme: "light",
    callbackUrl: null,
    successUrl: null,
    failUrl: null,
    paymentMethods: ["card"],
    methodsNamed: true,
    basket: [{ productId: body.merchantPaymentId ?? "recurring", description: null, quantity: "1", unitPrice: amount }],
    details: { extra: body.extra, extra2: body.extra2, initiator: body.initiator ?? null },
    saveCard: null,
    terminal: null,
    split: null,
    ttlMinutes: DEFAULT_EXPIRATION_MINUTES,
  };
}

