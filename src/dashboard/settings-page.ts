// A merchant's settings: its account and client secret (rotated here, the new one shown
// once), its default callback URL per API with a test callback, the callback public key.
// The operator first chooses the merchant.

import type { CallbackDelivery } from "../core/ports.ts";
import type { Merchant, MerchantDialectSettings } from "../core/types.ts";
import { html } from "../web/html.ts";
import type { Html } from "../web/html.ts";
import { fill } from "./i18n.ts";
import { dashboardPage, hidden, notice, timeOf } from "./layout.ts";
import type { PageContext } from "./layout.ts";
import { dashboardPaths } from "./paths.ts";

export type ApiOfSettings = { id: string; title: string; credentialLabel: string | undefined };

export type SettingsInput = {
  merchant: Merchant;
  /** The operator's pages carry the merchant they are about. */
  merchantParam: string | undefined;
  apis: readonly ApiOfSettings[];
  settings: readonly MerchantDialectSettings[];
  publicKeyPem: string;
  csrf: string;
  message?: { kind: "ok" | "error"; text: string };
  /** A URL typed and refused, kept in its field with why. */
  typed?: { api: string; url: string; problem: string };
  test?: { api: string; url: string; delivery: CallbackDelivery };
};

function testResult(page: PageContext, test: NonNullable<SettingsInput["test"]>): Html {
  const { t } = page;
  const { delivery } = test;
  const ok = delivery.error === null;
  return html`<div class="test-result ${ok ? "ok" : "error"}" role="status">
<p><strong>${fill(t.test_callback_result, { url: test.url })}</strong>: ${ok ? t.test_callback_ok : t.test_callback_failed}</p>
<dl class="facts">
<div><dt>${t.http_status}</dt><dd>${delivery.statusCode ?? t.none}</dd></div>
<div><dt>${t.latency}</dt><dd>${delivery.durationMs} ms</dd></div>
${delivery.error ? html`<div><dt>${t.error}</dt><dd>${delivery.error}</dd></div>` : ""}
<div><dt>${t.response}</dt><dd>${delivery.responseExcerpt ? html`<code class="excerpt">${delivery.responseExcerpt}</code>` : t.none}</dd></div>
</dl>
</div>`;
}

function callbackForms(page: PageContext, input: SettingsInput, api: ApiOfSettings): Html {
  const { t } = page;
  const current = input.settings.find((s) => s.dialect === api.id)?.callbackUrl ?? "";
  const typed = input.typed?.api === api.id ? input.typed : undefined;
  const id = `callback-${api.id}`;
  return html`<div class="api-callback">
<h3>${api.title}</h3>
<form method="post" action="${dashboardPaths.callbackUrl()}">
${hidden({ csrf: input.csrf, merchant: input.merchantParam, api: api.id })}
<div class="field${typed ? " invalid" : ""}">
<label for="${id}">${t.callback_url}</label>
<input id="${id}" name="callback_url" type="url" inputmode="url" maxlength="2048" value="${typed?.url ?? current}" placeholder="https://shop.example/callback"${typed ? html` aria-invalid="true" aria-describedby="${id}-error"` : ""}>
${typed ? html`<p class="error" id="${id}-error">${typed.problem}</p>` : ""}
</div>
<button type="submit">${t.save}</button>
</form>
<form method="post" action="${dashboardPaths.testCallback()}">
${hidden({ csrf: input.csrf, merchant: input.merchantParam, api: api.id })}
<button type="submit" class="quiet">${t.send_test_callback}</button>
</form>
${input.test?.api === api.id ? testResult(page, input.test) : ""}
</div>`;
}

