import type { Insertable, Kysely, Selectable } from "kysely";
import type { AttemptId, OrderId } from "../../core/ids.ts";
import type { AttemptRepository } from "../../core/ports.ts";
import type { PaymentAttempt } from "../../core/types.ts";
import type { Database, PaymentAttemptsTable } from "../schema.ts";
import { prepared, slotsFor } from "./prepared.ts";
import type { Slots } from "./prepared.ts";
import { cardColumns, cardOf, flag, leaseFree, num } from "./rows.ts";

// An attempt of a method that used no card (internet bank, QR, loans, gift card) keeps its card
// columns empty: they were written for cards only and stay NOT NULL.
const NO_CARD = { mask: "", brand: "other", expiry: "", holder: "" } as const;

function toAttempt(row: Selectable<PaymentAttemptsTable>): PaymentAttempt {
  const { card, panCiphertext, panKeyId } = cardOf(row);
  return {
    id: row.id as AttemptId,
    orderId: row.order_id as OrderId,
    status: row.status as PaymentAttempt["status"],
    method: row.method as PaymentAttempt["method"],
    customerPresent: flag(row.customer_present),
    card: row.card_mask === "" ? null : card,
    panCiphertext,
    panKeyId,
    methodDetails: row.method_details === null ? null : (JSON.parse(row.method_details) as PaymentAttempt["methodDetails"]),
    declineReason: row.decline_reason as PaymentAttempt["declineReason"],
    authCode: row.auth_code,
    transactionId: row.transaction_id,
    terminal: row.terminal,
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

/** What an update of an attempt writes: everything but its order and its card, which never change. */
function attemptState(attempt: PaymentAttempt) {
  return {
    status: attempt.status,
    method: attempt.method,
    customer_present: attempt.customerPresent,
    decline_reason: attempt.declineReason,
    auth_code: attempt.authCode,
    transaction_id: attempt.transactionId,
    terminal: attempt.terminal,
    method_details: attempt.methodDetails === null ? null : JSON.stringify(attempt.methodDetails),
    created_at: attempt.createdAt,
    updated_at: attempt.updatedAt,
  };
}

function attemptRow(attempt: PaymentAttempt): Insertable<PaymentAttemptsTable> {
  return { id: attempt.id, order_id: attempt.orderId, ...cardColumns(attempt.card ?? NO_CARD, attempt), ...attemptState(attempt) };
}

// The queries every payment runs, prepared once (prepared.ts).
const insertAttempt = prepared((db, $, row: ReturnType<typeof attemptRow>) => db.insertInto("payment_attempts").values(slotsFor(row, $)));
// Leaving the card's columns alone keeps a card-key rotation's re-sealing from being
// overwritten by an update that read the row before it.
const updateAttempt = prepared((db, $, { id: _id, ...state }: ReturnType<typeof attemptState> & { id: string }) =>
  db.updateTable("payment_attempts").set(slotsFor(state, $)).where("id", "=", $("id")),
);
const findAttempt = prepared((db, $: Slots<{ id: string }>) => db.selectFrom("payment_attempts").selectAll().where("id", "=", $("id")));
const latestAttemptOfOrder = prepared((db, $: Slots<{ orderId: string }>) =>
  db.selectFrom("payment_attempts").selectAll().where("order_id", "=", $("orderId")).orderBy("created_at", "desc").limit(1),
);

export function attemptQueries(db: Kysely<Database>, rowLocks: boolean): AttemptRepository {
  return {
    async insert(attempt) {
      await insertAttempt(db, attemptRow(attempt));
    },
    async update(attempt) {
      await updateAttempt(db, { ...attemptState(attempt), id: attempt.id });
    },
    async find(id) {
      const { rows } = await findAttempt(db, { id });
      return rows[0] && toAttempt(rows[0]);
    },
    async latestOfOrder(orderId) {
      const { rows } = await latestAttemptOfOrder(db, { orderId });
      return rows[0] && toAttempt(rows[0]);
    },
    async latestOfOrders(orderIds) {
      if (orderIds.length === 0) return [];
      const rows = await db.selectFrom("payment_attempts").selectAll().where("order_id", "in", [...orderIds]).orderBy("created_at").execute();
      const latest = new Map(rows.map((row) => [row.order_id, row]));
      return [...latest.values()].map(toAttempt);
    },
    async claimUnresolved({ pendingBefore, unknownBefore }, limit, lease) {
      const free = leaseFree(lease.now);
      const due = db
        .selectFrom("payment_attempts")
        .select("id")
        .where((eb) =>
          eb.or([
            eb.and([eb("status", "=", "pending"), eb("updated_at", "<", pendingBefore)]),
            eb.and([eb("status", "=", "unknown"), eb("updated_at", "<", unknownBefore)]),
          ]),
        )
        .where(free)
        .orderBy("updated_at")
        .limit(limit)
        .$if(rowLocks, (q) => q.forUpdate().skipLocked());
      const rows = await db.updateTable("payment_attempts").set({ lease_until: lease.until }).where("id", "in", due).where(free).returningAll().execute();
      return rows.map(toAttempt);
    },
    async postponeUnresolved(id, at) {
      await db
        .updateTable("payment_attempts")
        .set({ updated_at: at })
        .where("id", "=", id)
        .where("status", "in", ["pending", "unknown"])
        .execute();
    },
    async abandonedChallenges(now, limit) {
      const rows = await db
        .selectFrom("payment_attempts")
        .innerJoin("orders", "orders.id", "payment_attempts.order_id")
        .selectAll("payment_attempts")
        .where("payment_attempts.status", "=", "challenge")
        .where("orders.expires_at", "<=", now)
        .limit(limit)
        .execute();
      return rows.map(toAttempt);
    },
  };
}
