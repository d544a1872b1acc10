// The frame of every dashboard page (a skip link, the navigation, who is signed in, the other
// language, sign-out, the time zone) and the small pieces pages share: amounts, times,
// statuses, notices, hidden form fields.

import { localDateTimeOf } from "../core/calendar.ts";
import { formatMoney } from "../core/money.ts";
import type { Currency, MinorUnits } from "../core/money.ts";
import type { OrderStatus } from "../core/order-state.ts";
import type { DashboardLanguage } from "./i18n.ts";
import { html } from "../web/html.ts";
import type { Html } from "../web/html.ts";
import { htmlDocument } from "../web/pages.ts";
import { STATUS_NAMES, TEXTS } from "./i18n.ts";
import type { Texts } from "./i18n.ts";
import { dashboardPaths } from "./paths.ts";

export const DASHBOARD_STYLESHEET = "/dashboard/assets/dashboard.css";

export type Section = "overview" | "orders" | "settings";

/** Who is signed in, as the frame shows them, with the token their forms carry. */
export type SignedIn = { label: string; operator: boolean; csrf: string };

/** What every page knows about the request it answers. */
export type PageContext = {
  language: DashboardLanguage;
  t: Texts;
  testMode: boolean;
  timeZone: string;
  /** The page's own path and query, for the language switch to come back to. */
  path: string;
  signedIn?: SignedIn;
};

export function pageContext(language: DashboardLanguage, rest: Omit<PageContext, "language" | "t">): PageContext {
  return { language, t: TEXTS[language], ...rest };
}

function navigation(page: PageContext, signedIn: SignedIn, current: Section | undefined): Html {
  const { t } = page;
  const sections: Array<[Section, string, string]> = [
    ["overview", t.overview, dashboardPaths.overview()],
    ["orders", t.orders, dashboardPaths.orders()],
    ["settings", t.settings, dashboardPaths.settings()],
  ];
  return html`<nav aria-label="${t.dashboard}"><ul>
${sections.map(([section, label, href]) => html`<li><a href="${href}"${section === current ? html` aria-current="page"` : ""}>${label}</a></li>`)}
</ul></nav>
<div class="who">
<span>${t.signed_in_as} <strong>${signedIn.label}</strong></span>
<form method="post" action="${dashboardPaths.signOut()}" class="inline">
<input type="hidden" name="csrf" value="${signedIn.csrf}">
<button type="submit" class="link">${t.sign_out}</button>
</form>
</div>`;
}

export function dashboardPage(page: PageContext, title: string, body: Html, current?: Section): string {
  const { t } = page;
  const frame = html`<a class="skip" href="#content">${t.skip_to_content}</a>
<header class="top">
<p class="brand"><a href="${dashboardPaths.overview()}">tetri</a> <span>${t.dashboard}</span></p>
${page.signedIn ? navigation(page, page.signedIn, current) : ""}
<p class="lang"><a href="${dashboardPaths.language(page.language === "ka" ? "en" : "ka", page.path)}" lang="${page.language === "ka" ? "en" : "ka"}">${t.other_language}</a></p>
</header>
<main id="content" tabindex="-1">
${page.testMode ? html`<p class="test-banner">${t.test_mode}</p>` : ""}
${body}
</main>
<footer><p>${t.times_in} ${page.timeZone}</p></footer>`;
  return htmlDocument({ language: page.language, title, stylesheets: [DASHBOARD_STYLESHEET], body: frame });
}

export function money(amount: MinorUnits | number, currency: Currency): string {
  return formatMoney(amount, currency);
}

export function timeOf(page: PageContext, instant: number): Html {
  return html`<time datetime="${new Date(instant).toISOString()}">${localDateTimeOf(instant, page.timeZone)}</time>`;
}

export function statusBadge(page: PageContext, status: OrderStatus): Html {
  return html`<span class="badge status-${status}">${STATUS_NAMES[page.language][status]}</span>`;
}

export function notice(kind: "ok" | "error", text: string | Html): Html {
  return kind === "error"
    ? html`<p class="notice error" role="alert">${text}</p>`
    : html`<p class="notice ok" role="status">${text}</p>`;
}

export function hidden(fields: Record<string, string | undefined>): Html {
  return html`${Object.entries(fields).map(([name, value]) => (value === undefined ? "" : html`<input type="hidden" name="${name}" value="${value}">`))}`;
}

/** A page that only says something; a signed-in visitor gets a way back to the orders. */
export function messagePage(page: PageContext, title: string, text: string, current?: Section): string {
  const back = page.signedIn ? html`<p><a href="${dashboardPaths.orders()}">← ${page.t.orders}</a></p>` : "";
  return dashboardPage(page, title, html`<h1>${title}</h1><p>${text}</p>${back}`, current);
}
