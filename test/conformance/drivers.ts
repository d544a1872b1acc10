// How the dialect conformance suite speaks each dialect: one driver per registered dialect,
// each saying the same story in its bank's wire format. A new dialect adds a driver here.

import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { DEMO } from "../helpers/fixtures.ts";
import { md5, paymentzClient } from "../helpers/paymentz.ts";
import type { ReceivedCallback } from "../helpers/receiver.ts";
import type { ShopClient, TestResponse } from "../helpers/shop.ts";

/** What an order is, in words every dialect can be read into. */
export type OrderState = "created" | "paid" | "authorized" | "declined" | "voided" | "partially_refunded" | "refunded";

/** Amounts are exact minor units (tetri), read from the dialect's own format. */
export type OrderReading = { state: OrderState; amount: number; captured: number; refunded: number };

export type NewOrder = { amount: string; capture: "automatic" | "manual"; callbackUrl: string };

export type DialectSession = {
  /** Creates an order; answers its id as the dialect names it and the hosted page the buyer is sent to. */
  createOrder(order: NewOrder): Promise<{ id: string; paymentPage: string }>;
  /** Tries to create an order with this amount, for the error cases. */
  tryCreateOrder(order: NewOrder): Promise<TestResponse>;
  read(id: string): Promise<TestResponse>;
  reading(response: TestResponse): OrderReading;
  refund(id: string, amount?: string): Promise<TestResponse>;
  capture(id: string, amount?: string): Promise<TestResponse>;
  void(id: string): Promise<TestResponse>;
  /** Pays through the test helper with this dialect's credentials. */
  pay(id: string, cardNumber: string): Promise<TestResponse>;
  /** The same calls without any credentials. */
  anonymous(): DialectSession;
};

export type DialectDriver = {
  id: string;
  session(client: ShopClient): DialectSession;
  /** Asserts `response` is this dialect's error shape with this status. */
  assertError(response: TestResponse, status: number): void;
  /** Whether a callback is about this order. */
  names(callback: ReceivedCallback, id: string): boolean;
  /** Whether the callback's signature verifies with the published key; "unsigned" for a dialect that signs none. */
  verifies(callback: ReceivedCallback, publicKeyPem: string): boolean | "unsigned";
};

/** "12.5", 12.5, "10.0" → 1250, 1250, 1000 (two-decimal currencies), exactly. */
export function minorOf(value: unknown): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(value));
  if (!match) throw new Error(`not an amount: ${JSON.stringify(value)}`);
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

const noToken = { token: null } as const;

const BOG_STATES: Record<string, OrderState> = {
  created: "created",
  completed: "paid",
  partial_completed: "paid",
  blocked: "authorized",
  refunded_partially: "partially_refunded",
  refunded: "refunded",
};

function bogSession(client: ShopClient, anonymous = false): DialectSession {
  const auth = anonymous ? noToken : {};
  const body = (order: NewOrder) => ({
    callback_url: order.callbackUrl,
    capture: order.capture,
    purchase_units: { currency: "GEL", total_amount: order.amount, basket: [{ product_id: "p-1", quantity: 1, unit_price: order.amount }] },
  });
  const action = (path: string, amount?: string) => client.request("POST", `/payments/v1${path}`, { ...auth, body: amount === undefined ? {} : { amount } });
  const session: DialectSession = {
    async createOrder(order) {
      const response = await session.tryCreateOrder(order);
      assert.equal(response.status, 200, response.text);
      return { id: response.json.id, paymentPage: response.json._links.redirect.href };
    },
    tryCreateOrder: (order) => client.request("POST", "/payments/v1/ecommerce/orders", { ...auth, body: body(order) }),
    read: (id) => client.request("GET", `/payments/v1/receipt/${id}`, auth),
    reading(response) {
      const receipt = response.json;
      const key = receipt.order_status.key as string;
      const released = (receipt.actions as Array<{ action: string; status: string }>).some((a) => a.action === "cancel_authorize" && a.status === "completed");
      const state = key === "rejected" ? (released ? "voided" : "declined") : BOG_STATES[key];
      assert.ok(state, `no reading of BOG status ${key}`);
      const units = receipt.purchase_units;
      return { state, amount: minorOf(units.request_amount), captured: minorOf(units.transfer_amount), refunded: minorOf(units.refund_amount) };
    },
    refund: (id, amount) => action(`/payment/refund/${id}`, amount),
    capture: (id, amount) => action(`/payment/authorization/approve/${id}`, amount),
    void: (id) => action(`/payment/authorization/cancel/${id}`),
    pay: (id, cardNumber) => client.request("POST", `/_test/orders/${id}/pay`, { ...auth, body: { card_number: cardNumber, expiry: "12/39", cvc: "123", cardholder: "Conformance" } }),
    anonymous: () => bogSession(client, true),
  };
  return session;
}

