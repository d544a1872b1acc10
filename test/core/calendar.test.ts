// Local days in a time zone: each day starts at its first instant (midnight, or the first
// moment after a clock change skips it), so a day may last 23, 24 or 25 hours.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addDays, dayBoundaries, daysBetween, localDateOf, localDateTimeOf, parseLocalDate, startOfLocalDate } from "../../src/core/calendar.ts";
import type { LocalDate } from "../../src/core/calendar.ts";

const HOUR = 3_600_000;
const date = (text: string) => text as LocalDate;

describe("calendar", () => {
  it("a Tbilisi day starts at 20:00 UTC the day before (UTC+4, no clock changes)", () => {
    assert.equal(startOfLocalDate(date("2026-03-10"), "Asia/Tbilisi"), Date.parse("2026-03-09T20:00:00Z"));
    assert.equal(localDateOf(Date.parse("2026-03-09T19:59:59Z"), "Asia/Tbilisi"), "2026-03-09");
    assert.equal(localDateOf(Date.parse("2026-03-09T20:00:00Z"), "Asia/Tbilisi"), "2026-03-10");
    assert.equal(localDateTimeOf(Date.parse("2026-11-24T10:05:09.999Z"), "Asia/Tbilisi"), "2026-11-24 14:05:09");
  });

  it("around a clock change a day lasts 23 or 25 hours", () => {
    const length = (day: string, zone: string) => {
      const [start = 0, end = 0] = dayBoundaries(date(day), date(day), zone);
      return (end - start) / HOUR;
    };
    assert.equal(length("2026-03-29", "Europe/Berlin"), 23);
    assert.equal(length("2026-10-25", "Europe/Berlin"), 25);
    assert.equal(length("2026-10-25", "UTC"), 24);
    assert.equal(length("2026-10-25", "Asia/Tbilisi"), 24);
  });

  it("every day of a year starts at its first instant, in zones with odd offsets and changes at midnight", () => {
    for (const zone of ["UTC", "Asia/Tbilisi", "Europe/Berlin", "America/Santiago", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "America/Havana"]) {
      let day = date("2026-01-01");
      for (let i = 0; i < 366; i++, day = addDays(day, 1)) {
        const start = startOfLocalDate(day, zone);
        assert.equal(localDateOf(start, zone), day, `${zone} ${day}: the start is on the day`);
        assert.equal(localDateOf(start - 1, zone), addDays(day, -1), `${zone} ${day}: a millisecond before is the day before`);
      }
    }
  });

  it("reads dates that exist, and only those", () => {
    assert.equal(parseLocalDate("2026-02-28"), "2026-02-28");
    assert.equal(parseLocalDate("2028-02-29"), "2028-02-29");
    for (const text of ["2026-02-29", "2026-13-01", "2026-2-3", "26-02-03", "2026-02-03T00:00", ""]) assert.equal(parseLocalDate(text), undefined, text);
    assert.equal(addDays(date("2026-12-31"), 1), "2027-01-01");
    assert.equal(addDays(date("2026-03-01"), -1), "2026-02-28");
    assert.equal(daysBetween(date("2026-01-01"), date("2026-12-31")), 365);
  });
});
