// The sign-in page: a merchant with its client id and secret, or the operator.

import { html } from "../web/html.ts";
import { dashboardPage, hidden, notice } from "./layout.ts";
import type { PageContext } from "./layout.ts";
import { dashboardPaths } from "./paths.ts";

export type SignInForm = {
  csrf: string;
  next: string | undefined;
  /** Whether an operator account is configured (then the form offers it). */
  operator: boolean;
  kind: "merchant" | "operator";
  account: string;
  message?: { kind: "ok" | "error"; text: string };
};

export function signInPage(page: PageContext, form: SignInForm): string {
  const { t } = page;
  const radio = (value: "merchant" | "operator", label: string) =>
    html`<label class="choice"><input type="radio" name="kind" value="${value}"${form.kind === value ? " checked" : ""}> ${label}</label>`;
  const body = html`<section class="narrow">
<h1>${t.sign_in_title}</h1>
${form.message ? notice(form.message.kind, form.message.text) : ""}
<form method="post" action="${dashboardPaths.signIn()}">
${hidden({ csrf: form.csrf, next: form.next })}
${form.operator
  ? html`<fieldset class="field"><legend>${t.account_kind}</legend>${radio("merchant", t.kind_merchant)}${radio("operator", t.kind_operator)}</fieldset>`
  : hidden({ kind: "merchant" })}
<div class="field">
<label for="account">${t.client_id}</label>
<input id="account" name="account" autocomplete="username" required maxlength="200" value="${form.account}">
</div>
<div class="field">
<label for="secret">${t.client_secret}</label>
<input id="secret" name="secret" type="password" autocomplete="current-password" required maxlength="500">
</div>
<button type="submit">${t.sign_in}</button>
</form>
</section>`;
  return dashboardPage(page, t.sign_in, body);
}
