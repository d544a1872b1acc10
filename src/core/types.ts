import type { AttemptId, MerchantId, OperationId, OrderId, OutboxId, PayoutId, SavedCardId, SubscriptionId } from "./ids.ts";
import type { Currency, MinorUnits } from "./money.ts";
import type { OrderStatus } from "./order-state.ts";

/**
 * Which bank API (dialect) an order was created through; it decides the callback and receipt
 * shapes. The dialect registry hands these out; core only compares them.
 */
export type DialectId = string & { readonly __brand: "DialectId" };
/** The languages the buyer's pages speak; a bank API may offer fewer (BOG: ka, en). */
export type Language = "ka" | "en" | "ru";
export const LANGUAGES: readonly Language[] = ["ka", "en", "ru"];
/** The hosted page's colours, as the shop asked for them (BOG's Theme header). */
export type PageTheme = "light" | "dark";
export type CaptureMode = "automatic" | "manual";
/** Ways to pay an order may offer, named for what they are; each dialect maps its bank's names. */
export const PAYMENT_METHODS = [
  "card",
  "google_pay",
  "apple_pay",
  "bank_transfer",
  "loyalty_points",
  "bnpl",
  "installment",
  "gift_card",
  "qr",
] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export type Merchant = {
  id: MerchantId;
  name: string;
  clientId: string;
  /** scrypt hash of the client secret, never the secret itself. */
  secretHash: string;
  createdAt: number;
};

/**
 * A credential one dialect gives a merchant beside its client id and secret (an API key; a
 * member id with its secure key). The dialect decides what `lookup` holds (a hash of a random
 * key, or a public id) and what goes in `details`; a secret it must read back is sealed.
 */
export type DialectCredential = {
  dialect: DialectId;
  merchantId: MerchantId;
  /** Unique within the dialect: what a request names the merchant by. */
  lookup: string;
  /** AES-256-GCM ciphertext of a secret the dialect needs in clear (to verify checksums), with its key id. */
  sealedSecret: { ciphertext: string; keyId: string } | null;
  details: Record<string, string>;
  createdAt: number;
};

export type BasketLine = {
  productId: string;
  description: string | null;
  /** Decimal text as sent (quantities may be fractional, e.g. kilograms). */
  quantity: string;
  unitPrice: MinorUnits;
};

export type Order = {
  id: OrderId;
  merchantId: MerchantId;
  dialect: DialectId;
  externalOrderId: string | null;
  status: OrderStatus;
  captureMode: CaptureMode;
  currency: Currency;
  amount: MinorUnits;
  authorizedAmount: MinorUnits;
  capturedAmount: MinorUnits;
  refundedAmount: MinorUnits;
  /** Refunds sent to the acquirer and not yet answered; counted as used when checking a new refund. */
  refundReservedAmount: MinorUnits;
  language: Language;
  theme: PageTheme;
  callbackUrl: string | null;
  successUrl: string | null;
  failUrl: string | null;
  paymentMethods: PaymentMethod[];
  basket: BasketLine[];
  /** The dialect's own echo data (buyer, delivery, config, fiscal fields), opaque to core. */
  details: Record<string, unknown>;
  rejectReason: RejectReason | null;
  /** Save the card when this order is paid, for later charges (MMYY: how long; what the charges may be). */
  saveCard: { until: string | null; usage: SavedCardUsage } | null;
  /** The saved card a merchant-initiated charge used; null when the buyer typed a card. */
  savedCardId: SavedCardId | null;
  /** The merchant terminal (POS tag) the order asked to be paid through; null for the default. */
  terminal: string | null;
  /** Parts of the captured amount that go to other accounts (core/split.ts); null for none. */
  split: SplitPart[] | null;
  /** The loan (BNPL, installment) the shop set up for the order; null when it named none. */
  loanOffer: LoanOffer | null;
  createdAt: number;
  expiresAt: number;
  updatedAt: number;
  /** Optimistic-concurrency counter: every update must name the version it read. */
  version: number;
};

/** The loan a shop set up for an order (BOG's `config.loan`): the bank's product code and a fixed term, each optional. */
export type LoanOffer = { product: string | null; months: number | null };

/** One recipient of a split payment: a fixed amount, or a share of the captured amount in basis points (1/100 %). */
export type SplitPart = { account: string; amount: MinorUnits | null; basisPoints: number | null };

/** Why an order ended without money: declined, its time ran out, the merchant cancelled the hold, or the hold expired. */
export type RejectReason = DeclineReason | "expiration" | "cancelled" | "hold_expired";

