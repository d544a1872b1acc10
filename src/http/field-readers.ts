// Readers of wire fields shared by the dialects: each records a field problem instead of throwing,
// so that one response names every bad field.

import type { CoreContext } from "../core/context.ts";
import { TetriError } from "../core/errors.ts";
import type { FieldProblem } from "../core/errors.ts";
import { checkMerchantUrl } from "../core/merchant-urls.ts";
import type { MerchantId, OrderId } from "../core/ids.ts";
import { getOwnOrder } from "../core/orders.ts";
import type { Dialect } from "../core/types.ts";
import { parseMajorAmount } from "../core/money.ts";
import type { AmountProblem, Currency, MinorUnits } from "../core/money.ts";

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

/** Reads an operation's amount, which is in the order's currency: so it needs the order (and proves it is the caller's). */
export async function readOrderAmount(
  ctx: CoreContext,
  owner: { merchantId: MerchantId; dialect: Dialect },
  orderId: OrderId,
  value: unknown,
): Promise<MinorUnits> {
  const order = await getOwnOrder(ctx, owner, orderId);
  const problems: FieldProblem[] = [];
  const amount = amountReader(order.currency, problems)("amount", value);
  if (amount === undefined) throw new TetriError("TETRI_ERR_VALIDATION", { fields: problems });
  return amount;
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
