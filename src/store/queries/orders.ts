import type { ExpressionBuilder, Expression, Insertable, Kysely, Selectable, SqlBool } from "kysely";
import type { MerchantId, OrderId } from "../../core/ids.ts";
import type { OrderStatus } from "../../core/order-state.ts";
import type { OrderRepository, OrderSearch } from "../../core/ports.ts";
import type { DialectId, Order } from "../../core/types.ts";
import type { Database, OrdersTable } from "../schema.ts";
import { prepared, slotsFor } from "./prepared.ts";
import type { Slots } from "./prepared.ts";
import { currency, money, num } from "./rows.ts";

/** Orders written before saved cards had a usage saved them for TBC: good for any use. */
function saveCardOf(text: string): NonNullable<Order["saveCard"]> {
  return { usage: "any", ...(JSON.parse(text) as Pick<NonNullable<Order["saveCard"]>, "until">) };
}

function toOrder(row: Selectable<OrdersTable>): Order {
  return {
    id: row.id as OrderId,
    merchantId: row.merchant_id as MerchantId,
    dialect: row.dialect as DialectId,
    externalOrderId: row.external_order_id,
    status: row.status as OrderStatus,
    captureMode: row.capture_mode as Order["captureMode"],
    currency: currency(row.currency),
    amount: money(row.amount),
    authorizedAmount: money(row.authorized_amount),
    capturedAmount: money(row.captured_amount),
    refundedAmount: money(row.refunded_amount),
    refundReservedAmount: money(row.refund_reserved_amount),
    language: row.language as Order["language"],
    theme: row.theme as Order["theme"],
    callbackUrl: row.callback_url,
    successUrl: row.success_url,
    failUrl: row.fail_url,
    paymentMethods: JSON.parse(row.payment_methods) as Order["paymentMethods"],
    basket: JSON.parse(row.basket) as Order["basket"],
    details: JSON.parse(row.details) as Order["details"],
    rejectReason: row.reject_reason as Order["rejectReason"],
    saveCard: row.save_card === null ? null : saveCardOf(row.save_card),
    savedCardId: row.saved_card_id as Order["savedCardId"],
    terminal: row.terminal,
    split: row.split === null ? null : (JSON.parse(row.split) as Order["split"]),
    loanOffer: row.loan_offer === null ? null : (JSON.parse(row.loan_offer) as Order["loanOffer"]),
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
    updatedAt: num(row.updated_at),
    version: num(row.version),
  };
}

function orderRow(order: Order): Insertable<OrdersTable> & { version: number } {
  return {
    id: order.id,
    merchant_id: order.merchantId,
    dialect: order.dialect,
    external_order_id: order.externalOrderId,
    status: order.status,
    capture_mode: order.captureMode,
    currency: order.currency,
    amount: order.amount,
    authorized_amount: order.authorizedAmount,
    captured_amount: order.capturedAmount,
    refunded_amount: order.refundedAmount,
    refund_reserved_amount: order.refundReservedAmount,
    language: order.language,
    theme: order.theme,
    callback_url: order.callbackUrl,
    success_url: order.successUrl,
    fail_url: order.failUrl,
    payment_methods: JSON.stringify(order.paymentMethods),
    basket: JSON.stringify(order.basket),
    details: JSON.stringify(order.details),
    reject_reason: order.rejectReason,
    save_card: order.saveCard === null ? null : JSON.stringify(order.saveCard),
    saved_card_id: order.savedCardId,
    terminal: order.terminal,
    split: order.split === null ? null : JSON.stringify(order.split),
    loan_offer: order.loanOffer === null ? null : JSON.stringify(order.loanOffer),
    created_at: order.createdAt,
    expires_at: order.expiresAt,
    updated_at: order.updatedAt,
    version: order.version,
  };
}