export function settingsPage(page: PageContext, input: SettingsInput): string {
  const { t } = page;
  const { merchant } = input;
  const credentialApis = input.apis.filter((api) => api.credentialLabel !== undefined);
  const body = html`<h1>${t.settings}${input.merchantParam ? html` · ${merchant.name}` : ""}</h1>
${input.message ? notice(input.message.kind, input.message.text) : ""}
<section aria-labelledby="account-title" class="card-section"><h2 id="account-title">${t.account}</h2>
<dl class="facts">
<div><dt>${t.merchant_name}</dt><dd>${merchant.name}</dd></div>
<div><dt>${t.client_id_label}</dt><dd class="mono">${merchant.clientId}</dd></div>
<div><dt>${t.client_secret_label}</dt><dd>${t.secret_hidden}</dd></div>
${credentialApis.map((api) => html`<div><dt>${api.credentialLabel}</dt><dd>${t.credential_issued}</dd></div>`)}
<div><dt>${t.created}</dt><dd>${timeOf(page, merchant.createdAt)}</dd></div>
</dl>
<form method="get" action="${dashboardPaths.rotateSecret()}">
${hidden({ merchant: input.merchantParam })}
<button type="submit" class="secondary">${t.rotate_secret}</button>
</form>
</section>
<section aria-labelledby="callbacks-title"><h2 id="callbacks-title">${t.callbacks}</h2>
<p>${t.callbacks_text}</p>
<div class="api-callbacks">${input.apis.map((api) => callbackForms(page, input, api))}</div>
</section>
<section aria-labelledby="key-title"><h2 id="key-title">${t.public_key}</h2>
<p>${t.public_key_text}</p>
<pre class="pem">${input.publicKeyPem}</pre>
</section>`;
  return dashboardPage(page, t.settings, body, "settings");
}

/** The operator's first step: which merchant. */
export function merchantsPage(page: PageContext, merchants: readonly Merchant[]): string {
  const { t } = page;
  const body = html`<h1>${t.merchants}</h1>
<p>${t.choose_merchant}</p>
<div class="table-wrap"><table class="merchants">
<thead><tr><th scope="col">${t.merchant_name}</th><th scope="col">${t.client_id_label}</th><th scope="col">${t.created}</th><th scope="col">${t.orders}</th></tr></thead>
<tbody>${merchants.map(
  (m) => html`<tr><td><a href="${dashboardPaths.settings({ merchant: m.id })}">${m.name}</a></td><td class="mono">${m.clientId}</td><td>${timeOf(page, m.createdAt)}</td><td><a href="${dashboardPaths.orders({ merchant: m.id })}">${t.orders_link}</a></td></tr>`,
)}</tbody>
</table></div>`;
  return dashboardPage(page, t.merchants, body, "settings");
}

export function rotateConfirmPage(page: PageContext, input: { merchant: Merchant; merchantParam: string | undefined; csrf: string }): string {
  const { t } = page;
  const body = html`<section class="narrow">
<h1>${t.confirm_title}</h1>
<p class="question">${fill(t.rotate_confirm, { merchant: input.merchant.name })}</p>
<form method="post" action="${dashboardPaths.rotateSecret()}" class="confirm">
${hidden({ csrf: input.csrf, merchant: input.merchantParam })}
<button type="submit" class="danger">${t.rotate_secret}</button>
<a class="button quiet" href="${dashboardPaths.settings({ merchant: input.merchantParam })}">${t.back}</a>
</form>
</section>`;
  return dashboardPage(page, t.rotate_secret, body, "settings");
}

export function newSecretPage(page: PageContext, input: { merchant: Merchant; merchantParam: string | undefined; secret: string }): string {
  const { t } = page;
  const body = html`<section class="narrow">
<h1>${t.new_secret}</h1>
${notice("ok", t.new_secret_once)}
<dl class="facts">
<div><dt>${t.client_id_label}</dt><dd class="mono">${input.merchant.clientId}</dd></div>
<div><dt>${t.client_secret_label}</dt><dd><output class="mono secret" aria-label="${t.new_secret}">${input.secret}</output></dd></div>
</dl>
<p><a href="${dashboardPaths.settings({ merchant: input.merchantParam })}">${t.back}</a></p>
</section>`;
  return dashboardPage(page, t.new_secret, body, "settings");
}
