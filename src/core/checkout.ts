// The buyer's side of a payment: one card attempt per order, an optional 3-D Secure
// challenge, and reconciliation of attempts whose outcome the acquirer did not tell us.

import { applyOrderEvent, callAcquirer, inTransaction, requireOrder, settleClaimed } from "./context.ts";
import type { CoreContext } from "./context.ts";
import { summarizeCard, validateCard, validateWalletCard } from "./cards.ts";
import type { CardInput, CardProblem, ValidCard, WalletCard } from "./cards.ts";
import { TetriError } from "./errors.ts";
import { newAttemptId, newOperationId, newSavedCardId } from "./ids.ts";
import type { AttemptId, OrderId } from "./ids.ts";
import { expireIfDue, isVisibleTo } from "./orders.ts";
import type { OrderOwner } from "./orders.ts";
import type { OrderStatus } from "./order-state.ts";
import type { AuthorizationOutcome, StoreTx } from "./ports.ts";
import type { MinorUnits } from "./money.ts";
import type { AttemptStatus, CardSummary, DeclineReason, MethodDetails, Operation, Order, PaymentAttempt, PaymentMethod, SavedCard } from "./types.ts";

export type PaymentResult =
  | { kind: "approved"; status: OrderStatus }
  | { kind: "declined"; reason: DeclineReason }
  | { kind: "challenge"; attemptId: AttemptId }
  /** The acquirer did not answer in time; reconciliation will find the outcome. */
  | { kind: "pending" }
  | { kind: "card_invalid"; problems: CardProblem[] }
  | { kind: "not_payable"; status: OrderStatus }
  /** The order does not offer the method (the shop did not ask for it). */
  | { kind: "method_not_offered" };

