// A client of Bank of Georgia Online Payments v1: against tetri (one base URL) or against the
// bank (BOG_PRODUCTION: its token and API hosts). Every endpoint tetri serves is one method.

import { AuthorizedApi } from "./authorized-api.ts";
import type {
  Amount,
  BogActionResult,
  BogApplePayResult,
  BogCreateOrder,
  BogCreatedOrder,
  BogReceipt,
  BogSavedCardType,
  BogSplit,
  BogSubscribe,
} from "./bog-types.ts";
import { verifyCallbackSignature } from "./callbacks.ts";
import { testPaymentBody } from "./test-cards.ts";
import type { TestCard, TestPayment } from "./test-cards.ts";
import { TokenCache } from "./token-cache.ts";
import { Transport } from "./transport.ts";
import type { CallOptions, Clock, TransportOptions } from "./transport.ts";

export const BOG_TOKEN_PATH = "/auth/realms/bog/protocol/openid-connect/token";
export const BOG_API_PATH = "/payments/v1";

/** The bank's own hosts: `new BogClient({ ...BOG_PRODUCTION, clientId, clientSecret, callbackPublicKey })`. */
export const BOG_PRODUCTION = {
  tokenUrl: `https://oauth2.bog.ge${BOG_TOKEN_PATH}`,
  apiUrl: `https://api.bog.ge${BOG_API_PATH}`,
} as const;

export type BogClientOptions = TransportOptions & {
  clientId: string;
  clientSecret: string;
  /** tetri's address, e.g. http://127.0.0.1:8080: the token and API URLs follow from it. */
  baseUrl?: string;
  /** Override the token URL (the bank's is on another host than its API). */
  tokenUrl?: string;
  /** Override the API URL, ending in /payments/v1. */
  apiUrl?: string;
  /**
   * The PEM key that verifies callbacks. Default: fetched once from the API's
   * /callback-public-key (tetri publishes it there; for the bank, pass the key it publishes).
   */
  callbackPublicKey?: string;
  /** Decides when the token is due for refresh; default the system clock. */
  clock?: Clock;
};

export type CreateOrderOptions = CallOptions & {
  /** The payment page's language (Accept-Language). */
  language?: "ka" | "en";
  /** The payment page's theme. */
  theme?: "light" | "dark";
};

/** The payment page's language and theme, as BOG takes them: in headers. */
function pageHeaders(options: CreateOrderOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.language) headers["accept-language"] = options.language;
  if (options.theme) headers.theme = options.theme;
  return headers;
}

export class BogClient {
  readonly tokenUrl: string;
  readonly apiUrl: string;
  readonly #transport: Transport;
  readonly #api: AuthorizedApi;
  readonly #tokens: TokenCache;
  #callbackKey: Promise<string> | undefined;

