import type { Insertable, Kysely, Selectable } from "kysely";
import type { MerchantId, OperationId, OrderId } from "../../core/ids.ts";
import type { OperationRepository } from "../../core/ports.ts";
import type { Operation } from "../../core/types.ts";
import type { Database, OperationsTable } from "../schema.ts";
import { prepared, slotsFor } from "./prepared.ts";
import type { Slots } from "./prepared.ts";
import { claimPendingRows, currency, money, num, postponePendingRow } from "./rows.ts";

function toOperation(row: Selectable<OperationsTable>): Operation {
  return {
    id: row.id as OperationId,
    orderId: row.order_id as OrderId,
    merchantId: row.merchant_id as MerchantId,
    kind: row.kind as Operation["kind"],
    status: row.status as Operation["status"],
    amount: money(row.amount),
    currency: currency(row.currency),
    channel: row.channel as Operation["channel"],
    description: row.description,
    failureReason: row.failure_reason as Operation["failureReason"],
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

function operationRow(operation: Operation): Insertable<OperationsTable> & { id: string } {
  return {
    id: operation.id,
    order_id: operation.orderId,
    merchant_id: operation.merchantId,
    kind: operation.kind,
    status: operation.status,
    amount: operation.amount,
    currency: operation.currency,
    channel: operation.channel,
    description: operation.description,
    failure_reason: operation.failureReason,
    created_at: operation.createdAt,
    updated_at: operation.updatedAt,
  };
}

// The queries every payment runs, prepared once (prepared.ts).
const insertOperation = prepared((db, $, row: ReturnType<typeof operationRow>) => db.insertInto("operations").values(slotsFor(row, $)));
const operationsOfOrder = prepared((db, $: Slots<{ orderId: string }>) =>
  db.selectFrom("operations").selectAll().where("order_id", "=", $("orderId")).orderBy("created_at").orderBy("id"),
);

export function operationQueries(db: Kysely<Database>, rowLocks: boolean): OperationRepository {
  return {
    async insert(operation) {
      await insertOperation(db, operationRow(operation));
    },
    async update(operation) {
      const { id, ...columns } = operationRow(operation);
      await db.updateTable("operations").set(columns).where("id", "=", id).execute();
    },
    async find(id) {
      const row = await db.selectFrom("operations").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toOperation(row);
    },
    async ofOrder(orderId) {
      const { rows } = await operationsOfOrder(db, { orderId });
      return rows.map(toOperation);
    },
    async claimPending(updatedBefore, limit, lease) {
      return (await claimPendingRows(db, "operations", rowLocks, { updatedBefore, limit, lease })).map(toOperation);
    },
    async postponePending(id, at) {
      await postponePendingRow(db, "operations", id, at);
    },
  };
}
