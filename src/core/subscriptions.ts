// Scheduled subscriptions, which no bank offers: a merchant's plan to charge a saved card an
// amount every day, week or month, with retries of soft declines and a stop at hard ones. Each
// due charge is an order of the card's bank API (with its callback), made by the scheduler
// that runs in every gateway process.
//
// Never twice: a charge's order is written in the same transaction that marks the
// subscription's period as in flight (version-checked, and one charge row per period and try),
// so of two schedulers only one makes it; a process killed after that transaction left an
// order whose attempt reconciliation settles, and the subscription moves on only once that
// order is settled. A kill before it leaves nothing: the period is charged later, once.

import { inTransaction, settleClaimed } from "./context.ts";
import type { CoreContext } from "./context.ts";
import { TetriError, validationError } from "./errors.ts";
import type { FieldProblem } from "./errors.ts";
import { onceForKey } from "./idempotency.ts";
import type { IdempotencyInput } from "./idempotency.ts";
import { newSubscriptionId } from "./ids.ts";
import type { OrderId, SubscriptionId } from "./ids.ts";
import type { Currency, MinorUnits } from "./money.ts";
import { TTL_MINUTES } from "./orders.ts";
import type { OrderOwner, OrderRequest } from "./orders.ts";
import type { StoreTx } from "./ports.ts";
import { cardOfParent, chargeSavedCard } from "./saved-cards.ts";
import { attemptDate, dateOf, firstPeriodFrom, RETRY_DAYS, retryDate, startOfDay, utcDate } from "./subscription-schedule.ts";
import type { DeclineReason, Order, SavedCard, Subscription, SubscriptionCharge, SubscriptionInterval } from "./types.ts";

type Owner = Required<OrderOwner>;

/** Declines that may pass on a later try (funds, limits, outages): retried. The others end the subscription. */
const SOFT_DECLINES: ReadonlySet<DeclineReason> = new Set<DeclineReason>([
  "insufficient_funds",
  "amount_limit",
  "transaction_limit",
  "technical_error",
  "acquirer_declined",
  "issuer_declined",
  "authentication_timeout",
  "unknown",
]);

export function isSoftDecline(reason: DeclineReason): boolean {
  return SOFT_DECLINES.has(reason);
}

export type SubscriptionRequest = {
  /** The paid order that saved the card. */
  parentOrderId: OrderId;
  amount: MinorUnits;
  currency: Currency;
  interval: SubscriptionInterval;
  dayOfMonth: number | null;
  /** YYYY-MM-DD (UTC); absent: today. */
  startDate: string | undefined;
  callbackUrl: string | null;
  externalId: string | null;
};

/** Everything a subscription's page shows: the plan, its card, the charges it made. */
export type SubscriptionView = { subscription: Subscription; card: SavedCard; charges: SubscriptionCharge[] };

async function viewOf(tx: StoreTx, subscription: Subscription): Promise<SubscriptionView> {
  const [card, charges] = await Promise.all([tx.savedCards.find(subscription.savedCardId), tx.subscriptions.chargesOf(subscription.id)]);
  if (!card) throw new Error(`subscription ${subscription.id} has no card`);
  return { subscription, card, charges };
}

async function requireSubscription(tx: StoreTx, owner: Owner, id: SubscriptionId): Promise<Subscription> {
  const found = await tx.subscriptions.find(id);
  if (!found || found.merchantId !== owner.merchantId || found.dialect !== owner.dialect) throw new TetriError("TETRI_ERR_SUBSCRIPTION_NOT_FOUND");
  return found;
}

/** Starts a subscription on a card saved for charges without the buyer; its first charge is due on its start date. */
export async function createSubscription(ctx: CoreContext, owner: Owner, request: SubscriptionRequest, idempotency?: IdempotencyInput): Promise<SubscriptionView> {
  const now = ctx.clock.now();
  const today = dateOf(now);
  const startDate = request.startDate ?? today;
  const problems: FieldProblem[] = [];
  if (utcDate(startDate) === undefined) problems.push({ field: "start_date", message: "must be a date, YYYY-MM-DD" });
  else if (startDate < today) problems.push({ field: "start_date", message: "must not be in the past (UTC)" });
  if (request.interval !== "monthly" && request.dayOfMonth !== null) problems.push({ field: "day_of_month", message: "is only for a monthly interval" });
  if (problems.length > 0) throw validationError(problems);
  const dayOfMonth = request.interval === "monthly" ? (request.dayOfMonth ?? new Date(utcDate(startDate)!).getUTCDate()) : null;

  const { result } = await inTransaction(ctx, (tx) =>
    onceForKey(tx, owner.merchantId, `${owner.dialect}:create_subscription`, idempotency, now, async () => {
      const card = await cardOfParent(tx, owner, request.parentOrderId, "without_buyer");
      if (card.deletedAt !== null) throw new TetriError("TETRI_ERR_SAVED_CARD_NOT_FOUND");
      const plan = { interval: request.interval, dayOfMonth, startDate };
      const subscription: Subscription = {
        id: newSubscriptionId(),
        merchantId: owner.merchantId,
        dialect: owner.dialect,
        savedCardId: card.id,
        parentOrderId: card.orderId,
        amount: request.amount,
        currency: request.currency,
        ...plan,
        callbackUrl: request.callbackUrl,
        externalId: request.externalId,
        status: "active",
        period: 0,
        retry: 0,
        retryFrom: null,
        nextAttemptAt: attemptDate(plan, 0),
        pendingOrderId: null,
        chargeCount: 0,
        failureReason: null,
        createdAt: now,
        updatedAt: now,
        version: 0,
      };
      await tx.subscriptions.insert(subscription);
      return subscription.id;
    }),
  );
  return getSubscription(ctx, owner, result);
}

