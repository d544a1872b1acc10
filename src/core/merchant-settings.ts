// A merchant's own settings of each bank API it uses, as the banks keep them in their merchant
// dashboards. So far: the default callback URL, where the callbacks of orders that name none
// go (applyOrderEvent reads it). The dashboard sets them; so may the CLI.

import { inTransaction } from "./context.ts";
import type { CoreContext } from "./context.ts";
import { validationError } from "./errors.ts";
import type { MerchantId } from "./ids.ts";
import { checkMerchantUrl } from "./merchant-urls.ts";
import type { DialectId, MerchantDialectSettings } from "./types.ts";

/** The merchant's settings of each bank API it set anything for. */
export async function merchantSettingsOf(ctx: CoreContext, merchantId: MerchantId): Promise<MerchantDialectSettings[]> {
  return ctx.store.read((tx) => tx.merchantSettings.ofMerchant(merchantId));
}

/**
 * Sets (or, with an empty text, clears) the merchant's default callback URL for one bank API.
 * It is checked as an order's callback URL is: in live mode https, and not into tetri's own network.
 */
export async function setDefaultCallbackUrl(
  ctx: CoreContext,
  merchantId: MerchantId,
  dialect: DialectId,
  text: string,
  live: boolean,
): Promise<MerchantDialectSettings> {
  const trimmed = text.trim();
  let callbackUrl: string | null = null;
  if (trimmed !== "") {
    const checked = checkMerchantUrl(trimmed, live);
    if ("problem" in checked) throw validationError([{ field: "callback_url", message: checked.problem }]);
    callbackUrl = checked.href;
  }
  return inTransaction(ctx, async (tx) => {
    const current = await tx.merchantSettings.find(merchantId, dialect);
    const settings: MerchantDialectSettings = { ...current, merchantId, dialect, callbackUrl, updatedAt: ctx.clock.now() };
    await tx.merchantSettings.put(settings);
    return settings;
  });
}
