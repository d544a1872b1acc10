import type { Kysely, Selectable } from "kysely";
import type { MerchantId } from "../../core/ids.ts";
import type { SessionRepository, SignInFailureRepository } from "../../core/ports.ts";
import type { DashboardPrincipal, DashboardSession } from "../../core/types.ts";
import type { DashboardSessionsTable, Database } from "../schema.ts";
import { num } from "./rows.ts";

function toSession(row: Selectable<DashboardSessionsTable>): DashboardSession | undefined {
  const principal: DashboardPrincipal | undefined =
    row.merchant_id !== null
      ? { kind: "merchant", merchantId: row.merchant_id as MerchantId }
      : row.operator !== null
        ? { kind: "operator", name: row.operator }
        : undefined;
  return (
    principal && {
      id: row.id,
      principal,
      createdAt: num(row.created_at),
      expiresAt: num(row.expires_at),
      endsAt: num(row.ends_at),
    }
  );
}

export function sessionQueries(db: Kysely<Database>): SessionRepository {
  return {
    async insert(session) {
      await db
        .insertInto("dashboard_sessions")
        .values({
          id: session.id,
          merchant_id: session.principal.kind === "merchant" ? session.principal.merchantId : null,
          operator: session.principal.kind === "operator" ? session.principal.name : null,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
          ends_at: session.endsAt,
        })
        .execute();
    },
    async find(id) {
      const row = await db.selectFrom("dashboard_sessions").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toSession(row);
    },
    async extend(id, expiresAt) {
      await db.updateTable("dashboard_sessions").set({ expires_at: expiresAt }).where("id", "=", id).execute();
    },
    async delete(id) {
      await db.deleteFrom("dashboard_sessions").where("id", "=", id).execute();
    },
    async deleteOfMerchant(merchantId, keep) {
      let query = db.deleteFrom("dashboard_sessions").where("merchant_id", "=", merchantId);
      if (keep !== undefined) query = query.where("id", "!=", keep);
      await query.execute();
    },
    async deleteExpired(now) {
      const result = await db
        .deleteFrom("dashboard_sessions")
        .where((eb) => eb.or([eb("expires_at", "<=", now), eb("ends_at", "<=", now)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export function signInFailureQueries(db: Kysely<Database>): SignInFailureRepository {
  return {
    async record(keys, at) {
      if (keys.length === 0) return;
      await db
        .insertInto("sign_in_failures")
        .values(keys.map((key) => ({ key, failed_at: at })))
        .execute();
    },
    async countSince(key, since) {
      const row = await db
        .selectFrom("sign_in_failures")
        .select(db.fn.countAll<number | string>().as("n"))
        .where("key", "=", key)
        .where("failed_at", ">=", since)
        .executeTakeFirstOrThrow();
      return num(row.n);
    },
    async clear(key) {
      await db.deleteFrom("sign_in_failures").where("key", "=", key).execute();
    },
    async deleteBefore(at) {
      const result = await db.deleteFrom("sign_in_failures").where("failed_at", "<", at).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