export async function getSubscription(ctx: CoreContext, owner: Owner, id: SubscriptionId): Promise<SubscriptionView> {
  return ctx.store.read(async (tx) => viewOf(tx, await requireSubscription(tx, owner, id)));
}

export async function listSubscriptions(
  ctx: CoreContext,
  owner: Owner,
  page: { after?: SubscriptionId; limit: number },
): Promise<SubscriptionView[]> {
  return ctx.store.read(async (tx) => {
    const after = page.after && (await tx.subscriptions.find(page.after));
    const cursor = after && after.merchantId === owner.merchantId && after.dialect === owner.dialect ? { createdAt: after.createdAt, id: after.id } : undefined;
    if (page.after && !cursor) throw new TetriError("TETRI_ERR_SUBSCRIPTION_NOT_FOUND");
    const found = await tx.subscriptions.list({ merchantId: owner.merchantId, dialect: owner.dialect, after: cursor, limit: page.limit });
    return Promise.all(found.map((s) => viewOf(tx, s)));
  });
}

/** Applies `change` to the merchant's subscription in one transaction; a subscription that ended refuses. */
async function changeSubscription(
  ctx: CoreContext,
  owner: Owner,
  id: SubscriptionId,
  change: (subscription: Subscription, now: number) => Subscription,
): Promise<SubscriptionView> {
  await inTransaction(ctx, async (tx) => {
    const found = await requireSubscription(tx, owner, id);
    const changed = change(found, ctx.clock.now());
    if (changed !== found && !(await tx.subscriptions.update({ ...changed, updatedAt: ctx.clock.now() }))) throw new TetriError("TETRI_ERR_CONFLICT");
  });
  return getSubscription(ctx, owner, id);
}

const ended = (s: Subscription) => s.status === "cancelled" || s.status === "stopped";

/** Pauses charging; a charge already in flight still settles. Pausing a paused subscription changes nothing. */
export function pauseSubscription(ctx: CoreContext, owner: Owner, id: SubscriptionId): Promise<SubscriptionView> {
  return changeSubscription(ctx, owner, id, (s) => {
    if (ended(s)) throw new TetriError("TETRI_ERR_SUBSCRIPTION_ENDED");
    return s.status === "paused" ? s : { ...s, status: "paused", nextAttemptAt: null };
  });
}

/**
 * Resumes charging. A paused subscription carries on with the first period from today (the
 * ones that fell while it was paused are not charged); a past-due one tries its declined
 * period again at once, with its retries afresh.
 */
export function resumeSubscription(ctx: CoreContext, owner: Owner, id: SubscriptionId): Promise<SubscriptionView> {
  return changeSubscription(ctx, owner, id, (s, now) => {
    if (ended(s)) throw new TetriError("TETRI_ERR_SUBSCRIPTION_ENDED");
    if (s.status === "active") return s;
    if (s.status === "past_due") return { ...s, status: "active", retry: 0, retryFrom: null, nextAttemptAt: now };
    const period = s.pendingOrderId ? s.period : firstPeriodFrom(s, now, s.period);
    return { ...s, status: "active", period, retry: 0, retryFrom: null, nextAttemptAt: attemptDate(s, period) };
  });
}

/** Ends the subscription for good; a charge already in flight still settles. Cancelling twice changes nothing. */
export function cancelSubscription(ctx: CoreContext, owner: Owner, id: SubscriptionId): Promise<SubscriptionView> {
  return changeSubscription(ctx, owner, id, (s) => (s.status === "cancelled" ? s : { ...s, status: "cancelled", nextAttemptAt: null }));
}

/** The subscription whose scheduler made this order, if one did. */
export function subscriptionIdOf(order: Order): SubscriptionId | null {
  const id = (order.details as { subscription_id?: unknown }).subscription_id;
  return typeof id === "string" ? (id as SubscriptionId) : null;
}

/** A due charge of the subscription, as the new order of its card's bank API (subscriptionIdOf reads it back). */
function chargeOrderOf(subscription: Subscription): (parent: Order) => OrderRequest {
  return (parent) => ({
    dialect: parent.dialect,
    externalOrderId: subscription.externalId ?? parent.externalOrderId,
    captureMode: "automatic",
    currency: subscription.currency,
    amount: subscription.amount,
    language: parent.language,
    theme: parent.theme,
    callbackUrl: subscription.callbackUrl,
    successUrl: null,
    failUrl: null,
    paymentMethods: ["card"],
    methodsNamed: true,
    basket: [{ productId: "subscription", description: subscription.id, quantity: "1", unitPrice: subscription.amount }],
    details: { subscription_id: subscription.id },
    saveCard: null,
    terminal: parent.terminal,
    split: null,
    ttlMinutes: TTL_MINUTES.default,
  });
}

