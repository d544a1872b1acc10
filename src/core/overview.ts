// The dashboard's overview: per local day of a range, the payments approved and declined,
// the money captured and refunded in each currency, and how callbacks fared; over the whole
// range, the approval rate, declines by reason and the callback success rate.

import { addDays, dayBoundaries, daysBetween } from "./calendar.ts";
import type { LocalDate } from "./calendar.ts";
import type { CoreContext } from "./context.ts";
import { validationError } from "./errors.ts";
import type { MerchantId } from "./ids.ts";
import type { Currency, MinorUnits } from "./money.ts";
import type { DashboardPrincipal, DeclineReason } from "./types.ts";

export const MAX_OVERVIEW_DAYS = 366;

export type Amounts = Partial<Record<Currency, MinorUnits>>;

export type OverviewDay = {
  date: LocalDate;
  approved: number;
  declined: number;
  captured: Amounts;
  refunded: Amounts;
  callbacksDelivered: number;
  callbacksFailed: number;
};

export type Overview = {
  days: OverviewDay[];
  approved: number;
  declined: number;
  captured: Amounts;
  refunded: Amounts;
  /** Most frequent first. */
  declinesByReason: Array<{ reason: DeclineReason; count: number }>;
  callbacksDelivered: number;
  callbacksFailed: number;
};

export type OverviewRange = { from: LocalDate; to: LocalDate; timeZone: string; merchantId?: MerchantId };

function add(amounts: Amounts, currency: Currency, amount: number): void {
  amounts[currency] = ((amounts[currency] ?? 0) + amount) as MinorUnits;
}

export async function overviewOf(ctx: CoreContext, principal: DashboardPrincipal, range: OverviewRange): Promise<Overview> {
  const count = daysBetween(range.from, range.to);
  if (count < 1) throw validationError([{ field: "to", message: "must not be before the first day" }]);
  if (count > MAX_OVERVIEW_DAYS) throw validationError([{ field: "to", message: `the range may be at most ${MAX_OVERVIEW_DAYS} days` }]);
  const boundaries = dayBoundaries(range.from, range.to, range.timeZone);
  const query = { merchantId: principal.kind === "merchant" ? principal.merchantId : range.merchantId, days: boundaries };
  const [ledger, attempts, callbacks] = await ctx.store.read((tx) =>
    Promise.all([tx.stats.ledgerByDay(query), tx.stats.attemptsByDay(query), tx.stats.callbackAttemptsByDay(query)]),
  );

  const days: OverviewDay[] = Array.from({ length: count }, (_, i) => ({
    date: addDays(range.from, i),
    approved: 0,
    declined: 0,
    captured: {},
    refunded: {},
    callbacksDelivered: 0,
    callbacksFailed: 0,
  }));
  const reasons = new Map<DeclineReason, number>();
  for (const row of ledger) {
    const day = days[row.day];
    if (!day) continue;
    if (row.kind === "capture") add(day.captured, row.currency, row.amount);
    if (row.kind === "refund") add(day.refunded, row.currency, row.amount);
  }
  for (const row of attempts) {
    const day = days[row.day];
    if (!day) continue;
    if (row.approved) day.approved += row.count;
    else {
      day.declined += row.count;
      const reason = row.reason ?? "unknown";
      reasons.set(reason, (reasons.get(reason) ?? 0) + row.count);
    }
  }
  for (const row of callbacks) {
    const day = days[row.day];
    if (!day) continue;
    if (row.delivered) day.callbacksDelivered += row.count;
    else day.callbacksFailed += row.count;
  }
  const overview: Overview = {
    days,
    approved: 0,
    declined: 0,
    captured: {},
    refunded: {},
    declinesByReason: [...reasons].map(([reason, n]) => ({ reason, count: n })).sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1)),
    callbacksDelivered: 0,
    callbacksFailed: 0,
  };
  for (const day of days) {
    overview.approved += day.approved;
    overview.declined += day.declined;
    overview.callbacksDelivered += day.callbacksDelivered;
    overview.callbacksFailed += day.callbacksFailed;
    for (const [currency, amount] of Object.entries(day.captured) as [Currency, MinorUnits][]) add(overview.captured, currency, amount);
    for (const [currency, amount] of Object.entries(day.refunded) as [Currency, MinorUnits][]) add(overview.refunded, currency, amount);
  }
  return overview;
}
