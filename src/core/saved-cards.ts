// Saved cards: a card the buyer paid with on an order that asked to save it, charged later
// (with the buyer on the page, or by the merchant without them: no 3-D Secure then), and
// deleted on request. A saved card belongs to one merchant and to the bank API that saved
// it; to anyone else it does not exist.

import { applyOrderEvent, callAcquirer, inTransaction, requireOrder } from "./context.ts";
import type { CoreContext } from "./context.ts";
import { finishAuthorization, newAttempt, paymentResultOf } from "./checkout.ts";
import type { PaymentResult } from "./checkout.ts";
import { TetriError } from "./errors.ts";
import { onceForKey } from "./idempotency.ts";
import type { IdempotencyInput } from "./idempotency.ts";
import type { AttemptId, OrderId, SavedCardId } from "./ids.ts";
import { expireIfDue, isVisibleTo, newOrder } from "./orders.ts";
import type { OrderOwner, OrderRequest } from "./orders.ts";
import type { StoreTx } from "./ports.ts";
import type { Order, PaymentAttempt, SavedCard, SavedCardUsage } from "./types.ts";

/** The merchant and bank API a saved card is asked for by; another's card is not found. */
type CardOwner = Required<OrderOwner>;

async function requireSavedCard(tx: StoreTx, owner: CardOwner, id: SavedCardId): Promise<SavedCard> {
  const card = await tx.savedCards.find(id);
  const saving = card && (await tx.orders.find(card.orderId));
  if (!card || !saving || !isVisibleTo(saving, owner) || card.deletedAt !== null) throw new TetriError("TETRI_ERR_SAVED_CARD_NOT_FOUND");
  return card;
}

/**
 * The card a parent order saved for `usage`, as a charge names it by that order (BOG). A card
 * deleted since is returned too: charging it is a declined payment, not a refused request.
 */
export async function cardOfParent(tx: StoreTx, owner: CardOwner, parentId: OrderId, usage: SavedCardUsage): Promise<SavedCard> {
  const parent = await tx.orders.find(parentId);
  if (!parent || !isVisibleTo(parent, owner)) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
  if (!parent.saveCard) throw new TetriError("TETRI_ERR_PARENT_CARD_NOT_SAVED");
  const card = await tx.savedCards.ofOrder(parent.id);
  if (!card) throw new TetriError("TETRI_ERR_PARENT_ORDER_NOT_PAID");
  if (card.usage !== "any" && card.usage !== usage) throw new TetriError("TETRI_ERR_SAVED_CARD_OTHER_USE");
  return card;
}

/**
 * Marks an unpaid order's card to be saved when the buyer pays it, for charges of `usage`.
 * Only once, and only before the buyer pays; an order paid with a saved card saves none.
 */