/** Another scheduler took this charge first, or the subscription changed since it was claimed. */
class ChargeNotDue extends Error {}

/** The outcome of a settled charge order; undefined while it is not settled. */
function outcomeOf(order: Order): { approved: true } | { approved: false; reason: DeclineReason } | undefined {
  if (order.status === "created" || order.status === "processing") return undefined;
  if (order.status === "declined" || order.status === "expired") {
    const reason = order.rejectReason;
    return { approved: false, reason: reason && reason !== "expiration" && reason !== "cancelled" && reason !== "hold_expired" ? reason : "unknown" };
  }
  return { approved: true };
}

/** Where the schedule stands after a charge (tried at `triedAt`) settled. */
export function afterCharge(s: Subscription, outcome: { approved: true } | { approved: false; reason: DeclineReason }, triedAt: number): Subscription {
  const active = s.status === "active";
  const settled = { ...s, pendingOrderId: null };
  if (outcome.approved) {
    const period = s.period + 1;
    return { ...settled, period, retry: 0, retryFrom: null, failureReason: null, nextAttemptAt: active ? attemptDate(s, period) : null };
  }
  if (!isSoftDecline(outcome.reason)) {
    return { ...settled, failureReason: outcome.reason, status: s.status === "cancelled" ? "cancelled" : "stopped", nextAttemptAt: null };
  }
  if (s.retry < RETRY_DAYS.length) {
    const retry = s.retry + 1;
    const retryFrom = s.retryFrom ?? startOfDay(triedAt);
    return { ...settled, retry, retryFrom, failureReason: outcome.reason, nextAttemptAt: active ? retryDate(retryFrom, retry) : null };
  }
  return { ...settled, failureReason: outcome.reason, status: active ? "past_due" : s.status, nextAttemptAt: null };
}

/** Moves the subscription on after its charge's order settled, once: another node that did it first leaves nothing to do. */
async function settleCharge(ctx: CoreContext, id: SubscriptionId, order: Order): Promise<void> {
  const outcome = outcomeOf(order);
  if (!outcome) return;
  await inTransaction(ctx, async (tx) => {
    const s = await tx.subscriptions.find(id);
    if (!s || s.pendingOrderId !== order.id) return;
    if (!(await tx.subscriptions.update({ ...afterCharge(s, outcome, order.createdAt), updatedAt: ctx.clock.now() }))) throw new TetriError("TETRI_ERR_CONFLICT");
  });
}

/**
 * One claimed subscription's turn: settle its charge in flight once its order is settled, or
 * make its due charge. Returns whether anything moved.
 */
async function advanceSubscription(ctx: CoreContext, claimed: Subscription): Promise<boolean> {
  if (claimed.pendingOrderId) {
    const order = await ctx.store.read((tx) => tx.orders.find(claimed.pendingOrderId!));
    if (!order || !outcomeOf(order)) return false;
    await settleCharge(ctx, claimed.id, order);
    return true;
  }
  const owner = { merchantId: claimed.merchantId, dialect: claimed.dialect };
  let charged: OrderId;
  try {
    ({ orderId: charged } = await chargeSavedCard(ctx, {
      owner,
      source: { parentOrderId: claimed.parentOrderId },
      order: chargeOrderOf(claimed),
      alongside: async (tx, order) => {
        const now = ctx.clock.now();
        const s = await tx.subscriptions.find(claimed.id);
        const due = s && s.status === "active" && !s.pendingOrderId && s.chargeCount === claimed.chargeCount && s.nextAttemptAt !== null && s.nextAttemptAt <= now;
        if (!due) throw new ChargeNotDue();
        await tx.subscriptions.insertCharge({ subscriptionId: s.id, seq: s.chargeCount, period: s.period, retry: s.retry, orderId: order.id, createdAt: now });
        const inFlight = { ...s, pendingOrderId: order.id, chargeCount: s.chargeCount + 1, updatedAt: now };
        if (!(await tx.subscriptions.update(inFlight))) throw new TetriError("TETRI_ERR_CONFLICT");
      },
    }));
  } catch (error) {
    if (error instanceof ChargeNotDue) return false;
    throw error;
  }
  const order = await ctx.store.read((tx) => tx.orders.find(charged));
  if (order) await settleCharge(ctx, claimed.id, order);
  return true;
}

/**
 * The scheduler's pass: claims due subscriptions (and those with a charge in flight) under a
 * lease and advances each; returns how many moved. Run by the background sweeper of every
 * gateway process.
 */
export async function chargeDueSubscriptions(ctx: CoreContext, limit = 100): Promise<number> {
  return settleClaimed(
    ctx,
    limit,
    (tx, batch, lease) => tx.subscriptions.claimDue(batch, lease),
    (claimed) => advanceSubscription(ctx, claimed),
  );
}
