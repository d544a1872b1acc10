// Split payments: part of what an order captures goes to other accounts (a marketplace's
// sellers), the rest to the merchant. Each part is a fixed amount or a percentage of the
// captured amount; the amounts are worked out exactly, in minor units, when the money is
// captured, rounding each percentage part down so the merchant keeps every remainder. A
// refund does not reverse a split (as BOG documents). tetri has no bank to send the parts
// to: it works them out and reports them with the order.

import { validationError } from "./errors.ts";
import type { FieldProblem } from "./errors.ts";
import { minor } from "./money.ts";
import type { MinorUnits } from "./money.ts";
import type { Order, SplitPart } from "./types.ts";

export const MAX_SPLIT_PARTS = 10;
const ALL = 10_000;

/** A percentage with up to two decimals ("12.5", 33.33) as basis points (1250, 3333), exactly; undefined when it is not one. */
export function basisPointsOf(value: unknown): number | undefined {
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(String(value).trim());
  if (!match) return undefined;
  const points = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  return points > 0 && points <= ALL ? points : undefined;
}

/** Basis points as the percentage they are: 1250 → "12.5", 10000 → "100". */
export function percentText(basisPoints: number): string {
  const fraction = String(basisPoints % 100).padStart(2, "0").replace(/0+$/, "");
  return fraction ? `${Math.floor(basisPoints / 100)}.${fraction}` : String(basisPoints / 100);
}

/** Checks a split against the order's amount: fixed parts within it, percentages within 100%. */
export function checkSplit(parts: readonly SplitPart[], amount: MinorUnits, field: string): void {
  const problems: FieldProblem[] = [];
  if (parts.length > MAX_SPLIT_PARTS) problems.push({ field, message: `may have at most ${MAX_SPLIT_PARTS} parts` });
  const fixed = parts.reduce((sum, part) => sum + (part.amount ?? 0), 0);
  const points = parts.reduce((sum, part) => sum + (part.basisPoints ?? 0), 0);
  if (fixed > amount) problems.push({ field, message: "its amounts add up to more than the order's amount" });
  if (points > ALL) problems.push({ field, message: "its percentages add up to more than 100" });
  if (problems.length > 0) throw validationError(problems);
}

export type SplitStatus = "created" | "processing" | "completed" | "canceled" | "rejected";
export type SplitTransfer = { account: string; amount: MinorUnits };

/** Where the split of an order stands, from the order's own status. */
export function splitStatusOf(order: Order): SplitStatus {
  switch (order.status) {
    case "created":
    case "authorized":
      return "created";
    case "processing":
      return "processing";
    case "voided":
      return "canceled";
    case "declined":
    case "expired":
      return "rejected";
    default:
      return "completed";
  }
}

/**
 * The amount each part receives of what was captured; fixed parts first, in order, each never
 * more than what is left, percentage parts of the captured amount, rounded down.
 */
export function splitTransfersOf(order: Order): SplitTransfer[] {
  let left = order.capturedAmount as number;
  return (order.split ?? []).map((part) => {
    const wanted = part.amount ?? Math.floor((order.capturedAmount * (part.basisPoints ?? 0)) / ALL);
    const amount = Math.min(wanted, left);
    left -= amount;
    return { account: part.account, amount: minor(amount) };
  });
}
