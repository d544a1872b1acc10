// Charts drawn on the server as SVG: nothing to load, no script, and the page's strict CSP
// holds (sizes are SVG attributes, colours come from the stylesheet by class). Each chart
// names itself for screen readers and comes with its numbers as a table.

import { html } from "../web/html.ts";
import type { Html } from "../web/html.ts";

export type Series = { label: string; className: string; values: readonly number[] };

const WIDTH = 600;
const HEIGHT = 220;
const LEFT = 92;
const RIGHT = 12;
const TOP = 12;
const BOTTOM = 28;

/** The smallest 1, 2, 2.5 or 5 times a power of ten that is at least `max` (integers stay integers). */
export function niceCeiling(max: number): number {
  if (max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = step * magnitude;
    if (candidate >= max && (Number.isInteger(candidate) || magnitude < 1)) return candidate;
  }
  return 10 * magnitude;
}

const round = (n: number) => Math.round(n * 10) / 10;

function legend(series: readonly Series[]): Html {
  if (series.length < 2) return html``;
  return html`<ul class="legend">${series.map((s) => html`<li><span class="swatch ${s.className}"></span>${s.label}</li>`)}</ul>`;
}

function dataTable(caption: string, columns: readonly string[], rows: ReadonlyArray<readonly string[]>, summary: string): Html {
  return html`<details class="data"><summary>${summary}</summary>
<table><caption>${caption}</caption>
<thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${rows.map(([head, ...cells]) => html`<tr><th scope="row">${head}</th>${cells.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody>
</table></details>`;
}

/** Bars per label (a day), stacked when there are several series. */
export function barChart(chart: {
  id: string;
  title: string;
  labels: readonly string[];
  /** Shorter labels under the axis (a date without its year). */
  axisLabels: readonly string[];
  series: readonly Series[];
  format: (value: number) => string;
  tableSummary: string;
  labelHeading: string;
}): Html {
  const totals = chart.labels.map((_, i) => chart.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const ceiling = niceCeiling(Math.max(0, ...totals));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / Math.max(1, chart.labels.length);
  const y = (value: number) => TOP + plotHeight - (value / ceiling) * plotHeight;
  const ticks = [0, ceiling / 2, ceiling].filter((tick) => Number.isInteger(tick));
  const every = Math.max(1, Math.ceil(chart.labels.length / 6));
  const last = chart.labels.length - 1;
  // Every `every`th day is labelled, and the last; one too close to the last gives way to it.
  const labelled = (i: number) => i === last || (i % every === 0 && last - i >= every / 2 + 0.5);
  const bars = chart.labels.map((label, i) => {
    let base = 0;
    return chart.series.map((s) => {
      const value = s.values[i] ?? 0;
      const top = y(base + value);
      const rect = value > 0
        ? html`<rect class="${s.className}" x="${round(LEFT + i * slot + slot * 0.15)}" y="${round(top)}" width="${round(Math.max(1, slot * 0.7))}" height="${round(y(base) - top)}"><title>${label} · ${s.label}: ${chart.format(value)}</title></rect>`
        : "";
      base += value;
      return rect;
    });
  });
  const svg = html`<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${chart.id}-title">
<title id="${chart.id}-title">${chart.title}</title>
${ticks.map((tick) => html`<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${round(y(tick))}" y2="${round(y(tick))}"></line><text class="axis" x="${LEFT - 8}" y="${round(y(tick) + 4)}" text-anchor="end">${chart.format(tick)}</text>`)}
${bars}
${chart.axisLabels.map((label, i) =>
  labelled(i)
    ? html`<text class="axis" x="${round(LEFT + i * slot + slot / 2)}" y="${HEIGHT - 8}" text-anchor="middle">${label}</text>`
    : "",
)}
</svg>`;
  const rows = chart.labels.map((label, i) => [label, ...chart.series.map((s) => chart.format(s.values[i] ?? 0))]);
  return html`<figure class="chart-box"><figcaption>${chart.title}</figcaption>${svg}${legend(chart.series)}${dataTable(chart.title, [chart.labelHeading, ...chart.series.map((s) => s.label)], rows, chart.tableSummary)}</figure>`;
}

/** One horizontal bar per item, longest first as given. */
export function horizontalBars(chart: {
  id: string;
  title: string;
  items: ReadonlyArray<{ label: string; value: number }>;
  tableSummary: string;
  labelHeading: string;
  valueHeading: string;
}): Html {
  const rowHeight = 30;
  const labelWidth = 250;
  const height = Math.max(1, chart.items.length) * rowHeight + 8;
  const max = Math.max(1, ...chart.items.map((item) => item.value));
  const barSpace = WIDTH - labelWidth - 60;
  const svg = html`<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${chart.id}-title">
<title id="${chart.id}-title">${chart.title}</title>
${chart.items.map((item, i) => {
  const top = 4 + i * rowHeight;
  const width = round(Math.max(2, (item.value / max) * barSpace));
  return html`<text class="label" x="${labelWidth - 10}" y="${top + 18}" text-anchor="end">${item.label}</text>
<rect class="bad" x="${labelWidth}" y="${top + 4}" width="${width}" height="${rowHeight - 10}"><title>${item.label}: ${item.value}</title></rect>
<text class="value" x="${labelWidth + width + 6}" y="${top + 18}">${item.value}</text>`;
})}
</svg>`;
  const rows = chart.items.map((item) => [item.label, String(item.value)]);
  return html`<figure class="chart-box"><figcaption>${chart.title}</figcaption>${svg}${dataTable(chart.title, [chart.labelHeading, chart.valueHeading], rows, chart.tableSummary)}</figure>`;
}
