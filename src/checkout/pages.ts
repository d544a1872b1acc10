// The hosted pages, server-rendered with no script at all: payment form, 3-D Secure
// challenge, result. Every value passes through html``, which escapes it.

import { formatMoney } from "../core/money.ts";
import type { CardField, CardProblem } from "../core/cards.ts";
import { LANGUAGES } from "../core/types.ts";
import type { Language, OrderView, PageTheme, PaymentMethod, SavedCard, SavedCardUsage } from "../core/types.ts";
import { html } from "../web/html.ts";
import type { Html } from "../web/html.ts";
import { htmlDocument } from "../web/pages.ts";
import { checkoutPaths } from "./links.ts";
import type { ShopReturn } from "./links.ts";
import { METHOD_NAMES } from "../web/method-names.ts";
import { LANGUAGE_NAMES, TEXTS, fieldMessage } from "./i18n.ts";
import type { Texts } from "./i18n.ts";
import { METHOD_TEXTS } from "./method-texts.ts";

export const CHECKOUT_STYLESHEET = "/checkout/assets/checkout.css";

export type PageFrame = {
  language: Language;
  /** The order's theme; pages of no order are light. */
  theme?: PageTheme;
  title: string;
  body: Html;
  testMode: boolean;
  refreshSeconds?: number;
  scripts?: readonly string[];
  /** The same page in another language, for links to each of the others. */
  inLanguage?: (language: Language) => string;
};

export function layout(frame: PageFrame): string {
  const t = TEXTS[frame.language];
  const { inLanguage } = frame;
  const others = LANGUAGES.filter((language) => language !== frame.language);
  const body = html`<main class="card">
${frame.testMode ? html`<p class="test-banner">${t.test_mode}</p>` : ""}
${frame.body}
${inLanguage ? html`<p class="lang">${others.map((language) => html`<a href="${inLanguage(language)}" lang="${language}" hreflang="${language}">${LANGUAGE_NAMES[language]}</a>`)}</p>` : ""}
</main>`;
  return htmlDocument({
    language: frame.language,
    theme: frame.theme ?? "light",
    title: frame.title,
    stylesheets: [CHECKOUT_STYLESHEET],
    body,
    refreshSeconds: frame.refreshSeconds,
    scripts: frame.scripts,
  });
}

export function money(view: OrderView, minor: number): string {
  return formatMoney(minor, view.order.currency);
}

export function summary(view: OrderView, t: Texts): Html {
  const { order, merchant } = view;
  return html`<header>
<p class="merchant">${t.pay_to}: <strong>${merchant.name}</strong></p>
<p class="reference">${t.order}: <span>${order.externalOrderId ?? order.id}</span></p>
</header>
<table class="basket">
<thead><tr><th>${t.item}</th><th>${t.quantity}</th><th>${t.price}</th></tr></thead>
<tbody>
${order.basket.map(
  (line) => html`<tr><td>${line.description ?? line.productId}</td><td>${line.quantity}</td><td>${money(view, line.unitPrice)}</td></tr>`,
)}
</tbody>
<tfoot><tr><th colspan="2">${t.total}</th><td class="total">${money(view, order.amount)}</td></tr></tfoot>
</table>`;
}

export type PaymentFormState = {
  csrf: string;
  problems: readonly CardProblem[];
  /** A message above the form (e.g. the session expired), shown instead of the generic "fix the fields". */
  notice?: string;
  values: { expiry: string; cardholder: string };
};

export function field(
  t: Texts,
  language: Language,
  state: Pick<PaymentFormState, "problems">,
  name: CardField,
  label: string,
  attributes: { autocomplete: string; inputmode?: string; placeholder?: string; value?: string; maxlength: number },
): Html {
  const problem = state.problems.find((p) => p.field === name);
  const id = `field-${name}`;
  return html`<div class="field${problem ? " invalid" : ""}">
<label for="${id}">${label}</label>
<input id="${id}" name="${name}" autocomplete="${attributes.autocomplete}" ${attributes.inputmode ? html`inputmode="${attributes.inputmode}"` : ""} ${attributes.placeholder ? html`placeholder="${attributes.placeholder}"` : ""} maxlength="${attributes.maxlength}" value="${attributes.value ?? ""}"${problem ? html` aria-invalid="true" aria-describedby="${id}-error"` : ""}>
${problem ? html`<p class="error" id="${id}-error">${fieldMessage(language, problem)}</p>` : ""}
</div>`;
}

