// Test mode's payment methods beside the typed card: wallets (Google Pay, Apple Pay), the
// internet bank, QR, loyalty points, BNPL and installment loans, gift cards. The hosted page
// renders each method's simulated bank screen; what the buyer chose there arrives here as a
// SimulatedChoice, and this module alone decides what the bank answers, by one set of rules
// for every method. The payment is then recorded exactly as a card's is (checkout.ts): one
// attempt, the ledger lines, the order's status and its callback in the same transaction.

import { authorizeCard, finishAuthorization, payOrderWithWallet, paymentResultOf, startAttempt } from "./checkout.ts";
import type { AttemptPlan, PaymentResult } from "./checkout.ts";
import { validateCard } from "./cards.ts";
import type { CardInput } from "./cards.ts";
import { callAcquirer, inTransaction, requireOrder } from "./context.ts";
import type { CoreContext } from "./context.ts";
import { TetriError } from "./errors.ts";
import type { OrderId } from "./ids.ts";
import { CURRENCY_EXPONENTS, minor } from "./money.ts";
import type { Currency, MinorUnits } from "./money.ts";
import { isVisibleTo } from "./orders.ts";
import type { OrderOwner } from "./orders.ts";
import type { SimulatedAuthorizationRequest } from "./ports.ts";
import type { DeclineReason, MethodDetails, Order, PaymentMethod } from "./types.ts";

/** The cards a simulated wallet sheet holds: test cards of the README, two that pay and two that decline. */
export const WALLET_TEST_CARDS = ["4242424242424242", "5555555555554444", "4000000000000002", "4000000000009995"] as const;

/** What the test loyalty account holds, in major units of the order's currency. */
export const LOYALTY_TEST_BALANCE = 50;

/** Test gift card codes and their balances in major units of the order's currency; any other code is not a gift card. */
export const GIFT_CARD_TEST_CODES: Readonly<Record<string, number>> = { "GIFT-100": 100, "GIFT-5": 5 };

export type LoanMethod = "bnpl" | "installment";

/** The terms (months) a simulated loan application offers unless the shop fixed one. */
export const LOAN_TERMS: Readonly<Record<LoanMethod, readonly number[]>> = { bnpl: [3, 4, 6], installment: [3, 6, 12, 18, 24] };

/** A test card the buyer picked on a simulated wallet sheet. */
export type WalletChoice = { method: "google_pay" | "apple_pay"; pan: string };

/** What the buyer chose on a method's simulated page. */
export type SimulatedChoice = WalletChoice | BankChoice;

/** A choice on the simulated screen of the bank's own method (no wallet). */
type BankChoice =
  | { method: "bank_transfer"; accountHolder: string; approve: boolean }
  | { method: "qr"; code: string; approve: boolean }
  | { method: "loyalty_points"; accountHolder: string; points: MinorUnits; card: CardInput | null }
  | { method: LoanMethod; applicant: string; months: number; decision: "approve" | "decline" | "pending" }
  | { method: "gift_card"; code: string };

/** A choice that does not fit the order; nothing is recorded and the page asks again. */
export type ChoiceProblem = "not_a_wallet_card" | "name_invalid" | "points_over_amount" | "term_not_offered" | "code_required";

export type SimulatedResult = PaymentResult | { kind: "choice_invalid"; problem: ChoiceProblem } | { kind: "qr_expired" };

/** A whole number of major units (a test balance) in minor units of the currency. */
const wholeUnits = (major: number, currency: Currency): MinorUnits => minor(major * 10 ** CURRENCY_EXPONENTS[currency]);

/** The test loyalty account's balance in an order's currency, in minor units. */
export function loyaltyBalance(currency: Currency): MinorUnits {
  return wholeUnits(LOYALTY_TEST_BALANCE, currency);
}

/** The terms a loan application of the order offers: the shop's fixed one, or the method's list. */
export function loanTermsOf(order: Pick<Order, "loanOffer">, method: LoanMethod): readonly number[] {
  return order.loanOffer?.months ? [order.loanOffer.months] : LOAN_TERMS[method];
}

/**
 * How a paid amount splits between loyalty points and the card: the points first, the card the
 * rest, in minor units; undefined when the points are more than the amount.
 */
export function pointsSplit(amount: MinorUnits, points: MinorUnits): { points: MinorUnits; card: MinorUnits } | undefined {
  if (points <= 0 || points > amount) return undefined;
  return { points, card: minor(amount - points) };
}

/** A gift card code as its receipt shows it: the first two and last two characters. */
export function maskGiftCode(code: string): string {
  return code.length <= 4 ? "*".repeat(code.length) : `${code.slice(0, 2)}${"*".repeat(code.length - 4)}${code.slice(-2)}`;
}

