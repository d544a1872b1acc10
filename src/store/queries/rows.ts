// Reading columns back the same way whatever the driver: bigint columns may arrive as
// strings, flags as 0/1. Card columns are shared by attempts and saved cards.

import { sql } from "kysely";
import type { Currency, MinorUnits } from "../../core/money.ts";
import type { Lease } from "../../core/ports.ts";
import type { CardBrand, CardSummary } from "../../core/types.ts";
import type { CardColumns } from "../schema.ts";

export const num = (value: number | string): number => Number(value);
export const numOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));
export const money = (value: number | string): MinorUnits => Number(value) as MinorUnits;
export const flag = (value: boolean | number): boolean => value === true || value === 1;
export const currency = (value: string): Currency => value as Currency;

export function cardColumns(card: CardSummary, sealed: { panCiphertext: string; panKeyId: string }): CardColumns {
  return {
    card_mask: card.mask,
    card_brand: card.brand,
    card_expiry: card.expiry,
    cardholder: card.holder,
    pan_ciphertext: sealed.panCiphertext,
    pan_key_id: sealed.panKeyId,
  };
}

export function cardOf(row: CardColumns): { card: CardSummary; panCiphertext: string; panKeyId: string } {
  return {
    card: { mask: row.card_mask, brand: row.card_brand as CardBrand, expiry: row.card_expiry, holder: row.cardholder },
    panCiphertext: row.pan_ciphertext,
    panKeyId: row.pan_key_id,
  };
}

/** A row of shared work (with a lease_until column) that nobody holds at `now`: never claimed, or its lease ran out. */
export const leaseFree = (now: Lease["now"]) => sql<boolean>`(lease_until is null or lease_until < ${now})`;
