// The dashboard's list of orders: newest first, a page at a time (a cursor names the last
// order of the page before, so a page never shifts when new orders arrive), filtered by
// status, bank API, currency, creation time and amount, and searched by the order's id, the
// shop's own id or the last four digits of the card.

import { validationError } from "./errors.ts";
import type { CoreContext } from "./context.ts";
import { parseOrderId } from "./ids.ts";
import { CURRENCIES, parseMajorAmount } from "./money.ts";
import type { OrderSearch } from "./ports.ts";
import type { CardSummary, DashboardPrincipal, Merchant, Order } from "./types.ts";

export const ORDERS_PER_PAGE = 25;

/** The search's plain conditions (merchantId: the operator's choice; a merchant always sees only its own), and what is read here. */
export type OrderFilter = Pick<OrderSearch, "merchantId" | "statuses" | "dialect" | "currency" | "createdFrom" | "createdBefore"> & {
  /** Decimal amounts in major units, as typed ("10", "10.50"). */
  amountMin?: string;
  amountMax?: string;
  /** An order id, the shop's own id, or the last four digits of the card. */
  text?: string;
  /** The `next` of the page before. */
  cursor?: string;
  limit?: number;
};

export type OrderRow = { order: Order; merchant: Merchant | undefined; card: CardSummary | undefined };
export type OrderListing = { rows: OrderRow[]; next: string | undefined };

const CURSOR = /^(\d{1,16})_([0-9a-f-]{36})$/;

function cursorOf(order: Order): string {
  return `${order.createdAt}_${order.id}`;
}

function parseCursor(text: string): OrderSearch["after"] {
  const match = CURSOR.exec(text);
  const id = match?.[2] === undefined ? undefined : parseOrderId(match[2]);
  if (!match || !id) throw validationError([{ field: "cursor", message: "is not a page of this list" }]);
  return { createdAt: Number(match[1]), id };
}

/**
 * The amount bounds in each currency's own minor units: with no currency chosen, "10.50" is
 * 1050 of any two-decimal currency. A bound a currency cannot have (more decimals than it
 * allows) leaves that currency out; a bound no currency can have is a problem of the field.
 */
function amountRanges(filter: OrderFilter): OrderSearch["amountRanges"] {
  if (filter.amountMin === undefined && filter.amountMax === undefined) return undefined;
  const currencies = filter.currency ? [filter.currency] : CURRENCIES;
  const bounds = currencies.map((currency) => {
    const read = (text: string | undefined) => (text === undefined ? undefined : parseMajorAmount(text, currency, { allowZero: true }));
    return { currency, min: read(filter.amountMin), max: read(filter.amountMax) };
  });
  const problems = (["amountMin", "amountMax"] as const).flatMap((field) => {
    const key = field === "amountMin" ? "min" : "max";
    const name = field === "amountMin" ? "amount_min" : "amount_max";
    return filter[field] !== undefined && bounds.every((b) => !b[key]?.ok) ? [{ field: name, message: "must be an amount, such as 10 or 10.50" }] : [];
  });
  if (problems.length > 0) throw validationError(problems);
  return bounds.flatMap(({ currency, min, max }) => {
    if ((min && !min.ok) || (max && !max.ok)) return [];
    return [{ currency, min: min?.ok ? min.minor : undefined, max: max?.ok ? max.minor : undefined }];
  });
}

function textSearch(text: string | undefined): OrderSearch["text"] {
  const trimmed = text?.trim();
  if (!trimmed) return undefined;
  return {
    externalOrderId: trimmed,
    orderId: parseOrderId(trimmed),
    cardLast4: /^\d{4}$/.test(trimmed) ? trimmed : undefined,
  };
}

export async function listOrders(ctx: CoreContext, principal: DashboardPrincipal, filter: OrderFilter): Promise<OrderListing> {
  const limit = filter.limit ?? ORDERS_PER_PAGE;
  const search: OrderSearch = {
    merchantId: principal.kind === "merchant" ? principal.merchantId : filter.merchantId,
    statuses: filter.statuses,
    dialect: filter.dialect,
    currency: filter.currency,
    createdFrom: filter.createdFrom,
    createdBefore: filter.createdBefore,
    amountRanges: amountRanges(filter),
    text: textSearch(filter.text),
    after: filter.cursor ? parseCursor(filter.cursor) : undefined,
    // One more than a page: whether there is a next page, without counting.
    limit: limit + 1,
  };
  return ctx.store.read(async (tx) => {
    const found = await tx.orders.search(search);
    const orders = found.slice(0, limit);
    const [attempts, merchants] = await Promise.all([
      tx.attempts.latestOfOrders(orders.map((o) => o.id)),
      principal.kind === "operator" ? tx.merchants.list() : Promise.all([tx.merchants.find(principal.merchantId)]),
    ]);
    const cards = new Map(attempts.map((a) => [a.orderId, a.card ?? undefined]));
    const byId = new Map(merchants.flatMap((m) => (m ? [[m.id, m] as const] : [])));
    const last = orders[orders.length - 1];
    return {
      rows: orders.map((order) => ({ order, merchant: byId.get(order.merchantId), card: cards.get(order.id) })),
      next: found.length > limit && last ? cursorOf(last) : undefined,
    };
  });
}
