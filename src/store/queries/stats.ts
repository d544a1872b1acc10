// Counts for the dashboard's overview, by day. Days are whatever the caller says they are
// (local days of a time zone, each with its own length around a clock change): a CASE over
// the day boundaries puts each row in its day, in a derived table that the outer query groups,
// so the same SQL runs on every backend.

import { sql } from "kysely";
import type { AliasableExpression, ExpressionBuilder, Kysely } from "kysely";
import type { StatsRepository } from "../../core/ports.ts";
import type { DeclineReason, OperationKind } from "../../core/types.ts";
import type { Database } from "../schema.ts";
import { currency, money, num } from "./rows.ts";

type TimeColumn = "operations.updated_at" | "payment_attempts.updated_at" | "callback_attempts.attempted_at";

/** The index of the day `column` falls in (days[i] ≤ t < days[i+1]); rows outside all days are filtered out by `within`. */
function dayOf<T extends keyof Database>(eb: ExpressionBuilder<Database, T>, column: TimeColumn, days: readonly number[]): AliasableExpression<number> {
  const [, ...ends] = days;
  let cases = eb.case().when(sql.ref(column), "<", ends[0] ?? 0).then(sql.lit(0));
  ends.slice(1).forEach((end, i) => {
    cases = cases.when(sql.ref(column), "<", end).then(sql.lit(i + 1));
  });
  return cases.end() as AliasableExpression<number>;
}

function within<T extends keyof Database>(eb: ExpressionBuilder<Database, T>, column: TimeColumn, days: readonly number[]) {
  return eb.and([eb(sql.ref(column), ">=", days[0] ?? 0), eb(sql.ref(column), "<", days[days.length - 1] ?? 0)]);
}

export function statsQueries(db: Kysely<Database>): StatsRepository {
  return {
    async ledgerByDay({ merchantId, days }) {
      const rows = await db
        .selectFrom((eb) => {
          let lines = eb
            .selectFrom("operations")
            .select((inner) => [dayOf(inner, "operations.updated_at", days).as("day"), "operations.kind", "operations.currency", "operations.amount"])
            .where("operations.status", "=", "completed")
            .where("operations.kind", "in", ["authorization", "capture", "refund"])
            .where((inner) => within(inner, "operations.updated_at", days));
          if (merchantId !== undefined) lines = lines.where("operations.merchant_id", "=", merchantId);
          return lines.as("lines");
        })
        .select((eb) => ["lines.day", "lines.kind", "lines.currency", eb.fn.countAll<number | string>().as("n"), eb.fn.sum<number | string>("lines.amount").as("total")])
        .groupBy(["lines.day", "lines.kind", "lines.currency"])
        .execute();
      return rows.map((r) => ({ day: num(r.day), kind: r.kind as OperationKind, currency: currency(r.currency), count: num(r.n), amount: money(r.total) }));
    },
    async attemptsByDay({ merchantId, days }) {
      const rows = await db
        .selectFrom((eb) => {
          let answered = eb
            .selectFrom("payment_attempts")
            .innerJoin("orders", "orders.id", "payment_attempts.order_id")
            .select((inner) => [dayOf(inner, "payment_attempts.updated_at", days).as("day"), "payment_attempts.status", "payment_attempts.decline_reason"])
            .where("payment_attempts.status", "in", ["approved", "declined"])
            .where((inner) => within(inner, "payment_attempts.updated_at", days));
          if (merchantId !== undefined) answered = answered.where("orders.merchant_id", "=", merchantId);
          return answered.as("answered");
        })
        .select(["answered.day", "answered.status", "answered.decline_reason", db.fn.countAll<number | string>().as("n")])
        .groupBy(["answered.day", "answered.status", "answered.decline_reason"])
        .execute();
      return rows.map((r) => ({
        day: num(r.day),
        approved: r.status === "approved",
        reason: r.decline_reason as DeclineReason | null,
        count: num(r.n),
      }));
    },
    async callbackAttemptsByDay({ merchantId, days }) {
      const rows = await db
        .selectFrom((eb) => {
          let tries = eb
            .selectFrom("callback_attempts")
            .innerJoin("outbox", "outbox.id", "callback_attempts.outbox_id")
            .select((inner) => [
              dayOf(inner, "callback_attempts.attempted_at", days).as("day"),
              inner.case().when("callback_attempts.error", "is", null).then(sql.lit(1)).else(sql.lit(0)).end().as("delivered"),
            ])
            .where((inner) => within(inner, "callback_attempts.attempted_at", days));
          if (merchantId !== undefined) tries = tries.where("outbox.merchant_id", "=", merchantId);
          return tries.as("tries");
        })
        .select(["tries.day", "tries.delivered", db.fn.countAll<number | string>().as("n")])
        .groupBy(["tries.day", "tries.delivered"])
        .execute();
      return rows.map((r) => ({ day: num(r.day), delivered: num(r.delivered) === 1, count: num(r.n) }));
    },
  };
}