const SAVE_CARD_NOTICES: Readonly<Record<SavedCardUsage, keyof Texts>> = {
  any: "save_card_any",
  with_buyer: "save_card_with_buyer",
  without_buyer: "save_card_without_buyer",
};

/** The buyer confirms a payment with a card saved before: the card's mask and a Pay button, no card fields. */
function savedCardForm(view: OrderView, card: SavedCard, state: PaymentFormState, t: Texts, language: Language): Html {
  return html`<section class="saved-card">
<h2>${t.saved_card}</h2>
<p>${t.saved_card_text}</p>
<dl class="facts">
<dt>${t.card}</dt><dd class="card-mask">${card.card.mask}</dd>
<dt>${t.expiry}</dt><dd>${card.card.expiry}</dd>
</dl>
</section>
${state.notice ? html`<p class="form-error" role="alert">${state.notice}</p>` : ""}
<form method="post" action="/checkout/pay">
<input type="hidden" name="order_id" value="${view.order.id}">
<input type="hidden" name="csrf" value="${state.csrf}">
<input type="hidden" name="lang" value="${language}">
<button type="submit">${t.pay} ${money(view, view.order.amount)}</button>
</form>`;
}

export function paymentPage(view: OrderView, state: PaymentFormState, options: { testMode: boolean; language: Language }): string {
  const { language } = options;
  const t = TEXTS[language];
  const frame = {
    language,
    theme: view.order.theme,
    title: t.title,
    testMode: options.testMode,
    inLanguage: (other: Language) => checkoutPaths.payment(view.order.id, other),
  };
  if (view.chargedCard) return layout({ ...frame, body: html`<h1>${t.title}</h1>
${summary(view, t)}
${savedCardForm(view, view.chargedCard, state, t, language)}` });
  const requested = view.order.paymentMethods;
  const others = requested.filter((m) => m !== "card");
  const withCard = requested.includes("card");
  const body = html`<h1>${t.title}</h1>
${summary(view, t)}
<section class="methods">
<h2>${t.method}</h2>
${withCard ? html`<p class="method selected">${METHOD_NAMES.card[language]}</p>` : ""}
${others.length === 0 ? "" : options.testMode ? methodLinks(view, others, language) : html`<p class="unavailable">${t.unavailable}: ${others.map((m) => METHOD_NAMES[m][language]).join(", ")}</p>`}
</section>
${withCard ? cardForm(view, state, t, language) : ""}`;
  return layout({ ...frame, body });
}

/** Links to the (simulated) pages of the methods other than the card, each marked as simulated. */
function methodLinks(view: OrderView, methods: readonly PaymentMethod[], language: Language): Html {
  const mt = METHOD_TEXTS[language];
  return html`<ul class="method-links">
${methods.map((method) => html`<li><a class="button" href="${checkoutPaths.method(view.order.id, method, language)}" data-method="${method}">${mt.pay_with} ${METHOD_NAMES[method][language]} <span class="simulated-badge">(${mt.simulated})</span></a></li>`)}
</ul>`;
}

function cardForm(view: OrderView, state: PaymentFormState, t: Texts, language: Language): Html {
  return html`${view.order.saveCard ? html`<p class="save-card-notice" role="note">${t[SAVE_CARD_NOTICES[view.order.saveCard.usage]]}</p>` : ""}
${state.notice ? html`<p class="form-error" role="alert">${state.notice}</p>` : state.problems.length > 0 ? html`<p class="form-error" role="alert">${t.fix_fields}</p>` : ""}
<form method="post" action="/checkout/pay" novalidate>
<input type="hidden" name="order_id" value="${view.order.id}">
<input type="hidden" name="csrf" value="${state.csrf}">
<input type="hidden" name="lang" value="${language}">
${field(t, language, state, "card_number", t.card_number, { autocomplete: "cc-number", inputmode: "numeric", placeholder: "0000 0000 0000 0000", maxlength: 23 })}
<div class="row">
${field(t, language, state, "expiry", `${t.expiry} (${t.expiry_hint})`, { autocomplete: "cc-exp", inputmode: "numeric", placeholder: t.expiry_hint, value: state.values.expiry, maxlength: 7 })}
${field(t, language, state, "cvc", t.cvc, { autocomplete: "cc-csc", inputmode: "numeric", placeholder: "123", maxlength: 4 })}
</div>
${field(t, language, state, "cardholder", t.cardholder, { autocomplete: "cc-name", value: state.values.cardholder, maxlength: 64 })}
<button type="submit">${t.pay} ${money(view, view.order.amount)}</button>
</form>`;
}

