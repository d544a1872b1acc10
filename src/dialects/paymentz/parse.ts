// The edge of the Paymentz API: one reader turns any of its three encodings (form fields with
// dotted keys, flat-dotted JSON, nested JSON) into the nested shape, and readers of its fields
// turn a payment into core's OrderRequest and the card the buyer sent.

import type { Static } from "@sinclair/typebox";
import { validationError } from "../../core/errors.ts";
import type { FieldProblem } from "../../core/errors.ts";
import type { CardInput } from "../../core/cards.ts";
import { validateCard } from "../../core/cards.ts";
import { isCurrency, CURRENCIES } from "../../core/money.ts";
import type { Currency, MinorUnits } from "../../core/money.ts";
import type { RequestedAmount } from "../../core/operations.ts";
import type { OrderRequest } from "../../core/orders.ts";
import type { DialectId } from "../../core/types.ts";
import { amountReader, urlReader } from "../shared/fields.ts";
import type { PaymentBody } from "./schemas.ts";

/** How deep a dotted key may go (card.number, customer.email: two). */
const MAX_KEY_DEPTH = 4;

/**
 * Nests dotted keys ("card.number": "4…" → { card: { number: "4…" } }), merged with objects
 * already nested. Numbers and booleans become their text, as a form would send them (an amount
 * stays what it is: its exact text is part of the checksum, so a JSON number is refused later).
 */
export function nestDottedKeys(body: unknown): unknown {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return body;
  const problems: FieldProblem[] = [];
  const nested: Record<string, unknown> = {};
  const place = (path: string[], value: unknown, field: string) => {
    let node = nested;
    for (const [i, key] of path.entries()) {
      if (i === path.length - 1) {
        if (Object.hasOwn(node, key) && !isMergeable(node[key], value)) problems.push({ field, message: "is given twice" });
        else node[key] = isPlainObject(value) && isPlainObject(node[key]) ? { ...(node[key] as object), ...(value as object) } : value;
        return;
      }
      const next = node[key];
      if (next !== undefined && !isPlainObject(next)) {
        problems.push({ field, message: "is given twice" });
        return;
      }
      node = (next ?? (node[key] = {})) as Record<string, unknown>;
    }
  };
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const path = key.split(".");
    if (path.length > MAX_KEY_DEPTH || path.some((part) => part === "" || part === "__proto__")) {
      problems.push({ field: key, message: "is not a field of this API" });
      continue;
    }
    place(path, asText(value, path[path.length - 1] ?? ""), key);
  }
  if (problems.length > 0) throw validationError(problems);
  return nested;
}

function isPlainObject(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isMergeable(existing: unknown, value: unknown): boolean {
  return isPlainObject(existing) && isPlainObject(value);
}

function asText(value: unknown, key: string): unknown {
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, asText(v, k)]));
  }
  if (key !== "amount" && (typeof value === "number" || typeof value === "boolean")) return String(value);
  return value;
}

/** Amounts are sent as text with two decimals ("50.00"), and that exact text enters the checksum. */
const AMOUNT_TEXT = /^\d+\.\d{2}$/;

export function amountOf(value: string | undefined, currency: Currency, field: string, problems: FieldProblem[]): MinorUnits | undefined {
  if (value === undefined || value.trim() === "") {
    problems.push({ field, message: "is required" });
    return undefined;
  }
  const parsed = amountReader(currency, problems)(field, value);
  if (parsed !== undefined && !AMOUNT_TEXT.test(value)) {
    problems.push({ field, message: "must be written with two decimals, as 50.00" });
    return undefined;
  }
  return parsed;
}

/** An operation's amount, read in the order's currency once core holds the order. */
export function operationAmount(value: string | undefined, field = "amount"): RequestedAmount {
  return (currency) => {
    const problems: FieldProblem[] = [];
    const amount = amountOf(value, currency, field, problems);
    if (amount === undefined) throw validationError(problems);
    return amount;
  };
}

/**
 * An operation's amount text, checked for its shape before the checksum is (every currency
 * tetri takes has two decimals); core reads its value in the order's currency.
 */
export function requireAmountText(value: string | undefined, field = "amount"): string {
  const problems: FieldProblem[] = [];
  amountOf(value, "EUR", field, problems);
  if (problems.length > 0) throw validationError(problems);
  return value ?? "";
}

export function requireText(value: string | undefined, field: string, problems: FieldProblem[]): string {
  if (value === undefined || value.trim() === "") {
    problems.push({ field, message: "is required" });
    return "";
  }
  return value;
}

/** A merchant's own reference: visible ASCII, as the platform keeps it. */
export function merchantTransactionIdOf(value: string | undefined, problems: FieldProblem[]): string {
  const id = requireText(value, "merchantTransactionId", problems);
  if (id !== "" && !/^[\x21-\x7e]{1,255}$/.test(id)) problems.push({ field: "merchantTransactionId", message: "must be 1 to 255 visible ASCII characters" });
  return id;
}