/** Why an acquirer (or 3-D Secure) said no. Dialects map these to their bank's codes. */
export type DeclineReason =
  | "issuer_declined"
  | "acquirer_declined"
  | "insufficient_funds"
  | "expired_card"
  | "invalid_card"
  | "card_restricted"
  | "transaction_limit"
  | "amount_limit"
  | "technical_error"
  | "authentication_timeout"
  | "authentication_failed"
  /** A charge of a saved card that was deleted: no acquirer was asked. */
  | "saved_card_not_found"
  | "unknown";

export type CardBrand = "visa" | "mc" | "amex" | "other";

export type CardSummary = {
  /** First six and last four digits, the rest masked: 424242******4242. */
  mask: string;
  brand: CardBrand;
  /** MM/YY */
  expiry: string;
  holder: string;
};

/** `awaiting_decision`: a loan application the bank has not decided yet (no acquirer call is open). */
export type AttemptStatus = "pending" | "challenge" | "awaiting_decision" | "approved" | "declined" | "unknown";

/**
 * What a payment of a method other than a plain card recorded beside (or instead of) a card:
 * who paid, as the method's bank names them (an internet-bank account's holder, a loan
 * applicant's initial, a gift card's masked code), what loyalty points paid of the amount
 * (the card paid the rest), and a loan's term.
 */
export type MethodDetails = { payer: string | null; pointsAmount: MinorUnits | null; loanMonths: number | null };

export type PaymentAttempt = {
  id: AttemptId;
  orderId: OrderId;
  status: AttemptStatus;
  /** How the buyer paid (a typed or saved card is "card"). */
  method: PaymentMethod;
  /** false for a merchant-initiated charge of a saved card, without the buyer. */
  customerPresent: boolean;
  /** The card that paid; null for a method that used none (internet bank, QR, loans, gift card, points only). */
  card: CardSummary | null;
  /** AES-256-GCM ciphertext of the PAN with the id of the key that sealed it ("" without a card). */
  panCiphertext: string;
  panKeyId: string;
  /** Null for a plain card or wallet payment. */
  methodDetails: MethodDetails | null;
  declineReason: DeclineReason | null;
  authCode: string | null;
  transactionId: string | null;
  /** The merchant terminal (POS tag) the acquirer says it used; null until approved. */
  terminal: string | null;
  createdAt: number;
  updatedAt: number;
};

/** Why an acquirer refused a refund, capture or void. Dialects map these to their bank's action codes. */
export type FollowUpDeclineReason =
  | "issuer_declined"
  | "merchant_insufficient_funds"
  | "expired_card"
  | "authorization_not_found"
  | "technical_error";

export type OperationKind = "authorization" | "capture" | "void" | "refund";
export type OperationStatus = "pending" | "completed" | "failed";
/**
 * Who asked for an operation: the buyer on the checkout page, the merchant through the API or
 * on the dashboard, the gateway's operator (support) on the dashboard, or tetri itself (an
 * expired hold).
 */
export type OperationChannel = "checkout" | "public_api" | "dashboard" | "support" | "system";

/** One line of the ledger. Rows are only ever appended; status moves once from pending. */
export type Operation = {
  id: OperationId;
  orderId: OrderId;
  merchantId: MerchantId;
  kind: OperationKind;
  status: OperationStatus;
  amount: MinorUnits;
  currency: Currency;
  channel: OperationChannel;
  description: string | null;
  failureReason: FollowUpDeclineReason | null;
  createdAt: number;
  updatedAt: number;
};

/**
 * What a saved card may be charged for: with the buyer on the page (BOG "recurrent"), without
 * them (BOG "subscription"), or either (TBC, whose executions name their initiator).
 */
export type SavedCardUsage = "any" | "with_buyer" | "without_buyer";

/**
 * Money the merchant sends out of its balance to a card: the card of one of its captured
 * payments, or one it names. Pending while the acquirer is asked; it counts against the
 * balance from the moment it is recorded.
 */
export type Payout = {
  id: PayoutId;
  merchantId: MerchantId;
  /** The bank API it was asked through; another API's payouts are unknown to it. */
  dialect: DialectId;
  /** The merchant's own reference, unique per merchant and API. */
  externalId: string;
  /** The captured payment whose card it pays, if it names one. */
  orderId: OrderId | null;
  currency: Currency;
  amount: MinorUnits;
  status: "pending" | "completed" | "failed";
  failureReason: FollowUpDeclineReason | null;
  card: CardSummary;
  panCiphertext: string;
  panKeyId: string;
  createdAt: number;
  updatedAt: number;
};

/** A card kept for later charges, bound to one merchant. The PAN stays sealed. */
export type SavedCard = {
  id: SavedCardId;
  merchantId: MerchantId;
  /** The order whose payment saved it. */
  orderId: OrderId;
  card: CardSummary;
  panCiphertext: string;
  panKeyId: string;
  /** MMYY the merchant asked to keep it until, or null for as long as the card is valid. */
  validUntil: string | null;
  usage: SavedCardUsage;
  createdAt: number;
  deletedAt: number | null;
};

