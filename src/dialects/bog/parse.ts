// Parses BOG's create-order request (body and page headers) into core's OrderRequest, and an approve's split
// instructions. Amounts are parsed exactly in the order's currency; every problem is reported with the field it belongs to.

import type { IncomingHttpHeaders } from "node:http";
import type { Static } from "@sinclair/typebox";
import { validationError } from "../../core/errors.ts";
import type { FieldProblem } from "../../core/errors.ts";
import { CURRENCIES, isCurrency } from "../../core/money.ts";
import type { Currency, MinorUnits } from "../../core/money.ts";
import { TTL_MINUTES } from "../../core/orders.ts";
import type { RequestedSplit } from "../../core/operations.ts";
import type { OrderRequest } from "../../core/orders.ts";
import { basisPointsOf } from "../../core/split.ts";
import type { BasketLine, DialectId, Order, SplitPart } from "../../core/types.ts";
import { languageOf } from "../../http/request-context.ts";
import { amountReader, urlReader } from "../shared/fields.ts";
import { BOG_LANGUAGES, BOG_METHOD_NAMES, BOG_METHODS } from "./codes.ts";
import type { CreateOrderBody, SplitInstructions, SubscribeBody } from "./schemas.ts";

/** The hosted page a create-order request asks for in its headers. */
export type BogPage = Pick<OrderRequest, "language" | "theme">;

/**
 * Accept-Language (ka, the default, or en) and Theme (light, the default, or dark). BOG
 * documents no error for other values, so they mean the defaults rather than a refusal.
 */
export function bogPageOf(headers: IncomingHttpHeaders): BogPage {
  const theme = typeof headers.theme === "string" && headers.theme.trim().toLowerCase() === "dark" ? "dark" : "light";
  return { language: languageOf(headers["accept-language"], BOG_LANGUAGES, "ka"), theme };
}

/**
 * `config.split` (its `split_payments`, or the `transfers` some clients send), on create order
 * and on a pre-authorization's approve; undefined when it names no parts.
 */
function splitParts(split: Static<typeof SplitInstructions>, currency: Currency, problems: FieldProblem[]): SplitPart[] | undefined {
  const list = split.split_payments ? "split_payments" : "transfers";
  const amount = amountReader(currency, problems);
  const parts = split[list]?.map((part, i): SplitPart => {
    const at = `config.split.${list}.${i}`;
    if ((part.amount === undefined) === (part.percent === undefined)) {
      problems.push({ field: at, message: "must have exactly one of amount and percent" });
      return { account: part.iban, amount: null, basisPoints: null };
    }
    if (part.amount !== undefined) return { account: part.iban, amount: amount(`${at}.amount`, part.amount) ?? null, basisPoints: null };
    const basisPoints = basisPointsOf(part.percent);
    if (basisPoints === undefined) problems.push({ field: `${at}.percent`, message: "must be above 0 and at most 100, with at most 2 decimals" });
    return { account: part.iban, amount: null, basisPoints: basisPoints ?? null };
  });
  if (parts && currency !== "GEL") problems.push({ field: "config.split", message: "is only available in GEL" });
  return parts && parts.length > 0 ? parts : undefined;
}

/** An approve's split instructions, read in the order's currency once core knows it. */
export function approveSplit(split: Static<typeof SplitInstructions> | undefined): RequestedSplit | undefined {
  if (!split) return undefined;
  return (currency) => {
    const problems: FieldProblem[] = [];
    const parts = splitParts(split, currency, problems);
    if (problems.length > 0) throw validationError(problems);
    if (!parts) throw validationError([{ field: "config.split", message: "must name at least one part" }]);
    return parts;
  };
}

