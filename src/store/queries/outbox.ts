import { sql } from "kysely";
import type { Insertable, Kysely, Selectable, SelectQueryBuilder } from "kysely";
import type { MerchantId, OrderId, OutboxId } from "../../core/ids.ts";
import type { OutboxRepository } from "../../core/ports.ts";
import type { CallbackAttempt, DialectId, OutboxMessage } from "../../core/types.ts";
import type { CallbackAttemptsTable, Database, OutboxTable } from "../schema.ts";
import { prepared, slotsFor } from "./prepared.ts";
import type { Slots } from "./prepared.ts";
import { leaseFree, num, numOrNull } from "./rows.ts";

async function countOf(query: SelectQueryBuilder<Database, "outbox", object>): Promise<number> {
  const row = await query.select((eb) => eb.fn.countAll<number | string>().as("n")).executeTakeFirstOrThrow();
  return num(row.n);
}

function toOutbox(row: Selectable<OutboxTable>): OutboxMessage {
  return {
    id: row.id as OutboxId,
    merchantId: row.merchant_id as MerchantId,
    orderId: row.order_id as OrderId,
    dialect: row.dialect as DialectId,
    url: row.url,
    body: row.body,
    status: row.status as OutboxMessage["status"],
    orderVersion: num(row.order_version),
    attempts: num(row.attempts),
    nextAttemptAt: num(row.next_attempt_at),
    createdAt: num(row.created_at),
    deliveredAt: numOrNull(row.delivered_at),
    lastError: row.last_error,
  };
}

function toCallbackAttempt(row: Selectable<CallbackAttemptsTable>): CallbackAttempt {
  return {
    outboxId: row.outbox_id as OutboxId,
    attemptedAt: num(row.attempted_at),
    durationMs: num(row.duration_ms),
    statusCode: numOrNull(row.status_code),
    error: row.error,
    responseExcerpt: row.response_excerpt,
  };
}

function outboxRow(message: OutboxMessage) {
  return {
    id: message.id,
    merchant_id: message.merchantId,
    order_id: message.orderId,
    dialect: message.dialect,
    url: message.url,
    body: message.body,
    status: message.status,
    order_version: message.orderVersion,
    attempts: message.attempts,
    next_attempt_at: message.nextAttemptAt,
    lease_until: null,
    lease_token: null,
    created_at: message.createdAt,
    delivered_at: message.deliveredAt,
    last_error: message.lastError,
  };
}

type AttemptOutcome = Pick<OutboxMessage, "status" | "nextAttemptAt" | "deliveredAt" | "lastError"> & { id: string; leaseToken: string };

// The queries every callback runs, prepared once (prepared.ts).
const insertMessage = prepared((db, $, row: ReturnType<typeof outboxRow>) => db.insertInto("outbox").values(slotsFor(row, $)));
const finishLeased = prepared((db, $: Slots<AttemptOutcome>) =>
  db
    .updateTable("outbox")
    .set({
      status: $("status"),
      attempts: sql<number>`attempts + 1`,
      next_attempt_at: $("nextAttemptAt"),
      delivered_at: $("deliveredAt"),
      last_error: $("lastError"),
      lease_until: null,
      lease_token: null,
    })
    .where("id", "=", $("id"))
    .where("lease_token", "=", $("leaseToken"))
    .returning("attempts"),
);
const insertCallbackAttempt = prepared((db, $, row: Insertable<CallbackAttemptsTable>) => db.insertInto("callback_attempts").values(slotsFor(row, $)));

export function outboxQueries(db: Kysely<Database>, rowLocks: boolean): OutboxRepository {
  return {
    async insert(message) {
      await insertMessage(db, outboxRow(message));
    },
    async claimDue(now, limit, lease) {
      const free = leaseFree(now);
      const due = db
        .selectFrom("outbox")
        .select("outbox.id")
        .where("outbox.status", "=", "pending")
        .where("outbox.next_attempt_at", "<=", now)
        .where(free)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("outbox as earlier")
                .select("earlier.id")
                .whereRef("earlier.order_id", "=", "outbox.order_id")
                .where("earlier.status", "=", "pending")
                .whereRef("earlier.order_version", "<", "outbox.order_version"),
            ),
          ),
        )
        .orderBy("outbox.next_attempt_at")
        .limit(limit)
        // Nodes claiming at once take different messages instead of queueing behind each
        // other's row locks.
        .$if(rowLocks, (q) => q.forUpdate().skipLocked());
      const rows = await db
        .updateTable("outbox")
        .set({ lease_until: lease.until, lease_token: lease.token })
        .where("id", "in", due)
        .where(free)
        .returningAll()
        .execute();
      return rows.map(toOutbox);
    },
    async finishAttempt(message, leaseToken, attempt) {
      const { status, nextAttemptAt, deliveredAt, lastError } = message;
      const [updated] = (await finishLeased(db, { id: message.id, leaseToken, status, nextAttemptAt, deliveredAt, lastError })).rows;
      if (!updated) return false;
      await insertCallbackAttempt(db, {
        outbox_id: attempt.outboxId,
        attempt: num(updated.attempts),
        attempted_at: attempt.attemptedAt,
        duration_ms: attempt.durationMs,
        status_code: attempt.statusCode,
        error: attempt.error,
        response_excerpt: attempt.responseExcerpt,
      });
      return true;
    },
    async ofOrder(orderId) {
      const rows = await db.selectFrom("outbox").selectAll().where("order_id", "=", orderId).orderBy("order_version").execute();
      return rows.map(toOutbox);
    },
    async ofMerchantSince(merchantId, since, limit) {
      const rows = await db
        .selectFrom("outbox")
        .selectAll()
        .where("merchant_id", "=", merchantId)
        .where("created_at", ">=", since)
        .orderBy("created_at")
        .orderBy("id")
        .limit(limit)
        .execute();
      return rows.map(toOutbox);
    },
    async attemptsOf(outboxId) {
      const rows = await db.selectFrom("callback_attempts").selectAll().where("outbox_id", "=", outboxId).orderBy("attempt").execute();
      return rows.map(toCallbackAttempt);
    },
    async attemptsOfOrder(orderId) {
      const rows = await db
        .selectFrom("callback_attempts")
        .innerJoin("outbox", "outbox.id", "callback_attempts.outbox_id")
        .selectAll("callback_attempts")
        .where("outbox.order_id", "=", orderId)
        .orderBy("callback_attempts.attempted_at")
        .orderBy("callback_attempts.attempt")
        .execute();
      return rows.map(toCallbackAttempt);
    },
    async countPending() {
      return countOf(db.selectFrom("outbox").where("status", "=", "pending"));
    },
    async countLeased(now) {
      return countOf(db.selectFrom("outbox").where("status", "=", "pending").where("lease_until", ">=", now));
    },
  };
}
