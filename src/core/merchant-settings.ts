// A merchant's own settings of each bank API it uses, as the banks keep them in their merchant
// dashboards. So far: the default callback URL, where the callbacks of orders that name none
// go (applyOrderEvent reads it). The dashboard sets them; the CLI can, with the same store.

import { validationError } from "./errors.ts";
import type { MerchantId } from "./ids.ts";
import { checkMerchantUrl } from "./merchant-urls.ts";
import type { Store } from "./ports.ts";
import type { DialectId, MerchantDialectSettings } from "./types.ts";

/** The merchant's settings of each bank API it set anything for. */
export async function merchantSettingsOf(store: Store, merchantId: MerchantId): Promise<MerchantDialectSettings[]> {
  return store.read((tx) => tx.merchantSettings.ofMerchant(merchantId));
}

/**
 * Sets (or, with an empty text, clears) the merchant's default callback URL for one bank API.
 * It is checked as an order's callback URL is: in live mode https, and not into tetri's own network.
 */
export async function setDefaultCallbackUrl(
  store: Store,
  change: { merchantId: MerchantId; dialect: DialectId; url: string; live: boolean; now: number },
): Promise<MerchantDialectSettings> {
  const trimmed = change.url.trim();
  let callbackUrl: string | null = null;
  if (trimmed !== "") {
    const checked = checkMerchantUrl(trimmed, change.live);
    if ("problem" in checked) throw validationError([{ field: "callback_url", message: checked.problem }]);
    callbackUrl = checked.href;
  }
  const { merchantId, dialect } = change;
  return store.transaction(async (tx) => {
    const current = await tx.merchantSettings.find(merchantId, dialect);
    const settings: MerchantDialectSettings = { ...current, merchantId, dialect, callbackUrl, updatedAt: change.now };
    await tx.merchantSettings.put(settings);
    return settings;
  });
}
