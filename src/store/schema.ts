// Table shapes as Kysely sees them, after every migration in migrations/. Amounts are
// integer minor units, times epoch milliseconds (UTC), JSON columns are text. Numbers may
// come back as strings and flags as 0/1 from some drivers: queries/rows.ts reads both.

import type { ColumnType } from "kysely";

/** A yes/no column: written as a boolean, read as whatever the driver gives back. */
type Flag = ColumnType<boolean | number, boolean, boolean>;
/** A count or time column some drivers return as a string (bigint). */
type BigNumber = ColumnType<number | string, number, number>;

export type MerchantsTable = {
  id: string;
  name: string;
  client_id: string;
  secret_hash: string;
  created_at: BigNumber;
};

export type DialectCredentialsTable = {
  dialect: string;
  lookup: string;
  merchant_id: string;
  secret_ciphertext: string | null;
  secret_key_id: string | null;
  details: string;
  created_at: BigNumber;
};

export type OrdersTable = {
  id: string;
  merchant_id: string;
  dialect: string;
  external_order_id: string | null;
  status: string;
  capture_mode: string;
  currency: string;
  amount: BigNumber;
  authorized_amount: BigNumber;
  captured_amount: BigNumber;
  refunded_amount: BigNumber;
  refund_reserved_amount: BigNumber;
  language: string;
  theme: string;
  callback_url: string | null;
  success_url: string | null;
  fail_url: string | null;
  payment_methods: string;
  basket: string;
  details: string;
  reject_reason: string | null;
  save_card: string | null;
  saved_card_id: string | null;
  terminal: string | null;
  split: string | null;
  loan_offer: string | null;
  created_at: BigNumber;
  expires_at: BigNumber;
  updated_at: BigNumber;
  version: BigNumber;
};

/** The card columns payment attempts and saved cards share. */
export type CardColumns = {
  card_mask: string;
  card_brand: string;
  card_expiry: string;
  cardholder: string;
  pan_ciphertext: string;
  pan_key_id: string;
};

export type PaymentAttemptsTable = CardColumns & {
  id: string;
  order_id: string;
  status: string;
  method: string;
  customer_present: Flag;
  decline_reason: string | null;
  auth_code: string | null;
  transaction_id: string | null;
  terminal: string | null;
  method_details: string | null;
  created_at: BigNumber;
  updated_at: BigNumber;
  /** Until when a node's reconciliation has claimed it (null: never claimed). */
  lease_until: BigNumber | null;
};

export type SavedCardsTable = CardColumns & {
  id: string;
  merchant_id: string;
  order_id: string;
  valid_until: string | null;
  usage: string;
  created_at: BigNumber;
  deleted_at: BigNumber | null;
};

export type PayoutsTable = CardColumns & {
  id: string;
  merchant_id: string;
  dialect: string;
  external_id: string;
  order_id: string | null;
  currency: string;
  amount: BigNumber;
  status: string;
  failure_reason: string | null;
  created_at: BigNumber;
  updated_at: BigNumber;
  /** Until when a node's reconciliation has claimed it (null: never claimed). */
  lease_until: BigNumber | null;
};

export type OperationsTable = {
  id: string;
  order_id: string;
  merchant_id: string;
  kind: string;
  status: string;
  amount: BigNumber;
  currency: string;
  channel: string;
  description: string | null;
  failure_reason: string | null;
  created_at: BigNumber;
  updated_at: BigNumber;
  /** Until when a node's reconciliation has claimed it (null: never claimed). */
  lease_until: BigNumber | null;
};

export type OutboxTable = {
  id: string;
  merchant_id: string;
  order_id: string;
  dialect: string;
  url: string;
  body: string;
  status: string;
  order_version: BigNumber;
  attempts: BigNumber;
  next_attempt_at: BigNumber;
  lease_until: BigNumber | null;
  lease_token: string | null;
  created_at: BigNumber;
  delivered_at: BigNumber | null;
  last_error: string | null;
};

export type CallbackAttemptsTable = {
  outbox_id: string;
  attempt: BigNumber;
  attempted_at: BigNumber;
  duration_ms: BigNumber;
  status_code: BigNumber | null;
  error: string | null;
  response_excerpt: string | null;
};

export type IdempotencyKeysTable = {
  merchant_id: string;
  scope: string;
  key: string;
  fingerprint: string;
  result: string;
  created_at: BigNumber;
};

export type AcquirerJournalTable = {
  reference: string;
  kind: string;
  state: string;
  amount: BigNumber;
  currency: string;
  capture: Flag;
  decline_reason: string | null;
  auth_code: string | null;
  transaction_id: string | null;
  terminal: string | null;
  card_behaviour: string | null;
  created_at: BigNumber;
};

export type SettingsTable = {
  name: string;
  value: string;
  created_at: BigNumber;
};

export type MerchantDialectSettingsTable = {
  merchant_id: string;
  dialect: string;
  callback_url: string | null;
  /** JSON array of core payment methods, or null for all. */
  enabled_methods: string | null;
  token_ttl_seconds: number | null;
  updated_at: BigNumber;
};

export type DashboardSessionsTable = {
  id: string;
  /** Null for the operator's session. */
  merchant_id: string | null;
  operator: string | null;
  created_at: BigNumber;
  /** When the session ends unless it is used again (idle timeout). */
  expires_at: BigNumber;
  /** When it ends however much it is used. */
  ends_at: BigNumber;
};

export type SignInFailuresTable = {
  key: string;
  failed_at: BigNumber;
};

export type SubscriptionsTable = {
  id: string;
  merchant_id: string;
  dialect: string;
  saved_card_id: string;
  parent_order_id: string;
  amount: BigNumber;
  currency: string;
  interval: string;
  day_of_month: BigNumber | null;
  start_date: string;
  callback_url: string | null;
  external_id: string | null;
  status: string;
  period: BigNumber;
  retry: BigNumber;
  retry_from: BigNumber | null;
  next_attempt_at: BigNumber | null;
  pending_order_id: string | null;
  charge_count: BigNumber;
  failure_reason: string | null;
  /** Until when a node's scheduler has claimed it (null: never claimed). */
  lease_until: BigNumber | null;
  created_at: BigNumber;
  updated_at: BigNumber;
  version: BigNumber;
};

export type SubscriptionChargesTable = {
  subscription_id: string;
  seq: BigNumber;
  period: BigNumber;
  retry: BigNumber;
  order_id: string;
  created_at: BigNumber;
};

export type Database = {
  merchants: MerchantsTable;
  dialect_credentials: DialectCredentialsTable;
  orders: OrdersTable;
  payment_attempts: PaymentAttemptsTable;
  saved_cards: SavedCardsTable;
  operations: OperationsTable;
  payouts: PayoutsTable;
  outbox: OutboxTable;
  callback_attempts: CallbackAttemptsTable;
  idempotency_keys: IdempotencyKeysTable;
  acquirer_journal: AcquirerJournalTable;
  settings: SettingsTable;
  merchant_dialect_settings: MerchantDialectSettingsTable;
  dashboard_sessions: DashboardSessionsTable;
  sign_in_failures: SignInFailuresTable;
  subscriptions: SubscriptionsTable;
  subscription_charges: SubscriptionChargesTable;
};
