// A client of TBC TPay v1: against tetri or the bank (TBC_PRODUCTION, TBC_SANDBOX), with the
// merchant's apikey on every call. Every endpoint tetri serves is one method.

import { AuthorizedApi } from "./authorized-api.ts";
import type { Amount } from "./bog-types.ts";
import type { TbcCompletion, TbcCreatePayment, TbcCreatedPayment, TbcEnvelope, TbcExecution, TbcPayment } from "./tbc-types.ts";
import { testPaymentBody } from "./test-cards.ts";
import type { TestCard, TestPayment } from "./test-cards.ts";
import { TokenCache } from "./token-cache.ts";
import { Transport } from "./transport.ts";
import type { CallOptions, Clock, TransportOptions } from "./transport.ts";

export const TBC_PRODUCTION = "https://api.tbcbank.ge";
export const TBC_SANDBOX = "https://test-api.tbcbank.ge";

export type TbcClientOptions = TransportOptions & {
  /** The developer app's key (tetri: the merchant's TBC apikey). */
  apiKey: string;
  clientId: string;
  clientSecret: string;
  /** tetri's address, e.g. http://127.0.0.1:8080, or TBC_PRODUCTION. */
  baseUrl: string;
  clock?: Clock;
};

export class TbcClient {
  readonly apiUrl: string;
  readonly #api: AuthorizedApi;
  readonly #tokens: TokenCache;

  constructor(options: TbcClientOptions) {
    const base = options.baseUrl.replace(/\/+$/, "");
    this.apiUrl = `${base}/v1/tpay`;
    const transport = new Transport(options);
    const form = new URLSearchParams({ client_id: options.clientId, client_secret: options.clientSecret }).toString();
    this.#tokens = new TokenCache(async () => {
      const response = await transport.send({
        method: "POST",
        url: `${this.apiUrl}/access-token`,
        headers: { apikey: options.apiKey, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: form,
      });
      const token = JSON.parse(response.text) as { access_token: string; expires_in: number };
      return { accessToken: token.access_token, expiresInSeconds: token.expires_in };
    }, options.clock ?? { now: () => Date.now() });
    this.#api = new AuthorizedApi(transport, this.#tokens, { apikey: options.apiKey });
  }

  /** A valid access token (cached; refreshed shortly before it expires). */
  accessToken(): Promise<string> {
    return this.#tokens.get();
  }

  createPayment(payment: TbcCreatePayment, options: CallOptions = {}): Promise<TbcCreatedPayment> {
    return this.#api.call({ method: "POST", url: `${this.apiUrl}/payments`, mutating: true, json: payment }, options);
  }

  getPayment(payId: string, options: CallOptions = {}): Promise<TbcPayment> {
    return this.#api.call({ method: "GET", url: `${this.apiUrl}/payments/${encodeURIComponent(payId)}`, mutating: false }, options);
  }

  /** Releases a held pre-authorization, or refunds a payment, fully (no amount) or partly. */
  cancelPayment(payId: string, cancellation: { amount?: Amount; extra?: string; extra2?: string } = {}, options: CallOptions = {}): Promise<TbcEnvelope> {
    return this.#api.call({ method: "POST", url: `${this.apiUrl}/payments/${encodeURIComponent(payId)}/cancel`, mutating: true, json: cancellation }, options);
  }

  /** Captures a pre-authorization, fully (no amount) or partly. */
  completePayment(payId: string, completion: { amount?: Amount } = {}, options: CallOptions = {}): Promise<TbcCompletion> {
    return this.#api.call({ method: "POST", url: `${this.apiUrl}/payments/${encodeURIComponent(payId)}/completion`, mutating: true, json: completion }, options);
  }

  /** Charges a saved card (the `recId` of a payment made with saveCard). */
  chargeSavedCard(execution: TbcExecution, options: CallOptions = {}): Promise<TbcPayment> {
    return this.#api.call({ method: "POST", url: `${this.apiUrl}/payments/execution`, mutating: true, json: execution }, options);
  }

  deleteSavedCard(recId: string, options: CallOptions = {}): Promise<TbcEnvelope> {
    return this.#api.call({ method: "POST", url: `${this.apiUrl}/payments/${encodeURIComponent(recId)}/delete`, mutating: false }, options);
  }

  /** tetri in test mode only: pays the payment with a test card, as the hosted page would (3-D Secure completed). */
  payWithTestCard(payId: string, card: TestCard, options: CallOptions = {}): Promise<TestPayment> {
    return this.#api.call({ method: "POST", url: `${new URL(this.apiUrl).origin}/_test/orders/${encodeURIComponent(payId)}/pay`, mutating: false, json: testPaymentBody(card) }, options);
  }
}