/** A payment attempt about to be sent to the acquirer; the PAN only ever sealed ("" without a card). */
export function newAttempt(
  orderId: OrderId,
  how: { method: PaymentMethod; customerPresent: boolean; methodDetails?: MethodDetails | null; status?: AttemptStatus },
  card: CardSummary | null,
  sealed: { ciphertext: string; keyId: string },
  now: number,
): PaymentAttempt {
  return {
    id: newAttemptId(),
    orderId,
    status: how.status ?? "pending",
    method: how.method,
    customerPresent: how.customerPresent,
    card,
    panCiphertext: sealed.ciphertext,
    panKeyId: sealed.keyId,
    methodDetails: how.methodDetails ?? null,
    declineReason: null,
    authCode: null,
    transactionId: null,
    terminal: null,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Pays an order with a card the buyer typed. The page and the test helper both come here;
 * the helper names the `owner` it acts for, and another owner's order is not found. Whether
 * the order is still payable (its time not up) is decided here, in the same transaction
 * that records the attempt.
 */
export async function payOrder(ctx: CoreContext, orderId: OrderId, input: CardInput, owner?: OrderOwner): Promise<PaymentResult> {
  const checked = validateCard(input);
  if (!checked.ok) return { kind: "card_invalid", problems: checked.problems };
  return payWith(ctx, orderId, checked.card, { method: "card", authenticatedByWallet: false }, owner);
}

/** The card a wallet (Apple Pay, Google Pay) handed over for one payment, decrypted from its token. */
/**
 * A card a wallet handed over. `authenticated`: the wallet's device check (Face ID, a PIN)
 * authenticated the buyer, so there is no 3-D Secure challenge; a wallet that only passes the
 * card on (Google Pay's PAN_ONLY) leaves 3-D Secure to the card, as a typed card would.
 */
export type WalletPayment = { method: "apple_pay" | "google_pay"; card: WalletCard; authenticated: boolean };

/** Pays an order with the card a wallet handed over. */
export async function payOrderWithWallet(ctx: CoreContext, orderId: OrderId, wallet: WalletPayment, owner?: OrderOwner): Promise<PaymentResult> {
  const checked = validateWalletCard(wallet.card);
  if (!checked.ok) return { kind: "card_invalid", problems: checked.problems };
  return payWith(ctx, orderId, checked.card, { method: wallet.method, authenticatedByWallet: wallet.authenticated }, owner);
}

/**
 * How the buyer pays, as a method's flow decided it from the order: the method, the card (if
 * one pays), what the method records beside it, and the attempt's first status. Or a result
 * at once, when nothing is to be recorded (the buyer's choice does not fit the order).
 */
export type AttemptPlan = {
  method: PaymentMethod;
  card: ValidCard | null;
  methodDetails: MethodDetails | null;
  /** `awaiting_decision`: the bank decides later (a loan application left pending). */
  status: "pending" | "awaiting_decision";
};

/**
 * Starts a buyer's payment of an order: checks in one transaction that the order is still
 * payable (its time not up) and offers the method, records the attempt and moves the order to
 * processing. The helper names the `owner` it acts for; another owner's order is not found.
 */
export async function startAttempt<Refusal extends { kind: string } = PaymentResult>(
  ctx: CoreContext,
  orderId: OrderId,
  owner: OrderOwner | undefined,
  plan: (order: Order) => AttemptPlan | Refusal,
): Promise<{ order: Order; attempt: PaymentAttempt; card: ValidCard | null } | PaymentResult | Refusal> {
  const now = ctx.clock.now();
  return inTransaction(ctx, async (tx): Promise<{ order: Order; attempt: PaymentAttempt; card: ValidCard | null } | PaymentResult | Refusal> => {
    const found = await requireOrder(tx, orderId);
    if (owner && !isVisibleTo(found, owner)) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
    const order = await expireIfDue(ctx, tx, found);
    // An order to be paid with a saved card takes no other card (payWithSavedCard pays it).
    if (order.status !== "created" || order.savedCardId) return { kind: "not_payable", status: order.status };
    const planned = plan(order);
    if ("kind" in planned) return planned;
    if (!order.paymentMethods.includes(planned.method)) return { kind: "method_not_offered" };
    const { card } = planned;
    const sealed = card ? ctx.vault.seal(card.pan) : { ciphertext: "", keyId: "" };
    const how = { method: planned.method, customerPresent: true, methodDetails: planned.methodDetails, status: planned.status };
    const attempt = newAttempt(orderId, how, card && summarizeCard(card), sealed, now);
    await tx.attempts.insert(attempt);
    return { order: await applyOrderEvent(ctx, tx, order, "start_payment"), attempt, card };
  });
}

/** Asks the acquirer to authorize `amount` of an order on a card the buyer handed over, and records its answer. */
export async function authorizeCard(
  ctx: CoreContext,
  started: { order: Order; attempt: PaymentAttempt },
  card: ValidCard,
  options: { amount: MinorUnits; authenticatedByWallet: boolean },
): Promise<PaymentResult> {
  const outcome = await callAcquirer(ctx, () =>
    ctx.acquirer.authorize({
      reference: started.attempt.id,
      amount: options.amount,
      currency: started.order.currency,
      card,
      capture: started.order.captureMode === "automatic",
      customerPresent: true,
      authenticatedByWallet: options.authenticatedByWallet,
      storedCredential: false,
      terminal: started.order.terminal,
    }),
  );
  return finishAuthorization(ctx, started.attempt.id, outcome);
}

async function payWith(
  ctx: CoreContext,
  orderId: OrderId,
  card: ValidCard,
  how: { method: PaymentMethod; authenticatedByWallet: boolean },
  owner: OrderOwner | undefined,
): Promise<PaymentResult> {
  const started = await startAttempt<PaymentResult>(ctx, orderId, owner, () => ({ method: how.method, card, methodDetails: null, status: "pending" }));
  if ("kind" in started) return started;
  return authorizeCard(ctx, started, card, { amount: started.order.amount, authenticatedByWallet: how.authenticatedByWallet });
}

/** The buyer answered the 3-D Secure challenge (or the test helper did for them). */
export async function completeChallenge(
  ctx: CoreContext,
  orderId: OrderId,
  attemptId: AttemptId,
  passed: boolean,
): Promise<PaymentResult> {
  const known = await ctx.store.read(async (tx) => {
    const attempt = await tx.attempts.find(attemptId);
    if (!attempt || attempt.orderId !== orderId) throw new TetriError("TETRI_ERR_PAYMENT_ATTEMPT_NOT_FOUND");
    return attempt.status === "challenge" ? undefined : paymentResultOf(tx, attempt);
  });
  if (known) return known;
  const outcome = await callAcquirer(ctx, () => ctx.acquirer.completeChallenge(attemptId, passed));
  return finishAuthorization(ctx, attemptId, outcome);
}

/** What is known now about an attempt, as the same result a payment call gives. */
export async function paymentResultOf(tx: StoreTx, attempt: PaymentAttempt): Promise<PaymentResult> {
  const order = await requireOrder(tx, attempt.orderId);
  if (attempt.status === "approved") return { kind: "approved", status: order.status };
  if (attempt.status === "declined") return { kind: "declined", reason: attempt.declineReason ?? "unknown" };
  if (attempt.status === "challenge") return { kind: "challenge", attemptId: attempt.id };
  return { kind: "pending" };
}

/** A ledger line the buyer's approved payment writes: its authorization, or its automatic capture. */
export function paymentLedgerLine(order: Order, kind: "authorization" | "capture", now: number): Operation {
  return {
    id: newOperationId(),
    orderId: order.id,
    merchantId: order.merchantId,
    kind,
    status: "completed",
    amount: order.amount,
    currency: order.currency,
    channel: "checkout",
    description: null,
    failureReason: null,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Records what the acquirer said about an attempt, exactly once: a second answer for an
 * attempt that is already settled (a late reconciliation, a double click) changes nothing.
 */
export async function finishAuthorization(
  ctx: CoreContext,
  attemptId: AttemptId,
  outcome: AuthorizationOutcome | undefined,
): Promise<PaymentResult> {
  return inTransaction(ctx, async (tx): Promise<PaymentResult> => {
    const attempt = await tx.attempts.find(attemptId);
    if (!attempt) throw new Error(`attempt ${attemptId} vanished`);
    if (attempt.status === "approved" || attempt.status === "declined") return paymentResultOf(tx, attempt);
    const order = await requireOrder(tx, attempt.orderId);
    const now = ctx.clock.now();

    if (outcome === undefined) {
      await tx.attempts.update({ ...attempt, status: "unknown", updatedAt: now });
      return { kind: "pending" };
    }
    if (outcome.kind === "challenge") {
      await tx.attempts.update({ ...attempt, status: "challenge", updatedAt: now });
      return { kind: "challenge", attemptId };
    }
    // The callback is rendered from what is written here: the attempt is the order's latest,
    // and an order is paid once, so the ledger lines written here are all it has.
    if (outcome.kind === "declined") {
      const declined = { ...attempt, status: "declined", declineReason: outcome.reason, updatedAt: now } as const;
      await tx.attempts.update(declined);
      await applyOrderEvent(ctx, tx, order, "payment_declined", { rejectReason: outcome.reason }, { known: { attempt: declined, operations: [] } });
      return { kind: "declined", reason: outcome.reason };
    }
    const approved = {
      ...attempt,
      status: "approved",
      authCode: outcome.authCode,
      transactionId: outcome.transactionId,
      terminal: outcome.terminal,
      updatedAt: now,
    } as const;
    await tx.attempts.update(approved);
    const authorization = paymentLedgerLine(order, "authorization", now);
    await tx.operations.insert(authorization);
    let savedCard: SavedCard | undefined;
    if (order.saveCard && attempt.card) {
      savedCard = {
        id: newSavedCardId(),
        merchantId: order.merchantId,
        orderId: order.id,
        card: attempt.card,
        panCiphertext: attempt.panCiphertext,
        panKeyId: attempt.panKeyId,
        validUntil: order.saveCard.until,
        usage: order.saveCard.usage,
        createdAt: now,
        deletedAt: null,
      };
      await tx.savedCards.insert(savedCard);
    }
    if (order.captureMode === "automatic") {
      const capture = paymentLedgerLine(order, "capture", now);
      await tx.operations.insert(capture);
      const saved = await applyOrderEvent(
        ctx,
        tx,
        order,
        "payment_captured",
        { authorizedAmount: order.amount, capturedAmount: order.amount },
        { known: { attempt: approved, operations: [authorization, capture], savedCard } },
      );
      return { kind: "approved", status: saved.status };
    }
    const saved = await applyOrderEvent(ctx, tx, order, "payment_authorized", { authorizedAmount: order.amount }, { known: { attempt: approved, operations: [authorization], savedCard } });
    return { kind: "approved", status: saved.status };
  });
}

/**
 * Asks the acquirer about attempts whose outcome is unknown and settles them. An attempt the
 * acquirer never saw is declined as a technical error: no money moved.
 */
export async function reconcileAttempts(ctx: CoreContext, limit = 100): Promise<number> {
  const now = ctx.clock.now();
  const before = { pendingBefore: now - ctx.acquirerTimeoutMs - ctx.reconcileAfterMs, unknownBefore: now - ctx.reconcileAfterMs };
  let settled = await settleClaimed(
    ctx,
    limit,
    (tx, batch, lease) => tx.attempts.claimUnresolved(before, batch, lease),
    async (attempt) => {
      const found = await callAcquirer(ctx, () => ctx.acquirer.lookup(attempt.id));
      if (found === undefined) {
        // Still no answer: to the back of the queue, so it cannot starve the others.
        await ctx.store.transaction((tx) => tx.attempts.postponeUnresolved(attempt.id, ctx.clock.now()));
        return false;
      }
      const outcome: AuthorizationOutcome =
        found.kind === "authorization" ? found.outcome : { kind: "declined", reason: "technical_error" };
      await finishAuthorization(ctx, attempt.id, outcome);
      return true;
    },
  );
  const abandoned = await ctx.store.read((tx) => tx.attempts.abandonedChallenges(now, limit));
  for (const attempt of abandoned) {
    await finishAuthorization(ctx, attempt.id, { kind: "declined", reason: "authentication_timeout" });
    settled++;
  }
  return settled;
}
