// Everything sealed with the card key, wherever it is kept, as key rotation sees it: card
// numbers of payment attempts, saved cards and payouts, dialect secrets, and the shared signing keys
// in settings (whose value is the sealed JSON itself).

import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { SealedValue, SealedValueRepository } from "../../core/ports.ts";
import type { Database } from "../schema.ts";
import { num } from "./rows.ts";

/** The tables that keep a sealed card number, by the place rotation names them. */
const CARD_TABLES = { saved_card: "saved_cards", payment_attempt: "payment_attempts", payout: "payouts" } as const;
type CardPlace = keyof typeof CARD_TABLES;

/** Settings whose value is sealed: the shared keys (auth/keys.ts names them key:<file>). */
const SEALED_SETTINGS = "key:%";

type Sealed = { ciphertext: string; keyId: string };

function sealedSetting(value: string): Sealed {
  return JSON.parse(value) as Sealed;
}

export function sealedValueQueries(db: Kysely<Database>, rowLocks: boolean): SealedValueRepository {
  const settings = async () => {
    const rows = await db.selectFrom("settings").select(["name", "value"]).where("name", "like", SEALED_SETTINGS).$if(rowLocks, (q) => q.forUpdate()).execute();
    return rows.map((row): SealedValue => ({ place: "setting", id: row.name, ...sealedSetting(row.value) }));
  };
  return {
    async under(keyIds, limit) {
      if (keyIds.length === 0) return [];
      const ids = [...keyIds];
      const found: SealedValue[] = [];
      const cards = (place: CardPlace) =>
        db
          .selectFrom(CARD_TABLES[place])
          .select(["id", "pan_ciphertext", "pan_key_id"])
          .where("pan_key_id", "in", ids)
          .limit(limit - found.length)
          .$if(rowLocks, (q) => q.forUpdate())
          .execute()
          .then((rows) => rows.map((row): SealedValue => ({ place, id: row.id, ciphertext: row.pan_ciphertext, keyId: row.pan_key_id })));
      for (const place of Object.keys(CARD_TABLES) as CardPlace[]) {
        if (found.length < limit) found.push(...(await cards(place)));
      }
      if (found.length < limit) {
        const rows = await db
          .selectFrom("dialect_credentials")
          .select(["dialect", "lookup", "secret_ciphertext", "secret_key_id"])
          .where("secret_key_id", "in", ids)
          .limit(limit - found.length)
          .$if(rowLocks, (q) => q.forUpdate())
          .execute();
        found.push(...rows.map((row): SealedValue => ({ place: "dialect_credential", id: JSON.stringify([row.dialect, row.lookup]), ciphertext: row.secret_ciphertext ?? "", keyId: row.secret_key_id ?? "" })));
      }
      if (found.length < limit) found.push(...(await settings()).filter((s) => ids.includes(s.keyId)).slice(0, limit - found.length));
      return found;
    },
    async reseal(value, sealed) {
      let updated: bigint;
      if (value.place === "setting") {
        const result = await db
          .updateTable("settings")
          .set({ value: JSON.stringify(sealed) })
          .where("name", "=", value.id)
          .where("value", "=", JSON.stringify({ ciphertext: value.ciphertext, keyId: value.keyId }))
          .executeTakeFirst();
        updated = result.numUpdatedRows;
      } else if (value.place === "dialect_credential") {
        const [dialect = "", lookup = ""] = JSON.parse(value.id) as string[];
        const result = await db
          .updateTable("dialect_credentials")
          .set({ secret_ciphertext: sealed.ciphertext, secret_key_id: sealed.keyId })
          .where("dialect", "=", dialect)
          .where("lookup", "=", lookup)
          .where("secret_ciphertext", "=", value.ciphertext)
          .executeTakeFirst();
        updated = result.numUpdatedRows;
      } else {
        const result = await db
          .updateTable(CARD_TABLES[value.place])
          .set({ pan_ciphertext: sealed.ciphertext, pan_key_id: sealed.keyId })
          .where("id", "=", value.id)
          .where("pan_ciphertext", "=", value.ciphertext)
          .executeTakeFirst();
        updated = result.numUpdatedRows;
      }
      return Number(updated) === 1;
    },
    async countByKey() {
      const counts: Record<string, number> = {};
      const add = (keyId: string, n: number | string) => (counts[keyId] = (counts[keyId] ?? 0) + num(n));
      for (const table of Object.values(CARD_TABLES)) {
        // An attempt that used no card sealed nothing (its key id is empty).
        const rows = await db
          .selectFrom(table)
          .select(["pan_key_id", sql<number | string>`count(*)`.as("n")])
          .where("pan_key_id", "<>", "")
          .groupBy("pan_key_id")
          .execute();
        for (const row of rows) add(row.pan_key_id, row.n);
      }
      const secrets = await db
        .selectFrom("dialect_credentials")
        .select(["secret_key_id", sql<number | string>`count(*)`.as("n")])
        .where("secret_key_id", "is not", null)
        .groupBy("secret_key_id")
        .execute();
      for (const row of secrets) add(row.secret_key_id ?? "", row.n);
      for (const setting of await settings()) add(setting.keyId, 1);
      return counts;
    },
  };
}
