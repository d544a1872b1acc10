import { sql } from "kysely";
import type { Insertable, Kysely, Selectable } from "kysely";
import type { MerchantId, OrderId, PayoutId } from "../../core/ids.ts";
import type { PayoutRepository } from "../../core/ports.ts";
import type { DialectId, Payout } from "../../core/types.ts";
import type { Database, PayoutsTable } from "../schema.ts";
import { cardColumns, cardOf, claimPendingRows, currency, money, num, postponePendingRow } from "./rows.ts";

function toPayout(row: Selectable<PayoutsTable>): Payout {
  return {
    id: row.id as PayoutId,
    merchantId: row.merchant_id as MerchantId,
    dialect: row.dialect as DialectId,
    externalId: row.external_id,
    orderId: row.order_id as OrderId | null,
    currency: currency(row.currency),
    amount: money(row.amount),
    status: row.status as Payout["status"],
    failureReason: row.failure_reason as Payout["failureReason"],
    ...cardOf(row),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

function payoutRow(payout: Payout): Insertable<PayoutsTable> & { id: string } {
  return {
    id: payout.id,
    merchant_id: payout.merchantId,
    dialect: payout.dialect,
    external_id: payout.externalId,
    order_id: payout.orderId,
    currency: payout.currency,
    amount: payout.amount,
    status: payout.status,
    failure_reason: payout.failureReason,
    ...cardColumns(payout.card, payout),
    created_at: payout.createdAt,
    updated_at: payout.updatedAt,
  };
}

export function payoutQueries(db: Kysely<Database>, rowLocks: boolean): PayoutRepository {
  return {
    async lockMerchant(merchantId) {
      // Transactions that take turns never meet one that holds the merchant's payouts.
      if (!rowLocks) return;
      // A transaction-scoped advisory lock (waited for): it goes with the commit or rollback,
      // and with the session of a node that died.
      await sql`select pg_advisory_xact_lock(hashtextextended(${JSON.stringify(["payouts", merchantId])}, 0))`.execute(db);
    },
    async balance(merchantId, inCurrency) {
      const orders = await db
        .selectFrom("orders")
        .select((eb) => [
          eb.fn.coalesce(eb.fn.sum<number | string>("captured_amount"), sql<number>`0`).as("captured"),
          eb.fn.coalesce(eb.fn.sum<number | string>(eb("refunded_amount", "+", eb.ref("refund_reserved_amount"))), sql<number>`0`).as("refunded"),
        ])
        .where("merchant_id", "=", merchantId)
        .where("currency", "=", inCurrency)
        .executeTakeFirstOrThrow();
      const paid = await db
        .selectFrom("payouts")
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>("amount"), sql<number>`0`).as("paid_out"))
        .where("merchant_id", "=", merchantId)
        .where("currency", "=", inCurrency)
        .where("status", "in", ["pending", "completed"])
        .executeTakeFirstOrThrow();
      return { captured: money(orders.captured), refunded: money(orders.refunded), paidOut: money(paid.paid_out) };
    },
    async insert(payout) {
      await db.insertInto("payouts").values(payoutRow(payout)).execute();
    },
    async update(payout) {
      const { id, ...columns } = payoutRow(payout);
      await db.updateTable("payouts").set(columns).where("id", "=", id).execute();
    },
    async find(id) {
      const row = await db.selectFrom("payouts").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toPayout(row);
    },
    async findByExternalId(merchantId, dialect, externalId) {
      const row = await db
        .selectFrom("payouts")
        .selectAll()
        .where("merchant_id", "=", merchantId)
        .where("dialect", "=", dialect)
        .where("external_id", "=", externalId)
        .executeTakeFirst();
      return row && toPayout(row);
    },
    async claimPending(updatedBefore, limit, lease) {
      return (await claimPendingRows(db, "payouts", rowLocks, { updatedBefore, limit, lease })).map(toPayout);
    },
    async postponePending(id, at) {
      await postponePendingRow(db, "payouts", id, at);
    },
  };
}