export function challengePage(
  view: OrderView,
  input: { csrf: string; attemptId: string; language: Language; testMode: boolean; notice?: string },
): string {
  const t = TEXTS[input.language];
  const body = html`<h1>${t.threeds_title}</h1>
${input.notice ? html`<p class="form-error" role="alert">${input.notice}</p>` : ""}
<p>${t.threeds_text}</p>
<dl class="facts">
<dt>${t.pay_to}</dt><dd>${view.merchant.name}</dd>
<dt>${t.amount}</dt><dd>${money(view, view.order.amount)}</dd>
<dt>${t.card}</dt><dd>${view.attempt?.card?.mask ?? ""}</dd>
</dl>
<form method="post" action="/checkout/3ds" class="challenge">
<input type="hidden" name="order_id" value="${view.order.id}">
<input type="hidden" name="attempt_id" value="${input.attemptId}">
<input type="hidden" name="csrf" value="${input.csrf}">
<input type="hidden" name="lang" value="${input.language}">
<button type="submit" name="result" value="complete">${t.complete}</button>
<button type="submit" name="result" value="fail" class="secondary">${t.fail}</button>
</form>`;
  return layout({ language: input.language, theme: view.order.theme, title: t.threeds_title, body, testMode: input.testMode });
}

export type ResultKind = "success" | "declined" | "expired" | "processing" | "paid";

export function resultPage(
  view: OrderView,
  input: {
    kind: ResultKind;
    message?: string;
    language: Language;
    testMode: boolean;
    backHref?: string;
    backForm?: ShopReturn;
    /**
     * What the buyer may still do on the page (decide a pending loan application, in test
     * mode): it replaces the status text, and the page does not reload under the buyer's hand.
     */
    actions?: Html;
  },
): string {
  const t = TEXTS[input.language];
  const headline = {
    success: t.success,
    paid: t.success,
    declined: t.failed,
    expired: t.failed,
    processing: t.title,
  }[input.kind];
  const text = {
    success: null,
    paid: t.paid,
    declined: input.message ?? t.declined,
    expired: t.expired,
    processing: t.processing,
  }[input.kind];
  const body = html`<h1 class="result ${input.kind}">${headline}</h1>
${input.actions ?? (text ? html`<p class="message" role="status">${text}</p>` : "")}
${summary(view, t)}
${input.backForm ? backFormOf(input.backForm, t.back_to_shop) : input.backHref ? html`<p><a class="button" href="${input.backHref}">${t.back_to_shop}</a></p>` : ""}`;
  return layout({
    scripts: input.backForm ? [SEND_FORM_SCRIPT] : undefined,
    language: input.language,
    theme: view.order.theme,
    title: headline,
    body,
    testMode: input.testMode,
    refreshSeconds: input.kind === "processing" && !input.actions ? 3 : undefined,
  });
}

/** The script that sends a page's return form by itself (the button stays for a browser without scripts). */
export const SEND_FORM_SCRIPT = "/checkout/send-form.js";

function backFormOf(back: ShopReturn, label: string) {
  return html`<form method="post" action="${back.url}" id="shop-return">
${Object.entries(back.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit">${label}</button>
</form>`;
}

export function messagePage(language: Language, title: string, text: string, testMode: boolean): string {
  return layout({ language, title, body: html`<h1>${title}</h1><p class="message">${text}</p>`, testMode });
}
