import type { Kysely, Selectable } from "kysely";
import type { MerchantId } from "../../core/ids.ts";
import type { CredentialRepository, MerchantRepository, MerchantSettingsRepository } from "../../core/ports.ts";
import type { DialectCredential, DialectId, Merchant, MerchantDialectSettings, PaymentMethod } from "../../core/types.ts";
import type { Database, DialectCredentialsTable, MerchantDialectSettingsTable, MerchantsTable } from "../schema.ts";
import type { MerchantCache } from "./merchant-cache.ts";
import { prepared } from "./prepared.ts";
import type { Slots } from "./prepared.ts";
import { num } from "./rows.ts";

function toMerchant(row: Selectable<MerchantsTable>): Merchant {
  return {
    id: row.id as MerchantId,
    name: row.name,
    clientId: row.client_id,
    secretHash: row.secret_hash,
    createdAt: num(row.created_at),
  };
}

// The queries every payment or callback runs, prepared once (prepared.ts).
const findMerchant = prepared((db, $: Slots<{ id: string }>) => db.selectFrom("merchants").selectAll().where("id", "=", $("id")));
const findSettings = prepared((db, $: Slots<{ merchantId: string; dialect: string }>) =>
  db.selectFrom("merchant_dialect_settings").selectAll().where("merchant_id", "=", $("merchantId")).where("dialect", "=", $("dialect")),
);

export function merchantQueries(db: Kysely<Database>, cache: MerchantCache): MerchantRepository {
  return {
    async insert(merchant) {
      await db
        .insertInto("merchants")
        .values({
          id: merchant.id,
          name: merchant.name,
          client_id: merchant.clientId,
          secret_hash: merchant.secretHash,
          created_at: merchant.createdAt,
        })
        .execute();
    },
    async find(id) {
      const cached = cache.get(id);
      if (cached) return cached;
      const [row] = (await findMerchant(db, { id })).rows;
      const merchant = row && toMerchant(row);
      if (merchant) cache.set(merchant);
      return merchant;
    },
    async findByClientId(clientId) {
      const row = await db.selectFrom("merchants").selectAll().where("client_id", "=", clientId).executeTakeFirst();
      return row && toMerchant(row);
    },
    async count() {
      const row = await db.selectFrom("merchants").select(db.fn.countAll<number | string>().as("n")).executeTakeFirstOrThrow();
      return num(row.n);
    },
    async list() {
      const rows = await db.selectFrom("merchants").selectAll().orderBy("name").orderBy("id").execute();
      return rows.map(toMerchant);
    },
    async updateSecretHash(id, secretHash) {
      cache.forget(id);
      await db.updateTable("merchants").set({ secret_hash: secretHash }).where("id", "=", id).execute();
    },
  };
}

function toSettings(row: Selectable<MerchantDialectSettingsTable>): MerchantDialectSettings {
  return {
    merchantId: row.merchant_id as MerchantId,
    dialect: row.dialect as DialectId,
    callbackUrl: row.callback_url,
    enabledMethods: row.enabled_methods === null ? null : (JSON.parse(row.enabled_methods) as PaymentMethod[]),
    tokenTtlSeconds: row.token_ttl_seconds === null ? null : num(row.token_ttl_seconds),
    updatedAt: num(row.updated_at),
  };
}

export function merchantSettingsQueries(db: Kysely<Database>): MerchantSettingsRepository {
  return {
    async find(merchantId, dialect) {
      const [row] = (await findSettings(db, { merchantId, dialect })).rows;
      return row && toSettings(row);
    },
    async ofMerchant(merchantId) {
      const rows = await db.selectFrom("merchant_dialect_settings").selectAll().where("merchant_id", "=", merchantId).orderBy("dialect").execute();
      return rows.map(toSettings);
    },
    async put(settings) {
      const changes = {
        callback_url: settings.callbackUrl,
        enabled_methods: settings.enabledMethods === null ? null : JSON.stringify(settings.enabledMethods),
        token_ttl_seconds: settings.tokenTtlSeconds,
        updated_at: settings.updatedAt,
      };
      await db
        .insertInto("merchant_dialect_settings")
        .values({ merchant_id: settings.merchantId, dialect: settings.dialect, ...changes })
        .onConflict((oc) => oc.columns(["merchant_id", "dialect"]).doUpdateSet(changes))
        .execute();
    },
  };
}

function toCredential(row: Selectable<DialectCredentialsTable>): DialectCredential {
  return {
    dialect: row.dialect as DialectId,
    merchantId: row.merchant_id as MerchantId,
    lookup: row.lookup,
    sealedSecret:
      row.secret_ciphertext === null || row.secret_key_id === null ? null : { ciphertext: row.secret_ciphertext, keyId: row.secret_key_id },
    details: JSON.parse(row.details) as Record<string, string>,
    createdAt: num(row.created_at),
  };
}

export function credentialQueries(db: Kysely<Database>): CredentialRepository {
  return {
    async insert(credential) {
      await db
        .insertInto("dialect_credentials")
        .values({
          dialect: credential.dialect,
          lookup: credential.lookup,
          merchant_id: credential.merchantId,
          secret_ciphertext: credential.sealedSecret?.ciphertext ?? null,
          secret_key_id: credential.sealedSecret?.keyId ?? null,
          details: JSON.stringify(credential.details),
          created_at: credential.createdAt,
        })
        .execute();
    },
    async ofMerchant(dialect, merchantId) {
      const row = await db
        .selectFrom("dialect_credentials")
        .selectAll()
        .where("merchant_id", "=", merchantId)
        .where("dialect", "=", dialect)
        .orderBy("created_at", "desc")
        .limit(1)
        .executeTakeFirst();
      return row && toCredential(row);
    },
    async findByLookup(dialect, lookup) {
      const row = await db
        .selectFrom("dialect_credentials")
        .selectAll()
        .where("dialect", "=", dialect)
        .where("lookup", "=", lookup)
        .executeTakeFirst();
      return row && toCredential(row);
    },
  };
}