export function parseBogOrder(
  dialect: DialectId,
  body: Static<typeof CreateOrderBody>,
  page: BogPage,
  live: boolean,
): OrderRequest {
  const problems: FieldProblem[] = [];
  const units = body.purchase_units;
  const currencyText = units.currency ?? body.currency ?? "GEL";
  const currency: Currency = isCurrency(currencyText) ? currencyText : "GEL";
  if (!isCurrency(currencyText)) {
    problems.push({ field: "purchase_units.currency", message: `must be one of ${CURRENCIES.join(", ")}` });
  }
  const amount = amountReader(currency, problems);

  const total = amount("purchase_units.total_amount", units.total_amount);
  if (units.total_discount_amount !== undefined) {
    amount("purchase_units.total_discount_amount", units.total_discount_amount, { allowZero: true });
  }
  if (units.delivery?.amount !== undefined) amount("purchase_units.delivery.amount", units.delivery.amount, { allowZero: true });

  const quantityText = (field: string, value: number): string => {
    const text = String(value);
    if (!/^\d+(\.\d{1,3})?$/.test(text)) problems.push({ field, message: "may have at most 3 decimal places" });
    return text;
  };
  const basket: BasketLine[] = units.basket.map((item, i) => {
    const at = `purchase_units.basket.${i}`;
    const unitPrice = amount(`${at}.unit_price`, item.unit_price, { allowZero: true });
    for (const field of ["unit_discount_price", "vat", "total_price"] as const) {
      if (item[field] !== undefined) amount(`${at}.${field}`, item[field], { allowZero: true });
    }
    return {
      productId: item.product_id,
      description: item.description ?? null,
      quantity: quantityText(`${at}.quantity`, item.quantity),
      unitPrice: unitPrice ?? (0 as MinorUnits),
    };
  });

  const url = urlReader(live, problems);
  const callbackUrl = url("callback_url", body.callback_url);
  const successUrl = url("redirect_urls.success", body.redirect_urls?.success ?? body.redirect_url);
  const failUrl = url("redirect_urls.fail", body.redirect_urls?.fail ?? body.redirect_url);

  const methods = [...new Set(body.payment_method ?? [])];
  const onlyLoans = methods.length > 0 && methods.every((m) => m === "bog_loan" || m === "bnpl");
  if (onlyLoans && !body.config?.loan?.type) {
    problems.push({ field: "config.loan.type", message: "is required when paying only by loan or BNPL" });
  }
  const split = body.config?.split && splitParts(body.config.split, currency, problems);

  if (body.config?.apple_pay?.external && (methods.length !== 1 || methods[0] !== "apple_pay")) {
    problems.push({ field: "config.apple_pay.external", message: 'needs payment_method ["apple_pay"]' });
  }
  if (body.config?.google_pay?.external) {
    if (methods.length !== 1 || methods[0] !== "google_pay") problems.push({ field: "config.google_pay.external", message: 'needs payment_method ["google_pay"]' });
    if (!body.config.google_pay.google_pay_token) problems.push({ field: "config.google_pay.google_pay_token", message: "is required with config.google_pay.external" });
  }
  if (problems.length > 0 || total === undefined) throw validationError(problems);
  return {
    dialect,
    externalOrderId: body.external_order_id ?? null,
    captureMode: body.capture ?? "automatic",
    currency,
    amount: total,
    ...page,
    callbackUrl,
    successUrl,
    failUrl,
    // None named means every method the bank offers; the page lists them all.
    paymentMethods: (methods.length > 0 ? methods : BOG_METHOD_NAMES).map((m) => BOG_METHODS[m]),
    methodsNamed: methods.length > 0,
    basket,
    details: {
      purchase_units: { ...units, currency },
      buyer: body.buyer ?? null,
      config: body.config ?? null,
      application_type: body.application_type ?? null,
    },
    saveCard: null,
    terminal: body.config?.account?.tag ?? null,
    split: split ?? null,
    loanOffer: body.config?.loan ? { product: body.config.loan.type ?? null, months: body.config.loan.month ?? null } : null,
    ttlMinutes: body.ttl ?? TTL_MINUTES.default,
  };
}

/**
 * An automatic charge of a saved card (`/subscribe`) as the order it makes from its parent:
 * BOG documents it as a charge of the parent's fixed amount and details, so only the callback
 * URL and the shop's own id may differ. An amount of its own is refused rather than ignored:
 * a shop that sends one expects it charged, and would otherwise be charged another amount.
 */
export function parseBogSubscription(dialect: DialectId, body: Static<typeof SubscribeBody>, live: boolean): (parent: Order) => OrderRequest {
  const problems: FieldProblem[] = [];
  if (body.purchase_units !== undefined) {
    problems.push({ field: "purchase_units", message: "an automatic charge is of the parent order's fixed amount and currency; leave it out" });
  }
  const callbackUrl = urlReader(live, problems)("callback_url", body.callback_url);
  if (problems.length > 0) throw validationError(problems);
  return (parent) => ({
    dialect,
    externalOrderId: body.external_order_id ?? parent.externalOrderId,
    captureMode: parent.captureMode,
    currency: parent.currency,
    amount: parent.amount,
    language: parent.language,
    theme: parent.theme,
    callbackUrl,
    successUrl: parent.successUrl,
    failUrl: parent.failUrl,
    paymentMethods: ["card"],
    methodsNamed: true,
    basket: parent.basket,
    details: parent.details,
    saveCard: null,
    terminal: parent.terminal,
    split: parent.split,
    ttlMinutes: TTL_MINUTES.default,
  });
}
