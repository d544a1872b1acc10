// The simulated bank screens of test mode, one per payment method other than the card: a
// wallet sheet, an internet-bank sign-in, a QR code to "scan", a loyalty account, a loan
// application, a gift card. Each only asks; core/simulated-methods.ts decides what the bank
// answers. Every page says it is simulated.

import type { CardProblem } from "../core/cards.ts";
import { formatMajorAmountFixed } from "../core/money.ts";
import { GIFT_CARD_TEST_CODES, WALLET_TEST_CARDS, giftCardBalance, loanTermsOf, loyaltyBalance } from "../core/simulated-methods.ts";
import type { Language, OrderView } from "../core/types.ts";
import { html } from "../web/html.ts";
import type { Html } from "../web/html.ts";
import type { Form } from "../web/pages.ts";
import { TEXTS } from "./i18n.ts";
import type { Texts } from "./i18n.ts";
import { checkoutPaths } from "./links.ts";
import type { SimulatedMethod } from "./method-forms.ts";
import { METHOD_NAMES } from "../web/method-names.ts";
import { METHOD_TEXTS } from "./method-texts.ts";
import type { MethodTexts } from "./method-texts.ts";
import { field, layout, money, summary } from "./pages.ts";

export type MethodPageState = {
  csrf: string;
  /** What is wrong with what the buyer chose, in their language. */
  problem?: string;
  cardProblems?: readonly CardProblem[];
  /** What was typed, shown again when the page asks again (never a card number or CVC). */
  values?: Form;
  /** The QR page's code and when it stops being valid. */
  qr?: { code: string; expiresAt: number };
};

type PageParts = { view: OrderView; state: MethodPageState; t: Texts; mt: MethodTexts; language: Language };

/** The test card numbers of a wallet sheet, with what each makes the bank answer. */
const WALLET_CARD_OUTCOMES: Readonly<Record<(typeof WALLET_TEST_CARDS)[number], keyof MethodTexts>> = {
  "4242424242424242": "approves",
  "5555555555554444": "approves",
  "4000000000000002": "declines",
  "4000000000009995": "insufficient",
};

const spaced = (pan: string) => pan.replace(/(\d{4})(?=\d)/g, "$1 ");
const value = (state: MethodPageState, name: string, fallback = "") => state.values?.[name] ?? fallback;

/** The bank's answers to choose from: approving ones look like a Pay button, declining ones like a refusal, "later" neither. */
type Outcome = "approve" | "decline" | "pending";
const OUTCOME_CLASSES: Readonly<Record<Outcome, string>> = { approve: "", decline: "secondary", pending: "neutral" };

function outcomeButtons(choices: ReadonlyArray<readonly [value: Outcome, label: string]>): Html {
  return html`<div class="outcomes">${choices.map(([result, label]) => html`<button type="submit" name="result" value="${result}" class="${OUTCOME_CLASSES[result]}">${label}</button>`)}</div>`;
}

function textField(name: string, label: string, current: string, attributes: { autocomplete?: string; maxlength?: number } = {}): Html {
  const id = `field-${name}`;
  return html`<div class="field"><label for="${id}">${label}</label><input id="${id}" name="${name}" value="${current}" autocomplete="${attributes.autocomplete ?? "off"}" maxlength="${attributes.maxlength ?? 64}"></div>`;
}

function walletSheet({ view, state, t, mt }: PageParts): Html {
  const chosen = value(state, "wallet_card", WALLET_TEST_CARDS[0]);
  return html`<fieldset class="wallet-sheet"><legend>${mt.wallet_choose}</legend>
${WALLET_TEST_CARDS.map((pan) => html`<label class="wallet-card"><input type="radio" name="wallet_card" value="${pan}"${pan === chosen ? " checked" : ""}> <span class="mono">${spaced(pan)}</span> — ${mt[WALLET_CARD_OUTCOMES[pan]]}</label>`)}
</fieldset>
<button type="submit">${t.pay} ${money(view, view.order.amount)}</button>`;
}

function bankSignIn({ state, mt }: PageParts): Html {
  return html`<h2>${mt.bank_sign_in}</h2>
${textField("account_holder", mt.account_holder, value(state, "account_holder", "Test Buyer"), { autocomplete: "name" })}
${outcomeButtons([["approve", mt.approve], ["decline", mt.decline]])}`;
}

function qrCode({ state, mt }: PageParts): Html {
  const qr = state.qr;
  if (!qr) return html``;
  return html`<p>${mt.qr_text}</p>
<div class="qr-code" role="img" aria-label="QR"><code>${qr.code.slice(0, 48)}</code></div>
<dl class="facts"><dt>${mt.qr_valid_until}</dt><dd class="qr-expiry">${new Date(qr.expiresAt).toISOString().slice(11, 19)}</dd></dl>
<input type="hidden" name="qr_code" value="${qr.code}">
${outcomeButtons([["approve", mt.qr_scan_approve], ["decline", mt.qr_scan_decline]])}`;
}