const normalizedCode = (code: string) => code.trim().toUpperCase();

/** A test gift card's balance in an order's currency, in minor units; undefined for a code that is none. */
export function giftCardBalance(code: string, currency: Currency): MinorUnits | undefined {
  const balance = GIFT_CARD_TEST_CODES[normalizedCode(code)];
  return balance === undefined ? undefined : wholeUnits(balance, currency);
}

/** A QR code the page shows: the order and its expiry, sealed, so that nobody can make one or extend it. */
export function issueQrCode(ctx: CoreContext, orderId: OrderId, ttlMs: number): { code: string; expiresAt: number } {
  const expiresAt = ctx.clock.now() + ttlMs;
  const sealed = ctx.vault.seal(JSON.stringify({ orderId, expiresAt }));
  return { code: Buffer.from(JSON.stringify(sealed)).toString("base64url"), expiresAt };
}

/** Whether a QR code is this order's and still valid now. */
function qrCodeValid(ctx: CoreContext, orderId: OrderId, code: string): boolean {
  try {
    const sealed = JSON.parse(Buffer.from(code, "base64url").toString()) as { ciphertext: string; keyId: string };
    const payload = JSON.parse(ctx.vault.open(sealed.ciphertext, sealed.keyId)) as { orderId: string; expiresAt: number };
    return payload.orderId === orderId && ctx.clock.now() < payload.expiresAt;
  } catch {
    return false;
  }
}

/** What the simulated bank answers a choice, for the order it pays. */
type Decision =
  | { plan: AttemptPlan; answer: "approve" | "pending" | { decline: DeclineReason } }
  | { plan: AttemptPlan; answer: "card"; cardAmount: MinorUnits }
  | SimulatedResult;

const details = (changes: Partial<MethodDetails>): MethodDetails => ({ payer: null, pointsAmount: null, loanMonths: null, ...changes });
const planOf = (method: PaymentMethod, methodDetails: MethodDetails, status: AttemptPlan["status"] = "pending"): AttemptPlan => ({
  method,
  card: null,
  methodDetails,
  status,
});
const yesOrNo = (approve: boolean): "approve" | { decline: DeclineReason } => (approve ? "approve" : { decline: "issuer_declined" });

/** A name the buyer typed (an account holder, an applicant), as a card's holder is taken; undefined when it is none. */
function nameOf(typed: string): string | undefined {
  const name = typed.trim();
  return name !== "" && name.length <= 64 && !/[\p{Cc}]/u.test(name) ? name : undefined;
}

const isWalletChoice = (choice: SimulatedChoice): choice is WalletChoice => choice.method === "google_pay" || choice.method === "apple_pay";

function decide(order: Order, choice: BankChoice): Decision {
  switch (choice.method) {
    case "bank_transfer": {
      const holder = nameOf(choice.accountHolder);
      if (!holder) return { kind: "choice_invalid", problem: "name_invalid" };
      return { plan: planOf(choice.method, details({ payer: holder })), answer: yesOrNo(choice.approve) };
    }
    case "qr":
      return { plan: planOf(choice.method, details({})), answer: yesOrNo(choice.approve) };
    case "loyalty_points": {
      const holder = nameOf(choice.accountHolder);
      if (!holder) return { kind: "choice_invalid", problem: "name_invalid" };
      const split = pointsSplit(order.amount, choice.points);
      if (!split) return { kind: "choice_invalid", problem: "points_over_amount" };
      const recorded = details({ payer: holder, pointsAmount: split.points });
      if (split.points > loyaltyBalance(order.currency)) return { plan: planOf(choice.method, recorded), answer: { decline: "insufficient_funds" } };
      if (split.card === 0) return { plan: planOf(choice.method, recorded), answer: "approve" };
      const checked = validateCard(choice.card ?? { number: "", expiry: "", cvc: "", holder: "" });
      if (!checked.ok) return { kind: "card_invalid", problems: checked.problems };
      return { plan: { ...planOf(choice.method, recorded), card: checked.card }, answer: "card", cardAmount: split.card };
    }
    case "bnpl":
    case "installment": {
      const applicant = nameOf(choice.applicant);
      if (!applicant) return { kind: "choice_invalid", problem: "name_invalid" };
      if (!loanTermsOf(order, choice.method).includes(choice.months)) return { kind: "choice_invalid", problem: "term_not_offered" };
      // BOG shows a loan's payer by the first letter of the applicant's name.
      const recorded = details({ payer: applicant.charAt(0).toUpperCase(), loanMonths: choice.months });
      if (choice.decision === "pending") return { plan: planOf(choice.method, recorded, "awaiting_decision"), answer: "pending" };
      return { plan: planOf(choice.method, recorded), answer: yesOrNo(choice.decision === "approve") };
    }
    case "gift_card": {
      const code = normalizedCode(choice.code);
      if (!code || code.length > 32) return { kind: "choice_invalid", problem: "code_required" };
      const balance = giftCardBalance(code, order.currency);
      const plan = planOf(choice.method, details({ payer: maskGiftCode(code) }));
      if (balance === undefined) return { plan, answer: { decline: "invalid_card" } };
      return { plan, answer: balance >= order.amount ? "approve" : { decline: "insufficient_funds" } };
    }
  }
}

