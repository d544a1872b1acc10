// The doors core talks through. store/ and acquirers/ implement them; core never learns
// which database or which bank is behind them.

import type { AttemptId, MerchantId, OperationId, OrderId, OutboxId, PayoutId, SavedCardId, SubscriptionId } from "./ids.ts";
import type { Currency, MinorUnits } from "./money.ts";
import type { ValidCard } from "./cards.ts";
import type { OrderStatus } from "./order-state.ts";
import type {
  CallbackAttempt,
  DashboardSession,
  DeclineReason,
  DialectCredential,
  DialectId,
  FollowUpDeclineReason,
  Merchant,
  MerchantDialectSettings,
  Operation,
  OperationKind,
  OrderView,
  Order,
  OutboxMessage,
  PaymentAttempt,
  PaymentMethod,
  Payout,
  SavedCard,
  Subscription,
  SubscriptionCharge,
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

/** A claim of shared work: taken at `now`, another node's once `until` has passed. */
export type Lease = { now: number; until: number };

export interface MerchantRepository {
  insert(merchant: Merchant): Promise<void>;
  find(id: MerchantId): Promise<Merchant | undefined>;
  findByClientId(clientId: string): Promise<Merchant | undefined>;
  count(): Promise<number>;
  /** Every merchant, by name. */
  list(): Promise<Merchant[]>;
  updateSecretHash(id: MerchantId, secretHash: string): Promise<void>;
}

/** Each merchant's own settings of each bank API; a merchant that set nothing has none. */
export interface MerchantSettingsRepository {
  find(merchantId: MerchantId, dialect: DialectId): Promise<MerchantDialectSettings | undefined>;
  ofMerchant(merchantId: MerchantId): Promise<MerchantDialectSettings[]>;
  /** Inserts or replaces the settings of this merchant and dialect. */
  put(settings: MerchantDialectSettings): Promise<void>;
}

/** Each dialect's own credentials of a merchant (an API key, a member id and its secret key). */
export interface CredentialRepository {
  insert(credential: DialectCredential): Promise<void>;
  findByLookup(dialect: DialectId, lookup: string): Promise<DialectCredential | undefined>;
  ofMerchant(dialect: DialectId, merchantId: MerchantId): Promise<DialectCredential | undefined>;
}

export interface OrderRepository {
  insert(order: Order): Promise<void>;
  find(id: OrderId): Promise<Order | undefined>;
  /** Writes the order if its version is still `order.version`; returns false when another writer won. */
  update(order: Order): Promise<boolean>;
  /**
   * Unpaid orders past their expiry. In a transaction they are locked for it, and orders that
   * another transaction holds are skipped: nodes sweeping at once expire different orders.
   */
  dueForExpiry(now: number, limit: number): Promise<OrderId[]>;
  /** Orders still holding a pre-authorization placed before `before`, oldest first. */
  heldSince(before: number, limit: number): Promise<Order[]>;
  countByStatus(): Promise<Partial<Record<OrderStatus, number>>>;
  /** Orders that match, newest first (created, then id), after the cursor: one page. */
  search(search: OrderSearch): Promise<Order[]>;
}

/** Which orders a listing shows; every condition given must hold. */
export type OrderSearch = {
  /** One merchant's orders; absent: every merchant's (the operator). */
  merchantId?: MerchantId;
  statuses?: readonly OrderStatus[];
  dialect?: DialectId;
  currency?: Currency;
  /** Created at or after. */
  createdFrom?: number;
  /** Created before. */
  createdBefore?: number;
  /** The order's amount is within one of these (each in its own currency's minor units). */
  amountRanges?: readonly { currency: Currency; min?: MinorUnits; max?: MinorUnits }[];
  /** Any of these names the order: its id, the shop's own id, the last four digits of its card. */
  text?: { orderId?: OrderId; externalOrderId: string; cardLast4?: string };
  /** The last order of the previous page. */
  after?: { createdAt: number; id: OrderId };
  limit: number;
};

export interface AttemptRepository {
  insert(attempt: PaymentAttempt): Promise<void>;
  update(attempt: PaymentAttempt): Promise<void>;
  find(id: AttemptId): Promise<PaymentAttempt | undefined>;
  latestOfOrder(orderId: OrderId): Promise<PaymentAttempt | undefined>;
  /**
   * Leases up to `limit` attempts whose outcome tetri does not know (acquirer timed out, or a
   * crash mid-call) until `lease.until`, so that no other node asks the acquirer about them
   * meanwhile; an attempt whose lease ran out (its node died) is claimed again.
   */
  claimUnresolved(before: { pendingBefore: number; unknownBefore: number }, limit: number, lease: Lease): Promise<PaymentAttempt[]>;
  /** The latest attempt of each of these orders that has one. */
  latestOfOrders(orderIds: readonly OrderId[]): Promise<PaymentAttempt[]>;
  /** Moves a still-unresolved attempt to the back of the reconciliation queue; a settled one is left alone. */
  postponeUnresolved(id: AttemptId, at: number): Promise<void>;
  /** 3-D Secure challenges the buyer left unanswered past the order's expiry. */
  abandonedChallenges(now: number, limit: number): Promise<PaymentAttempt[]>;
}

export interface OperationRepository {
  insert(operation: Operation): Promise<void>;
  update(operation: Operation): Promise<void>;
  find(id: OperationId): Promise<Operation | undefined>;
  ofOrder(orderId: OrderId): Promise<Operation[]>;
  /** Leases up to `limit` operations still pending since before `updatedBefore`, as claimUnresolved does attempts. */
  claimPending(updatedBefore: number, limit: number, lease: Lease): Promise<Operation[]>;
  /** Moves a still-pending operation to the back of the reconciliation queue; a settled one is left alone. */
  postponePending(id: OperationId, at: number): Promise<void>;
}

export interface SavedCardRepository {
  insert(card: SavedCard): Promise<void>;
  find(id: SavedCardId): Promise<SavedCard | undefined>;
  ofOrder(orderId: OrderId): Promise<SavedCard | undefined>;
  markDeleted(id: SavedCardId, at: number): Promise<void>;
}

export interface OutboxRepository {
  insert(message: OutboxMessage): Promise<void>;
  /**
   * Leases up to `limit` due messages until `lease.until` under `lease.token`, so that only one
   * worker sends each. A message waits while an older one of the same order is undelivered.
   */
  claimDue(now: number, limit: number, lease: { until: number; token: string }): Promise<OutboxMessage[]>;
  /**
   * Records one delivery attempt, if this worker still holds the lease; returns false when the
   * lease was lost (another worker took the message over), and then records nothing.
   */
  finishAttempt(
    message: Pick<OutboxMessage, "id" | "status" | "nextAttemptAt" | "deliveredAt" | "lastError">,
    leaseToken: string,
    attempt: CallbackAttempt,
  ): Promise<boolean>;
  ofOrder(orderId: OrderId): Promise<OutboxMessage[]>;
  /** The merchant's messages queued at or after `since`, oldest first (ties by id), at most `limit`. */
  ofMerchantSince(merchantId: MerchantId, since: number, limit: number): Promise<OutboxMessage[]>;
  attemptsOf(outboxId: OutboxId): Promise<CallbackAttempt[]>;
  /** Every delivery attempt of every callback of the order, oldest first. */
  attemptsOfOrder(orderId: OrderId): Promise<CallbackAttempt[]>;
  countPending(): Promise<number>;
  /** Pending messages a worker holds under a lease that has not run out at `now` (on any node). */
  countLeased(now: number): Promise<number>;
}

/** Dashboard sessions, by the hash of their token. */
export interface SessionRepository {
  insert(session: DashboardSession): Promise<void>;
  find(id: string): Promise<DashboardSession | undefined>;
  extend(id: string, expiresAt: number): Promise<void>;
  delete(id: string): Promise<void>;
  /** Ends every session of the merchant but `keep` (after its secret changed). */
  deleteOfMerchant(merchantId: MerchantId, keep: string | undefined): Promise<void>;
  deleteExpired(now: number): Promise<number>;
}

/** Failed sign-ins by what they were counted under (an account, an address). */
export interface SignInFailureRepository {
  record(keys: readonly string[], at: number): Promise<void>;
  countSince(key: string, since: number): Promise<number>;
  clear(key: string): Promise<void>;
  deleteBefore(at: number): Promise<number>;
}

/**
 * Counts for the dashboard's overview, per day: `days` are the boundaries of consecutive
 * days (n days, n+1 instants), and a row's `day` is the index of the day it fell in.
 */
export type StatsQuery = { merchantId?: MerchantId; days: readonly number[] };

export interface StatsRepository {
  /** Completed ledger lines (payments authorized, money captured, money refunded), by day, kind and currency. */
  ledgerByDay(query: StatsQuery): Promise<Array<{ day: number; kind: OperationKind; currency: Currency; count: number; amount: MinorUnits }>>;
  /** Payment attempts the acquirer answered, by day, outcome and decline reason. */
  attemptsByDay(query: StatsQuery): Promise<Array<{ day: number; approved: boolean; reason: DeclineReason | null; count: number }>>;
  /** Callback delivery attempts, by day and whether the shop took them. */
  callbackAttemptsByDay(query: StatsQuery): Promise<Array<{ day: number; delivered: boolean; count: number }>>;
}

export interface IdempotencyRepository {
  /**
   * Takes the key for the rest of this transaction. False when another transaction holds it:
   * a request with the same key is in flight (only where transactions run at the same time).
   */
  lock(merchantId: MerchantId, scope: string, key: string): Promise<boolean>;
  find(merchantId: MerchantId, scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  insert(record: IdempotencyRecord): Promise<void>;
}

/**
 * Values every node of one store must share, by name (signing keys sealed with the card key,
 * the demo merchant's id). A value, once written, is never replaced.
 */
export interface SettingRepository {
  find(name: string): Promise<string | undefined>;
  /** Writes `value` unless the name has one; returns the value the store keeps (this one, or the one another node wrote first). */
  insertIfAbsent(name: string, value: string, now: number): Promise<string>;
}

/** Subscriptions and the charges they made. */
export interface SubscriptionRepository {
  insert(subscription: Subscription): Promise<void>;
  /** In a transaction of a backend whose transactions run at once, locked for it. */
  find(id: SubscriptionId): Promise<Subscription | undefined>;
  /** Writes it if its version is still `subscription.version`; false when another writer won. */
  update(subscription: Subscription): Promise<boolean>;
  /** One merchant's subscriptions of one bank API, newest first, after the cursor. */
  list(query: { merchantId: MerchantId; dialect: DialectId; after?: { createdAt: number; id: SubscriptionId }; limit: number }): Promise<Subscription[]>;
  /**
   * Leases up to `limit` subscriptions that are active and due at `lease.now`, or have a charge
   * in flight, as claimUnresolved does attempts: nodes claim different ones, a dead node's are
   * taken over when their lease runs out.
   */
  claimDue(limit: number, lease: Lease): Promise<Subscription[]>;
  /** Records a charge; a second one with the same number is refused by the database. */
  insertCharge(charge: SubscriptionCharge): Promise<void>;
  chargesOf(id: SubscriptionId): Promise<SubscriptionCharge[]>;
}

/** A value sealed with the card key, wherever it is kept, as card-key rotation sees it. */
export type SealedValue = {
  place: "payment_attempt" | "saved_card" | "payout" | "dialect_credential" | "setting";
  /** Names the row in its place. */
  id: string;
  ciphertext: string;
  keyId: string;
};

/** Every value sealed with a card key (card numbers, dialect secrets, shared keys), for re-sealing under a new key. */
export interface SealedValueRepository {
  /** Up to `limit` values sealed under one of `keyIds` (locked for this transaction where transactions run at once). */
  under(keyIds: readonly string[], limit: number): Promise<SealedValue[]>;
  /** Replaces a value's ciphertext if it is still the one read; false when it changed meanwhile (and then writes nothing). */
  reseal(value: SealedValue, sealed: { ciphertext: string; keyId: string }): Promise<boolean>;
  /** How many values each key id seals. */
  countByKey(): Promise<Record<string, number>>;
}

/** The repositories of one transaction (or one read snapshot), one per aggregate. */
/** What a merchant holds in one currency: captured payments, their refunds (asked or done), its payouts (pending or done). */
export type BalanceParts = { captured: MinorUnits; refunded: MinorUnits; paidOut: MinorUnits };

export interface PayoutRepository {
  /**
   * Holds the merchant's payouts for this transaction: another transaction asking waits until
   * it commits, so two payouts never both spend the same balance.
   */
  lockMerchant(merchantId: MerchantId): Promise<void>;
  balance(merchantId: MerchantId, currency: Currency): Promise<BalanceParts>;
  insert(payout: Payout): Promise<void>;
  update(payout: Payout): Promise<void>;
  find(id: PayoutId): Promise<Payout | undefined>;
  findByExternalId(merchantId: MerchantId, dialect: DialectId, externalId: string): Promise<Payout | undefined>;
  /** Leases up to `limit` payouts still pending since before `updatedBefore`, as claimUnresolved does attempts. */
  claimPending(updatedBefore: number, limit: number, lease: Lease): Promise<Payout[]>;
  /** Moves a still-pending payout to the back of the reconciliation queue; a settled one is left alone. */
  postponePending(id: PayoutId, at: number): Promise<void>;
}

export interface StoreTx {
  readonly merchants: MerchantRepository;
  readonly merchantSettings: MerchantSettingsRepository;
  readonly credentials: CredentialRepository;
  readonly orders: OrderRepository;
  readonly attempts: AttemptRepository;
  readonly operations: OperationRepository;
  readonly savedCards: SavedCardRepository;
  readonly outbox: OutboxRepository;
  readonly idempotency: IdempotencyRepository;
  readonly settings: SettingRepository;
  readonly sessions: SessionRepository;
  readonly signInFailures: SignInFailureRepository;
  readonly stats: StatsRepository;
  readonly sealedValues: SealedValueRepository;
  readonly subscriptions: SubscriptionRepository;
  readonly payouts: PayoutRepository;
}

export interface Store {
  /**
   * Runs `work` in one database transaction: all of it commits, or none of it. A clash with a
   * concurrent writer that the database resolved by refusing this one throws RetryableStoreError.
   */
  transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Runs reads in one consistent snapshot of committed data. Never call from inside a transaction's work. */
  read<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The store refused a transaction because of a concurrent one (busy, serialization failure); running it again may succeed. */
export class RetryableStoreError extends Error {
  constructor(cause: unknown) {
    super(`the database refused a transaction because of a concurrent one: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = "RetryableStoreError";
  }
}

/**
 * The database cannot be reached (down, restarting, connection lost, no free connection in
 * time). Not retried: a transaction whose COMMIT was cut off may or may not have committed, so
 * only the client, with its idempotency key, may send the request again.
 */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the database is unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = "StoreUnavailableError";
  }
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
  /** A wallet's device check already authenticated the buyer: no 3-D Secure either. */
  authenticatedByWallet: boolean;
  /** The card was saved earlier (a card on file), not typed or handed over for this payment. */
  storedCredential: boolean;
  /** The merchant's terminal (POS tag, terminal id) the order asked for; null for its default one. */
  terminal: string | null;
};

/**
 * A payment of a method that is no card (internet bank, QR, loyalty points, a loan, a gift
 * card), which test mode simulates: the buyer's choice on the simulated page decided
 * `outcome` (core/simulated-methods.ts). The acquirer books it, so that the payment's later
 * capture, cancel, refund and lookup find it as they find a card's.
 */
export type SimulatedAuthorizationRequest = Omit<AuthorizationRequest, "card" | "customerPresent" | "authenticatedByWallet" | "storedCredential"> & {
  method: PaymentMethod;
  outcome: { kind: "approved" } | { kind: "declined"; reason: DeclineReason };
};

export type AuthorizationOutcome =
  | { kind: "approved"; authCode: string; transactionId: string; terminal: string }
  | { kind: "declined"; reason: DeclineReason }
  | { kind: "challenge" };

export type FollowUpRequest = {
  reference: OperationId;
  authorization: AttemptId;
  amount: MinorUnits;
  currency: Currency;
};

export type FollowUpOutcome = { kind: "approved" } | { kind: "declined"; reason: FollowUpDeclineReason };

export type PayoutRequest = { reference: PayoutId; amount: MinorUnits; currency: Currency; card: ValidCard };

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
  authorizeSimulated(request: SimulatedAuthorizationRequest): Promise<AuthorizationOutcome>;
  completeChallenge(reference: AttemptId, passed: boolean): Promise<AuthorizationOutcome>;
  capture(request: FollowUpRequest): Promise<FollowUpOutcome>;
  void(request: FollowUpRequest): Promise<FollowUpOutcome>;
  refund(request: FollowUpRequest): Promise<FollowUpOutcome>;
  /** Sends money to a card (an original credit). */
  payout(request: PayoutRequest): Promise<FollowUpOutcome>;
  lookup(reference: string): Promise<LookupOutcome>;
}

/**
 * Renders the callback body the order's dialect sends for its current state. `credential`
 * reads the merchant's own credential of that dialect, in the same transaction, for a
 * dialect that signs its callbacks with the merchant's secret.
 */
export type CallbackRenderer = (view: OrderView, now: number, credential: () => Promise<DialectCredential | undefined>) => Promise<string>;

/** What happened when one callback was sent: the shop's answer, or why there was none. */
export type CallbackDelivery = {
  statusCode: number | null;
  /** Null when the shop took it (a 2xx); else what went wrong ("HTTP 500", "timeout", "network: ECONNREFUSED"). */
  error: string | null;
  durationMs: number;
  responseExcerpt: string | null;
};

/** Signs a callback body in its dialect's scheme and POSTs it at once (outside the outbox: a test callback). */
export type CallbackSender = (callback: { url: string; dialect: DialectId; body: string }) => Promise<CallbackDelivery>;

export type Clock = { now(): number };

/** One e-mail tetri sends for a merchant (a payment link); the text is plain. */
export type MailMessage = { to: string; subject: string; text: string };

/** The operator's mail server. A thrown error means it did not take the message. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
