// Parses BOG's create-order body into core's OrderRequest. Amounts are parsed exactly in the
// order's currency; every problem is reported with the field it belongs to.

import type { Static } from "@sinclair/typebox";
import { validationError } from "../../core/errors.ts";
import type { FieldProblem } from "../../core/errors.ts";
import { merchantUrlProblem } from "../../core/merchant-urls.ts";
import { CURRENCIES, isCurrency, parseMajorAmount } from "../../core/money.ts";
import type { AmountProblem, Currency, MinorUnits } from "../../core/money.ts";
import { TTL_MINUTES } from "../../core/orders.ts";
import type { OrderRequest } from "../../core/orders.ts";
import type { BasketLine, Language } from "../../core/types.ts";
import type { CreateOrderBody } from "./schemas.ts";

const AMOUNT_MESSAGES: Readonly<Record<AmountProblem, string>> = {
  not_a_number: "must be a number",
  too_many_decimals: "has more decimal places than the currency allows",
  negative: "must not be negative",
  zero: "must be greater than zero",
  too_large: "is too large",
};

/** Reads a decimal amount in `currency`, recording a field problem instead of throwing. */
export function amountReader(currency: Currency, problems: FieldProblem[]) {
  return (field: string, value: unknown, options: { allowZero?: boolean } = {}): MinorUnits | undefined => {
    const parsed = parseMajorAmount(value, currency, options);
    if (parsed.ok) return parsed.minor;
    problems.push({ field, message: AMOUNT_MESSAGES[parsed.problem] });
    return undefined;
  };
}

export function parseBogOrder(
  body: Static<typeof CreateOrderBody>,
  language: Language,
  requireHttps: boolean,
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

  const basket: BasketLine[] = units.basket.map((item, i) => {
    const at = `purchase_units.basket.${i}`;
    const unitPrice = amount(`${at}.unit_price`, item.unit_price, { allowZero: true });
    for (const field of ["unit_discount_price", "vat", "total_price"] as const) {
      if (item[field] !== undefined) amount(`${at}.${field}`, item[field], { allowZero: true });
    }
    return {
      productId: item.product_id,
      description: item.description ?? null,
      quantity: String(item.quantity),
      unitPrice: unitPrice ?? (0 as MinorUnits),
    };
  });

  const url = (field: string, value: string | undefined): string | null => {
    if (value === undefined) return null;
    const problem = merchantUrlProblem(value, requireHttps);
    if (problem) problems.push({ field, message: problem });
    return value;
  };
  const callbackUrl = url("callback_url", body.callback_url);
  const successUrl = url("redirect_urls.success", body.redirect_urls?.success ?? body.redirect_url);
  const failUrl = url("redirect_urls.fail", body.redirect_urls?.fail ?? body.redirect_url);

  const methods = [...new Set(body.payment_method ?? [])];
  const onlyLoans = methods.length > 0 && methods.every((m) => m === "bog_loan" || m === "bnpl");
  if (onlyLoans && !body.config?.loan?.type) {
    problems.push({ field: "config.loan.type", message: "is required when paying only by loan or BNPL" });
  }
  const split = body.config?.split?.split_payments ?? body.config?.split?.transfers;
  split?.forEach((part, i) => {
    const at = `config.split.${body.config?.split?.split_payments ? "split_payments" : "transfers"}.${i}`;
    if ((part.amount === undefined) === (part.percent === undefined)) {
      problems.push({ field: at, message: "must have exactly one of amount and percent" });
    } else if (part.amount !== undefined) {
      amount(`${at}.amount`, part.amount);
    }
  });
  if (split && currency !== "GEL") problems.push({ field: "config.split", message: "is only available in GEL" });

  if (problems.length > 0 || total === undefined) throw validationError(problems);
  return {
    dialect: "bog",
    externalOrderId: body.external_order_id ?? null,
    captureMode: body.capture ?? "automatic",
    currency,
    amount: total,
    language,
    callbackUrl,
    successUrl,
    failUrl,
    paymentMethods: methods,
    basket,
    details: {
      purchase_units: { ...units, currency },
      buyer: body.buyer ?? null,
      config: body.config ?? null,
      application_type: body.application_type ?? null,
    },
    ttlMinutes: body.ttl ?? TTL_MINUTES.default,
  };
}
