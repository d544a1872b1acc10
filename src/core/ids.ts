import { randomUUID } from "node:crypto";

// Branded ids: a log line or a type error says what an id is. Orders and operations are
// UUIDs because the bank APIs expose them as UUIDs; internal records carry a prefix.

export type MerchantId = string & { readonly __brand: "MerchantId" };
export type OrderId = string & { readonly __brand: "OrderId" };
export type AttemptId = string & { readonly __brand: "AttemptId" };
export type OperationId = string & { readonly __brand: "OperationId" };
export type OutboxId = string & { readonly __brand: "OutboxId" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const newMerchantId = (): MerchantId => `mer_${randomUUID().replaceAll("-", "")}` as MerchantId;
export const newOrderId = (): OrderId => randomUUID() as OrderId;
export const newAttemptId = (): AttemptId => `pat_${randomUUID().replaceAll("-", "")}` as AttemptId;
export const newOperationId = (): OperationId => randomUUID() as OperationId;
export const newOutboxId = (): OutboxId => `cb_${randomUUID().replaceAll("-", "")}` as OutboxId;

/** Order ids arrive in URLs; anything that is not a lower-case UUID cannot name an order. */
export function parseOrderId(value: string): OrderId | undefined {
  const lower = value.toLowerCase();
  return UUID.test(lower) ? (lower as OrderId) : undefined;
}

export function parseAttemptId(value: string): AttemptId | undefined {
  return /^pat_[0-9a-f]{32}$/.test(value) ? (value as AttemptId) : undefined;
}