export async function requestCardSaving(
  ctx: CoreContext,
  owner: CardOwner,
  orderId: OrderId,
  usage: SavedCardUsage,
  idempotency?: IdempotencyInput,
): Promise<void> {
  const now = ctx.clock.now();
  await inTransaction(ctx, (tx) =>
    onceForKey(tx, owner.merchantId, `${owner.dialect}:save_card:${orderId}`, idempotency, now, async () => {
      const found = await requireOrder(tx, orderId);
      if (!isVisibleTo(found, owner)) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
      const order = await expireIfDue(ctx, tx, found);
      if (order.saveCard) throw new TetriError("TETRI_ERR_CARD_SAVE_ALREADY_REQUESTED");
      if (order.status !== "created" || order.savedCardId) throw new TetriError("TETRI_ERR_CARD_SAVE_TOO_LATE");
      await applyOrderEvent(ctx, tx, order, null, { saveCard: { until: null, usage } });
      return null;
    }),
  );
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

/**
 * Starts the payment of `order` with a saved card, in `tx`: the attempt is written before the
 * acquirer is called, so a crash leaves an attempt for reconciliation, never a charge nobody
 * knows about. A deleted card declines the order at once (no acquirer is asked).
 */
async function startSavedCardPayment(
  ctx: CoreContext,
  tx: StoreTx,
  order: Order,
  card: SavedCard,
  customerPresent: boolean,
): Promise<{ attempt: PaymentAttempt; order: Order; deleted: boolean }> {
  const now = ctx.clock.now();
  const sealed = { ciphertext: card.panCiphertext, keyId: card.panKeyId };
  const attempt = newAttempt(order.id, { method: "card", customerPresent }, card.card, sealed, now);
  const processing = await applyOrderEvent(ctx, tx, order, "start_payment");
  if (card.deletedAt === null) {
    await tx.attempts.insert(attempt);
    return { attempt, order: processing, deleted: false };
  }
  const declined = { ...attempt, status: "declined" as const, declineReason: "saved_card_not_found" as const };
  await tx.attempts.insert(declined);
  return { attempt: declined, order: await applyOrderEvent(ctx, tx, processing, "payment_declined", { rejectReason: "saved_card_not_found" }), deleted: true };
}

/** Sends a started saved-card payment to the acquirer and records its answer. */
async function authorizeSavedCard(ctx: CoreContext, order: Order, card: SavedCard, attemptId: AttemptId, customerPresent: boolean): Promise<PaymentResult> {
  const outcome = await callAcquirer(ctx, () =>
    ctx.acquirer.authorize({
      reference: attemptId,
      amount: order.amount,
      currency: order.currency,
      card: { pan: ctx.vault.open(card.panCiphertext, card.panKeyId), cvc: "", holder: card.card.holder, ...expiryOf(card) },
      capture: order.captureMode === "automatic",
      customerPresent,
      authenticatedByWallet: false,
      storedCredential: true,
      terminal: order.terminal,
    }),
  );
  return finishAuthorization(ctx, attemptId, outcome);
}

/** Which saved card a charge is of: by its own id (TBC's recId), or by the order that saved it (BOG's parent order). */
export type SavedCardSource = { cardId: SavedCardId } | { parentOrderId: OrderId };

export type SavedCardCharge = {
  owner: CardOwner;
  source: SavedCardSource;
  /** The new order, from the order that saved the card (a charge may copy what it does not name). */
  order: (parent: Order) => OrderRequest;
  idempotency?: IdempotencyInput;
  /** Runs in the transaction that writes the new order, before the acquirer is asked: what else the charge commits with it. */
  alongside?: (tx: StoreTx, order: Order) => Promise<void>;
};

/**
 * Charges a saved card without the buyer (merchant-initiated, no 3-D Secure): a new order,
 * paid at once with the saved card. Unless told otherwise it calls back where the order that
 * saved the card did.
 */
export async function chargeSavedCard(ctx: CoreContext, charge: SavedCardCharge): Promise<{ orderId: OrderId; result: PaymentResult }> {
  const now = ctx.clock.now();
  const { owner, source } = charge;
  // What the acquirer needs, kept from the transaction that wrote it (a replay or a deleted card has none).
  let charging: { card: SavedCard; order: Order } | undefined;
  const started = await inTransaction(ctx, (tx) =>
    onceForKey(tx, owner.merchantId, `${owner.dialect}:charge_saved_card`, charge.idempotency, now, async () => {
      const card = "cardId" in source ? await requireSavedCard(tx, owner, source.cardId) : await cardOfParent(tx, owner, source.parentOrderId, "without_buyer");
      const parent = await requireOrder(tx, card.orderId);
      const request = charge.order(parent);
      const order = newOrder(owner.merchantId, { ...request, callbackUrl: request.callbackUrl ?? parent.callbackUrl, saveCard: null }, now, card.id);
      await tx.orders.insert(order);
      await charge.alongside?.(tx, order);
      const payment = await startSavedCardPayment(ctx, tx, order, card, false);
      if (!payment.deleted) charging = { card, order: payment.order };
      return { orderId: order.id, attemptId: payment.attempt.id };
    }),
  );
  const { orderId, attemptId } = started.result;
  if (!charging) {
    const result = await ctx.store.read(async (tx) => paymentResultOf(tx, (await tx.attempts.find(attemptId))!));
    return { orderId, result };
  }
  return { orderId, result: await authorizeSavedCard(ctx, charging.order, charging.card, attemptId, false) };
}

/**
 * A new order the buyer pays with the card a parent order saved (BOG "recurrent"): they
 * confirm on the hosted page without typing the card. A card deleted since declines it at once.
 */
export async function createSavedCardOrder(
  ctx: CoreContext,
  owner: CardOwner,
  parentOrderId: OrderId,
  request: OrderRequest,
  idempotency?: IdempotencyInput,
): Promise<OrderId> {
  const now = ctx.clock.now();
  const { result } = await inTransaction(ctx, (tx) =>
    onceForKey(tx, owner.merchantId, `${owner.dialect}:create_saved_card_order`, idempotency, now, async () => {
      const card = await cardOfParent(tx, owner, parentOrderId, "with_buyer");
      const order = newOrder(owner.merchantId, { ...request, paymentMethods: ["card"], saveCard: null }, now, card.id);
      await tx.orders.insert(order);
      if (card.deletedAt !== null) await startSavedCardPayment(ctx, tx, order, card, true);
      return order.id;
    }),
  );
  return result;
}

/**
 * The buyer confirmed, on the hosted page, the payment of an order with its saved card. The
 * buyer is there, so the issuer may still ask for 3-D Secure.
 */
export async function payWithSavedCard(ctx: CoreContext, orderId: OrderId, owner?: OrderOwner): Promise<PaymentResult> {
  const started = await inTransaction(ctx, async (tx): Promise<PaymentResult | { card: SavedCard; attempt: PaymentAttempt; order: Order; deleted: boolean }> => {
    const found = await requireOrder(tx, orderId);
    if (owner && !isVisibleTo(found, owner)) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
    const order = await expireIfDue(ctx, tx, found);
    const card = order.savedCardId && (await tx.savedCards.find(order.savedCardId));
    if (order.status !== "created" || !card) return { kind: "not_payable", status: order.status };
    const payment = await startSavedCardPayment(ctx, tx, order, card, true);
    return { ...payment, card };
  });
  if ("kind" in started) return started;
  if (started.deleted) return { kind: "declined", reason: "saved_card_not_found" };
  return authorizeSavedCard(ctx, started.order, started.card, started.attempt.id, true);
}

/** Deletes a saved card, named as a charge names it; later charges of it fail as "saved card not found". */
export async function deleteSavedCard(ctx: CoreContext, owner: CardOwner, source: SavedCardSource): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const card = "cardId" in source ? await requireSavedCard(tx, owner, source.cardId) : await savedCardOfParentForDeletion(tx, owner, source.parentOrderId);
    await tx.savedCards.markDeleted(card.id, ctx.clock.now());
  });
}

/** The card a parent order saved and still keeps, of either use; an order with none saved (or deleted already) has no card to delete. */
async function savedCardOfParentForDeletion(tx: StoreTx, owner: CardOwner, parentId: OrderId): Promise<SavedCard> {
  const parent = await tx.orders.find(parentId);
  if (!parent || !isVisibleTo(parent, owner)) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
  const card = await tx.savedCards.ofOrder(parent.id);
  if (!card || card.deletedAt !== null) throw new TetriError("TETRI_ERR_SAVED_CARD_NOT_FOUND");
  return card;
}
