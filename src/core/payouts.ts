// Payouts: money a merchant sends out of its balance to a card, the card of one of its
// captured payments or one it names. The balance of a currency is exact, in minor units:
// what its payments captured, less their refunds (asked or done), less its payouts (pending
// or done). A payout is recorded against the balance in one transaction that holds the
// merchant's payouts, so concurrent payouts never spend the same money; then the acquirer is
// asked, and the answer settles it in a second transaction (a refused payout gives the money
// back to the balance); one left unanswered is settled later by reconciliation.

import { callAcquirer, inTransaction, reconcileFollowUps } from "./context.ts";
import type { CoreContext } from "./context.ts";
import { summarizeCard, validateCard } from "./cards.ts";
import type { CardInput, CardProblem, ValidCard } from "./cards.ts";
import { TetriError } from "./errors.ts";
import { newPayoutId } from "./ids.ts";
import type { MerchantId, OrderId, PayoutId } from "./ids.ts";
import { minor } from "./money.ts";
import type { Currency, MinorUnits } from "./money.ts";
import { isVisibleTo } from "./orders.ts";
import type { FollowUpOutcome, StoreTx } from "./ports.ts";
import type { CardSummary, DialectId, Payout } from "./types.ts";

/** Where the money goes: the card of a captured payment of the merchant, or a card it names. */
export type PayoutTarget = { kind: "payment"; orderId: OrderId } | { kind: "card"; card: CardInput };

export type PayoutInput = {
  merchantId: MerchantId;
  dialect: DialectId;
  /** The merchant's own reference; a second payout with it is refused. */
  externalId: string;
  currency: Currency;
  amount: MinorUnits;
  to: PayoutTarget;
};

export type PayoutOutcome =
  | { kind: "card_invalid"; problems: CardProblem[] }
  /** The balance before the payout, and what is left of it now (the same again when it failed). */
  | { kind: "paid"; payout: Payout; balanceBefore: MinorUnits; balanceAfter: MinorUnits };

/** The merchant's balance in one currency, exactly. */
export async function balanceOf(tx: StoreTx, merchantId: MerchantId, currency: Currency): Promise<MinorUnits> {
  const { captured, refunded, paidOut } = await tx.payouts.balance(merchantId, currency);
  return (captured - refunded - paidOut) as MinorUnits;
}

export async function merchantBalance(ctx: CoreContext, merchantId: MerchantId, currency: Currency): Promise<MinorUnits> {
  return ctx.store.read((tx) => balanceOf(tx, merchantId, currency));
}

/** The card a sealed PAN and its summary name, open for the acquirer (a payout needs no CVC, and none is kept). */
function openedCard(ctx: CoreContext, card: CardSummary, sealed: { panCiphertext: string; panKeyId: string }): ValidCard {
  const [mm = "0", yy = "0"] = card.expiry.split("/");
  return { pan: ctx.vault.open(sealed.panCiphertext, sealed.panKeyId), cvc: "", holder: card.holder, expiryMonth: Number(mm), expiryYear: 2000 + Number(yy) };
}

type Target = { kind: "payment"; orderId: OrderId } | { kind: "card"; card: ValidCard };

/** The card the target names, sealed for the record and open for the acquirer. */
async function cardOfTarget(ctx: CoreContext, tx: StoreTx, input: PayoutInput, to: Target): Promise<{ summary: CardSummary; sealed: { ciphertext: string; keyId: string }; card: ValidCard }> {
  if (to.kind === "card") return { summary: summarizeCard(to.card), sealed: ctx.vault.seal(to.card.pan), card: to.card };
  const order = await tx.orders.find(to.orderId);
  if (!order || !isVisibleTo(order, { merchantId: input.merchantId, dialect: input.dialect }) || order.capturedAmount === 0) {
    throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
  }
  const attempt = await tx.attempts.latestOfOrder(order.id);
  // A payment no card made (an internet-bank transfer, a loan) has no card to pay out to.
  if (!attempt || attempt.status !== "approved" || !attempt.card) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
  return {
    summary: attempt.card,
    sealed: { ciphertext: attempt.panCiphertext, keyId: attempt.panKeyId },
    card: openedCard(ctx, attempt.card, attempt),
  };
}

