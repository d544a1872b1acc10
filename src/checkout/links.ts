// The hosted pages' addresses, in one place: dialects put them in their responses (absolute),
// the pages redirect between them (paths).

import type { AttemptId, OrderId } from "../core/ids.ts";
import type { Language, PaymentMethod } from "../core/types.ts";

const lang = (language: Language | undefined) => (language ? `&lang=${language}` : "");

export const checkoutPaths = {
  /** The payment page a shop sends its buyer to. */
  payment: (orderId: OrderId, language?: Language) => `/?order_id=${orderId}${lang(language)}`,
  /** tetri's own result page, for shops that give no redirect URL. */
  result: (orderId: OrderId, language?: Language) => `/receipt?order_id=${orderId}${lang(language)}`,
  /** A payment method's own (simulated) page. */
  method: (orderId: OrderId, method: PaymentMethod, language: Language) => `/checkout/method?order_id=${orderId}&method=${method}${lang(language)}`,
  challenge: (orderId: OrderId, attemptId: AttemptId, language: Language) =>
    `/checkout/3ds?order_id=${orderId}&attempt_id=${attemptId}${lang(language)}`,
};

/**
 * How the buyer's browser goes back to the shop after paying on tetri's pages, for an API whose
 * bank posts a form there (its fields say what happened) instead of redirecting.
 */
export type ShopReturn = { url: string; fields: Readonly<Record<string, string>> };

export type CheckoutLinks = {
  readonly publicUrl: string;
  payment(orderId: OrderId): string;
  result(orderId: OrderId): string;
  /** The 3-D Secure challenge of a payment attempt, for an API that sends the buyer there itself. */
  challenge(orderId: OrderId, attemptId: AttemptId): string;
};

export function checkoutLinks(publicUrl: string): CheckoutLinks {
  return {
    publicUrl,
    payment: (orderId) => `${publicUrl}${checkoutPaths.payment(orderId)}`,
    result: (orderId) => `${publicUrl}${checkoutPaths.result(orderId)}`,
    challenge: (orderId, attemptId) => `${publicUrl}${checkoutPaths.challenge(orderId, attemptId, "en")}`,
  };
}