function loyaltyAccount({ view, state, t, mt, language }: PageParts): Html {
  const { order } = view;
  const balance = loyaltyBalance(order.currency);
  const points = formatMajorAmountFixed(Math.min(balance, order.amount), order.currency);
  const problems = { problems: state.cardProblems ?? [] };
  return html`<dl class="facts"><dt>${mt.points_balance}</dt><dd class="points-balance">${money(view, balance)}</dd></dl>
${textField("account_holder", mt.account_holder, value(state, "account_holder", "Test Buyer"), { autocomplete: "name" })}
${textField("points", mt.points_to_use, value(state, "points", points), { maxlength: 16 })}
<fieldset class="rest-by-card"><legend>${mt.points_rest}</legend>
${field(t, language, problems, "card_number", t.card_number, { autocomplete: "cc-number", inputmode: "numeric", placeholder: "0000 0000 0000 0000", maxlength: 23 })}
<div class="row">
${field(t, language, problems, "expiry", `${t.expiry} (${t.expiry_hint})`, { autocomplete: "cc-exp", inputmode: "numeric", placeholder: t.expiry_hint, value: value(state, "expiry"), maxlength: 7 })}
${field(t, language, problems, "cvc", t.cvc, { autocomplete: "cc-csc", inputmode: "numeric", placeholder: "123", maxlength: 4 })}
</div>
${field(t, language, problems, "cardholder", t.cardholder, { autocomplete: "cc-name", value: value(state, "cardholder"), maxlength: 64 })}
</fieldset>
<button type="submit">${t.pay} ${money(view, order.amount)}</button>`;
}

function loanApplication(method: "bnpl" | "installment", { view, state, mt }: PageParts): Html {
  const terms = loanTermsOf(view.order, method);
  const chosen = value(state, "months", String(terms[0]));
  const product = view.order.loanOffer?.product;
  return html`<h2>${mt.application_title}</h2>
${product ? html`<dl class="facts"><dt>${mt.loan_product}</dt><dd class="loan-product">${product}</dd></dl>` : ""}
${textField("applicant", mt.applicant, value(state, "applicant", "Test Buyer"), { autocomplete: "name" })}
<div class="field"><label for="field-months">${mt.term}</label><select id="field-months" name="months">
${terms.map((months) => html`<option value="${String(months)}"${String(months) === chosen ? " selected" : ""}>${String(months)} ${mt.months}</option>`)}
</select></div>
${outcomeButtons([["approve", mt.loan_approve], ["decline", mt.loan_decline], ["pending", mt.loan_pending]])}`;
}

function giftCard({ view, state, t, mt }: PageParts): Html {
  const codes = Object.keys(GIFT_CARD_TEST_CODES);
  const balanceOf = (code: string) => money(view, giftCardBalance(code, view.order.currency) ?? 0);
  return html`${textField("gift_code", mt.gift_code, value(state, "gift_code"), { maxlength: 32 })}
<p class="hint">${mt.gift_hint}: ${codes.map((code, i) => html`${i > 0 ? ", " : ""}<span class="mono">${code}</span> (${mt.balance} ${balanceOf(code)})`)}</p>
<button type="submit">${t.pay} ${money(view, view.order.amount)}</button>`;
}

function methodFields(method: SimulatedMethod, parts: PageParts): Html {
  switch (method) {
    case "google_pay":
    case "apple_pay":
      return walletSheet(parts);
    case "bank_transfer":
      return bankSignIn(parts);
    case "qr":
      return qrCode(parts);
    case "loyalty_points":
      return loyaltyAccount(parts);
    case "bnpl":
    case "installment":
      return loanApplication(method, parts);
    case "gift_card":
      return giftCard(parts);
  }
}

/** The page of one method, marked as simulated, with the choices that decide what its bank answers. */
export function methodPage(view: OrderView, method: SimulatedMethod, state: MethodPageState, options: { testMode: boolean; language: Language }): string {
  const { language } = options;
  const t = TEXTS[language];
  const mt = METHOD_TEXTS[language];
  const name = METHOD_NAMES[method][language];
  const alert = state.problem ?? (state.cardProblems && state.cardProblems.length > 0 ? t.fix_fields : undefined);
  const body = html`<h1>${name} <span class="simulated-badge">${mt.simulated}</span></h1>
<p class="simulated" role="note">${mt.simulated_text}</p>
${summary(view, t)}
${alert ? html`<p class="form-error" role="alert">${alert}</p>` : ""}
<form method="post" action="/checkout/method" class="method-form" novalidate>
<input type="hidden" name="order_id" value="${view.order.id}">
<input type="hidden" name="csrf" value="${state.csrf}">
<input type="hidden" name="lang" value="${language}">
<input type="hidden" name="method" value="${method}">
${methodFields(method, { view, state, t, mt, language })}
</form>
<p><a href="${checkoutPaths.payment(view.order.id, language)}">${mt.back_to_methods}</a></p>`;
  return layout({
    language,
    theme: view.order.theme,
    title: `${name} (${mt.simulated})`,
    body,
    testMode: options.testMode,
    inLanguage: (other) => checkoutPaths.method(view.order.id, method, other),
  });
}

/** A QR code scanned after it expired: nothing was paid; a new code, or another method. */
export function qrExpiredPage(view: OrderView, options: { testMode: boolean; language: Language }): string {
  const { language } = options;
  const mt = METHOD_TEXTS[language];
  const body = html`<h1 class="result expired">${mt.qr_expired_title}</h1>
<p class="message" role="status">${mt.qr_expired_text}</p>
<p><a class="button" href="${checkoutPaths.method(view.order.id, "qr", language)}">${mt.qr_new}</a></p>
<p><a href="${checkoutPaths.payment(view.order.id, language)}">${mt.back_to_methods}</a></p>`;
  return layout({ language, theme: view.order.theme, title: mt.qr_expired_title, body, testMode: options.testMode });
}

/** On a pending loan application's result page (test mode): the bank's later decision, simulated. */
export function loanDecisionForm(view: OrderView, csrf: string, language: Language): Html {
  const mt = METHOD_TEXTS[language];
  return html`<p class="message simulated" role="status">${mt.application_pending}</p>
<form method="post" action="/checkout/decision" class="decision">
<input type="hidden" name="order_id" value="${view.order.id}">
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="lang" value="${language}">
<span class="simulated-badge">${mt.simulated}</span>
${outcomeButtons([["approve", mt.loan_approve], ["decline", mt.loan_decline]])}
</form>`;
}
