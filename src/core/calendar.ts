// Days and times as a merchant reads them: in one configured time zone, whose days may be 23
// or 25 hours long around a clock change. Times are stored as UTC milliseconds; only these
// functions turn them into local dates and back, with the platform's time-zone database.

/** A calendar date, YYYY-MM-DD. */
export type LocalDate = string & { readonly __brand: "LocalDate" };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

type Wall = { year: number; month: number; day: number; hour: number; minute: number; second: number };

function wallClock(instant: number, timeZone: string): Wall {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** The local date of an instant. */
export function localDateOf(instant: number, timeZone: string): LocalDate {
  const w = wallClock(instant, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}` as LocalDate;
}

/** The local date and time of an instant, to the second: "2026-11-24 14:05:09". */
export function localDateTimeOf(instant: number, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  return `${localDateOf(instant, timeZone)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** A date typed as YYYY-MM-DD that exists in the calendar, or undefined. */
export function parseLocalDate(text: string): LocalDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const exists = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return exists && year >= 1970 ? (text as LocalDate) : undefined;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const [year = 0, month = 1, day = 1] = date.split("-").map(Number);
  const moved = new Date(Date.UTC(year, month - 1, day + days));
  return `${pad(moved.getUTCFullYear(), 4)}-${pad(moved.getUTCMonth() + 1)}-${pad(moved.getUTCDate())}` as LocalDate;
}

/** Days from `from` to `to`, both included. */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  const utc = (d: LocalDate) => Date.parse(`${d}T00:00:00Z`);
  return Math.round((utc(to) - utc(from)) / 86_400_000) + 1;
}

/** How far the zone's wall clock is ahead of UTC at an instant, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  const wallAsUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return wallAsUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The first instant of a local date: its midnight (or, where a clock change skips midnight,
 * the first moment that exists). The offset is taken at the guess and again at the answer,
 * which settles it on either side of a change.
 */
export function startOfLocalDate(date: LocalDate, timeZone: string): number {
  const midnightAsUtc = Date.parse(`${date}T00:00:00Z`);
  let instant = midnightAsUtc - offsetAt(midnightAsUtc, timeZone);
  const corrected = midnightAsUtc - offsetAt(instant, timeZone);
  if (corrected !== instant && localDateOf(corrected, timeZone) === date) instant = corrected;
  while (localDateOf(instant, timeZone) < date) instant += 15 * 60_000;
  return instant;
}

/** The boundaries of the days from `from` to `to` (both included): one instant more than days. */
export function dayBoundaries(from: LocalDate, to: LocalDate, timeZone: string): number[] {
  const count = daysBetween(from, to);
  return Array.from({ length: count + 1 }, (_, i) => startOfLocalDate(addDays(from, i), timeZone));
}
