import type { Insertable, Kysely, Selectable } from "kysely";
import type { MerchantId, OrderId, SavedCardId, SubscriptionId } from "../../core/ids.ts";
import type { SubscriptionRepository } from "../../core/ports.ts";
import type { DialectId, Subscription, SubscriptionCharge } from "../../core/types.ts";
import type { Database, SubscriptionChargesTable, SubscriptionsTable } from "../schema.ts";
import { currency, leaseFree, money, num, numOrNull } from "./rows.ts";

function toSubscription(row: Selectable<SubscriptionsTable>): Subscription {
  return {
    id: row.id as SubscriptionId,
    merchantId: row.merchant_id as MerchantId,
    dialect: row.dialect as DialectId,
    savedCardId: row.saved_card_id as SavedCardId,
    parentOrderId: row.parent_order_id as OrderId,
    amount: money(row.amount),
    currency: currency(row.currency),
    interval: row.interval as Subscription["interval"],
    dayOfMonth: numOrNull(row.day_of_month),
    startDate: row.start_date,
    callbackUrl: row.callback_url,
    externalId: row.external_id,
    status: row.status as Subscription["status"],
    period: num(row.period),
    retry: num(row.retry),
    retryFrom: numOrNull(row.retry_from),
    nextAttemptAt: numOrNull(row.next_attempt_at),
    pendingOrderId: row.pending_order_id as OrderId | null,
    chargeCount: num(row.charge_count),
    failureReason: row.failure_reason as Subscription["failureReason"],
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    version: num(row.version),
  };
}

/** Every column but the lease, which only claims write. */
function subscriptionRow(s: Subscription): Omit<Insertable<SubscriptionsTable>, "lease_until"> & { version: number } {
  return {
    id: s.id,
    merchant_id: s.merchantId,
    dialect: s.dialect,
    saved_card_id: s.savedCardId,
    parent_order_id: s.parentOrderId,
    amount: s.amount,
    currency: s.currency,
    interval: s.interval,
    day_of_month: s.dayOfMonth,
    start_date: s.startDate,
    callback_url: s.callbackUrl,
    external_id: s.externalId,
    status: s.status,
    period: s.period,
    retry: s.retry,
    retry_from: s.retryFrom,
    next_attempt_at: s.nextAttemptAt,
    pending_order_id: s.pendingOrderId,
    charge_count: s.chargeCount,
    failure_reason: s.failureReason,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    version: s.version,
  };
}

function toCharge(row: Selectable<SubscriptionChargesTable>): SubscriptionCharge {
  return {
    subscriptionId: row.subscription_id as SubscriptionId,
    seq: num(row.seq),
    period: num(row.period),
    retry: num(row.retry),
    orderId: row.order_id as OrderId,
    createdAt: num(row.created_at),
  };
}

export function subscriptionQueries(db: Kysely<Database>, rowLocks: boolean): SubscriptionRepository {
  return {
    async insert(subscription) {
      await db.insertInto("subscriptions").values({ ...subscriptionRow(subscription), lease_until: null }).execute();
    },
    async find(id) {
      const row = await db.selectFrom("subscriptions").selectAll().where("id", "=", id).$if(rowLocks, (q) => q.forUpdate()).executeTakeFirst();
      return row && toSubscription(row);
    },
    async update(subscription) {
      const { id, version, ...columns } = subscriptionRow(subscription);
      const result = await db
        .updateTable("subscriptions")
        .set({ ...columns, version: version + 1 })
        .where("id", "=", id)
        .where("version", "=", version)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async list({ merchantId, dialect, after, limit }) {
      const rows = await db
        .selectFrom("subscriptions")
        .selectAll()
        .where("merchant_id", "=", merchantId)
        .where("dialect", "=", dialect)
        .$if(after !== undefined, (q) =>
          q.where((eb) =>
            eb.or([eb("created_at", "<", after!.createdAt), eb.and([eb("created_at", "=", after!.createdAt), eb("id", "<", after!.id)])]),
          ),
        )
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(limit)
        .execute();
      return rows.map(toSubscription);
    },
    async claimDue(limit, lease) {
      const free = leaseFree(lease.now);
      const due = db
        .selectFrom("subscriptions")
        .select("id")
        // A charge in flight is settled whatever the status meanwhile (paused, cancelled).
        .where((eb) => eb.or([eb("pending_order_id", "is not", null), eb.and([eb("status", "=", "active"), eb("next_attempt_at", "<=", lease.now)])]))
        .where(free)
        .orderBy("next_attempt_at")
        .limit(limit)
        .$if(rowLocks, (q) => q.forUpdate().skipLocked());
      const rows = await db.updateTable("subscriptions").set({ lease_until: lease.until }).where("id", "in", due).where(free).returningAll().execute();
      return rows.map(toSubscription);
    },
    async insertCharge(charge) {
      await db
        .insertInto("subscription_charges")
        .values({ subscription_id: charge.subscriptionId, seq: charge.seq, period: charge.period, retry: charge.retry, order_id: charge.orderId, created_at: charge.createdAt })
        .execute();
    },
    async chargesOf(id) {
      const rows = await db.selectFrom("subscription_charges").selectAll().where("subscription_id", "=", id).orderBy("seq").execute();
      return rows.map(toCharge);
    },
  };
}
