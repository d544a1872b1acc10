// The doors core talks through. store/ and acquirers/ implement them; core never learns
// which database or which bank is behind them.

import type { AttemptId, MerchantId, OperationId, OrderId, OutboxId, SavedCardId } from "./ids.ts";
import type { Currency, MinorUnits } from "./money.ts";
import type { ValidCard } from "./cards.ts";
import type { OrderStatus } from "./order-state.ts";
import type {
  CallbackAttempt,
  DeclineReason,
  Merchant,
  Operation,
  OrderView,
  Order,
  OutboxMessage,
  PaymentAttempt,
  SavedCard,
} from "./types.ts";

export type IdempotencyRecord = {
  merchantId: MerchantId;
  scope: string;
  key: string;
  fingerprint: string;
  /** The core result of the first request, as JSON; the dialect renders it again on replay. */
  result: string;
  createdAt: number;
};

export type AcquirerJournalEntry = {
  reference: string;
  kind: "authorization" | "capture" | "void" | "refund";
  state: "challenge" | "approved" | "declined";
  amount: MinorUnits;
  currency: Currency;
  capture: boolean;
  declineReason: DeclineReason | null;
  authCode: string | null;
  transactionId: string | null;
  createdAt: number;
};

export interface StoreTx {
  insertMerchant(merchant: Merchant): Promise<void>;
  findMerchantByClientId(clientId: string): Promise<Merchant | undefined>;
  findMerchant(id: MerchantId): Promise<Merchant | undefined>;
  findMerchantByTbcApiKeyHash(hash: string): Promise<Merchant | undefined>;
  countMerchants(): Promise<number>;

  insertOrder(order: Order): Promise<void>;
  findOrder(id: OrderId): Promise<Order | undefined>;
  /** Writes the order if its version is still `order.version`; returns false when another writer won. */
  updateOrder(order: Order): Promise<boolean>;
  ordersDueForExpiry(now: number, limit: number): Promise<OrderId[]>;
  countOrdersByStatus(): Promise<Partial<Record<OrderStatus, number>>>;

  insertAttempt(attempt: PaymentAttempt): Promise<void>;
  updateAttempt(attempt: PaymentAttempt): Promise<void>;
  findAttempt(id: AttemptId): Promise<PaymentAttempt | undefined>;
  latestAttempt(orderId: OrderId): Promise<PaymentAttempt | undefined>;
  /** Attempts whose outcome tetri does not know (acquirer timed out, or a crash mid-call). */
  unresolvedAttempts(
    before: { pendingBefore: number; unknownBefore: number },
    limit: number,
  ): Promise<PaymentAttempt[]>;
  /** Moves a still-unresolved attempt to the back of the reconciliation queue; a settled one is left alone. */
  postponeUnresolvedAttempt(id: AttemptId, at: number): Promise<void>;
  /** 3-D Secure challenges the buyer left unanswered past the order's expiry. */
  abandonedChallenges(now: number, limit: number): Promise<PaymentAttempt[]>;

  insertOperation(operation: Operation): Promise<void>;
  updateOperation(operation: Operation): Promise<void>;
  findOperation(id: OperationId): Promise<Operation | undefined>;
  listOperations(orderId: OrderId): Promise<Operation[]>;
  pendingOperations(updatedBefore: number, limit: number): Promise<Operation[]>;
  /** Moves a still-pending operation to the back of the reconciliation queue; a settled one is left alone. */
  postponePendingOperation(id: OperationId, at: number): Promise<void>;

  insertSavedCard(card: SavedCard): Promise<void>;
  findSavedCard(id: SavedCardId): Promise<SavedCard | undefined>;
  savedCardOfOrder(orderId: OrderId): Promise<SavedCard | undefined>;
  deleteSavedCard(id: SavedCardId, at: number): Promise<void>;

  insertOutbox(message: OutboxMessage): Promise<void>;
  /**
   * Leases up to `limit` due messages until `leaseUntil` under `leaseToken`, so that only one
   * worker sends each. A message waits while an older one of the same order is undelivered.
   */
  claimDueOutbox(now: number, limit: number, lease: { until: number; token: string }): Promise<OutboxMessage[]>;
  /**
   * Records one delivery attempt, if this worker still holds the lease; returns false when the
   * lease was lost (another worker took the message over), and then records nothing.
   */
  finishOutboxAttempt(
    message: Pick<OutboxMessage, "id" | "status" | "nextAttemptAt" | "deliveredAt" | "lastError">,
    leaseToken: string,
    attempt: CallbackAttempt,
  ): Promise<boolean>;
  listOutbox(orderId: OrderId): Promise<OutboxMessage[]>;
  listCallbackAttempts(outboxId: OutboxId): Promise<CallbackAttempt[]>;
  countPendingOutbox(): Promise<number>;

  findIdempotency(merchantId: MerchantId, scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  insertIdempotency(record: IdempotencyRecord): Promise<void>;

  findJournalEntry(reference: string): Promise<AcquirerJournalEntry | undefined>;
  putJournalEntry(entry: AcquirerJournalEntry): Promise<void>;
}

export interface Store {
  /** Runs `work` in one database transaction: all of it commits, or none of it. */
  transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Runs reads outside an explicit transaction. */
  read<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type AuthorizationRequest = {
  reference: AttemptId;
  amount: MinorUnits;
  currency: Currency;
  card: ValidCard;
  /** true: authorize and capture at once; false: hold the amount (pre-authorization). */
  capture: boolean;
  /** false for a merchant-initiated charge of a saved card: no buyer, so no 3-D Secure. */
  customerPresent: boolean;
};

export type AuthorizationOutcome =
  | { kind: "approved"; authCode: string; transactionId: string }
  | { kind: "declined"; reason: DeclineReason }
  | { kind: "challenge" };

export type FollowUpRequest = {
  reference: OperationId;
  authorization: AttemptId;
  amount: MinorUnits;
  currency: Currency;
};

export type FollowUpOutcome = { kind: "approved" } | { kind: "declined"; reason: string };

export type LookupOutcome =
  | { kind: "authorization"; outcome: AuthorizationOutcome }
  | { kind: "follow_up"; outcome: FollowUpOutcome }
  | { kind: "not_found" };

/**
 * A card acquirer. Every call carries tetri's own reference, so a call that timed out can be
 * looked up later instead of guessed. A thrown error means "outcome unknown".
 */
export interface Acquirer {
  authorize(request: AuthorizationRequest): Promise<AuthorizationOutcome>;
  completeChallenge(reference: AttemptId, passed: boolean): Promise<AuthorizationOutcome>;
  capture(request: FollowUpRequest): Promise<FollowUpOutcome>;
  void(request: FollowUpRequest): Promise<FollowUpOutcome>;
  refund(request: FollowUpRequest): Promise<FollowUpOutcome>;
  lookup(reference: string): Promise<LookupOutcome>;
}

/** Renders the callback body a dialect's merchants expect for an order's current state. */
export type CallbackRenderer = (view: OrderView, now: number) => string;

export type Clock = { now(): number };
