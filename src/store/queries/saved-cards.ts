import type { Kysely, Selectable } from "kysely";
import type { MerchantId, OrderId, SavedCardId } from "../../core/ids.ts";
import type { SavedCardRepository } from "../../core/ports.ts";
import type { SavedCard } from "../../core/types.ts";
import type { Database, SavedCardsTable } from "../schema.ts";
import { cardColumns, cardOf, num, numOrNull } from "./rows.ts";

function toSavedCard(row: Selectable<SavedCardsTable>): SavedCard {
  return {
    id: row.id as SavedCardId,
    merchantId: row.merchant_id as MerchantId,
    orderId: row.order_id as OrderId,
    ...cardOf(row),
    validUntil: row.valid_until,
    usage: row.usage as SavedCard["usage"],
    createdAt: num(row.created_at),
    deletedAt: numOrNull(row.deleted_at),
  };
}

export function savedCardQueries(db: Kysely<Database>): SavedCardRepository {
  return {
    async insert(card) {
      await db
        .insertInto("saved_cards")
        .values({
          id: card.id,
          merchant_id: card.merchantId,
          order_id: card.orderId,
          ...cardColumns(card.card, card),
          valid_until: card.validUntil,
          usage: card.usage,
          created_at: card.createdAt,
          deleted_at: card.deletedAt,
        })
        .execute();
    },
    async find(id) {
      const row = await db.selectFrom("saved_cards").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toSavedCard(row);
    },
    async ofOrder(orderId) {
      const row = await db.selectFrom("saved_cards").selectAll().where("order_id", "=", orderId).executeTakeFirst();
      return row && toSavedCard(row);
    },
    async markDeleted(id, at) {
      await db.updateTable("saved_cards").set({ deleted_at: at }).where("id", "=", id).where("deleted_at", "is", null).execute();
    },
  };
}
