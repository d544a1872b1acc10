// Saved cards: a card the buyer paid with on an order that asked to save it, charged later
// by the merchant without the buyer (a merchant-initiated charge, no 3-D Secure), and
// deleted on request. A saved card belongs to one merchant; to anyone else it does not exist.

import { applyOrderEvent, callAcquirer, inTransaction } from "./context.ts";
import type { CoreContext } from "./context.ts";
import { finishAuthorization, newAttempt, paymentResultOf } from "./checkout.ts";
import type { PaymentResult } from "./checkout.ts";
import { TetriError } from "./errors.ts";
import { onceForKey } from "./idempotency.ts";
import type { IdempotencyInput } from "./idempotency.ts";
import type { MerchantId, OrderId, SavedCardId } from "./ids.ts";
import { newOrder } from "./orders.ts";
import type { OrderRequest } from "./orders.ts";
import type { StoreTx } from "./ports.ts";
import type { DialectId, Order, SavedCard } from "./types.ts";

/**
 * A saved card of the merchant, saved by a payment made through this bank API: to another
 * merchant, or through another of the merchant's APIs, it does not exist.
 */
async function requireSavedCard(tx: StoreTx, owner: { merchantId: MerchantId; dialect: DialectId }, id: SavedCardId): Promise<SavedCard> {
  const card = await tx.savedCards.find(id);
  const origin = card && (await tx.orders.find(card.orderId));
  if (!card || card.merchantId !== owner.merchantId || card.deletedAt !== null || origin?.dialect !== owner.dialect) throw new TetriError("TETRI_ERR_SAVED_CARD_NOT_FOUND");
  return card;
}

/** The card's expiry as the acquirer needs it; the saved MM/YY, or the earlier "keep until" MMYY. */
function expiryOf(card: SavedCard): { expiryMonth: number; expiryYear: number } {
  const [mm = "0", yy = "0"] = card.card.expiry.split("/");
  const own = { expiryMonth: Number(mm), expiryYear: 2000 + Number(yy) };
  if (!card.validUntil) return own;
  const until = { expiryMonth: Number(card.validUntil.slice(0, 2)), expiryYear: 2000 + Number(card.validUntil.slice(2)) };
  const earlier = until.expiryYear * 12 + until.expiryMonth < own.expiryYear * 12 + own.expiryMonth;
  return earlier ? until : own;
}

export type SavedCardCharge = {
  merchantId: MerchantId;
  cardId: SavedCardId;
  order: OrderRequest;
  idempotency?: IdempotencyInput;
};

/**
 * Charges a saved card: a new order, paid at once with the saved card. The order and the
 * attempt are written before the acquirer is called, so a crash leaves an attempt for
 * reconciliation, never a charge nobody knows about.
 */
export async function chargeSavedCard(
  ctx: CoreContext,
  charge: SavedCardCharge,
): Promise<{ orderId: OrderId; result: PaymentResult }> {
  const now = ctx.clock.now();
  // What the acquirer needs, kept from the transaction that wrote it (a replay has none).
  let charging: { card: SavedCard; order: Order } | undefined;
  const started = await inTransaction(ctx, (tx) =>
    onceForKey(tx, charge.merchantId, `${charge.order.dialect}:charge_saved_card`, charge.idempotency, now, async () => {
      const card = await requireSavedCard(tx, { merchantId: charge.merchantId, dialect: charge.order.dialect }, charge.cardId);
      // Unless told otherwise, a charge calls back where the order that saved the card did.
      const callbackUrl = charge.order.callbackUrl ?? (await tx.orders.find(card.orderId))?.callbackUrl ?? null;
      const order = newOrder(charge.merchantId, { ...charge.order, callbackUrl, saveCard: null }, now, card.id);
      await tx.orders.insert(order);
      const sealed = { ciphertext: card.panCiphertext, keyId: card.panKeyId };
      const attempt = newAttempt(order.id, { method: "card", customerPresent: false }, card.card, sealed, now);
      await tx.attempts.insert(attempt);
      charging = { card, order: await applyOrderEvent(ctx, tx, order, "start_payment") };
      return { orderId: order.id, attemptId: attempt.id };
    }),
  );
  const { orderId, attemptId } = started.result;
  if (started.replayed || !charging) {
    const result = await ctx.store.read(async (tx) => paymentResultOf(tx, (await tx.attempts.find(attemptId))!));
    return { orderId, result };
  }

  const { card, order } = charging;
  const outcome = await callAcquirer(ctx, () =>
    ctx.acquirer.authorize({
      reference: attemptId,
      amount: order.amount,
      currency: order.currency,
      card: { pan: ctx.vault.open(card.panCiphertext, card.panKeyId), cvc: "", holder: card.card.holder, ...expiryOf(card) },
      capture: order.captureMode === "automatic",
      customerPresent: false,
      authenticatedByWallet: false,
      terminal: order.terminal,
    }),
  );
  return { orderId, result: await finishAuthorization(ctx, attemptId, outcome) };
}

/** Deletes a saved card; later charges of it fail as "saved card not found". */
export async function deleteSavedCard(ctx: CoreContext, owner: { merchantId: MerchantId; dialect: DialectId }, cardId: SavedCardId): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    await requireSavedCard(tx, owner, cardId);
    await tx.savedCards.markDeleted(cardId, ctx.clock.now());
  });
}