/** The conditions of a search, one expression (true when there are none). */
function searchConditions(eb: ExpressionBuilder<Database, "orders">, search: OrderSearch): Expression<SqlBool> {
  const all: Expression<SqlBool>[] = [];
  if (search.merchantId !== undefined) all.push(eb("orders.merchant_id", "=", search.merchantId));
  if (search.statuses && search.statuses.length > 0) all.push(eb("orders.status", "in", [...search.statuses]));
  if (search.dialect !== undefined) all.push(eb("orders.dialect", "=", search.dialect));
  if (search.currency !== undefined) all.push(eb("orders.currency", "=", search.currency));
  if (search.createdFrom !== undefined) all.push(eb("orders.created_at", ">=", search.createdFrom));
  if (search.createdBefore !== undefined) all.push(eb("orders.created_at", "<", search.createdBefore));
  if (search.amountRanges) {
    all.push(
      eb.or(
        search.amountRanges.map(({ currency, min, max }) =>
          eb.and([
            eb("orders.currency", "=", currency),
            ...(min === undefined ? [] : [eb("orders.amount", ">=", min)]),
            ...(max === undefined ? [] : [eb("orders.amount", "<=", max)]),
          ]),
        ),
      ),
    );
  }
  const text = search.text;
  if (text) {
    const names: Expression<SqlBool>[] = [eb("orders.external_order_id", "=", text.externalOrderId)];
    if (text.orderId) names.push(eb("orders.id", "=", text.orderId));
    if (text.cardLast4) {
      const last4 = text.cardLast4;
      names.push(
        eb.exists(
          eb
            .selectFrom("payment_attempts")
            .select("payment_attempts.id")
            .whereRef("payment_attempts.order_id", "=", "orders.id")
            .where("payment_attempts.card_mask", "like", `%${last4}`),
        ),
      );
    }
    all.push(eb.or(names));
  }
  if (search.after) {
    const { createdAt, id } = search.after;
    all.push(eb.or([eb("orders.created_at", "<", createdAt), eb.and([eb("orders.created_at", "=", createdAt), eb("orders.id", "<", id)])]));
  }
  return eb.and(all);
}

// The queries every payment runs, prepared once (prepared.ts).
const insertOrder = prepared((db, $, row: ReturnType<typeof orderRow>) => db.insertInto("orders").values(slotsFor(row, $)));
const findOrder = prepared((db, $: Slots<{ id: string }>) => db.selectFrom("orders").selectAll().where("id", "=", $("id")));
// Read to be changed: a concurrent change of the same order waits for this one to commit.
const findOrderForUpdate = prepared((db, $: Slots<{ id: string }>) => db.selectFrom("orders").selectAll().where("id", "=", $("id")).forUpdate());
const updateOrder = prepared((db, $, { id: _id, version: _version, next_version: _next, ...columns }: ReturnType<typeof orderRow> & { next_version: number }) =>
  db
    .updateTable("orders")
    .set({ ...slotsFor(columns, $), version: $("next_version") })
    .where("id", "=", $("id"))
    .where("version", "=", $("version")),
);

export function orderQueries(db: Kysely<Database>, rowLocks: boolean): OrderRepository {
  return {
    async insert(order) {
      await insertOrder(db, orderRow(order));
    },
    async find(id) {
      const { rows } = await (rowLocks ? findOrderForUpdate : findOrder)(db, { id });
      return rows[0] && toOrder(rows[0]);
    },
    async update(order) {
      const row = orderRow(order);
      const result = await updateOrder(db, { ...row, next_version: row.version + 1 });
      return Number(result.numAffectedRows) === 1;
    },
    async dueForExpiry(now, limit) {
      const rows = await db
        .selectFrom("orders")
        .select("id")
        .where("status", "=", "created")
        .where("expires_at", "<=", now)
        .orderBy("expires_at")
        .limit(limit)
        .$if(rowLocks, (q) => q.forUpdate().skipLocked())
        .execute();
      return rows.map((r) => r.id as OrderId);
    },
    async heldSince(before, limit) {
      const rows = await db
        .selectFrom("orders")
        .innerJoin("operations", "operations.order_id", "orders.id")
        .selectAll("orders")
        .where("orders.status", "=", "authorized")
        .where("operations.kind", "=", "authorization")
        .where("operations.status", "=", "completed")
        .where("operations.created_at", "<", before)
        .orderBy("operations.created_at")
        .limit(limit)
        .execute();
      return rows.map(toOrder);
    },
    async countByStatus() {
      const rows = await db
        .selectFrom("orders")
        .select(["status", db.fn.countAll<number | string>().as("n")])
        .groupBy("status")
        .execute();
      return Object.fromEntries(rows.map((r) => [r.status, num(r.n)]));
    },
    async search(search) {
      const rows = await db
        .selectFrom("orders")
        .selectAll()
        .where((eb) => searchConditions(eb, search))
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(search.limit)
        .execute();
      return rows.map(toOrder);
    },
  };
}
