// Every query tetri runs, written once in Kysely for all databases. Rows are mapped to
// domain types here and nowhere else.

import type { ExpressionBuilder, Kysely, Selectable } from "kysely";
import type { AttemptId, MerchantId, OperationId, OrderId, OutboxId, SavedCardId } from "../core/ids.ts";
import type { Currency, MinorUnits } from "../core/money.ts";
import type { OrderStatus } from "../core/order-state.ts";
import type { AcquirerJournalEntry, IdempotencyRecord, StoreTx } from "../core/ports.ts";
import type {
  CallbackAttempt,
  Merchant,
  Operation,
  Order,
  OutboxMessage,
  PaymentAttempt,
  SavedCard,
} from "../core/types.ts";
import type {
  AcquirerJournalTable,
  Database,
  MerchantsTable,
  OperationsTable,
  OrdersTable,
  OutboxTable,
  PaymentAttemptsTable,
  SavedCardsTable,
} from "./schema.ts";

// PostgreSQL returns bigint columns as strings; SQLite as numbers. Both become numbers here.
const num = (value: number | string): number => Number(value);
const money = (value: number | string): MinorUnits => Number(value) as MinorUnits;

function toMerchant(row: Selectable<MerchantsTable>): Merchant {
  return {
    id: row.id as MerchantId,
    name: row.name,
    clientId: row.client_id,
    secretHash: row.secret_hash,
    tbcApiKeyHash: row.tbc_api_key_hash,
    createdAt: num(row.created_at),
  };
}

function toOrder(row: Selectable<OrdersTable>): Order {
  return {
    id: row.id as OrderId,
    merchantId: row.merchant_id as MerchantId,
    dialect: row.dialect as Order["dialect"],
    externalOrderId: row.external_order_id,
    status: row.status as OrderStatus,
    captureMode: row.capture_mode as Order["captureMode"],
    currency: row.currency as Currency,
    amount: money(row.amount),
    authorizedAmount: money(row.authorized_amount),
    capturedAmount: money(row.captured_amount),
    refundedAmount: money(row.refunded_amount),
    refundReservedAmount: money(row.refund_reserved_amount),
    language: row.language as Order["language"],
    callbackUrl: row.callback_url,
    successUrl: row.success_url,
    failUrl: row.fail_url,
    paymentMethods: JSON.parse(row.payment_methods) as Order["paymentMethods"],
    basket: JSON.parse(row.basket) as Order["basket"],
    details: JSON.parse(row.details) as Order["details"],
    rejectReason: row.reject_reason as Order["rejectReason"],
    saveCard: row.save_card === null ? null : (JSON.parse(row.save_card) as Order["saveCard"]),
    savedCardId: row.saved_card_id as Order["savedCardId"],
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
    updatedAt: num(row.updated_at),
    version: num(row.version),
  };
}

function orderRow(order: Order): OrdersTable {
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
    callback_url: order.callbackUrl,
    success_url: order.successUrl,
    fail_url: order.failUrl,
    payment_methods: JSON.stringify(order.paymentMethods),
    basket: JSON.stringify(order.basket),
    details: JSON.stringify(order.details),
    reject_reason: order.rejectReason,
    save_card: order.saveCard === null ? null : JSON.stringify(order.saveCard),
    saved_card_id: order.savedCardId,
    created_at: order.createdAt,
    expires_at: order.expiresAt,
    updated_at: order.updatedAt,
    version: order.version,
  };
}

