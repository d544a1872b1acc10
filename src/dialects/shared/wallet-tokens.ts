// The payment token a wallet (Apple Pay) hands a merchant's page, as the shop passes it on.
// A real token's `paymentData` is encrypted to the merchant's payment-processing key; only an
// upstream that holds that key can open it, and tetri has none yet. In test mode the token may
// carry its decrypted payload in clear instead (`paymentData.version: "TEST"`, `data`: base64
// of the JSON Apple's decrypted token has: applicationPrimaryAccountNumber,
// applicationExpirationDate YYMMDD, currencyCode ISO 4217 numeric, transactionAmount in minor
// units, cardholderName), so that a shop can test its flow end to end.

import { TetriError, validationError } from "../../core/errors.ts";
import type { WalletCard } from "../../core/cards.ts";
import type { Currency, MinorUnits } from "../../core/money.ts";

const ISO_NUMERIC: Readonly<Record<Currency, string>> = { GEL: "981", USD: "840", EUR: "978", GBP: "826" };

type Decrypted = {
  applicationPrimaryAccountNumber?: unknown;
  applicationExpirationDate?: unknown;
  currencyCode?: unknown;
  transactionAmount?: unknown;
  cardholderName?: unknown;
};

/** The card in an Apple Pay token for an order of `amount` in `currency`; a field problem names `field` otherwise. */
export function applePayCardOf(token: string, order: { currency: Currency; amount: MinorUnits }, field: string, live: boolean): WalletCard {
  const refuse = (message: string) => validationError([{ field, message }]);
  if (live) throw new TetriError("TETRI_ERR_METHOD_UNAVAILABLE", { message: "Apple Pay needs an upstream that can open its tokens, and none is configured" });
  let payment: { token?: { paymentData?: { version?: unknown; data?: unknown } }; paymentData?: { version?: unknown; data?: unknown } };
  try {
    payment = JSON.parse(token) as typeof payment;
  } catch {
    throw refuse("must be the Apple Pay payment JSON, as a string");
  }
  // Shops pass either the whole ApplePayPayment ({token: {paymentData, …}}) or its token.
  const paymentData = payment?.token?.paymentData ?? payment?.paymentData;
  if (!paymentData || typeof paymentData.data !== "string") throw refuse("has no paymentData.data");
  if (paymentData.version !== "TEST") throw refuse("is an encrypted token; opening it needs an upstream with the merchant's Apple Pay key, and none is configured (test mode takes paymentData.version \"TEST\")");
  let clear: Decrypted;
  try {
    clear = JSON.parse(Buffer.from(paymentData.data, "base64").toString("utf8")) as Decrypted;
  } catch {
    throw refuse("paymentData.data must be base64 of the decrypted payload's JSON");
  }
  const pan = String(clear.applicationPrimaryAccountNumber ?? "");
  const expiry = /^(\d{2})(\d{2})\d{2}$/.exec(String(clear.applicationExpirationDate ?? ""));
  if (!expiry) throw refuse("applicationExpirationDate must be YYMMDD");
  if (String(clear.currencyCode) !== ISO_NUMERIC[order.currency]) throw refuse(`is for another currency than the order's ${order.currency}`);
  if (Number(clear.transactionAmount) !== order.amount) throw refuse("is for another amount than the order's");
  return {
    pan,
    expiryYear: 2000 + Number(expiry[1]),
    expiryMonth: Number(expiry[2]),
    holder: typeof clear.cardholderName === "string" ? clear.cardholderName : "",
  };
}
