import { TetriError } from "./errors.ts";
import { newOutboxId } from "./ids.ts";
import type { OrderId, OutboxId } from "./ids.ts";
import { nextStatus, ORDER_STATES } from "./order-state.ts";
import type { OrderEvent } from "./order-state.ts";
import { RetryableStoreError } from "./ports.ts";
import type { Acquirer, CallbackRenderer, Clock, FollowUpOutcome, Lease, Store, StoreTx } from "./ports.ts";
import type { CardVault } from "./card-vault.ts";
import type { Operation, Order, OrderView, PaymentMethod } from "./types.ts";

/** What core needs from the outside world, handed in once at start and never changed. */
export type CoreContext = {
  readonly store: Store;
  readonly acquirer: Acquirer;
  readonly vault: CardVault;
  readonly clock: Clock;
  /** The callback body of the order's dialect (the composition root looks the dialect up). */
  readonly renderCallback: CallbackRenderer;
  /** How long an acquirer call may take before its outcome counts as unknown. */
  readonly acquirerTimeoutMs: number;
  /** How long an unknown outcome waits before reconciliation asks the acquirer. */
  readonly reconcileAfterMs: number;
  /**
   * In live mode, the payment methods the configured upstreams provide: an order asking for
   * another is refused. Null in test mode, where every method is simulated (simulated-methods.ts).
   */
  readonly liveMethods: readonly PaymentMethod[] | null;
  /** Called after a transaction that queued a callback commits, so the callback worker sends it at once. */
  readonly onCallbacksCommitted: () => void;
};

const CONFLICT_RETRIES = 5;

/** Transactions (by their StoreTx) that wrote a callback to the outbox. */
const queuedCallbacks = new WeakSet<StoreTx>();

function isRetryable(error: unknown): boolean {
  return error instanceof RetryableStoreError || (error instanceof TetriError && error.code === "TETRI_ERR_CONFLICT");
}

/**
 * Runs one state change as one transaction. When another writer changed the same order
 * first (an optimistic version conflict, or the database refusing a concurrent transaction),
 * the whole change is run again on fresh data.
 */
export async function inTransaction<T>(ctx: CoreContext, work: (tx: StoreTx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let callbacks = false;
    try {
      const result = await ctx.store.transaction(async (tx) => {
        const value = await work(tx);
        callbacks = queuedCallbacks.has(tx);
        return value;
      });
      if (callbacks) ctx.onCallbacksCommitted();
      return result;
    } catch (error) {
      if (!isRetryable(error) || attempt >= CONFLICT_RETRIES) throw error;
    }
  }
}

/**
 * Parts of an order's view that the caller has just written in this transaction, and so need
 * not be read back: its latest attempt, all of its ledger lines, the card it saved.
 */
export type KnownViewParts = Partial<Pick<OrderView, "attempt" | "operations" | "savedCard">>;

/** The store's order of an order's ledger lines: by time, then by id. */
const ledgerOrder = (a: Operation, b: Operation) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export async function loadOrderView(tx: StoreTx, order: Order, known: KnownViewParts = {}): Promise<OrderView> {
  const [merchant, attempt, operations, savedCard, chargedCard] = await Promise.all([
    tx.merchants.find(order.merchantId),
    "attempt" in known ? known.attempt : tx.attempts.latestOfOrder(order.id),
    known.operations ? [...known.operations].sort(ledgerOrder) : tx.operations.ofOrder(order.id),
    "savedCard" in known ? known.savedCard : order.saveCard ? tx.savedCards.ofOrder(order.id) : undefined,
    order.savedCardId ? tx.savedCards.find(order.savedCardId) : undefined,
  ]);
  if (!merchant) throw new Error(`order ${order.id} has no merchant`);
  return { order, merchant, attempt, operations, savedCard, chargedCard };
}

export async function requireOrder(tx: StoreTx, id: OrderId): Promise<Order> {
  const order = await tx.orders.find(id);
  if (!order) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
  return order;
}

/**
 * Saves an order after `event` and, when the change is news for the merchant (a status the
 * table marks so, or `newsForMerchant`: an operation it asked for failed), writes its callback
 * to the outbox in the same transaction: a callback is never lost, and never sent for a change
 * that rolled back. An order without a callback URL of its own calls back at the merchant's
 * default one for its bank API, if it set one.
 */
export async function applyOrderEvent(
  ctx: CoreContext,
  tx: StoreTx,
  order: Order,
  event: OrderEvent | null,
  changes: Partial<Order> = {},
  options: { newsForMerchant?: boolean; known?: KnownViewParts } = {},
): Promise<Order> {
  const now = ctx.clock.now();
  const status = event === null ? order.status : nextStatus(order.status, event);
  if (status === undefined) throw new Error(`state machine: ${event} is not allowed from ${order.status}`);
  const updated: Order = { ...order, ...changes, status, updatedAt: now };
  if (!(await tx.orders.update(updated))) throw new TetriError("TETRI_ERR_CONFLICT");
  const saved = { ...updated, version: order.version + 1 };
  const news = (event !== null && ORDER_STATES[status].notify) || options.newsForMerchant === true;
  const url = news ? await callbackUrlOf(tx, saved) : null;
  if (url) await queueCallback(ctx, tx, saved, url, options.known);
  return saved;
}

