import { randomUUID } from "node:crypto";

// Branded ids: a log line or a type error says what an id is. Orders and operations are
// UUIDs because the bank APIs expose them as UUIDs; internal records carry a prefix.

export type MerchantId = string & { readonly __brand: "MerchantId" };
export type OrderId = string & { readonly __brand: "OrderId" };
export type AttemptId = string & { readonly __brand: "AttemptId" };
export type OperationId = string & { readonly __brand: "OperationId" };
export type OutboxId = string & { readonly __brand: "OutboxId" };
export type SavedCardId = string & { readonly __brand: "SavedCardId" };
export type SubscriptionId = string & { readonly __brand: "SubscriptionId" };
export type PayoutId = string & { readonly __brand: "PayoutId" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const newMerchantId = (): MerchantId => `mer_${randomUUID().replaceAll("-", "")}` as MerchantId;
export const newOrderId = (): OrderId => randomUUID() as OrderId;
export const newAttemptId = (): AttemptId => `pat_${randomUUID().replaceAll("-", "")}` as AttemptId;
export const newOperationId = (): OperationId => randomUUID() as OperationId;
export const newOutboxId = (): OutboxId => `cb_${randomUUID().replaceAll("-", "")}` as OutboxId;
/** Saved-card ids are shown to merchants (as 32 hex digits), so they carry no prefix. */
export const newSavedCardId = (): SavedCardId => randomUUID().replaceAll("-", "") as SavedCardId;

export const newSubscriptionId = (): SubscriptionId => `sub_${randomUUID().replaceAll("-", "")}` as SubscriptionId;
/** Payout ids are shown to merchants (as 32 hex digits), as saved-card ids are. */
export const newPayoutId = (): PayoutId => randomUUID().replaceAll("-", "") as PayoutId;

const HEX32 = /^[0-9a-f]{32}$/;

/**
 * Order ids arrive in URLs as a UUID, or as the same 32 hex digits without dashes (as some
 * bank APIs write them). Anything else cannot name an order.
 */
export function parseOrderId(value: string): OrderId | undefined {
  const lower = value.toLowerCase();
  if (UUID.test(lower)) return lower as OrderId;
  if (!HEX32.test(lower)) return undefined;
  const parts = [lower.slice(0, 8), lower.slice(8, 12), lower.slice(12, 16), lower.slice(16, 20), lower.slice(20)];
  return parts.join("-") as OrderId;
}

export function parseSavedCardId(value: string): SavedCardId | undefined {
  const lower = value.toLowerCase();
  return HEX32.test(lower) ? (lower as SavedCardId) : undefined;
}

export function parsePayoutId(value: string): PayoutId | undefined {
  const lower = value.toLowerCase();
  return HEX32.test(lower) ? (lower as PayoutId) : undefined;
}

export function parseSubscriptionId(value: string): SubscriptionId | undefined {
  return /^sub_[0-9a-f]{32}$/.test(value) ? (value as SubscriptionId) : undefined;
}

export function parseAttemptId(value: string): AttemptId | undefined {
  return /^pat_[0-9a-f]{32}$/.test(value) ? (value as AttemptId) : undefined;
}