/** Books a decided payment with the acquirer and records its answer. */
async function settleSimulated(ctx: CoreContext, order: Order, attemptId: SimulatedAuthorizationRequest["reference"], method: PaymentMethod, approve: "approve" | { decline: DeclineReason }) {
  const outcome = await callAcquirer(ctx, () =>
    ctx.acquirer.authorizeSimulated({
      reference: attemptId,
      amount: order.amount,
      currency: order.currency,
      capture: order.captureMode === "automatic",
      terminal: order.terminal,
      method,
      outcome: approve === "approve" ? { kind: "approved" } : { kind: "declined", reason: approve.decline },
    }),
  );
  return finishAuthorization(ctx, attemptId, outcome);
}

/** Pays an order through a simulated method, as the buyer chose on its page (test mode only). */
export async function payWithSimulatedMethod(ctx: CoreContext, orderId: OrderId, choice: SimulatedChoice, owner?: OrderOwner): Promise<SimulatedResult> {
  if (isWalletChoice(choice)) {
    if (!(WALLET_TEST_CARDS as readonly string[]).includes(choice.pan)) return { kind: "choice_invalid", problem: "not_a_wallet_card" };
    const year = new Date(ctx.clock.now()).getUTCFullYear() + 3;
    const card = { pan: choice.pan, expiryMonth: 12, expiryYear: year, holder: "TEST WALLET" };
    // The wallet's device check (Face ID, a PIN) authenticated the buyer: no 3-D Secure.
    return payOrderWithWallet(ctx, orderId, { method: choice.method, card, authenticated: true }, owner);
  }
  if (choice.method === "qr" && !qrCodeValid(ctx, orderId, choice.code)) return { kind: "qr_expired" };
  const bankChoice: BankChoice = choice;
  let decision: Decision | undefined;
  const started = await startAttempt<SimulatedResult>(ctx, orderId, owner, (order) => {
    decision = decide(order, bankChoice);
    return "kind" in decision ? decision : decision.plan;
  });
  if ("kind" in started) return started;
  if (!decision || "kind" in decision) throw new Error("a started attempt has a decision");
  if (decision.answer === "pending") return { kind: "pending" };
  if (decision.answer === "card") {
    if (!started.card) throw new Error("a points and card payment has its card");
    return authorizeCard(ctx, started, started.card, { amount: decision.cardAmount, authenticatedByWallet: false });
  }
  return settleSimulated(ctx, started.order, started.attempt.id, decision.plan.method, decision.answer);
}

/**
 * The bank decides a loan application it left pending (the simulated page's later decision,
 * test mode only). An application already decided keeps its decision.
 */
export async function decideLoanApplication(ctx: CoreContext, orderId: OrderId, approve: boolean, owner?: OrderOwner): Promise<PaymentResult> {
  const known = await ctx.store.read(async (tx) => {
    const order = await requireOrder(tx, orderId);
    if (owner && !isVisibleTo(order, owner)) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
    const attempt = await tx.attempts.latestOfOrder(orderId);
    if (!attempt) throw new TetriError("TETRI_ERR_PAYMENT_ATTEMPT_NOT_FOUND");
    return { order, attempt, result: attempt.status === "awaiting_decision" ? undefined : await paymentResultOf(tx, attempt) };
  });
  if (known.result) return known.result;
  // The application goes to the acquirer once: a second decision meanwhile finds it no longer awaiting.
  const taken = await inTransaction(ctx, async (tx) => {
    const attempt = await tx.attempts.find(known.attempt.id);
    if (attempt?.status !== "awaiting_decision") return false;
    await tx.attempts.update({ ...attempt, status: "pending", updatedAt: ctx.clock.now() });
    return true;
  });
  if (!taken) {
    return ctx.store.read(async (tx) => paymentResultOf(tx, (await tx.attempts.find(known.attempt.id)) ?? known.attempt));
  }
  return settleSimulated(ctx, known.order, known.attempt.id, known.attempt.method, yesOrNo(approve));
}
