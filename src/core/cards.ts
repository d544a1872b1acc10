import type { CardBrand, CardSummary } from "./types.ts";
import type { FieldProblem } from "./errors.ts";

/** Card data as the buyer typed it. Lives only in memory for the length of one payment. */
export type CardInput = {
  number: string;
  expiry: string;
  cvc: string;
  holder: string;
};

/** A card that passed validation; `pan` is digits only. */
export type ValidCard = {
  pan: string;
  expiryMonth: number;
  expiryYear: number;
  cvc: string;
  holder: string;
};

export type CardField = "card_number" | "expiry" | "cvc" | "cardholder";
export type CardProblem = { field: CardField; problem: "required" | "invalid" | "luhn" | "format" };

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function cardBrand(pan: string): CardBrand {
  if (pan.startsWith("4")) return "visa";
  if (/^(5[1-5]|2[2-7])/.test(pan)) return "mc";
  if (/^3[47]/.test(pan)) return "amex";
  return "other";
}

export function maskPan(pan: string): string {
  return `${pan.slice(0, 6)}${"*".repeat(pan.length - 10)}${pan.slice(-4)}`;
}

/**
 * Checks the shape of what the buyer typed. An expired date is not a shape error: it goes to
 * the acquirer and comes back as the bank's own "expired card" decline, as at a real bank.
 */
export function validateCard(input: CardInput): { ok: true; card: ValidCard } | { ok: false; problems: CardProblem[] } {
  const problems: CardProblem[] = [];
  const pan = input.number.replace(/[\s-]/g, "");
  if (pan === "") problems.push({ field: "card_number", problem: "required" });
  else if (!/^\d{12,19}$/.test(pan)) problems.push({ field: "card_number", problem: "format" });
  else if (!luhnValid(pan)) problems.push({ field: "card_number", problem: "luhn" });

  const expiry = /^\s*(\d{2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(input.expiry);
  const month = expiry ? Number(expiry[1]) : 0;
  if (input.expiry.trim() === "") problems.push({ field: "expiry", problem: "required" });
  else if (!expiry || month < 1 || month > 12) problems.push({ field: "expiry", problem: "format" });

  if (input.cvc.trim() === "") problems.push({ field: "cvc", problem: "required" });
  else if (!/^\d{3,4}$/.test(input.cvc.trim())) problems.push({ field: "cvc", problem: "format" });

  const holder = input.holder.trim();
  if (holder === "") problems.push({ field: "cardholder", problem: "required" });
  else if (holder.length > 64 || /[\p{Cc}]/u.test(holder)) problems.push({ field: "cardholder", problem: "format" });

  if (problems.length > 0 || !expiry) return { ok: false, problems };
  const yearText = expiry[2] ?? "";
  const expiryYear = yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  return { ok: true, card: { pan, expiryMonth: month, expiryYear, cvc: input.cvc.trim(), holder } };
}

/** A card as a wallet's token carries it: the number and expiry, a holder's name when the wallet gives one. */
export type WalletCard = { pan: string; expiryMonth: number; expiryYear: number; holder: string };

/** Checks the card a wallet token carried; there is no CVC (the token's cryptogram stands for it). */
export function validateWalletCard(input: WalletCard): { ok: true; card: ValidCard } | { ok: false; problems: CardProblem[] } {
  const problems: CardProblem[] = [];
  if (!/^\d{12,19}$/.test(input.pan)) problems.push({ field: "card_number", problem: "format" });
  else if (!luhnValid(input.pan)) problems.push({ field: "card_number", problem: "luhn" });
  const monthOk = Number.isInteger(input.expiryMonth) && input.expiryMonth >= 1 && input.expiryMonth <= 12;
  if (!monthOk || !Number.isInteger(input.expiryYear) || input.expiryYear < 2000 || input.expiryYear > 2099) {
    problems.push({ field: "expiry", problem: "format" });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, card: { pan: input.pan, expiryMonth: input.expiryMonth, expiryYear: input.expiryYear, cvc: "", holder: input.holder.trim().slice(0, 64) } };
}

export function isExpired(card: Pick<ValidCard, "expiryMonth" | "expiryYear">, now: number): boolean {
  const date = new Date(now);
  const current = date.getUTCFullYear() * 12 + date.getUTCMonth() + 1;
  return card.expiryYear * 12 + card.expiryMonth < current;
}

export function summarizeCard(card: ValidCard): CardSummary {
  const mm = String(card.expiryMonth).padStart(2, "0");
  const yy = String(card.expiryYear % 100).padStart(2, "0");
  return { mask: maskPan(card.pan), brand: cardBrand(card.pan), expiry: `${mm}/${yy}`, holder: card.holder };
}

const PROBLEM_TEXT: Readonly<Record<CardProblem["problem"], string>> = {
  required: "is required",
  format: "is not in the expected format",
  luhn: "fails the Luhn check",
  invalid: "is not valid",
};

export function cardProblemsAsFields(problems: readonly CardProblem[]): FieldProblem[] {
  return problems.map((p) => ({ field: p.field, message: PROBLEM_TEXT[p.problem] }));
}
