// The overview: how payments went over a range of days, in numbers and charts.

import type { LocalDate } from "../core/calendar.ts";
import type { Currency } from "../core/money.ts";
import type { Overview, OverviewDay } from "../core/overview.ts";
import type { Merchant } from "../core/types.ts";
import { html } from "../web/html.ts";
import type { Html } from "../web/html.ts";
import { barChart, horizontalBars } from "./charts.ts";
import { DECLINE_REASONS } from "./i18n.ts";
import { dashboardPage, money, notice } from "./layout.ts";
import type { PageContext } from "./layout.ts";
import { dashboardPaths } from "./paths.ts";

export type OverviewForm = { from: LocalDate; to: LocalDate; merchantId: string | undefined; merchants: Merchant[] | undefined; problem?: string };

/** A share as people read it: "96.7%", or a dash when there is nothing to divide. */
function percent(part: number, whole: number): string {
  if (whole === 0) return "—";
  return `${(Math.round((part * 1000) / whole) / 10).toFixed(1)}%`;
}

function tile(label: string, value: string | Html, detail?: string): Html {
  return html`<div class="tile"><p class="tile-label">${label}</p><p class="tile-value">${value}</p>${detail ? html`<p class="tile-detail">${detail}</p>` : ""}</div>`;
}

function amountsText(amounts: Partial<Record<Currency, number>>): Html {
  const entries = Object.entries(amounts) as Array<[Currency, number]>;
  if (entries.length === 0) return html`${money(0, "GEL")}`;
  return html`${entries.map(([currency, amount], i) => html`${i > 0 ? html`<br>` : ""}${money(amount, currency)}`)}`;
}

function rangeForm(page: PageContext, form: OverviewForm): Html {
  const { t } = page;
  return html`<form method="get" action="${dashboardPaths.overview()}" class="filters">
<div class="field"><label for="from">${t.range_from}</label><input id="from" name="from" type="date" value="${form.from}" required></div>
<div class="field"><label for="to">${t.range_to}</label><input id="to" name="to" type="date" value="${form.to}" required></div>
${form.merchants
  ? html`<div class="field"><label for="merchant">${t.merchant}</label><select id="merchant" name="merchant">
<option value="">${t.all_merchants}</option>
${form.merchants.map((m) => html`<option value="${m.id}"${m.id === form.merchantId ? " selected" : ""}>${m.name}</option>`)}
</select></div>`
  : ""}
<div class="field actions"><button type="submit">${t.show}</button></div>
</form>`;
}

export function overviewPage(page: PageContext, form: OverviewForm, overview: Overview | undefined): string {
  const { t, language } = page;
  if (!overview) {
    return dashboardPage(page, t.overview, html`<h1>${t.overview}</h1>${rangeForm(page, form)}${form.problem ? notice("error", form.problem) : ""}`, "overview");
  }
  const labels = overview.days.map((d) => d.date);
  const axisLabels = overview.days.map((d) => d.date.slice(5));
  const attempts = overview.approved + overview.declined;
  const callbacks = overview.callbacksDelivered + overview.callbacksFailed;
  const currencies = Object.keys(overview.captured) as Currency[];
  const common = { labels, axisLabels, tableSummary: t.data_table, labelHeading: t.date };
  const volumeCharts = (currencies.length > 0 ? currencies : (["GEL"] as Currency[])).map((currency) =>
    barChart({
      ...common,
      id: `volume-${currency}`,
      title: `${t.volume_per_day} (${currency})`,
      series: [{ label: t.captured, className: "good", values: overview.days.map((d) => d.captured[currency] ?? 0) }],
      format: (n) => money(n, currency),
    }),
  );
  /** Counts per day, what went well stacked under what did not. */
  const perDay = (id: string, title: string, good: [string, (d: OverviewDay) => number], bad: [string, (d: OverviewDay) => number]) =>
    barChart({
      ...common,
      id,
      title,
      series: [
        { label: good[0], className: "good", values: overview.days.map(good[1]) },
        { label: bad[0], className: "bad", values: overview.days.map(bad[1]) },
      ],
      format: (n) => String(n),
    });
  const body = html`<h1>${t.overview}</h1>
${rangeForm(page, form)}
<section class="tiles" aria-label="${t.overview}">
${tile(t.payments, String(overview.approved))}
${tile(t.declines, String(overview.declined))}
${tile(t.approval_rate, percent(overview.approved, attempts))}
${tile(t.captured, amountsText(overview.captured))}
${tile(t.refunded, amountsText(overview.refunded))}
${tile(t.callback_success, percent(overview.callbacksDelivered, callbacks), `${callbacks} ${t.callback_attempts}`)}
</section>
<div class="charts">
${volumeCharts}
${perDay("payments", t.count_per_day, [t.approved, (d) => d.approved], [t.declined, (d) => d.declined])}
${overview.declinesByReason.length > 0
  ? horizontalBars({
      id: "declines",
      title: t.declines_by_reason,
      items: overview.declinesByReason.map((d) => ({ label: DECLINE_REASONS[language][d.reason], value: d.count })),
      tableSummary: t.data_table,
      labelHeading: t.reason,
      valueHeading: t.count,
    })
  : html`<figure class="chart-box"><figcaption>${t.declines_by_reason}</figcaption><p class="muted">${t.no_data}</p></figure>`}
${perDay("callbacks", t.callbacks_per_day, [t.delivered, (d) => d.callbacksDelivered], [t.failed, (d) => d.callbacksFailed])}
</div>`;
  return dashboardPage(page, t.overview, body, "overview");
}