export function currencyOf(value: string | undefined, problems: FieldProblem[]): Currency {
  const text = requireText(value, "currency", problems);
  if (text !== "" && !isCurrency(text)) problems.push({ field: "currency", message: `must be one of ${CURRENCIES.join(", ")}` });
  return isCurrency(text) ? text : "EUR";
}

/** What a Paymentz order keeps beside core's fields, for its responses and notifications. */
export type PaymentzDetails = {
  paymentBrand?: string;
  paymentMode?: string;
  descriptor?: string;
  customer?: Record<string, string | undefined>;
  recurringType?: string;
  /** A payment link (invoice): how long it is open, and whom it was e-mailed to. */
  invoice?: { merchantInvoiceId: string; expirationHours: number; customerEmail?: string };
};

type Body = Static<typeof PaymentBody>;

export type ParsedPayment = {
  order: OrderRequest;
  /** The card of a server-to-server payment; absent: the buyer pays on tetri's hosted page. */
  card: CardInput | undefined;
  merchantTransactionId: string;
  amountText: string;
};

const CARD_FIELDS: Readonly<Record<string, string>> = { card_number: "card.number", expiry: "card.expiryMonth", cvc: "card.cvv", cardholder: "card.holder" };

/** The card of the request as core reads it, with its problems named by the API's fields. */
export function cardOf(body: Pick<Body, "card" | "customer">, problems: FieldProblem[]): CardInput {
  const card = body.card ?? {};
  const holder = card.holder ?? [body.customer?.givenName, body.customer?.surname].filter(Boolean).join(" ");
  const month = card.expiryMonth ?? "";
  const year = card.expiryYear ?? "";
  if (!/^\d{4}$/.test(year)) problems.push({ field: "card.expiryYear", message: year === "" ? "is required" : "must be four digits (YYYY)" });
  const input: CardInput = { number: card.number ?? "", expiry: `${month.padStart(2, "0")}/${year}`, cvc: card.cvv ?? "", holder };
  const checked = validateCard(input);
  if (!checked.ok) {
    for (const problem of checked.problems) {
      const message = problem.problem === "required" ? "is required" : problem.problem === "luhn" ? "is not a valid card number" : "is not valid";
      problems.push({ field: CARD_FIELDS[problem.field] ?? problem.field, message });
    }
  }
  return input;
}

export function parsePayment(dialect: DialectId, body: Body, live: boolean, options: { requireCard: boolean }): ParsedPayment {
  const problems: FieldProblem[] = [];
  const merchantTransactionId = merchantTransactionIdOf(body.merchantTransactionId, problems);
  const currency = currencyOf(body.currency, problems);
  const amount = amountOf(body.amount, currency, "amount", problems);
  const paymentType = requireText(body.paymentType, "paymentType", problems);
  if (paymentType !== "" && paymentType !== "DB" && paymentType !== "PA") problems.push({ field: "paymentType", message: "must be DB or PA" });
  if (body.paymentBrand !== undefined && !/^[A-Z0-9_]{1,32}$/.test(body.paymentBrand)) problems.push({ field: "paymentBrand", message: "must be an upper-case brand such as VISA" });
  const url = urlReader(live, problems);
  const redirectUrl = url("merchantRedirectUrl", body.merchantRedirectUrl);
  const notificationUrl = url("notificationUrl", body.notificationUrl);
  const registration = body.createRegistration?.toLowerCase();
  if (registration !== undefined && registration !== "true" && registration !== "false") problems.push({ field: "createRegistration", message: "must be true or false" });
  const recurringType = body.recurringType?.toUpperCase();
  if (recurringType !== undefined && recurringType !== "INITIAL" && recurringType !== "REPEATED") problems.push({ field: "recurringType", message: "must be INITIAL or REPEATED" });
  const hasCard = body.card?.number !== undefined;
  if (options.requireCard && !hasCard) problems.push({ field: "card.number", message: "is required" });
  const card = hasCard ? cardOf(body, problems) : undefined;
  if (problems.length > 0 || amount === undefined) throw validationError(problems);

  const descriptor = body.orderDescriptor ?? body.orderDescription;
  const details: PaymentzDetails = {
    paymentBrand: body.paymentBrand,
    paymentMode: body.paymentMode,
    descriptor,
    customer: body.customer,
    recurringType,
  };
  return {
    merchantTransactionId,
    amountText: body.amount ?? "",
    card,
    order: {
      dialect,
      externalOrderId: merchantTransactionId,
      captureMode: paymentType === "PA" ? "manual" : "automatic",
      currency,
      amount,
      language: "en",
      theme: "light",
      callbackUrl: notificationUrl,
      successUrl: redirectUrl,
      failUrl: redirectUrl,
      paymentMethods: ["card"],
      methodsNamed: true,
      basket: [{ productId: merchantTransactionId, description: descriptor ?? null, quantity: "1", unitPrice: amount }],
      details,
      saveCard: registration === "true" || recurringType === "INITIAL" ? { until: null, usage: "any" } : null,
      terminal: null,
      split: null,
      ttlMinutes: 15,
    },
  };
}