/** Everything a receipt or callback shows about an order. */
export type OrderView = {
  order: Order;
  merchant: Merchant;
  attempt: PaymentAttempt | undefined;
  operations: Operation[];
  /** The card this order's payment saved, if it asked to save one. */
  savedCard: SavedCard | undefined;
  /** The saved card this order is paid with, if it is a charge of one. */
  chargedCard: SavedCard | undefined;
};

export type OutboxStatus = "pending" | "delivered" | "dead";

export type OutboxMessage = {
  id: OutboxId;
  merchantId: MerchantId;
  orderId: OrderId;
  dialect: DialectId;
  url: string;
  /** The exact bytes to POST; signed at delivery time with the dialect's scheme. */
  body: string;
  status: OutboxStatus;
  /** The order's version this callback reports; callbacks of one order are sent in this order. */
  orderVersion: number;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  deliveredAt: number | null;
  lastError: string | null;
};

export type CallbackAttempt = {
  outboxId: OutboxId;
  attemptedAt: number;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  /** The start of what the shop answered, as text (for the dashboard's timeline). */
  responseExcerpt: string | null;
};

/** What a merchant set for one bank API, as the banks keep it in their merchant dashboards. */
export type MerchantDialectSettings = {
  merchantId: MerchantId;
  dialect: DialectId;
  /** Where callbacks of orders that name no callback URL of their own go. */
  callbackUrl: string | null;
  /** The payment methods its orders may offer; null: every method the API has. */
  enabledMethods: PaymentMethod[] | null;
  /** How long its access tokens live (`expires_in`); null: the API's own default. */
  tokenTtlSeconds: number | null;
  updatedAt: number;
};

/** Who a dashboard session is: a merchant, or the gateway's operator (who sees every merchant). */
export type DashboardPrincipal = { kind: "merchant"; merchantId: MerchantId } | { kind: "operator"; name: string };

export type DashboardSession = {
  /** The SHA-256 of the session's secret token; the token itself is only in the browser's cookie. */
  id: string;
  principal: DashboardPrincipal;
  createdAt: number;
  /** Ends here unless used again (idle timeout); each use moves it on, up to `endsAt`. */
  expiresAt: number;
  /** Ends here however much it is used. */
  endsAt: number;
};

/** The buyer as an order's dialect recorded them (masked where the shop masked them). */
export type BuyerSummary = {
  name: string | null;
  email: string | null;
  phone: string | null;
  ipAddress: string | null;
};

export type SubscriptionInterval = "daily" | "weekly" | "monthly";
/**
 * active: charged when due; paused: not charged until resumed; past_due: a charge was declined
 * softly four times (the first try and three retries), not charged until resumed; stopped: a
 * hard decline ended it; cancelled: the merchant ended it.
 */
export type SubscriptionStatus = "active" | "paused" | "past_due" | "stopped" | "cancelled";

/** A merchant's plan of charges of one saved card: an amount every interval, from a start date (UTC). */
export type Subscription = {
  id: SubscriptionId;
  merchantId: MerchantId;
  /** The bank API the card was saved through: the charges are its orders, with its callbacks. */
  dialect: DialectId;
  savedCardId: SavedCardId;
  /** The paid order that saved the card. */
  parentOrderId: OrderId;
  amount: MinorUnits;
  currency: Currency;
  interval: SubscriptionInterval;
  /** Monthly: the day of the month (1–31; in a shorter month, its last day). */
  dayOfMonth: number | null;
  /** YYYY-MM-DD (UTC): charges fall on days from this one on. */
  startDate: string;
  callbackUrl: string | null;
  externalId: string | null;
  status: SubscriptionStatus;
  /** The period to charge next (0: the first). */
  period: number;
  /** Retries already made of that period after soft declines (0–3). */
  retry: number;
  /** UTC midnight of the day the first of them was declined: retries are counted in days from it. */
  retryFrom: number | null;
  /** When the scheduler next tries to charge; null when nothing is scheduled (not active). */
  nextAttemptAt: number | null;
  /** The order of a charge made but not yet settled; no other charge is made meanwhile. */
  pendingOrderId: OrderId | null;
  /** How many charges it has made (each one's number, from 0, is unique to it). */
  chargeCount: number;
  /** Why the last charge was declined; null after an approval. */
  failureReason: DeclineReason | null;
  createdAt: number;
  updatedAt: number;
  version: number;
};

/** One charge a subscription made: its `seq`-th, the order of one period's try. */
export type SubscriptionCharge = { subscriptionId: SubscriptionId; seq: number; period: number; retry: number; orderId: OrderId; createdAt: number };
