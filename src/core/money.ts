// Money is an integer count of a currency's minor units. Nothing in tetri does
// float arithmetic on amounts: decimals from the wire are parsed digit by digit.

export type Currency = "GEL" | "USD" | "EUR" | "GBP";
export type MinorUnits = number & { readonly __brand: "MinorUnits" };

/** ISO 4217 minor-unit exponents of the currencies tetri accepts. */
export const CURRENCY_EXPONENTS: Readonly<Record<Currency, number>> = {
  GEL: 2,
  USD: 2,
  EUR: 2,
  GBP: 2,
};

export const CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as Currency[];

/** Largest amount tetri accepts in one order, in minor units (10 billion major units at exponent 2). */
export const MAX_MINOR_UNITS = 1_000_000_000_000;

export function isCurrency(value: unknown): value is Currency {
  return typeof value === "string" && Object.hasOwn(CURRENCY_EXPONENTS, value);
}

export type AmountProblem = "not_a_number" | "too_many_decimals" | "negative" | "zero" | "too_large";
export type ParsedAmount = { ok: true; minor: MinorUnits } | { ok: false; problem: AmountProblem };

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * Parses a wire amount in major units ("10.5", 10.5, "10") into minor units.
 * A JSON number is read through its shortest round-trip text, which is the literal the client
 * sent for any amount with fewer than 16 significant digits.
 */
export function parseMajorAmount(
  value: unknown,
  currency: Currency,
  options: { allowZero?: boolean } = {},
): ParsedAmount {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return { ok: false, problem: "not_a_number" };
    text = String(value);
  } else if (typeof value === "string") {
    text = value.trim();
  } else {
    return { ok: false, problem: "not_a_number" };
  }
  if (/e/i.test(text)) return typeof value === "number" ? exponentProblem(text) : { ok: false, problem: "not_a_number" };
  const match = DECIMAL.exec(text);
  if (!match) return { ok: false, problem: "not_a_number" };
  const [, sign, whole = "", fraction = ""] = match;
  const exponent = CURRENCY_EXPONENTS[currency];
  const significantFraction = fraction.replace(/0+$/, "");
  if (significantFraction.length > exponent) return { ok: false, problem: "too_many_decimals" };
  const wholeDigits = whole.replace(/^0+(?=\d)/, "");
  if (wholeDigits.length > 15) return { ok: false, problem: "too_large" };
  const minor = Number(wholeDigits + significantFraction.padEnd(exponent, "0"));
  if (sign && minor !== 0) return { ok: false, problem: "negative" };
  if (minor === 0 && !options.allowZero) return { ok: false, problem: "zero" };
  if (minor > MAX_MINOR_UNITS) return { ok: false, problem: "too_large" };
  return { ok: true, minor: minor as MinorUnits };
}

// Numbers such as 1e-7 or 1e+21 only reach us as JSON numbers; name the real problem.
function exponentProblem(text: string): ParsedAmount {
  const n = Number(text);
  if (!Number.isFinite(n)) return { ok: false, problem: "not_a_number" };
  if (n < 0) return { ok: false, problem: "negative" };
  if (n === 0) return { ok: false, problem: "zero" };
  return { ok: false, problem: n >= 1 ? "too_large" : "too_many_decimals" };
}

/** Renders minor units as a plain decimal in major units: 1050 GEL → "10.5", 1000 → "10", 5 → "0.05". */
export function formatMajorAmount(minor: MinorUnits | number, currency: Currency): string {
  const exponent = CURRENCY_EXPONENTS[currency];
  const digits = String(minor).padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent).replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole;
}

/** Renders with all minor digits, for people: 1050 → "10.50". */
export function formatMajorAmountFixed(minor: MinorUnits | number, currency: Currency): string {
  const exponent = CURRENCY_EXPONENTS[currency];
  const digits = String(minor).padStart(exponent + 1, "0");
  return exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** An amount as people read it, with its currency: 1050 GEL → "10.50 GEL". */
export function formatMoney(minor: MinorUnits | number, currency: Currency): string {
  return `${formatMajorAmountFixed(minor, currency)} ${currency}`;
}

export function minor(n: number): MinorUnits {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a minor-unit amount: ${n}`);
  return n as MinorUnits;
}
