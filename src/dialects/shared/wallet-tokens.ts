// The payment token a wallet (Apple Pay, Google Pay) hands a merchant's page, as the shop
// passes it on. A real token is encrypted to the merchant's (or its gateway's) key; only an
// upstream that holds that key can open it, and tetri has none yet. In test mode the token may
// carry its decrypted payload in clear instead, so that a shop can test its flow end to end:
// - Apple Pay: `paymentData.version: "TEST"`, `data`: base64 of the JSON Apple's decrypted token
//   has (applicationPrimaryAccountNumber, applicationExpirationDate YYMMDD, currencyCode ISO 4217
//   numeric, transactionAmount in minor units, cardholderName);
// - Google Pay: `protocolVersion: "TEST"`, `signedMessage`: the JSON text Google's decrypted
//   message has (paymentMethodDetails {pan, expirationMonth, expirationYear, authMethod
//   PAN_ONLY or CRYPTOGRAM_3DS}, messageExpiration in epoch milliseconds).

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

/** The token's JSON, in test mode only; a field problem names `field` when it is not JSON. */
function walletJson<T>(wallet: string, token: string, field: string, live: boolean): T {
  if (live) throw new TetriError("TETRI_ERR_METHOD_UNAVAILABLE", { message: `${wallet} needs an upstream that can open its tokens, and none is configured` });
  try {
    return JSON.parse(token) as T;
  } catch {
    throw validationError([{ field, message: `must be the ${wallet} payment JSON, as a string` }]);
  }
}

/** The card in an Apple Pay token for an order of `amount` in `currency`; a field problem names `field` otherwise. */
export function applePayCardOf(token: string, order: { currency: Currency; amount: MinorUnits }, field: string, live: boolean): WalletCard {
  const refuse = (message: string) => validationError([{ field, message }]);
  type Payment = { token?: { paymentData?: { version?: unknown; data?: unknown } }; paymentData?: { version?: unknown; data?: unknown } };
  const payment = walletJson<Payment>("Apple Pay", token, field, live);
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

/**
 * The card in a Google Pay token, and whether Google authenticated the buyer (a device token's
 * cryptogram, CRYPTOGRAM_3DS) or the card may still need 3-D Secure (PAN_ONLY).
 */
export function googlePayCardOf(token: string, field: string, live: boolean, now: number): { card: WalletCard; authenticated: boolean } {
  const refuse = (message: string) => validationError([{ field, message }]);
  const payment = walletJson<{ protocolVersion?: unknown; signedMessage?: unknown }>("Google Pay", token, field, live);
  if (typeof payment?.signedMessage !== "string") throw refuse("has no signedMessage");
  if (payment.protocolVersion !== "TEST") throw refuse("is an encrypted token; opening it needs an upstream with the gateway's Google Pay key, and none is configured (test mode takes protocolVersion \"TEST\")");
  let message: { messageExpiration?: unknown; paymentMethodDetails?: { pan?: unknown; expirationMonth?: unknown; expirationYear?: unknown; authMethod?: unknown } };
  try {
    message = JSON.parse(payment.signedMessage) as typeof message;
  } catch {
    throw refuse("signedMessage must be the decrypted message's JSON, as a string");
  }
  const details = message?.paymentMethodDetails;
  if (!details || typeof details !== "object") throw refuse("has no paymentMethodDetails");
  if (details.authMethod !== "PAN_ONLY" && details.authMethod !== "CRYPTOGRAM_3DS") throw refuse("paymentMethodDetails.authMethod must be PAN_ONLY or CRYPTOGRAM_3DS");
  if (message.messageExpiration !== undefined && !(Number(message.messageExpiration) > now)) throw refuse("has expired (messageExpiration)");
  return {
    card: { pan: String(details.pan ?? ""), expiryMonth: Number(details.expirationMonth), expiryYear: Number(details.expirationYear), holder: "" },
    authenticated: details.authMethod === "CRYPTOGRAM_3DS",
  };
}
