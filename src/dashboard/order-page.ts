// One order: its amounts, buyer, basket and masked card, what can be done to it (each action
// asks for confirmation on a page of its own, so it works without script), and its timeline.

import type { OrderDetail, TimelineEvent } from "../core/order-timeline.ts";
import type { BuyerSummary, CardSummary, Operation } from "../core/types.ts";
import { html } from "../web/html.ts";
import type { Html } from "../web/html.ts";
import {
  ATTEMPT_STATUSES,
  CHANNELS,
  DECLINE_REASONS,
  fill,
  FOLLOW_UP_FAILURES,
  OPERATION_KINDS,
  OPERATION_STATUSES,
  OUTBOX_STATUSES,
} from "./i18n.ts";
import { dashboardPage, hidden, money, notice, statusBadge, timeOf } from "./layout.ts";
import type { PageContext } from "./layout.ts";
import { METHOD_NAMES } from "../web/method-names.ts";
import { dashboardPaths } from "./paths.ts";

export type DashboardAction = "refund" | "capture" | "cancel" | "resend";
export const DASHBOARD_ACTIONS: readonly DashboardAction[] = ["refund", "capture", "cancel", "resend"];

export type OrderPageInput = {
  detail: OrderDetail;
  /** The API the order came through, and (for the operator) its merchant. */
  apiTitle: string;
  showMerchant: boolean;
  buyer: BuyerSummary | undefined;
  /** What the last action did, or why it could not. */
  message?: { kind: "ok" | "error"; text: string | Html };
  /** What was typed into an action's amount field, kept when it was refused. */
  typed?: { action: DashboardAction; amount: string; problem?: string };
};

function facts(rows: ReadonlyArray<readonly [string, string | Html]>): Html {
  return html`<dl class="facts">${rows.map(([term, value]) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`)}</dl>`;
}

/** The card of a payment, as its facts show it. */
function cardFacts(card: CardSummary, t: PageContext["t"]): ReadonlyArray<readonly [string, string | Html]> {
  return [
    [t.card, html`<span class="mono">${card.mask}</span> ${card.brand === "other" ? "" : card.brand.toUpperCase()}`],
    [t.expiry, card.expiry],
    [t.cardholder, card.holder || t.none],
  ];
}

/** What a finished operation did, in a sentence: "Refund 5.00 GEL: done." */
export function operationOutcome(page: PageContext, operation: Operation): { kind: "ok" | "error"; text: string } {
  const { t, language } = page;
  const what = `${OPERATION_KINDS[language][operation.kind]} ${money(operation.amount, operation.currency)}`;
  if (operation.status === "completed") return { kind: "ok", text: `${what}: ${t.done_completed}` };
  if (operation.status === "pending") return { kind: "ok", text: `${what}: ${t.done_pending}` };
  const reason = operation.failureReason ? FOLLOW_UP_FAILURES[language][operation.failureReason] : "";
  return { kind: "error", text: `${what}: ${t.done_failed} ${reason}` };
}

function amountForm(page: PageContext, input: OrderPageInput, action: "refund" | "capture", label: string, hint: string, most: string): Html {
  const { detail } = input;
  const typed = input.typed?.action === action ? input.typed : undefined;
  const id = `amount-${action}`;
  return html`<form method="get" action="${dashboardPaths.confirm(detail.view.order.id, {})}" class="action">
${hidden({ action })}
<div class="field${typed?.problem ? " invalid" : ""}">
<label for="${id}">${label} (${detail.view.order.currency})</label>
<input id="${id}" name="amount" inputmode="decimal" maxlength="20" placeholder="${most}" value="${typed?.amount ?? ""}" aria-describedby="${id}-hint${typed?.problem ? ` ${id}-error` : ""}"${typed?.problem ? html` aria-invalid="true"` : ""}>
<p class="hint" id="${id}-hint">${hint}: ${most}</p>
${typed?.problem ? html`<p class="error" id="${id}-error">${typed.problem}</p>` : ""}
</div>
<button type="submit">${label}</button>
</form>`;
}

function buttonForm(input: OrderPageInput, action: DashboardAction, label: string, text: string, className = ""): Html {
  return html`<form method="get" action="${dashboardPaths.confirm(input.detail.view.order.id, {})}" class="action">