/** TBC's clients send amounts as JSON numbers; what is not a plain decimal goes as the text it is. */
const tbcAmount = (amount: string): number | string => (/^\d+(\.\d+)?$/.test(amount) ? Number(amount) : amount);

function tbcSession(client: ShopClient, anonymous = false): DialectSession {
  const auth = anonymous ? { token: null, apiKey: null } : {};
  const body = (order: NewOrder) => ({
    amount: { currency: "GEL", total: tbcAmount(order.amount) },
    returnurl: "https://shop.example/return",
    callbackUrl: order.callbackUrl,
    preAuth: order.capture === "manual",
    methods: [5],
    language: "EN",
  });
  const session: DialectSession = {
    async createOrder(order) {
      const response = await session.tryCreateOrder(order);
      assert.equal(response.status, 200, response.text);
      const approval = (response.json.links as Array<{ rel: string; uri: string }>).find((l) => l.rel === "approval_url");
      assert.ok(approval, "an approval_url link");
      return { id: response.json.payId, paymentPage: approval.uri };
    },
    tryCreateOrder: (order) => client.tbcRequest("POST", "/v1/tpay/payments", { ...auth, body: body(order) }),
    read: (id) => client.tbcRequest("GET", `/v1/tpay/payments/${id}`, auth),
    reading(response) {
      const payment = response.json;
      const captured = minorOf(payment.confirmedAmount);
      const refunded = minorOf(payment.returnedAmount);
      const states: Record<string, OrderState> = {
        Created: "created",
        Succeeded: "paid",
        WaitingConfirm: "authorized",
        Failed: "declined",
        PartialReturned: "partially_refunded",
        Returned: captured === 0 ? "voided" : "refunded",
      };
      const state = states[payment.status as string];
      assert.ok(state, `no reading of TBC status ${payment.status}`);
      return { state, amount: minorOf(payment.amount), captured, refunded };
    },
    refund: (id, amount) => client.tbcRequest("POST", `/v1/tpay/payments/${id}/cancel`, { ...auth, body: amount === undefined ? {} : { amount: tbcAmount(amount) } }),
    capture: (id, amount) => client.tbcRequest("POST", `/v1/tpay/payments/${id}/completion`, { ...auth, body: amount === undefined ? {} : { amount: tbcAmount(amount) } }),
    void: (id) => client.tbcRequest("POST", `/v1/tpay/payments/${id}/cancel`, { ...auth, body: {} }),
    pay: (id, cardNumber) =>
      client.tbcRequest("POST", `/_test/orders/${id}/pay`, { ...auth, body: { card_number: cardNumber, expiry: "12/39", cvc: "123", cardholder: "Conformance" } }),
    anonymous: () => tbcSession(client, true),
  };
  return session;
}

const PAYMENTZ_STATES: Record<string, OrderState> = {
  begun: "created",
  capturesuccess: "paid",
  authsuccessful: "authorized",
  authfailed: "declined",
  authcancelled: "voided",
  partialrefund: "partially_refunded",
  reversed: "refunded",
};

