import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { MerchantId } from "../../core/ids.ts";
import type { IdempotencyRepository } from "../../core/ports.ts";
import type { Database } from "../schema.ts";
import { num } from "./rows.ts";

export function idempotencyQueries(db: Kysely<Database>, rowLocks: boolean): IdempotencyRepository {
  return {
    async lock(merchantId, scope, key) {
      // Transactions that take turns never meet one that holds the key.
      if (!rowLocks) return true;
      // A transaction-scoped advisory lock on the key's 64-bit hash: it goes with the commit
      // or rollback, and with the session of a node that died.
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtextextended(${JSON.stringify([merchantId, scope, key])}, 0)) as locked`.execute(db);
      return rows[0]?.locked === true;
    },
    async find(merchantId, scope, key) {
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
    async insert(record) {
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
  };
}
