// When a subscription's charges fall: period n of a plan that starts on a date (UTC), every
// day, every week, or every month on one day of the month (in a shorter month, its last day:
// the 31st is February's 28th or 29th, April's 30th). Retries of a soft decline come 1, 3 and 5
// days after the day of the declined first try. Plain arithmetic on UTC dates: no clock, no
// time zone.

import type { Subscription } from "./types.ts";

const DAY_MS = 86_400_000;

/** Days after the period's date on which a softly declined charge is tried again. */
export const RETRY_DAYS = [1, 3, 5] as const;

/** YYYY-MM-DD of a real date, as UTC midnight; undefined for anything else. */
export function utcDate(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const at = Date.UTC(year, month - 1, day);
  const date = new Date(at);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? at : undefined;
}

/** The UTC date of an instant, YYYY-MM-DD. */
export function dateOf(instant: number): string {
  return new Date(instant).toISOString().slice(0, 10);
}

const daysInMonth = (year: number, monthIndex: number) => new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();

type Plan = Pick<Subscription, "interval" | "dayOfMonth" | "startDate">;

/** UTC midnight of the day period `period` of the plan is charged. */
export function periodDate(plan: Plan, period: number): number {
  const start = utcDate(plan.startDate);
  if (start === undefined) throw new Error(`subscription start date ${plan.startDate} is not a date`);
  if (plan.interval === "daily") return start + period * DAY_MS;
  if (plan.interval === "weekly") return start + 7 * period * DAY_MS;
  const first = new Date(start);
  const day = plan.dayOfMonth ?? first.getUTCDate();
  const startYear = first.getUTCFullYear();
  const startMonth = first.getUTCMonth();
  // The first charge is on that day of the start month, unless the start is later in the month.
  const offset = first.getUTCDate() <= Math.min(day, daysInMonth(startYear, startMonth)) ? 0 : 1;
  const months = startYear * 12 + startMonth + offset + period;
  const year = Math.floor(months / 12);
  const month = months % 12;
  return Date.UTC(year, month, Math.min(day, daysInMonth(year, month)));
}

/** When the first try of a period is due. */
export function attemptDate(plan: Plan, period: number): number {
  return periodDate(plan, period);
}

/** When retry `retry` (1–3) is due, counted from the day the period's first try was declined. */
export function retryDate(firstDeclined: number, retry: number): number {
  return startOfDay(firstDeclined) + (RETRY_DAYS[retry - 1] ?? 0) * DAY_MS;
}

/** UTC midnight of an instant's day. */
export function startOfDay(instant: number): number {
  return instant - (((instant % DAY_MS) + DAY_MS) % DAY_MS);
}

/** The first period whose date is on or after `instant`'s day: where a resumed plan carries on. */
export function firstPeriodFrom(plan: Plan, instant: number, from: number): number {
  const day = startOfDay(instant);
  let period = from;
  while (periodDate(plan, period) < day) period++;
  return period;
}
