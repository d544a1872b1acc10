// The shop's side of the Paymentz REST v1 API: its token, its checksums, and requests in any of
// the three encodings (form fields with dotted keys, flat-dotted JSON, nested JSON) with the
// token in any of its three places.

import { createHash } from "node:crypto";
import type { PaymentzMember } from "./fixtures.ts";
import type { ShopClient, TestResponse } from "./shop.ts";

export const PZ = "/transactionServices/REST/v1";

export type Encoding = "form" | "flat" | "nested";
export type TokenPlace = "header" | "x-authorization" | "body";

export const md5 = (...fields: string[]) => createHash("md5").update(fields.join("|")).digest("hex");

/** Flat fields (dotted keys) as one of the encodings: content type and body text. */
export function encode(fields: Record<string, string>, encoding: Encoding): { contentType: string; body: string } {
  if (encoding === "form") return { contentType: "application/x-www-form-urlencoded", body: new URLSearchParams(fields).toString() };
  if (encoding === "flat") return { contentType: "application/json", body: JSON.stringify(fields) };
  const nested: Record<string, any> = {};
  for (const [key, value] of Object.entries(fields)) {
    const path = key.split(".");
    let node = nested;
    for (const part of path.slice(0, -1)) node = node[part] ??= {};
    node[path[path.length - 1] as string] = value;
  }
  return { contentType: "application/json", body: JSON.stringify(nested) };
}

export type PaymentzClient = {
  member: PaymentzMember;
  token(): Promise<string>;
  /** A call with these flat fields; the token (default this merchant's; null: none) in `place`. */
  call(method: string, path: string, fields?: Record<string, string>, options?: { encoding?: Encoding; place?: TokenPlace; token?: string | null; headers?: Record<string, string> }): Promise<TestResponse>;
  /** The fields of a card payment of `amount` with its checksum; overrides win. */
  payment(merchantTransactionId: string, amount: string, overrides?: Record<string, string>): Record<string, string>;
  /** POST /payments of a card payment. */
  pay(merchantTransactionId: string, amount: string, overrides?: Record<string, string>, options?: { encoding?: Encoding; place?: TokenPlace }): Promise<TestResponse>;
  /** POST /payments/{id} of a CP, RF, RV or IN, with its checksum. */
  operate(paymentId: string, paymentType: "CP" | "RF" | "RV" | "IN", amount?: string, options?: { encoding?: Encoding; extra?: Record<string, string> }): Promise<TestResponse>;
};

export function paymentzClient(shop: ShopClient): PaymentzClient {
  const member = shop.merchant.paymentz;
  let cached: string | undefined;
  const client: PaymentzClient = {
    member,
    async token() {
      if (cached) return cached;
      const response = await client.call("POST", "/authToken", { "authentication.memberId": member.memberId, "authentication.sKey": member.secureKey }, { token: null });
      if (response.status !== 200 || typeof response.json?.AuthToken !== "string") throw new Error(`no Paymentz token (${response.status}): ${response.text}`);
      cached = response.json.AuthToken as string;
      return cached;
    },
    async call(method, path, fields = {}, options = {}) {
      const token = options.token === undefined ? await client.token() : options.token;
      const place = options.place ?? "header";
      const headers: Record<string, string> = { ...options.headers };
      const sent = { ...fields };
      if (token && place === "header") headers.AuthToken = token;
      if (token && place === "x-authorization") headers["X-Authorization"] = `AuthToken :${token}`;
      if (token && place === "body") sent["authentication.authToken"] = token;
      if (method === "GET") return shop.request(method, `${PZ}${path}`, { token: null, headers });
      const { contentType, body } = encode(sent, options.encoding ?? "form");
      return shop.request(method, `${PZ}${path}`, { token: null, headers: { ...headers, "content-type": contentType }, body });
    },
    payment(merchantTransactionId, amount, overrides = {}) {
      return {
        "authentication.memberId": member.memberId,
        "authentication.terminalId": member.terminalId,
        "authentication.checksum": md5(member.memberId, member.secureKey, merchantTransactionId, amount),
        merchantTransactionId,
        amount,
        currency: "EUR",
        paymentType: "DB",
        paymentBrand: "VISA",
        paymentMode: "CC",
        "card.number": "4242424242424242",
        "card.expiryMonth": "12",
        "card.expiryYear": "2039",
        "card.cvv": "123",
        "card.holder": "Nino Beridze",
        "customer.email": "nino@example.ge",
        ...overrides,
      };
    },
    pay(merchantTransactionId, amount, overrides = {}, options = {}) {
      return client.call("POST", "/payments", client.payment(merchantTransactionId, amount, overrides), options);
    },
    operate(paymentId, paymentType, amount, options = {}) {
      const checksum = amount === undefined ? md5(member.memberId, member.secureKey, paymentId) : md5(member.memberId, member.secureKey, paymentId, amount);
      const fields: Record<string, string> = {
        "authentication.memberId": member.memberId,
        "authentication.checksum": checksum,
        paymentType,
        ...(amount === undefined ? {} : { amount }),
        ...options.extra,
      };
      return client.call("POST", `/payments/${paymentId}`, fields, { encoding: options.encoding });
    },
  };
  return client;
}