function toAttempt(row: Selectable<PaymentAttemptsTable>): PaymentAttempt {
  return {
    id: row.id as AttemptId,
    orderId: row.order_id as OrderId,
    status: row.status as PaymentAttempt["status"],
    card: {
      mask: row.card_mask,
      brand: row.card_brand as PaymentAttempt["card"]["brand"],
      expiry: row.card_expiry,
      holder: row.cardholder,
    },
    panCiphertext: row.pan_ciphertext,
    panKeyId: row.pan_key_id,
    declineReason: row.decline_reason as PaymentAttempt["declineReason"],
    authCode: row.auth_code,
    transactionId: row.transaction_id,
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

function attemptRow(attempt: PaymentAttempt): PaymentAttemptsTable {
  return {
    id: attempt.id,
    order_id: attempt.orderId,
    status: attempt.status,
    card_mask: attempt.card.mask,
    card_brand: attempt.card.brand,
    card_expiry: attempt.card.expiry,
    cardholder: attempt.card.holder,
    pan_ciphertext: attempt.panCiphertext,
    pan_key_id: attempt.panKeyId,
    decline_reason: attempt.declineReason,
    auth_code: attempt.authCode,
    transaction_id: attempt.transactionId,
    created_at: attempt.createdAt,
    updated_at: attempt.updatedAt,
  };
}

function toSavedCard(row: Selectable<SavedCardsTable>): SavedCard {
  return {
    id: row.id as SavedCardId,
    merchantId: row.merchant_id as MerchantId,
    orderId: row.order_id as OrderId,
    card: {
      mask: row.card_mask,
      brand: row.card_brand as SavedCard["card"]["brand"],
      expiry: row.card_expiry,
      holder: row.cardholder,
    },
    panCiphertext: row.pan_ciphertext,
    panKeyId: row.pan_key_id,
    validUntil: row.valid_until,
    createdAt: num(row.created_at),
    deletedAt: row.deleted_at === null ? null : num(row.deleted_at),
  };
}

function toOperation(row: Selectable<OperationsTable>): Operation {
  return {
    id: row.id as OperationId,
    orderId: row.order_id as OrderId,
    merchantId: row.merchant_id as MerchantId,
    kind: row.kind as Operation["kind"],
    status: row.status as Operation["status"],
    amount: money(row.amount),
    currency: row.currency as Currency,
    channel: row.channel as Operation["channel"],
    description: row.description,
    failureReason: row.failure_reason,
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

function operationRow(operation: Operation): OperationsTable {
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

function toOutbox(row: Selectable<OutboxTable>): OutboxMessage {
  return {
    id: row.id as OutboxId,
    merchantId: row.merchant_id as MerchantId,
    orderId: row.order_id as OrderId,
    dialect: row.dialect as OutboxMessage["dialect"],
    url: row.url,
    body: row.body,
    status: row.status as OutboxMessage["status"],
    orderVersion: num(row.order_version),
    attempts: num(row.attempts),
    nextAttemptAt: num(row.next_attempt_at),
    createdAt: num(row.created_at),
    deliveredAt: row.delivered_at === null ? null : num(row.delivered_at),
    lastError: row.last_error,
  };
}

function toJournal(row: Selectable<AcquirerJournalTable>): AcquirerJournalEntry {
  return {
    reference: row.reference,
    kind: row.kind as AcquirerJournalEntry["kind"],
    state: row.state as AcquirerJournalEntry["state"],
    amount: money(row.amount),
    currency: row.currency as Currency,
    capture: num(row.capture) === 1,
    declineReason: row.decline_reason as AcquirerJournalEntry["declineReason"],
    authCode: row.auth_code,
    transactionId: row.transaction_id,
    createdAt: num(row.created_at),
  };
}

/** The StoreTx of core/ports.ts over any Kysely handle: the database itself or a transaction. */
export function queriesOn(db: Kysely<Database>): StoreTx {
  return {
    async insertMerchant(merchant) {
      await db
        .insertInto("merchants")
        .values({
          id: merchant.id,
          name: merchant.name,
          client_id: merchant.clientId,
          secret_hash: merchant.secretHash,
          tbc_api_key_hash: merchant.tbcApiKeyHash,
          created_at: merchant.createdAt,
        })
        .execute();
    },
    async findMerchantByClientId(clientId) {
      const row = await db.selectFrom("merchants").selectAll().where("client_id", "=", clientId).executeTakeFirst();
      return row && toMerchant(row);
    },
    async findMerchant(id) {
      const row = await db.selectFrom("merchants").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toMerchant(row);
    },
    async findMerchantByTbcApiKeyHash(hash) {
      const row = await db.selectFrom("merchants").selectAll().where("tbc_api_key_hash", "=", hash).executeTakeFirst();
      return row && toMerchant(row);
    },
    async countMerchants() {
      const row = await db.selectFrom("merchants").select(db.fn.countAll<number | string>().as("n")).executeTakeFirstOrThrow();
      return num(row.n);
    },

    async insertOrder(order) {
      await db.insertInto("orders").values(orderRow(order)).execute();
    },
    async findOrder(id) {
      const row = await db.selectFrom("orders").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toOrder(row);
    },
    async updateOrder(order) {
      const { id, version, ...columns } = orderRow(order);
      const result = await db
        .updateTable("orders")
        .set({ ...columns, version: version + 1 })
        .where("id", "=", id)
        .where("version", "=", version)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async ordersDueForExpiry(now, limit) {
      const rows = await db
        .selectFrom("orders")
        .select("id")
        .where("status", "=", "created")
        .where("expires_at", "<=", now)
        .orderBy("expires_at")
        .limit(limit)
        .execute();
      return rows.map((r) => r.id as OrderId);
    },
    async countOrdersByStatus() {
      const rows = await db
        .selectFrom("orders")
        .select(["status", db.fn.countAll<number | string>().as("n")])
        .groupBy("status")
        .execute();
      return Object.fromEntries(rows.map((r) => [r.status, num(r.n)]));
    },

    async insertAttempt(attempt) {
      await db.insertInto("payment_attempts").values(attemptRow(attempt)).execute();
    },
    async updateAttempt(attempt) {
      const { id, ...columns } = attemptRow(attempt);
      await db.updateTable("payment_attempts").set(columns).where("id", "=", id).execute();
    },
    async findAttempt(id) {
      const row = await db.selectFrom("payment_attempts").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toAttempt(row);
    },
    async latestAttempt(orderId) {
      const row = await db
        .selectFrom("payment_attempts")
        .selectAll()
        .where("order_id", "=", orderId)
        .orderBy("created_at", "desc")
        .limit(1)
        .executeTakeFirst();
      return row && toAttempt(row);
    },
    async unresolvedAttempts({ pendingBefore, unknownBefore }, limit) {
      const rows = await db
        .selectFrom("payment_attempts")
        .selectAll()
        .where((eb) =>
          eb.or([
            eb.and([eb("status", "=", "pending"), eb("updated_at", "<", pendingBefore)]),
            eb.and([eb("status", "=", "unknown"), eb("updated_at", "<", unknownBefore)]),
          ]),
        )
        .orderBy("updated_at")
        .limit(limit)
        .execute();
      return rows.map(toAttempt);
    },
    async postponeUnresolvedAttempt(id, at) {
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

    async insertOperation(operation) {
      await db.insertInto("operations").values(operationRow(operation)).execute();
    },
    async updateOperation(operation) {
      const { id, ...columns } = operationRow(operation);
      await db.updateTable("operations").set(columns).where("id", "=", id).execute();
    },
    async findOperation(id) {
      const row = await db.selectFrom("operations").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toOperation(row);
    },
    async listOperations(orderId) {
      const rows = await db
        .selectFrom("operations")
        .selectAll()
        .where("order_id", "=", orderId)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
      return rows.map(toOperation);
    },
    async pendingOperations(updatedBefore, limit) {
      const rows = await db
        .selectFrom("operations")
        .selectAll()
        .where("status", "=", "pending")
        .where("updated_at", "<", updatedBefore)
        .orderBy("updated_at")
        .limit(limit)
        .execute();
      return rows.map(toOperation);
    },

    async postponePendingOperation(id, at) {
      await db.updateTable("operations").set({ updated_at: at }).where("id", "=", id).where("status", "=", "pending").execute();
    },

    async insertSavedCard(card) {
      await db
        .insertInto("saved_cards")
        .values({
          id: card.id,
          merchant_id: card.merchantId,
          order_id: card.orderId,
          card_mask: card.card.mask,
          card_brand: card.card.brand,
          card_expiry: card.card.expiry,
          cardholder: card.card.holder,
          pan_ciphertext: card.panCiphertext,
          pan_key_id: card.panKeyId,
          valid_until: card.validUntil,
          created_at: card.createdAt,
          deleted_at: card.deletedAt,
        })
        .execute();
    },
    async findSavedCard(id) {
      const row = await db.selectFrom("saved_cards").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toSavedCard(row);
    },
    async savedCardOfOrder(orderId) {
      const row = await db.selectFrom("saved_cards").selectAll().where("order_id", "=", orderId).executeTakeFirst();
      return row && toSavedCard(row);
    },
    async deleteSavedCard(id, at) {
      await db.updateTable("saved_cards").set({ deleted_at: at }).where("id", "=", id).where("deleted_at", "is", null).execute();
    },

    async insertOutbox(message) {
      await db
        .insertInto("outbox")
        .values({
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
        })
        .execute();
    },
    async claimDueOutbox(now, limit, lease) {
      const free = (eb: ExpressionBuilder<Database, "outbox">) =>
        eb.or([eb("outbox.lease_until", "is", null), eb("outbox.lease_until", "<", now)]);
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
        .limit(limit);
      const rows = await db
        .updateTable("outbox")
        .set({ lease_until: lease.until, lease_token: lease.token })
        .where("id", "in", due)
        .where(free)
        .returningAll()
        .execute();
      return rows.map(toOutbox);
    },
    async finishOutboxAttempt(message, leaseToken, attempt) {
      const updated = await db
        .updateTable("outbox")
        .set((eb) => ({
          status: message.status,
          attempts: eb("attempts", "+", 1),
          next_attempt_at: message.nextAttemptAt,
          delivered_at: message.deliveredAt,
          last_error: message.lastError,
          lease_until: null,
          lease_token: null,
        }))
        .where("id", "=", message.id)
        .where("lease_token", "=", leaseToken)
        .returning("attempts")
        .executeTakeFirst();
      if (!updated) return false;
      await db
        .insertInto("callback_attempts")
        .values({
          outbox_id: attempt.outboxId,
          attempt: num(updated.attempts),
          attempted_at: attempt.attemptedAt,
          duration_ms: attempt.durationMs,
          status_code: attempt.statusCode,
          error: attempt.error,
        })
        .execute();
      return true;
    },
    async listOutbox(orderId) {
      const rows = await db
        .selectFrom("outbox")
        .selectAll()
        .where("order_id", "=", orderId)
        .orderBy("order_version")
        .execute();
      return rows.map(toOutbox);
    },
    async listCallbackAttempts(outboxId) {
      const rows = await db
        .selectFrom("callback_attempts")
        .selectAll()
        .where("outbox_id", "=", outboxId)
        .orderBy("attempt")
        .execute();
      return rows.map(
        (r): CallbackAttempt => ({
          outboxId: r.outbox_id as OutboxId,
          attemptedAt: num(r.attempted_at),
          durationMs: num(r.duration_ms),
          statusCode: r.status_code === null ? null : num(r.status_code),
          error: r.error,
        }),
      );
    },
    async countPendingOutbox() {
      const row = await db
        .selectFrom("outbox")
        .select(db.fn.countAll<number | string>().as("n"))
        .where("status", "=", "pending")
        .executeTakeFirstOrThrow();
      return num(row.n);
    },

    async findIdempotency(merchantId, scope, key) {
      const row = await db
        .selectFrom("idempotency_keys")
        .selectAll()
        .where("merchant_id", "=", merchantId)
        .where("scope", "=", scope)
        .where("key", "=", key)
        .executeTakeFirst();
      return (
        row && {
          merchantId: row.merchant_id as MerchantId,
          scope: row.scope,
          key: row.key,
          fingerprint: row.fingerprint,
          result: row.result,
          createdAt: num(row.created_at),
        }
      );
    },
    async insertIdempotency(record: IdempotencyRecord) {
      await db
        .insertInto("idempotency_keys")
        .values({
          merchant_id: record.merchantId,
          scope: record.scope,
          key: record.key,
          fingerprint: record.fingerprint,
          result: record.result,
          created_at: record.createdAt,
        })
        .execute();
    },

    async findJournalEntry(reference) {
      const row = await db.selectFrom("acquirer_journal").selectAll().where("reference", "=", reference).executeTakeFirst();
      return row && toJournal(row);
    },
    async putJournalEntry(entry) {
      const row = {
        reference: entry.reference,
        kind: entry.kind,
        state: entry.state,
        amount: entry.amount,
        currency: entry.currency,
        capture: entry.capture ? 1 : 0,
        decline_reason: entry.declineReason,
        auth_code: entry.authCode,
        transaction_id: entry.transactionId,
        created_at: entry.createdAt,
      };
      const { reference: _reference, ...changes } = row;
      await db
        .insertInto("acquirer_journal")
        .values(row)
        .onConflict((oc) => oc.column("reference").doUpdateSet(changes))
        .execute();
    },
  };
}
