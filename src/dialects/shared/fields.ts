// Readers of wire fields shared by the dialects: each records a field problem instead of throwing,
// so that one response names every bad field.

import { validationError } from "../../core/errors.ts";
import type { FieldProblem } from "../../core/errors.ts";
import { checkMerchantUrl } from "../../core/merchant-urls.ts";
import { parseMajorAmount } from "../../core/money.ts";
import type { AmountProblem, Currency, MinorUnits } from "../../core/money.ts";
import type { RequestedAmount } from "../../core/operations.ts";

const AMOUNT_MESSAGES: Readonly<Record<AmountProblem, string>> = {
  not_a_number: "must be a number",
  too_many_decimals: "has more decimal places than the currency allows",
  negative: "must not be negative",
  zero: "must be greater than zero",
  too_large: "is too large",
};

/** Reads a decimal amount in `currency`, recording a field problem instead of throwing. */
export function amountReader(currency: Currency, problems: FieldProblem[]) {
  return (field: string, value: unknown, options: { allowZero?: boolean } = {}): MinorUnits | undefined => {
    const parsed = parseMajorAmount(value, currency, options);
    if (parsed.ok) return parsed.minor;
    problems.push({ field, message: AMOUNT_MESSAGES[parsed.problem] });
    return undefined;
  };
}

/**
 * An operation's amount as the request sent it (absent: undefined). It is in the order's
 * currency, which core knows once it holds the order: core reads it there.
 */
export function requestedAmount(value: unknown, field = "amount"): RequestedAmount | undefined {
  if (value === undefined) return undefined;
  return (currency) => {
    const problems: FieldProblem[] = [];
    const amount = amountReader(currency, problems)(field, value);
    if (amount === undefined) throw validationError(problems);
    return amount;
  };
}

/** Reads a merchant's callback or redirect URL, normalized; null when absent or bad. */
export function urlReader(live: boolean, problems: FieldProblem[]) {
  return (field: string, value: string | undefined): string | null => {
    if (value === undefined) return null;
    const checked = checkMerchantUrl(value, live);
    if ("problem" in checked) problems.push({ field, message: checked.problem });
    return "href" in checked ? checked.href : null;
  };
}