  constructor(options: BogClientOptions) {
    const base = options.baseUrl?.replace(/\/+$/, "");
    const tokenUrl = options.tokenUrl ?? (base && `${base}${BOG_TOKEN_PATH}`);
    const apiUrl = options.apiUrl ?? (base && `${base}${BOG_API_PATH}`);
    if (!tokenUrl || !apiUrl) throw new TypeError("BogClient needs baseUrl, or tokenUrl and apiUrl");
    this.tokenUrl = tokenUrl;
    this.apiUrl = apiUrl.replace(/\/+$/, "");
    this.#transport = new Transport(options);
    const basic = Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString("base64");
    this.#tokens = new TokenCache(async () => {
      const response = await this.#transport.send({
        method: "POST",
        url: this.tokenUrl,
        headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: "grant_type=client_credentials",
      });
      const token = JSON.parse(response.text) as { access_token: string; expires_in: number };
      return { accessToken: token.access_token, expiresInSeconds: token.expires_in };
    }, options.clock ?? { now: () => Date.now() });
    this.#api = new AuthorizedApi(this.#transport, this.#tokens);
    if (options.callbackPublicKey) this.#callbackKey = Promise.resolve(options.callbackPublicKey);
  }

  /** A valid access token (cached; refreshed shortly before it expires). */
  accessToken(): Promise<string> {
    return this.#tokens.get();
  }

  createOrder(order: BogCreateOrder, options: CreateOrderOptions = {}): Promise<BogCreatedOrder> {
    return this.#api.call({ method: "POST", url: `${this.apiUrl}/ecommerce/orders`, mutating: true, json: order, headers: pageHeaders(options) }, options);
  }

  /** The order's payment details (`GET /receipt/{order_id}`). */
  getReceipt(orderId: string, options: CallOptions = {}): Promise<BogReceipt> {
    return this.#api.call({ method: "GET", url: `${this.apiUrl}/receipt/${encodeURIComponent(orderId)}`, mutating: false }, options);
  }

  /** Refunds all that is left, or `amount` of it. */
  refund(orderId: string, refund: { amount?: Amount } = {}, options: CallOptions = {}): Promise<BogActionResult> {
    return this.#action(`/payment/refund/${encodeURIComponent(orderId)}`, refund, options);
  }

  /** Captures a pre-authorization, fully or `amount` of it (split as `config.split` says, in place of the order's own). */
  approvePreauthorization(
    orderId: string,
    approval: { amount?: Amount; description?: string; config?: { split?: BogSplit } } = {},
    options: CallOptions = {},
  ): Promise<BogActionResult> {
    return this.#action(`/payment/authorization/approve/${encodeURIComponent(orderId)}`, approval, options);
  }

  /** Releases a pre-authorization. */
  cancelPreauthorization(orderId: string, cancellation: { description?: string } = {}, options: CallOptions = {}): Promise<BogActionResult> {
    return this.#action(`/payment/authorization/cancel/${encodeURIComponent(orderId)}`, cancellation, options);
  }

  /** Pays an order made with `config.apple_pay.external` with the token the buyer's device gave the shop's page. */
  payWithApplePay(orderId: string, applePayToken: string, options: CallOptions = {}): Promise<BogApplePayResult> {
    return this.#api.call(
      { method: "POST", url: `${this.apiUrl}/ecommerce/orders/${encodeURIComponent(orderId)}/payment`, mutating: true, json: { apple_pay_token: applePayToken } },
      options,
    );
  }

  /**
   * Asks, before the buyer pays the order, that its card be saved: for later orders the buyer
   * pays on the page (`recurrent`, PUT /orders/{id}/cards) or for charges without the buyer
   * (`subscription`, PUT /orders/{id}/subscriptions).
   */
  async saveCard(orderId: string, type: BogSavedCardType, options: CallOptions = {}): Promise<void> {
    const path = type === "recurrent" ? "cards" : "subscriptions";
    await this.#api.call({ method: "PUT", url: `${this.apiUrl}/orders/${encodeURIComponent(orderId)}/${path}`, mutating: true }, options);
  }

  /** A new order the buyer pays on the page with the card the parent order saved (`recurrent`), without typing it. */
  createOrderWithSavedCard(parentOrderId: string, order: BogCreateOrder, options: CreateOrderOptions = {}): Promise<BogCreatedOrder> {
    const url = `${this.apiUrl}/ecommerce/orders/${encodeURIComponent(parentOrderId)}`;
    return this.#api.call({ method: "POST", url, mutating: true, json: order, headers: pageHeaders(options) }, options);
  }

  /** Charges the card the parent order saved (`subscription`) without the buyer, for the parent's amount: a new order. */
  chargeSavedCard(parentOrderId: string, charge: BogSubscribe = {}, options: CallOptions = {}): Promise<BogCreatedOrder> {
    return this.#api.call({ method: "POST", url: `${this.apiUrl}/ecommerce/orders/${encodeURIComponent(parentOrderId)}/subscribe`, mutating: true, json: charge }, options);
  }

  /** Deletes the card the parent order saved; later charges of it are rejected (code 102). */
  async deleteSavedCard(parentOrderId: string, options: CallOptions = {}): Promise<void> {
    await this.#api.call({ method: "DELETE", url: `${this.apiUrl}/charges/card/${encodeURIComponent(parentOrderId)}`, mutating: true }, options);
  }

  /** The PEM key that verifies callbacks, as the API publishes it. */
  async callbackPublicKey(options: CallOptions = {}): Promise<string> {
    const response = await this.#transport.send({ method: "GET", url: `${this.apiUrl}/callback-public-key` }, options);
    return response.text;
  }

  /**
   * Whether a callback is genuine: `signature` (the Callback-Signature header) signs exactly
   * `rawBody`, the bytes as received. The key is fetched once, then kept.
   */
  async verifyCallback(rawBody: string | Uint8Array, signature: string | null | undefined): Promise<boolean> {
    this.#callbackKey ??= this.callbackPublicKey();
    const key = await this.#callbackKey.catch((error: unknown) => {
      this.#callbackKey = undefined; // fetch again next time
      throw error;
    });
    return verifyCallbackSignature(rawBody, signature, key);
  }

  /** tetri in test mode only: pays the order with a test card, as the hosted page would (3-D Secure completed). */
  payWithTestCard(orderId: string, card: TestCard, options: CallOptions = {}): Promise<TestPayment> {
    return this.#api.call({ method: "POST", url: `${new URL(this.apiUrl).origin}/_test/orders/${encodeURIComponent(orderId)}/pay`, mutating: false, json: testPaymentBody(card) }, options);
  }

  #action(path: string, body: object, options: CallOptions): Promise<BogActionResult> {
    return this.#api.call({ method: "POST", url: `${this.apiUrl}${path}`, mutating: true, json: body }, options);
  }
}
