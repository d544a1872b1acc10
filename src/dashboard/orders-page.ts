// The list of orders: filters and search at the top, one row per order, newest first, and a
// link to the next (older) page.

import type { Currency } from "../core/money.ts";
import { CURRENCIES } from "../core/money.ts";
import type { OrderStatus } from "../core/order-state.ts";
import { ORDER_STATUSES } from "../core/order-state.ts";
import type { OrderListing } from "../core/order-listing.ts";
import type { Merchant } from "../core/types.ts";
import { html } from "../web/html.ts";
import type { Html } from "../web/html.ts";
import { STATUS_NAMES } from "./i18n.ts";
import { dashboardPage, money, notice, statusBadge, timeOf } from "./layout.ts";
import type { PageContext } from "./layout.ts";
import { dashboardPaths } from "./paths.ts";

/** The filter form as the request gave it (text as typed), with a message per field that is wrong. */
export type OrdersQuery = {
  q: string;
  status: string;
  api: string;
  currency: string;
  from: string;
  to: string;
  amount_min: string;
  amount_max: string;
  merchant: string;
  cursor: string;
};

export const ORDERS_QUERY_FIELDS = ["q", "status", "api", "currency", "from", "to", "amount_min", "amount_max", "merchant", "cursor"] as const;

export type OrdersPageInput = {
  query: OrdersQuery;
  problems: Partial<Record<keyof OrdersQuery, string>>;
  apis: ReadonlyArray<{ id: string; title: string }>;
  /** For the operator: every merchant, to choose one. */
  merchants: Merchant[] | undefined;
  listing: OrderListing | undefined;
};

function field(input: OrdersPageInput, name: keyof OrdersQuery, label: string, control: Html): Html {
  const problem = input.problems[name];
  return html`<div class="field${name === "q" ? " wide" : ""}${problem ? " invalid" : ""}"><label for="f-${name}">${label}</label>${control}${problem ? html`<p class="error" id="f-${name}-error">${problem}</p>` : ""}</div>`;
}

function textInput(input: OrdersPageInput, name: keyof OrdersQuery, type: string, extra: Html = html``): Html {
  const problem = input.problems[name];
  return html`<input id="f-${name}" name="${name}" type="${type}" value="${input.query[name]}"${problem ? html` aria-invalid="true" aria-describedby="f-${name}-error"` : ""} ${extra}>`;
}

function select(name: keyof OrdersQuery, value: string, options: ReadonlyArray<[string, string]>): Html {
  return html`<select id="f-${name}" name="${name}">${options.map(([v, label]) => html`<option value="${v}"${v === value ? " selected" : ""}>${label}</option>`)}</select>`;
}

function filters(page: PageContext, input: OrdersPageInput): Html {
  const { t, language } = page;
  const q = input.query;
  const statuses: Array<[string, string]> = [["", t.any_status], ...ORDER_STATUSES.map((s): [string, string] => [s, STATUS_NAMES[language][s as OrderStatus]])];
  const apis: Array<[string, string]> = [["", t.any_api], ...input.apis.map((a): [string, string] => [a.id, a.title])];
  const currencies: Array<[string, string]> = [["", t.any_currency], ...CURRENCIES.map((c: Currency): [string, string] => [c, c])];
  return html`<form method="get" action="${dashboardPaths.orders()}" class="filters" role="search">
${field(input, "q", t.search, html`${textInput(input, "q", "search", html`placeholder="${t.search_hint}" aria-describedby="f-q-hint" maxlength="255"`)}<p class="hint" id="f-q-hint">${t.search_hint}</p>`)}
${field(input, "status", t.status, select("status", q.status, statuses))}
${field(input, "api", t.api, select("api", q.api, apis))}
${field(input, "currency", t.currency, select("currency", q.currency, currencies))}
${input.merchants
  ? field(input, "merchant", t.merchant, select("merchant", q.merchant, [["", t.all_merchants], ...input.merchants.map((m): [string, string] => [m.id, m.name])]))
  : ""}
${field(input, "from", t.created_from, textInput(input, "from", "date"))}
${field(input, "to", t.created_to, textInput(input, "to", "date"))}
${field(input, "amount_min", t.amount_min, textInput(input, "amount_min", "text", html`inputmode="decimal" maxlength="20"`))}
${field(input, "amount_max", t.amount_max, textInput(input, "amount_max", "text", html`inputmode="decimal" maxlength="20"`))}
<div class="field actions"><button type="submit">${t.filter}</button> <a href="${dashboardPaths.orders()}">${t.clear}</a></div>
</form>`;
}

function table(page: PageContext, input: OrdersPageInput, listing: OrderListing): Html {
  const { t } = page;
  if (listing.rows.length === 0) return html`<p class="empty">${t.no_orders}</p>`;
  const operator = input.merchants !== undefined;
  const apiTitle = new Map(input.apis.map((a) => [a.id, a.id.toUpperCase()]));
  return html`<div class="table-wrap"><table class="orders">
<caption class="visually-hidden">${t.orders}</caption>
<thead><tr>
<th scope="col">${t.created}</th><th scope="col">${t.order}</th><th scope="col">${t.your_id}</th>${operator ? html`<th scope="col">${t.merchant}</th>` : ""}
<th scope="col">${t.api}</th><th scope="col">${t.status}</th><th scope="col" class="num">${t.amount}</th><th scope="col">${t.card}</th>
</tr></thead>
<tbody>
${listing.rows.map(
  ({ order, merchant, card }) => html`<tr>
<td>${timeOf(page, order.createdAt)}</td>
<td><a class="mono" href="${dashboardPaths.order(order.id)}" aria-label="${t.order} ${order.id}">${order.id.slice(0, 8)}</a></td>
<td>${order.externalOrderId ?? t.none}</td>
${operator ? html`<td>${merchant?.name ?? t.none}</td>` : ""}
<td>${apiTitle.get(order.dialect) ?? order.dialect}</td>
<td>${statusBadge(page, order.status)}</td>
<td class="num">${money(order.amount, order.currency)}</td>
<td class="mono">${card?.mask ?? t.none}</td>
</tr>`,
)}
</tbody>
</table></div>`;
}

function pagination(page: PageContext, input: OrdersPageInput, listing: OrderListing): Html {
  const { t } = page;
  const { cursor: _cursor, ...rest } = input.query;
  const links = [
    input.query.cursor ? html`<a href="${dashboardPaths.orders(rest)}">← ${t.newest}</a>` : "",
    listing.next ? html`<a href="${dashboardPaths.orders({ ...rest, cursor: listing.next })}" rel="next">${t.older} →</a>` : "",
  ];
  return html`<nav class="pages" aria-label="${t.orders}"><p>${t.orders_shown} ${listing.rows.length}</p>${links}</nav>`;
}

export function ordersPage(page: PageContext, input: OrdersPageInput): string {
  const { t } = page;
  const listing = input.listing;
  const body = html`<h1>${t.orders}</h1>
${filters(page, input)}
${listing ? html`${table(page, input, listing)}${listing.rows.length > 0 || input.query.cursor ? pagination(page, input, listing) : ""}` : notice("error", Object.values(input.problems)[0] ?? t.no_orders)}`;
  return dashboardPage(page, t.orders, body, "orders");
}