${hidden({ action })}
<p class="hint">${text}</p>
<button type="submit" class="${className}">${label}</button>
</form>`;
}

function actions(page: PageContext, input: OrderPageInput): Html {
  const { t } = page;
  const { actions: can, view } = input.detail;
  const currency = view.order.currency;
  const forms = [
    can.refundable > 0 ? amountForm(page, input, "refund", t.refund, t.refund_hint, money(can.refundable, currency)) : "",
    can.capturable > 0 ? amountForm(page, input, "capture", t.capture, t.capture_hint, money(can.capturable, currency)) : "",
    can.cancellable ? buttonForm(input, "cancel", t.cancel_preauth, t.cancel_hint, "secondary") : "",
    can.resendable ? buttonForm(input, "resend", t.resend_callback, t.resend_hint, "quiet") : "",
  ].filter((form) => form !== "");
  return html`<section aria-labelledby="actions-title"><h2 id="actions-title">${t.actions}</h2>
${forms.length > 0 ? html`<div class="action-list">${forms}</div>` : html`<p class="muted">${t.no_actions}</p>`}
</section>`;
}

function event(page: PageContext, item: TimelineEvent): Html {
  const { t, language } = page;
  switch (item.kind) {
    case "created":
      return html`<strong>${t.ev_created}</strong>`;
    case "expired":
      return html`<strong>${t.ev_expired}</strong>`;
    case "attempt": {
      const a = item.attempt;
      const reason = a.declineReason ? ` (${DECLINE_REASONS[language][a.declineReason]})` : "";
      return html`<strong>${t.ev_attempt}</strong> <span class="mono">${a.card?.mask ?? METHOD_NAMES[a.method][language]}</span>: ${ATTEMPT_STATUSES[language][a.status]}${reason}`;
    }
    case "operation": {
      const op = item.operation;
      const failure = op.failureReason ? ` (${FOLLOW_UP_FAILURES[language][op.failureReason]})` : "";
      return html`<strong>${OPERATION_KINDS[language][op.kind]}</strong> ${money(op.amount, op.currency)}: ${OPERATION_STATUSES[language][op.status]}${failure} · ${t.by} ${CHANNELS[language][op.channel]}`;
    }
    case "callback":
      return html`<strong>${t.ev_callback}</strong> → <span class="mono url">${item.message.url}</span>: ${OUTBOX_STATUSES[language][item.message.status]}`;
    case "callback_attempt": {
      const a = item.attempt;
      const outcome = a.statusCode !== null ? `HTTP ${a.statusCode}` : (a.error ?? t.no_response);
      return html`<strong>${t.ev_callback_attempt}</strong>: <span class="${a.error ? "bad-text" : "good-text"}">${outcome}</span> · ${t.latency} ${a.durationMs} ms
${a.responseExcerpt ? html`<br><span class="muted">${t.response}:</span> <code class="excerpt">${a.responseExcerpt}</code>` : ""}`;
    }
  }
}

function timeline(page: PageContext, events: readonly TimelineEvent[]): Html {
  const { t } = page;
  return html`<section aria-labelledby="timeline-title"><h2 id="timeline-title">${t.timeline}</h2>
<ol class="timeline">${events.map((item) => html`<li class="ev-${item.kind}">${timeOf(page, item.at)}<div>${event(page, item)}</div></li>`)}</ol>
</section>`;
}

export function orderPage(page: PageContext, input: OrderPageInput): string {
  const { t } = page;
  const { view, callbackUrl } = input.detail;
  const { order, merchant, attempt } = view;
  const m = (amount: number) => money(amount, order.currency);
  const left = order.capturedAmount - order.refundedAmount - order.refundReservedAmount;
  const buyer = input.buyer;
  const callback =
    callbackUrl === null ? t.none : html`<span class="mono url">${callbackUrl}</span>${order.callbackUrl === null ? html` <span class="muted">${t.callback_url_default}</span>` : ""}`;
  const body = html`<p><a href="${dashboardPaths.orders()}">← ${t.orders}</a></p>
