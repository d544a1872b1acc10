// A merchant's own settings of each bank API it uses, as the banks keep them in their merchant
// dashboards: the default callback URL (where the callbacks of orders that name none go;
// applyOrderEvent reads it), the payment methods its orders may offer (createOrder applies
// them), and its access tokens' lifetime. The dashboard and the CLI set them, with the same store.

import { validationError } from "./errors.ts";
import type { FieldProblem } from "./errors.ts";
import type { MerchantId } from "./ids.ts";
import { checkMerchantUrl } from "./merchant-urls.ts";
import type { Store } from "./ports.ts";
import type { DialectId, MerchantDialectSettings, PaymentMethod } from "./types.ts";

/** Access tokens live from a minute to a day, as TETRI_TOKEN_TTL_SECONDS allows. */
export const TOKEN_TTL_SECONDS = { min: 60, max: 86_400 } as const;

/** The merchant's settings of each bank API it set anything for. */
export async function merchantSettingsOf(store: Store, merchantId: MerchantId): Promise<MerchantDialectSettings[]> {
  return store.read((tx) => tx.merchantSettings.ofMerchant(merchantId));
}

/** The merchant's settings of one bank API, or undefined when it never set any. */
export async function merchantSettingsFor(store: Store, merchantId: MerchantId, dialect: DialectId): Promise<MerchantDialectSettings | undefined> {
  return store.read((tx) => tx.merchantSettings.find(merchantId, dialect));
}

/**
 * What to change; each field present is set, null (or an empty URL) puts it back to the API's
 * default. The methods are core's; which of them an API offers is its dialect's to check.
 */
export type MerchantSettingsChange = {
  callbackUrl?: string | null;
  enabledMethods?: readonly PaymentMethod[] | null;
  tokenTtlSeconds?: number | null;
};

/**
 * Changes the merchant's settings of one bank API. A callback URL is checked as an order's is
 * (in live mode https, and not into tetri's own network).
 */
export async function updateMerchantSettings(
  store: Store,
  target: { merchantId: MerchantId; dialect: DialectId; live: boolean; now: number },
  change: MerchantSettingsChange,
): Promise<MerchantDialectSettings> {
  const problems: FieldProblem[] = [];
  const checked: Partial<Pick<MerchantDialectSettings, "callbackUrl" | "enabledMethods" | "tokenTtlSeconds">> = {};
  if (change.callbackUrl !== undefined) {
    const trimmed = change.callbackUrl?.trim() ?? "";
    const url = trimmed === "" ? null : checkMerchantUrl(trimmed, target.live);
    if (url && "problem" in url) problems.push({ field: "callback_url", message: url.problem });
    else checked.callbackUrl = url?.href ?? null;
  }
  if (change.enabledMethods !== undefined) {
    if (change.enabledMethods?.length === 0) problems.push({ field: "methods", message: "must name at least one method" });
    else checked.enabledMethods = change.enabledMethods ? [...new Set(change.enabledMethods)] : null;
  }
  if (change.tokenTtlSeconds !== undefined) {
    const ttl = change.tokenTtlSeconds;
    if (ttl !== null && !(Number.isSafeInteger(ttl) && ttl >= TOKEN_TTL_SECONDS.min && ttl <= TOKEN_TTL_SECONDS.max)) {
      problems.push({ field: "token_ttl_seconds", message: `must be a whole number of seconds from ${TOKEN_TTL_SECONDS.min} to ${TOKEN_TTL_SECONDS.max}` });
    } else checked.tokenTtlSeconds = ttl;
  }
  if (problems.length > 0) throw validationError(problems);
  const { merchantId, dialect } = target;
  return store.transaction(async (tx) => {
    const current = await tx.merchantSettings.find(merchantId, dialect);
    const settings: MerchantDialectSettings = {
      merchantId,
      dialect,
      callbackUrl: current?.callbackUrl ?? null,
      enabledMethods: current?.enabledMethods ?? null,
      tokenTtlSeconds: current?.tokenTtlSeconds ?? null,
      ...checked,
      updatedAt: target.now,
    };
    await tx.merchantSettings.put(settings);
    return settings;
  });
}