export async function makePayout(ctx: CoreContext, input: PayoutInput): Promise<PayoutOutcome> {
  let to: Target;
  if (input.to.kind === "card") {
    const checked = validateCard(input.to.card);
    if (!checked.ok) return { kind: "card_invalid", problems: checked.problems };
    to = { kind: "card", card: checked.card };
  } else {
    to = input.to;
  }
  const now = ctx.clock.now();
  let card: ValidCard | undefined;
  const reserved = await inTransaction(ctx, async (tx) => {
    await tx.payouts.lockMerchant(input.merchantId);
    if (await tx.payouts.findByExternalId(input.merchantId, input.dialect, input.externalId)) throw new TetriError("TETRI_ERR_DUPLICATE_REFERENCE");
    const target = await cardOfTarget(ctx, tx, input, to);
    const balance = await balanceOf(tx, input.merchantId, input.currency);
    if (input.amount > balance) throw new TetriError("TETRI_ERR_PAYOUT_EXCEEDS_BALANCE");
    card = target.card;
    const payout: Payout = {
      id: newPayoutId(),
      merchantId: input.merchantId,
      dialect: input.dialect,
      externalId: input.externalId,
      orderId: input.to.kind === "payment" ? input.to.orderId : null,
      currency: input.currency,
      amount: input.amount,
      status: "pending",
      failureReason: null,
      card: target.summary,
      panCiphertext: target.sealed.ciphertext,
      panKeyId: target.sealed.keyId,
      createdAt: now,
      updatedAt: now,
    };
    await tx.payouts.insert(payout);
    return { payout, balanceBefore: balance };
  });
  const { payout, balanceBefore } = reserved;
  const outcome = card && (await sendPayout(ctx, payout, card));
  // No answer in time: the payout stays pending (and its money spent) until reconciliation
  // learns the acquirer's answer.
  if (outcome === undefined) return { kind: "paid", payout, balanceBefore, balanceAfter: minor(balanceBefore - payout.amount) };
  const settled = await settlePayout(ctx, payout.id, outcome);
  return { kind: "paid", payout: settled, balanceBefore, balanceAfter: await merchantBalance(ctx, payout.merchantId, payout.currency) };
}

function sendPayout(ctx: CoreContext, payout: Payout, card: ValidCard) {
  return callAcquirer(ctx, () => ctx.acquirer.payout({ reference: payout.id, amount: payout.amount, currency: payout.currency, card }));
}

/** Records the acquirer's answer to a payout, once: a payout already settled (by a racing reconciliation) stays as it is. */
async function settlePayout(ctx: CoreContext, payoutId: PayoutId, outcome: FollowUpOutcome): Promise<Payout> {
  return inTransaction(ctx, async (tx) => {
    const payout = await tx.payouts.find(payoutId);
    if (!payout) throw new Error(`payout ${payoutId} vanished`);
    if (payout.status !== "pending") return payout;
    const settled: Payout = {
      ...payout,
      status: outcome.kind === "approved" ? "completed" : "failed",
      failureReason: outcome.kind === "declined" ? outcome.reason : null,
      updatedAt: ctx.clock.now(),
    };
    await tx.payouts.update(settled);
    return settled;
  });
}

/** Settles payouts left pending: their money is held for them, so they are carried out, not dropped. */
export function reconcilePayouts(ctx: CoreContext, limit = 100): Promise<number> {
  return reconcileFollowUps<Payout>(ctx, limit, {
    claim: (tx, before, batch, lease) => tx.payouts.claimPending(before, batch, lease),
    resend: (payout) => sendPayout(ctx, payout, openedCard(ctx, payout.card, payout)),
    postpone: (tx, payout, at) => tx.payouts.postponePending(payout.id, at),
    settle: async (payout, outcome) => {
      await settlePayout(ctx, payout.id, outcome);
    },
  });
}

/** A payout of the merchant through one API, by its id or the merchant's reference. */
export async function findPayout(ctx: CoreContext, owner: { merchantId: MerchantId; dialect: DialectId }, by: { id: PayoutId } | { externalId: string }): Promise<Payout> {
  const payout = await ctx.store.read((tx) => ("id" in by ? tx.payouts.find(by.id) : tx.payouts.findByExternalId(owner.merchantId, owner.dialect, by.externalId)));
  if (!payout || payout.merchantId !== owner.merchantId || payout.dialect !== owner.dialect) throw new TetriError("TETRI_ERR_PAYOUT_NOT_FOUND");
  return payout;
}
