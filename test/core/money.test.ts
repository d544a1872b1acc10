import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CURRENCIES, MAX_MINOR_UNITS, formatMajorAmount, formatMajorAmountFixed, parseMajorAmount } from "../../src/core/money.ts";

const currency = fc.constantFrom(...CURRENCIES);
const minorAmount = fc.integer({ min: 1, max: MAX_MINOR_UNITS });

describe("money parsing", () => {
  it("reads a formatted amount back exactly, as a string and as a JSON number", () => {
    fc.assert(
      fc.property(minorAmount, currency, (minor, cur) => {
        const text = formatMajorAmount(minor, cur);
        assert.deepEqual(parseMajorAmount(text, cur), { ok: true, minor });
        assert.deepEqual(parseMajorAmount(JSON.parse(text) as number, cur), { ok: true, minor });
        assert.deepEqual(parseMajorAmount(formatMajorAmountFixed(minor, cur), cur), { ok: true, minor });
      }),
    );
  });

  it("rejects more decimals than the currency has, never rounding", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 9 }), currency, (whole, digit, cur) => {
        const result = parseMajorAmount(`${whole}.00${digit}`, cur);
        assert.deepEqual(result, { ok: false, problem: "too_many_decimals" });
      }),
    );
  });

  it("names each bad amount's problem", () => {
    const cases: Array<[unknown, string]> = [
      [-1, "negative"],
      ["-0.01", "negative"],
      [0, "zero"],
      ["0.00", "zero"],
      [Number.NaN, "not_a_number"],
      [Number.POSITIVE_INFINITY, "not_a_number"],
      ["ten", "not_a_number"],
      ["", "not_a_number"],
      [null, "not_a_number"],
      [true, "not_a_number"],
      [{}, "not_a_number"],
      ["1,5", "not_a_number"],
      ["0x10", "not_a_number"],
      [1e21, "too_large"],
      ["99999999999999999999", "too_large"],
      [10_000_000_000.01, "too_large"],
      [1e-7, "too_many_decimals"],
      [0.1 + 0.2, "too_many_decimals"],
      ["10.005", "too_many_decimals"],
    ];
    for (const [input, problem] of cases) {
      assert.deepEqual(parseMajorAmount(input, "GEL"), { ok: false, problem }, `input ${String(input)}`);
    }
  });

  it("accepts the usual shapes of a valid amount", () => {
    assert.deepEqual(parseMajorAmount(10.5, "GEL"), { ok: true, minor: 1050 });
    assert.deepEqual(parseMajorAmount("10.50", "GEL"), { ok: true, minor: 1050 });
    assert.deepEqual(parseMajorAmount(" 7 ", "USD"), { ok: true, minor: 700 });
    assert.deepEqual(parseMajorAmount("0.01", "EUR"), { ok: true, minor: 1 });
    assert.deepEqual(parseMajorAmount("1.000", "GBP"), { ok: true, minor: 100 });
    assert.deepEqual(parseMajorAmount(0, "GEL", { allowZero: true }), { ok: true, minor: 0 });
  });

  it("never throws, whatever it is given", () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string(), fc.double()), currency, (value, cur) => {
        const result = parseMajorAmount(value, cur);
        if (result.ok) assert.ok(Number.isSafeInteger(result.minor) && result.minor > 0 && result.minor <= MAX_MINOR_UNITS);
      }),
    );
  });

  it("formats minor units without float error", () => {
    assert.equal(formatMajorAmount(1050, "GEL"), "10.5");
    assert.equal(formatMajorAmount(5, "GEL"), "0.05");
    assert.equal(formatMajorAmount(100, "GEL"), "1");
    assert.equal(formatMajorAmountFixed(1050, "GEL"), "10.50");
    assert.equal(formatMajorAmountFixed(0, "GEL"), "0.00");
    assert.equal(formatMajorAmount(MAX_MINOR_UNITS, "GEL"), "10000000000");
  });
});