<h1>${t.order_title} <span class="mono">${order.id}</span> ${statusBadge(page, order.status)}</h1>
${input.message ? notice(input.message.kind, input.message.text) : ""}
<section aria-labelledby="summary-title" class="summary"><h2 id="summary-title" class="visually-hidden">${t.order_title}</h2>
${facts([
  ...(input.showMerchant ? [[t.merchant, merchant.name] as const] : []),
  [t.api, input.apiTitle],
  [t.your_id, order.externalOrderId ?? t.none],
  [t.created, timeOf(page, order.createdAt)],
  [t.callback_url, callback],
])}
</section>
<div class="columns">
<section aria-labelledby="amounts-title"><h2 id="amounts-title">${t.amounts}</h2>
${facts([
  [t.amount, m(order.amount)],
  [t.authorized, m(order.authorizedAmount)],
  [t.captured, m(order.capturedAmount)],
  [t.refunded, m(order.refundedAmount)],
  ...(order.refundReservedAmount > 0 ? [[t.refund_reserved, m(order.refundReservedAmount)] as const] : []),
  [t.left_to_refund, m(Math.max(0, left))],
])}
</section>
<section aria-labelledby="payment-title"><h2 id="payment-title">${t.payment}</h2>
${attempt
  ? facts([
      [t.payment_method, METHOD_NAMES[attempt.method][page.language]],
      ...(attempt.card ? cardFacts(attempt.card, t) : []),
      ...(attempt.methodDetails?.payer ? [[t.payer, attempt.methodDetails.payer] as const] : []),
      ...(attempt.methodDetails?.pointsAmount ? [[t.paid_with_points, m(attempt.methodDetails.pointsAmount)] as const] : []),
      ...(attempt.methodDetails?.loanMonths ? [[t.loan_term, `${attempt.methodDetails.loanMonths} ${t.months}`] as const] : []),
      [t.status, ATTEMPT_STATUSES[page.language][attempt.status]],
      ...(attempt.declineReason ? [[t.reason, DECLINE_REASONS[page.language][attempt.declineReason]] as const] : []),
    ])
  : html`<p class="muted">${t.none}</p>`}
</section>
<section aria-labelledby="buyer-title"><h2 id="buyer-title">${t.buyer}</h2>
${facts([
  [t.name, buyer?.name ?? t.none],
  [t.email, buyer?.email ?? t.none],
  [t.phone, buyer?.phone ?? t.none],
  [t.ip_address, buyer?.ipAddress ?? t.none],
])}
</section>
</div>
<section aria-labelledby="basket-title"><h2 id="basket-title">${t.basket}</h2>
<div class="table-wrap"><table class="basket">
<thead><tr><th scope="col">${t.item}</th><th scope="col" class="num">${t.quantity}</th><th scope="col" class="num">${t.price}</th></tr></thead>
<tbody>${order.basket.map((line) => html`<tr><td>${line.description ?? line.productId}</td><td class="num">${line.quantity}</td><td class="num">${m(line.unitPrice)}</td></tr>`)}</tbody>
</table></div>
</section>
${actions(page, input)}
${timeline(page, input.detail.timeline)}`;
  return dashboardPage(page, `${t.order_title} ${order.id.slice(0, 8)}`, body, "orders");
}

export type ConfirmInput = {
  detail: OrderDetail;
  action: DashboardAction;
  /** The amount as typed (empty: everything), and what it comes to. */
  amountText: string;
  amount: number;
  csrf: string;
  /** One use only: a second submit of this form (a double click, a reload) does nothing more. */
  nonce: string;
};

export function confirmPage(page: PageContext, input: ConfirmInput): string {
  const { t } = page;
  const { order } = input.detail.view;
  const values = { amount: money(input.amount, order.currency), order: order.externalOrderId ?? order.id };
  const everything = input.amountText === "";
  const question = {
    refund: everything ? t.confirm_refund_all : t.confirm_refund,
    capture: everything ? t.confirm_capture_all : t.confirm_capture,
    cancel: t.confirm_cancel,
    resend: t.confirm_resend,
  }[input.action];
  const body = html`<section class="narrow">
<h1>${t.confirm_title}</h1>
<p class="question">${fill(question, values)}</p>
<form method="post" action="${dashboardPaths.act(order.id)}" class="confirm">
${hidden({ csrf: input.csrf, action: input.action, amount: input.amountText, nonce: input.nonce })}
<button type="submit" class="${input.action === "cancel" ? "danger" : ""}">${t.confirm}</button>
<a class="button quiet" href="${dashboardPaths.order(order.id)}">${t.back}</a>
</form>
</section>`;
  return dashboardPage(page, t.confirm_title, body, "orders");
}