function paymentzSession(client: ShopClient, anonymous = false): DialectSession {
  const pz = paymentzClient(client);
  const auth = anonymous ? { token: null } : {};
  const { memberId, secureKey } = pz.member;
  const fields = (order: NewOrder, reference: string) => ({
    "authentication.memberId": memberId,
    "authentication.checksum": md5(memberId, secureKey, reference, order.amount),
    merchantTransactionId: reference,
    amount: order.amount,
    currency: "EUR",
    paymentType: order.capture === "manual" ? "PA" : "DB",
    notificationUrl: order.callbackUrl,
    merchantRedirectUrl: "https://shop.example/return",
  });
  let sequence = 0;
  const operate = (id: string, paymentType: string, amount?: string) =>
    pz.call("POST", `/payments/${id}`, {
      "authentication.memberId": memberId,
      "authentication.checksum": amount === undefined ? md5(memberId, secureKey, id) : md5(memberId, secureKey, id, amount),
      paymentType,
      ...(amount === undefined ? {} : { amount }),
    }, auth);
  const session: DialectSession = {
    async createOrder(order) {
      const response = await session.tryCreateOrder(order);
      assert.equal(response.status, 200, response.text);
      return { id: response.json.paymentId, paymentPage: response.json.redirect.url };
    },
    tryCreateOrder: (order) => pz.call("POST", "/payments", fields(order, `conformance-${process.pid}-${Date.now()}-${sequence++}`), auth),
    read: (id) => pz.call("GET", `/payments/${id}`, {}, auth),
    reading(response) {
      const payment = response.json;
      const state = PAYMENTZ_STATES[payment.status as string];
      assert.ok(state, `no reading of Paymentz status ${payment.status}`);
      return { state, amount: minorOf(payment.amount), captured: minorOf(payment.capturedAmount), refunded: minorOf(payment.refundedAmount) };
    },
    refund: (id, amount) => operate(id, "RF", amount),
    capture: (id, amount) => operate(id, "CP", amount),
    void: (id) => operate(id, "RV"),
    pay: async (id, cardNumber) =>
      client.request("POST", `/_test/orders/${id}/pay`, {
        token: null,
        headers: anonymous ? {} : { AuthToken: await pz.token() },
        body: { card_number: cardNumber, expiry: "12/39", cvc: "123", cardholder: "Conformance" },
      }),
    anonymous: () => paymentzSession(client, true),
  };
  return session;
}

export const DRIVERS: readonly DialectDriver[] = [
  {
    id: "bog",
    session: (client) => bogSession(client),
    assertError(response, status) {
      assert.equal(response.status, status, response.text);
      assert.equal(typeof response.json?.key, "string", `{key, message}: ${response.text}`);
      assert.equal(typeof response.json?.message, "string", response.text);
    },
    names: (callback, id) => JSON.parse(callback.body).body?.order_id === id,
    verifies(callback, pem) {
      const signature = callback.headers["callback-signature"];
      return typeof signature === "string" && verify("sha256", Buffer.from(callback.body), createPublicKey(pem), Buffer.from(signature, "base64"));
    },
  },
  {
    id: "tbc",
    session: (client) => tbcSession(client),
    assertError(response, status) {
      assert.equal(response.status, status, response.text);
      assert.match(String(response.headers.get("content-type")), /^application\/problem\+json/);
      assert.equal(response.json?.status, String(status), response.text);
      for (const key of ["type", "title", "detail", "systemCode"]) assert.equal(typeof response.json?.[key], "string", key);
    },
    names: (callback, id) => JSON.parse(callback.body).PaymentId === id,
    verifies: (callback) => (callback.headers["callback-signature"] === undefined ? "unsigned" : false),
  },
  {
    id: "paymentz",
    session: (client) => paymentzSession(client),
    assertError(response, status) {
      assert.equal(response.status, status, response.text);
      assert.equal(response.json?.paymentId, "-", response.text);
      assert.equal(response.json?.transactionStatus, "N", response.text);
      assert.match(String(response.json?.result?.code), /^\d{5}$/, response.text);
      assert.equal(typeof response.json?.result?.description, "string", response.text);
    },
    names: (callback, id) => JSON.parse(callback.body).paymentId === id,
    // The platform signs with an MD5 checksum in the body, keyed with the (demo) merchant's secure key.
    verifies(callback) {
      const body = JSON.parse(callback.body);
      return body.checksum === md5(body.paymentId, body.merchantTransactionId, body.amount, body.status, DEMO.paymentz.secureKey);
    },
  },
];