/** Where the order's callbacks go: its own callback URL, else the merchant's default one for the order's bank API. */
export async function callbackUrlOf(tx: StoreTx, order: Order): Promise<string | null> {
  if (order.callbackUrl) return order.callbackUrl;
  return (await tx.merchantSettings.find(order.merchantId, order.dialect))?.callbackUrl ?? null;
}

/** Writes the callback of the order as it is now to the outbox, in `tx`; the worker sends it after the commit. */
export async function queueCallback(ctx: CoreContext, tx: StoreTx, order: Order, url: string, known?: KnownViewParts): Promise<OutboxId> {
  const now = ctx.clock.now();
  const view = await loadOrderView(tx, order, known);
  const id = newOutboxId();
  await tx.outbox.insert({
    id,
    merchantId: order.merchantId,
    orderId: order.id,
    dialect: order.dialect,
    url,
    // The merchant's dialect credential is read only by a dialect that signs callbacks with it.
    body: await ctx.renderCallback(view, now, () => tx.credentials.ofMerchant(order.dialect, order.merchantId)),
    status: "pending",
    orderVersion: order.version,
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    deliveredAt: null,
    lastError: null,
  });
  queuedCallbacks.add(tx);
  return id;
}

/** Calls the acquirer with a deadline; no answer in time (or an error) is `undefined`: the outcome is unknown. */
export async function callAcquirer<T>(ctx: CoreContext, call: () => Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ctx.acquirerTimeoutMs);
  });
  try {
    return await Promise.race([call(), timeout]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** How many claimed items reconciliation settles at once. */
const RECONCILE_BATCH = 10;

/**
 * Claims due reconciliation work in batches, each under a lease long enough for one acquirer
 * lookup and one resend per item, and settles a batch's items at once; until nothing due is
 * left, or `limit` items were claimed. Another node running the same pass claims other items;
 * a dead node's claims are taken over once their lease has run out. Returns how many `settle`
 * says it settled.
 */
export async function settleClaimed<T>(
  ctx: CoreContext,
  limit: number,
  claim: (tx: StoreTx, batch: number, lease: Lease) => Promise<T[]>,
  settle: (item: T) => Promise<boolean>,
): Promise<number> {
  let claimed = 0;
  let settled = 0;
  while (claimed < limit) {
    const now = ctx.clock.now();
    const lease = { now, until: now + 2 * ctx.acquirerTimeoutMs + 1000 };
    const size = Math.min(RECONCILE_BATCH, limit - claimed);
    const batch = await ctx.store.transaction((tx) => claim(tx, size, lease));
    claimed += batch.length;
    settled += (await Promise.all(batch.map(settle))).filter(Boolean).length;
    if (batch.length < size) break;
  }
  return settled;
}

/** Follow-up work that waits for the acquirer's answer (an operation, a payout), and how to carry it on. */
export type PendingFollowUps<T extends { id: string }> = {
  claim: (tx: StoreTx, pendingBefore: number, batch: number, lease: Lease) => Promise<T[]>;
  /** Sends it again under its own reference (the acquirer never received it); undefined: no answer, or nothing to send. */
  resend: (item: T) => Promise<FollowUpOutcome | undefined>;
  postpone: (tx: StoreTx, item: T, at: number) => Promise<void>;
  settle: (item: T, outcome: FollowUpOutcome) => Promise<void>;
};

/**
 * Settles follow-up work left pending (a timeout, a crash mid-call). The acquirer is asked
 * about its reference first; one it never received is sent again under the same reference (the
 * merchant was told it was received, so it is carried out, not dropped); one still unanswered
 * goes to the back of the queue, so it cannot starve the others.
 */
export function reconcileFollowUps<T extends { id: string }>(ctx: CoreContext, limit: number, work: PendingFollowUps<T>): Promise<number> {
  const before = ctx.clock.now() - ctx.acquirerTimeoutMs - ctx.reconcileAfterMs;
  return settleClaimed(
    ctx,
    limit,
    (tx, batch, lease) => work.claim(tx, before, batch, lease),
    async (item) => {
      const found = await callAcquirer(ctx, () => ctx.acquirer.lookup(item.id));
      let outcome: FollowUpOutcome | undefined = found?.kind === "follow_up" ? found.outcome : undefined;
      if (found?.kind === "not_found") outcome = await work.resend(item);
      if (outcome === undefined) {
        await ctx.store.transaction((tx) => work.postpone(tx, item, ctx.clock.now()));
        return false;
      }
      await work.settle(item, outcome);
      return true;
    },
  );
}
