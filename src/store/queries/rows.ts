// Reading columns back the same way whatever the driver: bigint columns may arrive as
// strings, flags as 0/1. Card columns are shared by attempts and saved cards.

import { sql } from "kysely";
import type { Kysely, Selectable } from "kysely";
import type { Currency, MinorUnits } from "../../core/money.ts";
import type { Lease } from "../../core/ports.ts";
import type { CardBrand, CardSummary } from "../../core/types.ts";
import type { CardColumns, Database } from "../schema.ts";

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

/** The tables of work that waits in status "pending" until reconciliation settles it. */
type PendingWork = "operations" | "payouts";

/**
 * Leases up to `limit` rows still pending since before `updatedBefore`, oldest first; with row
 * locks, rows another transaction is claiming are skipped rather than waited for.
 */
export async function claimPendingRows<T extends PendingWork>(
  db: Kysely<Database>,
  table: T,
  rowLocks: boolean,
  query: { updatedBefore: number; limit: number; lease: Lease },
): Promise<Selectable<Database[T]>[]> {
  // Both tables have the columns this touches (id, status, updated_at, lease_until).
  const work = table as PendingWork as "operations";
  const free = leaseFree(query.lease.now);
  const due = db
    .selectFrom(work)
    .select("id")
    .where("status", "=", "pending")
    .where("updated_at", "<", query.updatedBefore)
    .where(free)
    .orderBy("updated_at")
    .limit(query.limit)
    .$if(rowLocks, (q) => q.forUpdate().skipLocked());
  const rows = await db.updateTable(work).set({ lease_until: query.lease.until }).where("id", "in", due).where(free).returningAll().execute();
  return rows as Selectable<Database[T]>[];
}

/** Moves a still-pending row to the back of the reconciliation queue; a settled one is left alone. */
export async function postponePendingRow(db: Kysely<Database>, table: PendingWork, id: string, at: number): Promise<void> {
  await db.updateTable(table as "operations").set({ updated_at: at }).where("id", "=", id).where("status", "=", "pending").execute();
}
