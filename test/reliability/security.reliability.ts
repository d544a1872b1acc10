// Security matrix, each case its own test:
//  - merchant A calls every endpoint (BOG, TBC, test helper, tetri's subscriptions) with merchant B's ids → 404,
//    the same answer as for an id that does not exist, and B's orders are untouched;
//  - forged tokens (alg none, wrong key, HS256 with the public key, tampered claims),
//    expired tokens and the other API's token → 401 in the dialect's shape;
//  - callbacks: a captured callback replayed still verifies (tetri signs the bytes, it does
//    not make them unique: the shop dedupes), a modified one does not; retries resend the
//    same bytes; callbacks of one order arrive in the order of the changes;
//  - CSRF on the hosted page: no cookie, another order's token, a foreign cookie → 403, nothing paid;
//  - rate limit of both token endpoints → 429 in the dialect's shape;
//  - card data never appears in any response this file receives (nor in callbacks).
//
// What tetri guarantees for callbacks (BOG dialect), as these tests check it:
//  - at-least-once: a change's callback is written with the change in one transaction and
//    retried until a 2xx (or the attempts run out); the same callback can arrive twice;
//  - signed: Callback-Signature is SHA256withRSA over the raw body bytes, verifiable with
//    /payments/v1/callback-public-key; a changed byte fails verification;
//  - not replay-proof by itself: the signature has no nonce or expiry. The body carries
//    zoned_request_time and the order's status; a shop dedupes on (order_id, status) and
//    treats the receipt (GET /receipt) as the truth;
//  - ordered per order: a later change's callback is not sent while an earlier one of the
//    same order is still pending.
// TBC callbacks are unsigned {"PaymentId"} notifications (as TBC's): the shop reads the payment back.

import assert from "node:assert/strict";
import { createHash, createPublicKey, generateKeyPairSync, randomUUID, verify } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SignJWT } from "jose";
import { addMerchant } from "../helpers/fixtures.ts";
import type { MerchantCredentials } from "../helpers/fixtures.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { csrfCookieOf, csrfTokenOf } from "../helpers/hosted-page.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { Receiver } from "../helpers/receiver.ts";
import { fetchTransport, shopClient } from "../helpers/shop.ts";
import type { TestResponse, Transport } from "../helpers/shop.ts";
import { eventually } from "../helpers/wait.ts";
import { report } from "./helpers.ts";

const BOG_TOKEN_PATH = "/auth/realms/bog/protocol/openid-connect/token";
const TBC_TOKEN_PATH = "/v1/tpay/access-token";
const A: MerchantCredentials = {
  clientId: "sec-shop-a",
  clientSecret: "sec-secret-a",
  tbcApiKey: "sec-key-a",
  paymentz: { memberId: "70001", terminalId: "7001", secureKey: "sec-paymentz-key-a" },
};
const BASE_ENV = {
  TETRI_DEMO_CLIENT_ID: A.clientId,
  TETRI_DEMO_CLIENT_SECRET: A.clientSecret,
  TETRI_DEMO_TBC_API_KEY: A.tbcApiKey,
  TETRI_DEMO_PAYMENTZ_MEMBER: `${A.paymentz.memberId}:${A.paymentz.terminalId}:${A.paymentz.secureKey}`,
};
const PANS = ["4242424242424242", "4000000000003220", "5555555555554444", "4000000000000002", "4242424242424241"];

// ---------------------------------------------------------------------------------------
// Every answer this file gets is kept, to look for card data at the end.

const seen: Array<{ what: string; text: string }> = [];
let casesDefined = 0;
let casesPassed = 0;

/** The shop client's way over the socket, keeping every answer (headers and body) in `seen`. */
function recorded(baseUrl: string): Transport {
  const transport = fetchTransport(baseUrl);
  return async (request) => {
    const answer = await transport(request);
    const headerText = [...answer.headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n");
    seen.push({ what: `${request.method} ${request.path} → ${answer.status}`, text: `${headerText}\n\n${answer.text}` });
    return answer;
  };
}

/** One request with exactly the headers given (no token of its own); a `form` is sent url-encoded. */
function http(baseUrl: string, method: string, path: string, options: { headers?: Record<string, string>; body?: unknown; form?: Record<string, string> } = {}): Promise<TestResponse> {
  const form = options.form && new URLSearchParams(options.form).toString();
  const headers = form === undefined ? options.headers : { "content-type": "application/x-www-form-urlencoded", ...options.headers };
  return shopClient(recorded(baseUrl)).request(method, path, { token: null, headers, body: form ?? options.body });
}

/** One case, one test; counted for the summary line. */
function check(name: string, fn: () => Promise<void>, options: { todo?: string } = {}) {
  casesDefined++;
  it(name, options, async () => {
    await fn();
    casesPassed++;
  });
}

function assertBogError(answer: TestResponse, status: number, key?: string) {
  assert.equal(answer.status, status, answer.text);
  assert.match(String(answer.headers.get("content-type")), /^application\/json/);
  assert.equal(typeof answer.json?.key, "string", answer.text);
  assert.equal(typeof answer.json?.message, "string", answer.text);
  if (key) assert.equal(answer.json.key, key, answer.text);
}

function assertProblem(answer: TestResponse, status: number, systemCode?: string) {
  assert.equal(answer.status, status, answer.text);
  assert.match(String(answer.headers.get("content-type")), /^application\/problem\+json/);
  assert.equal(answer.json?.status, String(status), answer.text);
  for (const key of ["type", "title", "detail", "systemCode"]) assert.equal(typeof answer.json?.[key], "string", `${key}: ${answer.text}`);
  if (systemCode) assert.equal(answer.json.systemCode, systemCode, answer.text);
}

/** A merchant's view of one server: tokens, and helpers that make orders in given states. */
class Shop {
  readonly server: TestServer;
  readonly creds: MerchantCredentials;
  bogToken = "";
  tbcToken = "";
  constructor(server: TestServer, creds: MerchantCredentials) {
    this.server = server;
    this.creds = creds;
  }

  async login() {
    const client = shopClient(recorded(this.server.url), this.creds);
    this.bogToken = await client.token();
    this.tbcToken = await client.tbcToken();
    return this;
  }
  bog = () => ({ authorization: `Bearer ${this.bogToken}` });
  tbc = () => ({ authorization: `Bearer ${this.tbcToken}`, apikey: this.creds.tbcApiKey });

  async ok(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<any> {
    const answer = await http(this.server.url, method, path, { headers, body });
    assert.ok(answer.status >= 200 && answer.status < 300, `${method} ${path}: ${answer.status} ${answer.text}`);
    return answer.json;
  }
  async bogOrder(extra: Record<string, unknown> = {}): Promise<string> {
    const body = {
      callback_url: "http://127.0.0.1:9/callback",
      external_order_id: "sec-1",
      purchase_units: { currency: "GEL", total_amount: 30, basket: [{ product_id: "sku-1", description: "Churchkhela", quantity: 3, unit_price: 10 }] },
      ...extra,
    };
    return (await this.ok("POST", "/payments/v1/ecommerce/orders", this.bog(), body)).id;
  }
  async tbcPayment(extra: Record<string, unknown> = {}): Promise<string> {
    const body = { amount: { currency: "GEL", total: 30 }, returnurl: "https://shop.example/return", methods: [5], language: "EN", merchantPaymentId: "sec-1", ...extra };
    return (await this.ok("POST", "/v1/tpay/payments", this.tbc(), body)).payId;
  }
  pay(id: string, dialect: "bog" | "tbc", card = PANS[0]!) {
    return this.ok("POST", `/_test/orders/${id}/pay`, dialect === "bog" ? this.bog() : this.tbc(), { card_number: card, expiry: "12/39", cvc: "123", cardholder: "Sec Buyer" });
  }
  receipt(id: string) {
    return this.ok("GET", `/payments/v1/receipt/${id}`, this.bog());
  }
  payment(payId: string) {
    return this.ok("GET", `/v1/tpay/payments/${payId}`, this.tbc());
  }
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as Record<string, unknown>;

function formTokenOf(html: string): string {
  const token = csrfTokenOf(html);
  assert.ok(token !== undefined, "no csrf field on the page");
  return token;
}
function cookieOf(answer: TestResponse): string {
  const cookie = csrfCookieOf(answer.headers);
  assert.ok(cookie, `no tetri_csrf cookie: ${answer.headers.get("set-cookie")}`);
  return cookie;
}

// =======================================================================================

describe("Security matrix", () => {
  let server: TestServer;
  let a: Shop;
  let b: Shop;
  const started = Date.now();
  /** B's ids, by what they are. */
  const ofB = { bogCreated: "", bogCaptured: "", bogAuthorized: "", tbcCreated: "", tbcCaptured: "", tbcAuthorized: "", recId: "", bogRecurrent: "", bogSubscription: "", subscription: "" };
  let subscriptionOfB: unknown;
  const receiptsOfB = new Map<string, unknown>();

  before(async () => {
    server = await startTestServer(BASE_ENV);
    a = await new Shop(server, A).login();
    b = await new Shop(server, addMerchant(server, "B")).login();
    ofB.bogCreated = await b.bogOrder();
    ofB.bogCaptured = await b.bogOrder();
    await b.pay(ofB.bogCaptured, "bog");
    ofB.bogAuthorized = await b.bogOrder({ capture: "manual" });
    await b.pay(ofB.bogAuthorized, "bog");
    ofB.tbcCreated = await b.tbcPayment();
    ofB.tbcCaptured = await b.tbcPayment();
    await b.pay(ofB.tbcCaptured, "tbc");
    ofB.tbcAuthorized = await b.tbcPayment({ preAuth: true });
    await b.pay(ofB.tbcAuthorized, "tbc");
    const saved = await b.tbcPayment({ saveCard: true });
    await b.pay(saved, "tbc");
    ofB.recId = (await b.payment(saved)).recId;
    assert.ok(ofB.recId);
    for (const [key, path] of [["bogRecurrent", "cards"], ["bogSubscription", "subscriptions"]] as const) {
      ofB[key] = await b.bogOrder();
      const marked = await http(server.url, "PUT", `/payments/v1/orders/${ofB[key]}/${path}`, { headers: b.bog() });
      assert.equal(marked.status, 202, marked.text);
      await b.pay(ofB[key], "bog");
    }
    ofB.subscription = (await b.ok("POST", "/tetri/v1/subscriptions", b.bog(), { order_id: ofB.bogSubscription, amount: 1, interval: "monthly", start_date: "2031-01-01" })).id;
    subscriptionOfB = await b.ok("GET", `/tetri/v1/subscriptions/${ofB.subscription}`, b.bog());
    for (const id of [ofB.bogCreated, ofB.bogCaptured, ofB.bogAuthorized, ofB.bogRecurrent, ofB.bogSubscription]) receiptsOfB.set(id, await b.receipt(id));
    for (const id of [ofB.tbcCreated, ofB.tbcCaptured, ofB.tbcAuthorized, saved]) receiptsOfB.set(id, await b.payment(id));
  });

  after(async () => {
    await server?.close();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    report(`security: ${casesDefined} cases, ${casesPassed} passed, ${casesDefined - casesPassed} failed or todo; ${seen.length} responses scanned for card data (${seconds} s)`);
  });

  // -------------------------------------------------------------------------------------
  describe("merchant A on merchant B's ids → 404, indistinguishable from an unknown id", () => {
    const unknownUuid = randomUUID();
    const unknownHex = randomUUID().replaceAll("-", "");
    type Probe = { name: string; method: string; path: (ids: typeof ofB) => string; unknown: string; body?: (ids: typeof ofB) => unknown; dialect: "bog" | "tbc"; systemCode?: string };
    const unknownSubscription = `sub_${unknownHex}`;
    const orderBodyOf = { callback_url: "http://127.0.0.1:9/callback", purchase_units: { currency: "GEL", total_amount: 5, basket: [{ product_id: "k", quantity: 1, unit_price: 5 }] } };
    const probes: Probe[] = [
      { name: "BOG GET /receipt (created)", method: "GET", path: (o) => `/payments/v1/receipt/${o.bogCreated}`, unknown: `/payments/v1/receipt/${unknownUuid}`, dialect: "bog" },
      { name: "BOG GET /receipt (captured)", method: "GET", path: (o) => `/payments/v1/receipt/${o.bogCaptured}`, unknown: `/payments/v1/receipt/${unknownUuid}`, dialect: "bog" },
      { name: "BOG GET /ecommerce/orders/{id}", method: "GET", path: (o) => `/payments/v1/ecommerce/orders/${o.bogCaptured}`, unknown: `/payments/v1/ecommerce/orders/${unknownUuid}`, dialect: "bog" },
      { name: "BOG GET /receipt with B's TBC payId", method: "GET", path: (o) => `/payments/v1/receipt/${o.tbcCaptured}`, unknown: `/payments/v1/receipt/${unknownHex}`, dialect: "bog" },
      { name: "BOG full refund", method: "POST", path: (o) => `/payments/v1/payment/refund/${o.bogCaptured}`, unknown: `/payments/v1/payment/refund/${unknownUuid}`, body: () => ({}), dialect: "bog" },
      { name: "BOG partial refund", method: "POST", path: (o) => `/payments/v1/payment/refund/${o.bogCaptured}`, unknown: `/payments/v1/payment/refund/${unknownUuid}`, body: () => ({ amount: 1 }), dialect: "bog" },
      { name: "BOG approve pre-authorization", method: "POST", path: (o) => `/payments/v1/payment/authorization/approve/${o.bogAuthorized}`, unknown: `/payments/v1/payment/authorization/approve/${unknownUuid}`, body: () => ({}), dialect: "bog" },
      { name: "BOG partial approve", method: "POST", path: (o) => `/payments/v1/payment/authorization/approve/${o.bogAuthorized}`, unknown: `/payments/v1/payment/authorization/approve/${unknownUuid}`, body: () => ({ amount: 1 }), dialect: "bog" },
      { name: "BOG cancel pre-authorization", method: "POST", path: (o) => `/payments/v1/payment/authorization/cancel/${o.bogAuthorized}`, unknown: `/payments/v1/payment/authorization/cancel/${unknownUuid}`, body: () => ({}), dialect: "bog" },
      { name: "test helper pay with A's BOG token", method: "POST", path: (o) => `/_test/orders/${o.bogCreated}/pay`, unknown: `/_test/orders/${unknownUuid}/pay`, body: () => ({ card_number: PANS[0], expiry: "12/39", cvc: "123", cardholder: "A" }), dialect: "bog" },
      { name: "TBC GET /payments/{payId}", method: "GET", path: (o) => `/v1/tpay/payments/${o.tbcCaptured}`, unknown: `/v1/tpay/payments/${unknownHex}`, dialect: "tbc", systemCode: "PaymentNotFound" },
      { name: "TBC GET /payments/{payId} with B's BOG order id", method: "GET", path: (o) => `/v1/tpay/payments/${o.bogCaptured}`, unknown: `/v1/tpay/payments/${unknownUuid}`, dialect: "tbc", systemCode: "PaymentNotFound" },
      { name: "TBC cancel (full refund)", method: "POST", path: (o) => `/v1/tpay/payments/${o.tbcCaptured}/cancel`, unknown: `/v1/tpay/payments/${unknownHex}/cancel`, body: () => ({}), dialect: "tbc", systemCode: "PaymentNotFound" },
      { name: "TBC cancel (partial refund)", method: "POST", path: (o) => `/v1/tpay/payments/${o.tbcCaptured}/cancel`, unknown: `/v1/tpay/payments/${unknownHex}/cancel`, body: () => ({ amount: 1 }), dialect: "tbc", systemCode: "PaymentNotFound" },
      { name: "TBC cancel (release pre-authorization)", method: "POST", path: (o) => `/v1/tpay/payments/${o.tbcAuthorized}/cancel`, unknown: `/v1/tpay/payments/${unknownHex}/cancel`, body: () => ({}), dialect: "tbc", systemCode: "PaymentNotFound" },
      { name: "TBC completion", method: "POST", path: (o) => `/v1/tpay/payments/${o.tbcAuthorized}/completion`, unknown: `/v1/tpay/payments/${unknownHex}/completion`, body: () => ({ amount: 30 }), dialect: "tbc", systemCode: "PaymentNotFound" },
      { name: "TBC completion (path without /tpay)", method: "POST", path: (o) => `/v1/payments/${o.tbcAuthorized}/completion`, unknown: `/v1/payments/${unknownHex}/completion`, body: () => ({}), dialect: "tbc", systemCode: "PaymentNotFound" },
      { name: "TBC execution with B's recId", method: "POST", path: () => "/v1/tpay/payments/execution", unknown: "/v1/tpay/payments/execution", body: (o) => ({ recId: o.recId, money: { amount: 5, currency: "GEL" } }), dialect: "tbc", systemCode: "RecurringPaymentNotFound" },
      { name: "TBC execution with B's recId (path without /tpay)", method: "POST", path: () => "/v1/payments/execution", unknown: "/v1/payments/execution", body: (o) => ({ recId: o.recId, money: { amount: 5, currency: "GEL" }, preAuth: true }), dialect: "tbc", systemCode: "RecurringPaymentNotFound" },
      { name: "TBC delete B's saved card", method: "POST", path: (o) => `/v1/tpay/payments/${o.recId}/delete`, unknown: `/v1/tpay/payments/${unknownHex}/delete`, dialect: "tbc", systemCode: "RecurringPaymentNotFound" },
      { name: "BOG PUT /orders/{id}/cards", method: "PUT", path: (o) => `/payments/v1/orders/${o.bogCreated}/cards`, unknown: `/payments/v1/orders/${unknownUuid}/cards`, dialect: "bog" },
      { name: "BOG PUT /orders/{id}/subscriptions", method: "PUT", path: (o) => `/payments/v1/orders/${o.bogCreated}/subscriptions`, unknown: `/payments/v1/orders/${unknownUuid}/subscriptions`, dialect: "bog" },
      { name: "BOG new order from B's saved card", method: "POST", path: (o) => `/payments/v1/ecommerce/orders/${o.bogRecurrent}`, unknown: `/payments/v1/ecommerce/orders/${unknownUuid}`, body: () => orderBodyOf, dialect: "bog" },
      { name: "BOG subscribe B's saved card", method: "POST", path: (o) => `/payments/v1/ecommerce/orders/${o.bogSubscription}/subscribe`, unknown: `/payments/v1/ecommerce/orders/${unknownUuid}/subscribe`, body: () => ({}), dialect: "bog" },
      { name: "BOG DELETE B's saved card", method: "DELETE", path: (o) => `/payments/v1/charges/card/${o.bogSubscription}`, unknown: `/payments/v1/charges/card/${unknownUuid}`, dialect: "bog" },
      { name: "tetri subscription on B's saved card", method: "POST", path: () => "/tetri/v1/subscriptions", unknown: "/tetri/v1/subscriptions", body: (o) => ({ order_id: o.bogSubscription, amount: 1, interval: "daily" }), dialect: "bog" },
      { name: "tetri GET B's subscription", method: "GET", path: (o) => `/tetri/v1/subscriptions/${o.subscription}`, unknown: `/tetri/v1/subscriptions/${unknownSubscription}`, dialect: "bog" },
      { name: "tetri pause B's subscription", method: "POST", path: (o) => `/tetri/v1/subscriptions/${o.subscription}/pause`, unknown: `/tetri/v1/subscriptions/${unknownSubscription}/pause`, dialect: "bog" },
      { name: "tetri resume B's subscription", method: "POST", path: (o) => `/tetri/v1/subscriptions/${o.subscription}/resume`, unknown: `/tetri/v1/subscriptions/${unknownSubscription}/resume`, dialect: "bog" },
      { name: "tetri cancel B's subscription", method: "POST", path: (o) => `/tetri/v1/subscriptions/${o.subscription}/cancel`, unknown: `/tetri/v1/subscriptions/${unknownSubscription}/cancel`, dialect: "bog" },
      { name: "tetri cancel B's subscription with A's TBC token", method: "POST", path: (o) => `/tetri/v1/subscriptions/${o.subscription}/cancel`, unknown: `/tetri/v1/subscriptions/${unknownSubscription}/cancel`, dialect: "tbc" },
      { name: "test helper pay with A's TBC token and apikey", method: "POST", path: (o) => `/_test/orders/${o.tbcCreated}/pay`, unknown: `/_test/orders/${unknownHex}/pay`, body: () => ({ card_number: PANS[0], expiry: "12/39", cvc: "123", cardholder: "A" }), dialect: "tbc" },
    ];

    for (const probe of probes) {
      check(`${probe.name} → 404`, async () => {
        const headers = probe.dialect === "bog" ? a.bog() : a.tbc();
        const body = probe.body?.(ofB);
        // The unknown id gets the body with B's recId replaced, so both calls differ only in what they name.
        const unknownBody =
          body && typeof body === "object" && "recId" in body
            ? { ...body, recId: randomUUID().replaceAll("-", "") }
            : body && typeof body === "object" && "order_id" in body
              ? { ...body, order_id: randomUUID() }
              : body;
        const foreign = await http(server.url, probe.method, probe.path(ofB), { headers, body });
        const unknown = await http(server.url, probe.method, probe.unknown, { headers, body: unknownBody });
        const helper = probe.path(ofB).startsWith("/_test/") || probe.path(ofB).startsWith("/tetri/");
        if (probe.dialect === "bog" || helper) assertBogError(foreign, 404);
        else assertProblem(foreign, 404, probe.systemCode);
        assert.equal(foreign.status, unknown.status, `unknown id: ${unknown.text}`);
        assert.deepEqual(foreign.json, unknown.json, "A can tell B's order from a missing one");
      });
    }

    check("A's TBC token with B's apikey → 401", async () => {
      const answer = await http(server.url, "GET", `/v1/tpay/payments/${ofB.tbcCaptured}`, { headers: { authorization: `Bearer ${a.tbcToken}`, apikey: b.creds.tbcApiKey } });
      assertProblem(answer, 401);
    });
    check("B's TBC token with A's apikey → 401", async () => {
      const answer = await http(server.url, "GET", `/v1/tpay/payments/${ofB.tbcCaptured}`, { headers: { authorization: `Bearer ${b.tbcToken}`, apikey: A.tbcApiKey } });
      assertProblem(answer, 401);
    });
    check("A's TBC token on the test helper with B's apikey → 401", async () => {
      const answer = await http(server.url, "POST", `/_test/orders/${ofB.tbcCreated}/pay`, { headers: { authorization: `Bearer ${a.tbcToken}`, apikey: b.creds.tbcApiKey }, body: { card_number: PANS[0], expiry: "12/39", cvc: "123", cardholder: "A" } });
      assertBogError(answer, 401);
    });
    check("A's TBC token for the token call with B's apikey and A's credentials → 401", async () => {
      const answer = await http(server.url, "POST", TBC_TOKEN_PATH, { headers: { apikey: b.creds.tbcApiKey }, form: { client_id: A.clientId, client_secret: A.clientSecret } });
      assertProblem(answer, 401);
    });
    check("the same Idempotency-Key as B's does not hand A B's order", async () => {
      const key = `shared-${randomUUID()}`;
      const body = { callback_url: "http://127.0.0.1:9/callback", purchase_units: { currency: "GEL", total_amount: 7, basket: [{ product_id: "k", quantity: 1, unit_price: 7 }] } };
      const ofBKey = await b.ok("POST", "/payments/v1/ecommerce/orders", { ...b.bog(), "idempotency-key": key }, body);
      const ofAKey = await a.ok("POST", "/payments/v1/ecommerce/orders", { ...a.bog(), "idempotency-key": key }, body);
      assert.notEqual(ofAKey.id, ofBKey.id);
      const tbcBody = { amount: { currency: "GEL", total: 7 }, returnurl: "https://shop.example/r" };
      const tbcOfB = await b.ok("POST", "/v1/tpay/payments", { ...b.tbc(), "idempotency-key": key }, tbcBody);
      const tbcOfA = await a.ok("POST", "/v1/tpay/payments", { ...a.tbc(), "idempotency-key": key }, tbcBody);
      assert.notEqual(tbcOfA.payId, tbcOfB.payId);
    });
    check("after all of the above, B's orders and saved card are exactly as they were", async () => {
      for (const [id, before] of receiptsOfB) {
        const now = id.includes("-") ? await b.receipt(id) : await b.payment(id);
        assert.deepEqual(now, before, `B's order ${id} changed`);
      }
      const charge = await b.ok("POST", "/v1/tpay/payments/execution", b.tbc(), { recId: ofB.recId, money: { amount: 1, currency: "GEL" } });
      assert.equal(charge.status, "Succeeded", JSON.stringify(charge));
      assert.deepEqual(await b.ok("GET", `/tetri/v1/subscriptions/${ofB.subscription}`, b.bog()), subscriptionOfB, "B's subscription changed");
      const subscribed = await b.ok("POST", `/payments/v1/ecommerce/orders/${ofB.bogSubscription}/subscribe`, b.bog(), {});
      assert.equal((await b.receipt(subscribed.id)).order_status.key, "completed", "B's saved card still charges");
    });
  });

  // -------------------------------------------------------------------------------------
  describe("forged, expired and foreign tokens → 401", () => {
    type Forge = { name: string; make: (dialect: "bog" | "tbc") => Promise<string> };
    const realToken = (dialect: "bog" | "tbc") => (dialect === "bog" ? a.bogToken : a.tbcToken);
    const wrongKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const forgeries: Forge[] = [
      { name: "alg none, no signature", make: async (d) => `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claimsOf(realToken(d)))}.` },
      { name: "alg none, the real signature kept", make: async (d) => `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claimsOf(realToken(d)))}.${realToken(d).split(".")[2]}` },
      { name: "alg NONE (case variant), no signature", make: async (d) => `${b64url({ alg: "NONE" })}.${b64url(claimsOf(realToken(d)))}.` },
      {
        name: "signed with a wrong RSA key (same kid and claims)",
        make: async (d) => new SignJWT(claimsOf(realToken(d))).setProtectedHeader({ ...headerOf(realToken(d)), alg: "RS256" } as { alg: string }).sign(wrongKey.privateKey),
      },
      {
        name: "HS256 signed with the server's public key (algorithm confusion)",
        make: async (d) => {
          const jwks = (await http(server.url, "GET", "/auth/realms/bog/protocol/openid-connect/certs")).json;
          const pem = createPublicKey({ key: jwks.keys[0], format: "jwk" }).export({ type: "spki", format: "pem" });
          return new SignJWT(claimsOf(realToken(d))).setProtectedHeader({ alg: "HS256", typ: "JWT", kid: String(headerOf(realToken(d)).kid) }).sign(Buffer.from(pem));
        },
      },
      {
        name: "claims changed to merchant B, A's signature kept",
        make: async (d) => {
          const token = realToken(d);
          const claimsOfB = claimsOf(d === "bog" ? b.bogToken : b.tbcToken);
          const [header, , signature] = token.split(".");
          return `${header}.${b64url({ ...claimsOf(token), sub: claimsOfB.sub, azp: claimsOfB.azp })}.${signature}`;
        },
      },
      { name: "exp pushed a year ahead, signature kept", make: async (d) => { const [h, , s] = realToken(d).split("."); return `${h}.${b64url({ ...claimsOf(realToken(d)), exp: Number(claimsOf(realToken(d)).exp) + 31_536_000 })}.${s}`; } },
      { name: "signature stripped", make: async (d) => realToken(d).split(".").slice(0, 2).join(".") + "." },
      { name: "not a JWT", make: async () => "abc" },
      { name: "the other API's token", make: async (d) => (d === "bog" ? a.tbcToken : a.bogToken) },
    ];
    type Target = { name: string; dialect: "bog" | "tbc"; method: string; path: () => string; body?: unknown; helper?: boolean };
    const targets: Target[] = [
      { name: "BOG create order", dialect: "bog", method: "POST", path: () => "/payments/v1/ecommerce/orders", body: { callback_url: "http://127.0.0.1:9/cb", purchase_units: { total_amount: 1, basket: [{ product_id: "x", quantity: 1, unit_price: 1 }] } } },
      { name: "BOG receipt", dialect: "bog", method: "GET", path: () => `/payments/v1/receipt/${ofB.bogCaptured}` },
      { name: "TBC create payment", dialect: "tbc", method: "POST", path: () => "/v1/tpay/payments", body: { amount: { currency: "GEL", total: 1 }, returnurl: "https://shop.example/r" } },
      { name: "TBC get payment", dialect: "tbc", method: "GET", path: () => `/v1/tpay/payments/${ofB.tbcCaptured}` },
      { name: "test helper (BOG)", dialect: "bog", method: "POST", path: () => `/_test/orders/${ofB.bogCreated}/pay`, body: { card_number: PANS[0], expiry: "12/39", cvc: "123", cardholder: "X" }, helper: true },
      { name: "test helper (TBC)", dialect: "tbc", method: "POST", path: () => `/_test/orders/${ofB.tbcCreated}/pay`, body: { card_number: PANS[0], expiry: "12/39", cvc: "123", cardholder: "X" }, helper: true },
    ];
    for (const forge of forgeries) {
      for (const target of targets) {
        // The test helper takes either API's token by design (each for that API's orders); see the cases below.
        if (target.helper && forge.name === "the other API's token") continue;
        check(`${forge.name} on ${target.name} → 401`, async () => {
          const token = await forge.make(target.dialect);
          const headers: Record<string, string> = { authorization: `Bearer ${token}` };
          if (target.dialect === "tbc") headers.apikey = A.tbcApiKey;
          const answer = await http(server.url, target.method, target.path(), { headers, body: target.body });
          if (target.helper) {
            assertBogError(answer, 401);
            assert.ok(["unauthenticated", "invalid_api_key"].includes(answer.json.key), answer.text);
          } else if (target.dialect === "bog") {
            assertBogError(answer, 401, "unauthenticated");
            assert.match(String(answer.headers.get("www-authenticate")), /^Bearer/);
          } else {
            assertProblem(answer, 401, "Unauthorized");
          }
        });
      }
    }
    check("test helper: A's BOG token on A's own TBC payment → 404 (each token pays its own API's orders)", async () => {
      const payId = await a.tbcPayment();
      assertBogError(await http(server.url, "POST", `/_test/orders/${payId}/pay`, { headers: a.bog(), body: { card_number: PANS[0], expiry: "12/39", cvc: "123", cardholder: "X" } }), 404, "order_not_found");
      assert.equal((await a.payment(payId)).status, "Created");
    });
    check("test helper: A's TBC token and apikey on A's own BOG order → 404", async () => {
      const id = await a.bogOrder();
      assertBogError(await http(server.url, "POST", `/_test/orders/${id}/pay`, { headers: a.tbc(), body: { card_number: PANS[0], expiry: "12/39", cvc: "123", cardholder: "X" } }), 404, "order_not_found");
      assert.equal((await a.receipt(id)).order_status.key, "created");
    });
    check("test helper: a TBC token without its apikey → 401", async () => {
      assertBogError(await http(server.url, "POST", `/_test/orders/${ofB.tbcCreated}/pay`, { headers: { authorization: `Bearer ${a.tbcToken}` }, body: { card_number: PANS[0], expiry: "12/39", cvc: "123", cardholder: "X" } }), 401);
    });
    check("the real tokens still work (the 401s above are about the forgeries)", async () => {
      await a.ok("GET", `/payments/v1/receipt/${await a.bogOrder()}`, a.bog());
      await a.ok("GET", `/v1/tpay/payments/${await a.tbcPayment()}`, a.tbc());
    });

    describe("expiry (TETRI_TOKEN_TTL_SECONDS=60, clock moved 61 s)", () => {
      let short: TestServer;
      let shop: Shop;
      let used: { bog: string; tbc: string };
      let unused: { bog: string; tbc: string };
      before(async () => {
        short = await startTestServer({ ...BASE_ENV, TETRI_TOKEN_TTL_SECONDS: "60" });
        shop = await new Shop(short, A).login();
        used = { bog: shop.bogToken, tbc: shop.tbcToken };
        await shop.bogOrder();
        await shop.tbcPayment();
        const other = await new Shop(short, A).login();
        unused = { bog: other.bogToken, tbc: other.tbcToken };
        short.clock.advance(61_000);
      });
      after(() => short?.close());
      for (const which of ["a token used before (verified and cached)", "a token never used before"] as const) {
        check(`BOG: ${which} → 401 after expiry`, async () => {
          const token = which.startsWith("a token used") ? used.bog : unused.bog;
          assertBogError(await http(short.url, "POST", "/payments/v1/ecommerce/orders", { headers: { authorization: `Bearer ${token}` }, body: { callback_url: "http://127.0.0.1:9/cb", purchase_units: { total_amount: 1, basket: [{ product_id: "x", quantity: 1, unit_price: 1 }] } } }), 401, "unauthenticated");
        });
        check(`TBC: ${which} → 401 after expiry`, async () => {
          const token = which.startsWith("a token used") ? used.tbc : unused.tbc;
          assertProblem(await http(short.url, "POST", "/v1/tpay/payments", { headers: { authorization: `Bearer ${token}`, apikey: A.tbcApiKey }, body: { amount: { currency: "GEL", total: 1 }, returnurl: "https://shop.example/r" } }), 401, "Unauthorized");
        });
        check(`test helper: ${which} (BOG) → 401 after expiry`, async () => {
          const token = which.startsWith("a token used") ? used.bog : unused.bog;
          assertBogError(await http(short.url, "POST", `/_test/orders/${randomUUID()}/pay`, { headers: { authorization: `Bearer ${token}` }, body: { card_number: PANS[0], expiry: "12/39", cvc: "123", cardholder: "X" } }), 401);
        });
      }
      check("a token issued after the clock moved works", async () => {
        const fresh = await new Shop(short, A).login();
        await fresh.bogOrder();
        await fresh.tbcPayment();
      });
    });
  });

  // -------------------------------------------------------------------------------------
  describe("callbacks: signed, replayable by design, modified → invalid, retried with the same bytes, ordered per order", () => {
    let failFirst = 0;
    let receiver: Receiver;
    let publicKey: string;
    const verifies = (body: string, signature: string) => verify("sha256", Buffer.from(body, "utf8"), publicKey, Buffer.from(signature, "base64"));
    let captured: { body: string; signature: string };

    before(async () => {
      receiver = await startReceiver({
        behave: () => {
          if (failFirst === 0) return { kind: "answer", status: 200 };
          failFirst--;
          return { kind: "answer", status: 500 };
        },
      });
      publicKey = (await http(server.url, "GET", "/payments/v1/callback-public-key")).text;
      const id = await a.bogOrder({ callback_url: receiver.url });
      await a.pay(id, "bog");
      const callback = await eventually(() => receiver.received.find((c) => c.body.includes(id)));
      seen.push({ what: "callback", text: callback.body });
      captured = { body: callback.body, signature: String(callback.headers["callback-signature"]) };
    });
    after(() => receiver?.close());

    check("a delivered callback verifies with /payments/v1/callback-public-key", async () => {
      assert.ok(verifies(captured.body, captured.signature));
      assert.equal(JSON.parse(captured.body).event, "order_payment");
    });
    check("the same captured callback replayed later still verifies: the signature has no nonce or expiry (the shop dedupes)", async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(verifies(captured.body, captured.signature));
      const body = JSON.parse(captured.body);
      assert.match(body.zoned_request_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, "the body carries the time it was sent, for a freshness check");
      assert.equal(typeof body.body.order_id, "string");
      assert.equal(typeof body.body.order_status.key, "string");
    });
    const modifications: Array<[string, (body: string) => string]> = [
      ["status changed", (s) => s.replace('"key":"completed"', '"key":"refunded"')],
      ["amount changed", (s) => s.replace(/"transfer_amount":"[^"]+"/, '"transfer_amount":"9999.0"')],
      ["order id changed", (s) => s.replace(/"order_id":"([0-9a-f])/, (_match, first: string) => `"order_id":"${first === "0" ? "1" : "0"}`)],
      ["one trailing space", (s) => `${s} `],
      ["pretty-printed", (s) => JSON.stringify(JSON.parse(s), null, 2)],
      ["keys in another order", (s) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(s)).reverse()))],
    ];
    for (const [name, modify] of modifications) {
      check(`a modified callback does not verify: ${name}`, async () => {
        const modified = modify(captured.body);
        assert.notEqual(modified, captured.body, "the modification changed nothing");
        assert.equal(verifies(modified, captured.signature), false);
      });
    }
    check("JSON.stringify(JSON.parse(body)) gives the same bytes (so shops that re-serialize still verify)", async () => {
      assert.equal(JSON.stringify(JSON.parse(captured.body)), captured.body);
    });
    check("at-least-once: after a 500 the callback is retried with identical bytes and signature", async () => {
      const before = receiver.received.length;
      failFirst = 2;
      const id = await a.bogOrder({ callback_url: receiver.url });
      await a.pay(id, "bog");
      const deliveries = await eventually(() => {
        const mine = receiver.received.slice(before).filter((c) => c.body.includes(id));
        return mine.length >= 3 ? mine : undefined;
      });
      for (const d of deliveries) seen.push({ what: "callback", text: d.body });
      assert.equal(new Set(deliveries.map((d) => d.body)).size, 1, "a retry changed the body");
      assert.equal(new Set(deliveries.map((d) => d.headers["callback-signature"])).size, 1);
      assert.ok(verifies(deliveries[0]!.body, String(deliveries[0]!.headers["callback-signature"])));
    });
    check("ordered per order: blocked → completed → refunded_partially → refunded, even when the first delivery fails", async () => {
      const before = receiver.received.length;
      failFirst = 1;
      const id = await a.bogOrder({ callback_url: receiver.url, capture: "manual" });
      await a.pay(id, "bog");
      await a.ok("POST", `/payments/v1/payment/authorization/approve/${id}`, a.bog(), {});
      await a.ok("POST", `/payments/v1/payment/refund/${id}`, a.bog(), { amount: 5 });
      await a.ok("POST", `/payments/v1/payment/refund/${id}`, a.bog(), {});
      const statuses = await eventually(() => {
        const mine = receiver.received.slice(before).filter((c) => c.body.includes(id));
        const keys = mine.map((c) => JSON.parse(c.body).body.order_status.key as string);
        return keys.includes("refunded") ? keys : undefined;
      });
      for (const c of receiver.received.slice(before)) seen.push({ what: "callback", text: c.body });
      // Duplicates of one status are allowed (at-least-once); going back is not.
      const order = ["blocked", "completed", "refunded_partially", "refunded"];
      const distinct = statuses.filter((s, i) => s !== statuses[i - 1]);
      assert.deepEqual(distinct, order, `callbacks arrived as ${statuses.join(", ")}`);
    });
    check("TBC callbacks are unsigned {PaymentId} notifications (documented; the shop reads the payment back)", async () => {
      const before = receiver.received.length;
      const payId = await a.tbcPayment({ callbackUrl: receiver.url });
      await a.pay(payId, "tbc");
      const callback = await eventually(() => receiver.received.slice(before).find((c) => c.body.includes(payId)));
      assert.deepEqual(JSON.parse(callback.body), { PaymentId: payId });
      assert.equal(callback.headers["callback-signature"], undefined);
    });
  });

  // -------------------------------------------------------------------------------------
  describe("CSRF on the hosted page → 403 and nothing paid", () => {
    const card = { card_number: PANS[0]!, expiry: "12/39", cvc: "123", cardholder: "Nino Beridze" };
    let x: string;
    let y: string;
    let cookie: string;
    let tokenX: string;
    let tokenY: string;

    async function assertUnpaid(id: string) {
      const receipt = await a.receipt(id);
      assert.equal(receipt.order_status.key, "created", JSON.stringify(receipt.order_status));
      assert.equal(receipt.payment_detail.transaction_id, null);
      assert.equal(receipt.payment_detail.payer_identifier, null);
    }

    before(async () => {
      x = await a.bogOrder();
      y = await a.bogOrder();
      const pageX = await http(server.url, "GET", `/?order_id=${x}`);
      assert.equal(pageX.status, 200);
      cookie = cookieOf(pageX);
      tokenX = formTokenOf(pageX.text);
      const pageY = await http(server.url, "GET", `/?order_id=${y}`, { headers: { cookie } });
      tokenY = formTokenOf(pageY.text);
    });

    check("the CSRF cookie is HttpOnly, SameSite=Strict, Path=/", async () => {
      const page = await http(server.url, "GET", `/?order_id=${x}`);
      const setCookie = String(page.headers.get("set-cookie"));
      assert.match(setCookie, /HttpOnly/i);
      assert.match(setCookie, /SameSite=Strict/i);
      assert.match(setCookie, /Path=\//i);
    });
    check("POST /checkout/pay with the right form token but no cookie → 403, not paid", async () => {
      const answer = await http(server.url, "POST", "/checkout/pay", { form: { order_id: x, csrf: tokenX, lang: "en", ...card } });
      assert.equal(answer.status, 403, answer.text.slice(0, 200));
      await assertUnpaid(x);
    });
    check("POST /checkout/pay with the cookie and the token of another order → 403, not paid", async () => {
      const answer = await http(server.url, "POST", "/checkout/pay", { headers: { cookie }, form: { order_id: x, csrf: tokenY, lang: "en", ...card } });
      assert.equal(answer.status, 403);
      await assertUnpaid(x);
    });
    check("POST /checkout/pay with the cookie and no form token → 403, not paid", async () => {
      const answer = await http(server.url, "POST", "/checkout/pay", { headers: { cookie }, form: { order_id: x, lang: "en", ...card } });
      assert.equal(answer.status, 403);
      await assertUnpaid(x);
    });
    check("POST /checkout/pay with an attacker's own cookie and the victim's token → 403, not paid", async () => {
      const other = cookieOf(await http(server.url, "GET", `/?order_id=${y}`));
      const answer = await http(server.url, "POST", "/checkout/pay", { headers: { cookie: other }, form: { order_id: x, csrf: tokenX, lang: "en", ...card } });
      assert.equal(answer.status, 403);
      await assertUnpaid(x);
    });
    check("POST /checkout/pay with a JSON body and no cookie → refused, not paid", async () => {
      const answer = await http(server.url, "POST", "/checkout/pay", { body: { order_id: x, csrf: tokenX, ...card } });
      assert.ok(answer.status >= 400 && answer.status < 500, `${answer.status}`);
      await assertUnpaid(x);
    });
    check("the 403 page does not echo the card data it was sent", async () => {
      const answer = await http(server.url, "POST", "/checkout/pay", { form: { order_id: x, csrf: tokenX, lang: "en", ...card } });
      assert.equal(answer.status, 403);
      assert.ok(!answer.text.includes(card.card_number));
    });
    check("POST /checkout/3ds without the cookie, or with another order's token → 403, the challenge stays open", async () => {
      const z = await a.bogOrder();
      const page = await http(server.url, "GET", `/?order_id=${z}`);
      const zCookie = cookieOf(page);
      const pay = await http(server.url, "POST", "/checkout/pay", { headers: { cookie: zCookie }, form: { order_id: z, csrf: formTokenOf(page.text), lang: "en", ...card, card_number: "4000000000003220" } });
      assert.equal(pay.status, 303, pay.text.slice(0, 200));
      const location = String(pay.headers.get("location"));
      const attemptId = /attempt_id=(pat_[0-9a-f]+)/.exec(location)?.[1];
      assert.ok(attemptId, location);
      const challenge = await http(server.url, "GET", location, { headers: { cookie: zCookie } });
      const zToken = formTokenOf(challenge.text);
      const noCookie = await http(server.url, "POST", "/checkout/3ds", { form: { order_id: z, attempt_id: attemptId, csrf: zToken, result: "complete", lang: "en" } });
      assert.equal(noCookie.status, 403);
      const otherToken = formTokenOf((await http(server.url, "GET", `/?order_id=${y}`, { headers: { cookie: zCookie } })).text);
      const wrongToken = await http(server.url, "POST", "/checkout/3ds", { headers: { cookie: zCookie }, form: { order_id: z, attempt_id: attemptId, csrf: otherToken, result: "complete", lang: "en" } });
      assert.equal(wrongToken.status, 403);
      const receipt = await a.receipt(z);
      assert.equal(receipt.order_status.key, "processing", "the challenge was answered without a valid token");
      const right = await http(server.url, "POST", "/checkout/3ds", { headers: { cookie: zCookie }, form: { order_id: z, attempt_id: attemptId, csrf: zToken, result: "complete", lang: "en" } });
      assert.equal(right.status, 303);
      assert.equal((await a.receipt(z)).order_status.key, "completed");
    });
    check("with the cookie and its own token the same form pays (the 403s were about CSRF)", async () => {
      const answer = await http(server.url, "POST", "/checkout/pay", { headers: { cookie }, form: { order_id: x, csrf: tokenX, lang: "en", ...card } });
      assert.equal(answer.status, 303, answer.text.slice(0, 300));
      assert.equal((await a.receipt(x)).order_status.key, "completed");
      const result = await http(server.url, "GET", String(answer.headers.get("location")));
      assert.equal(result.status, 200);
      await assertUnpaid(y);
    });
  });

  // -------------------------------------------------------------------------------------
  describe("rate limit of the token endpoints (TETRI_TOKEN_RATE_LIMIT=3) → 429 in the dialect's shape", () => {
    const bogCall = (s: TestServer, secret = A.clientSecret) =>
      http(s.url, "POST", BOG_TOKEN_PATH, { headers: { authorization: `Basic ${Buffer.from(`${A.clientId}:${secret}`).toString("base64")}` }, form: { grant_type: "client_credentials" } });
    const tbcCall = (s: TestServer, secret = A.clientSecret) => http(s.url, "POST", TBC_TOKEN_PATH, { headers: { apikey: A.tbcApiKey }, form: { client_id: A.clientId, client_secret: secret } });
    /** Runs `work` on a server of its own that answers 3 token requests a minute, then closes it. */
    async function onLimitedServer(work: (limited: TestServer) => Promise<void>): Promise<void> {
      const limited = await startTestServer({ ...BASE_ENV, TETRI_TOKEN_RATE_LIMIT: "3" });
      try {
        await work(limited);
      } finally {
        await limited.close();
      }
    }

    check("BOG token: 3 answered, the 4th is 429 {error: slow_down} with Retry-After", () =>
      onLimitedServer(async (limited) => {
        for (let i = 0; i < 3; i++) assert.equal((await bogCall(limited)).status, 200);
        const answer = await bogCall(limited);
        assert.equal(answer.status, 429, answer.text);
        assert.match(String(answer.headers.get("content-type")), /^application\/json/);
        assert.equal(answer.json.error, "slow_down");
        assert.equal(typeof answer.json.error_description, "string");
        assert.ok(answer.headers.get("retry-after"), "no Retry-After");
      }),
    );
    check("TBC token: 3 answered, the 4th is 429 problem+json with Retry-After", () =>
      onLimitedServer(async (limited) => {
        for (let i = 0; i < 3; i++) assert.equal((await tbcCall(limited)).status, 200);
        const answer = await tbcCall(limited);
        assertProblem(answer, 429);
        assert.ok(answer.headers.get("retry-after"), "no Retry-After");
      }),
    );
    check("failed guesses count too: 3 wrong secrets, then even the right one is 429 (BOG and TBC)", () =>
      onLimitedServer(async (limited) => {
        for (let i = 0; i < 3; i++) assert.equal((await bogCall(limited, `guess-${i}`)).status, 401);
        assert.equal((await bogCall(limited)).status, 429);
        for (let i = 0; i < 3; i++) assert.equal((await tbcCall(limited, `guess-${i}`)).status, 401);
        assertProblem(await tbcCall(limited), 429);
      }),
    );
    check("X-Forwarded-For / X-Real-IP do not open a new allowance (the limit is per connecting address)", () =>
      onLimitedServer(async (limited) => {
        for (let i = 0; i < 3; i++) assert.equal((await bogCall(limited)).status, 200);
        for (const [header, value] of [["x-forwarded-for", "203.0.113.7"], ["x-real-ip", "203.0.113.8"], ["forwarded", "for=203.0.113.9"]] as const) {
          const answer = await http(limited.url, "POST", BOG_TOKEN_PATH, { headers: { [header]: value, authorization: `Basic ${Buffer.from(`${A.clientId}:${A.clientSecret}`).toString("base64")}` }, form: { grant_type: "client_credentials" } });
          assert.equal(answer.status, 429, `${header}: ${answer.status}`);
        }
      }),
    );
    check("a 429 says when to come back: Retry-After within the one-minute window", () =>
      onLimitedServer(async (limited) => {
        for (let i = 0; i < 4; i++) await bogCall(limited);
        assert.equal((await bogCall(limited)).status, 429);
        const retryAfter = Number((await bogCall(limited)).headers.get("retry-after"));
        assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      }),
    );
  });

  // -------------------------------------------------------------------------------------
  describe("Paymentz: B's ids, forged tokens, other members' checksums, the secure key kept sealed", () => {
    const PZ = "/transactionServices/REST/v1";
    const md5 = (...fields: string[]) => createHash("md5").update(fields.join("|")).digest("hex");
    let tokenA = "";
    let tokenB = "";
    const pzOfB = { created: "", captured: "", authorized: "", reference: "", registration: "", invoice: "" };
    const pzHeaders = (token: string) => ({ AuthToken: token });
    const pzMember = (shop: Shop) => shop.creds.paymentz;
    async function pzToken(shop: Shop): Promise<string> {
      const { memberId, secureKey } = pzMember(shop);
      const answer = await http(server.url, "POST", `${PZ}/authToken`, { form: { "authentication.memberId": memberId, "authentication.sKey": secureKey } });
      assert.equal(answer.status, 200, answer.text);
      return answer.json.AuthToken as string;
    }
    async function pzPay(shop: Shop, token: string, reference: string, extra: Record<string, string> = {}): Promise<any> {
      const { memberId, secureKey } = pzMember(shop);
      const card = { "card.number": PANS[0]!, "card.expiryMonth": "12", "card.expiryYear": "2039", "card.cvv": "123", "card.holder": "Sec Buyer" };
      const form = { "authentication.memberId": memberId, "authentication.checksum": md5(memberId, secureKey, reference, "9.00"), merchantTransactionId: reference, amount: "9.00", currency: "EUR", paymentType: "DB", ...card, ...extra };
      const answer = await http(server.url, "POST", `${PZ}/payments`, { headers: pzHeaders(token), form: Object.fromEntries(Object.entries(form).filter(([, v]) => v !== "")) });
      assert.equal(answer.status, 200, answer.text);
      return answer.json;
    }
    function assertPzError(answer: TestResponse, status: number, code?: string) {
      assert.equal(answer.status, status, answer.text);
      assert.equal(answer.json?.paymentId, "-", answer.text);
      assert.equal(answer.json?.transactionStatus, "N", answer.text);
      assert.match(String(answer.json?.result?.code), /^\d{5}$/, answer.text);
      if (code) assert.equal(answer.json.result.code, code, answer.text);
    }

    before(async () => {
      tokenA = await pzToken(a);
      tokenB = await pzToken(b);
      pzOfB.created = (await pzPay(b, tokenB, `b-created-${randomUUID()}`, { "card.number": "", "card.expiryMonth": "", "card.expiryYear": "", "card.cvv": "", "card.holder": "" })).paymentId;
      pzOfB.reference = `b-captured-${randomUUID()}`;
      const captured = await pzPay(b, tokenB, pzOfB.reference, { createRegistration: "true" });
      pzOfB.captured = captured.paymentId;
      pzOfB.registration = captured.registrationId;
      pzOfB.authorized = (await pzPay(b, tokenB, `b-held-${randomUUID()}`, { paymentType: "PA" })).paymentId;
      const { memberId, secureKey } = pzMember(b);
      const invoiceRef = `b-invoice-${randomUUID()}`;
      const invoice = await http(server.url, "POST", "/invoice/REST/v1/generate", { headers: pzHeaders(tokenB), form: { "authentication.memberId": memberId, "authentication.checksum": md5(memberId, secureKey, invoiceRef, "5.00"), merchantInvoiceId: invoiceRef, amount: "5.00", currency: "EUR" } });
      assert.equal(invoice.status, 200, invoice.text);
      pzOfB.invoice = invoice.json.invoiceDetails.systemInvoiceId;
      assert.ok(pzOfB.registration);
    });

    const unknownHex = () => randomUUID().replaceAll("-", "");
    // Each probe is A's own request, checksum made with A's own key, naming B's id or an unknown one.
    type Probe = { name: string; method: string; path: (id: string) => string; id: () => string; form?: (id: string) => Record<string, string>; code: string };
    const signed = (fields: (id: string) => [string, ...string[]], extra: (id: string) => Record<string, string> = () => ({})) => (id: string) => {
      const { memberId, secureKey } = A.paymentz;
      const [first, ...rest] = fields(id);
      return { "authentication.memberId": memberId, "authentication.checksum": md5(memberId, secureKey, first, ...rest), ...extra(id) };
    };
    const probes: Probe[] = [
      { name: "GET /payments/{id}", method: "GET", path: (id) => `${PZ}/payments/${id}`, id: () => pzOfB.captured, code: "10005" },
      { name: "CP on B's hold", method: "POST", path: (id) => `${PZ}/payments/${id}`, id: () => pzOfB.authorized, form: signed((id) => [id, "1.00"], () => ({ paymentType: "CP", amount: "1.00" })), code: "10005" },
      { name: "RF on B's payment", method: "POST", path: (id) => `${PZ}/payments/${id}`, id: () => pzOfB.captured, form: signed((id) => [id, "1.00"], () => ({ paymentType: "RF", amount: "1.00" })), code: "10005" },
      { name: "RV on B's hold", method: "POST", path: (id) => `${PZ}/payments/${id}`, id: () => pzOfB.authorized, form: signed((id) => [id], () => ({ paymentType: "RV" })), code: "10005" },
      { name: "IN on B's payment", method: "POST", path: (id) => `${PZ}/payments/${id}`, id: () => pzOfB.captured, form: signed((id) => [id], () => ({ paymentType: "IN" })), code: "10005" },
      { name: "/inquiry by B's paymentId", method: "POST", path: () => `${PZ}/inquiry`, id: () => pzOfB.captured, form: signed((id) => [id], (id) => ({ paymentId: id })), code: "10005" },
      { name: "/inquiry by B's merchantTransactionId", method: "POST", path: () => `${PZ}/inquiry`, id: () => pzOfB.reference, form: signed((id) => [id], (id) => ({ idType: "MID", merchantTransactionId: id })), code: "10005" },
      { name: "/getTransactionDetails of B's payment", method: "POST", path: () => `${PZ}/getTransactionDetails`, id: () => pzOfB.captured, form: signed((id) => [id], (id) => ({ paymentId: id })), code: "10005" },
      { name: "/paywithtoken with B's registration", method: "POST", path: (id) => `${PZ}/paywithtoken/${id}`, id: () => pzOfB.registration, form: () => ({ ...signed(() => ["pwt-sec", "1.00"])(""), merchantTransactionId: "pwt-sec", amount: "1.00", currency: "EUR", paymentType: "DB" }), code: "10016" },
      { name: "delete B's registration", method: "POST", path: (id) => `${PZ}/paywithtoken/${id}`, id: () => pzOfB.registration, form: signed((id) => [id], () => ({ actionType: "delete" })), code: "10016" },
      { name: "/payout to B's payment's card", method: "POST", path: () => `${PZ}/payout`, id: () => pzOfB.captured, form: (id) => ({ "authentication.memberId": A.paymentz.memberId, "authentication.checksum": md5(A.paymentz.memberId, "po-sec", "1.00", A.paymentz.secureKey), merchantTransactionId: "po-sec", amount: "1.00", currency: "EUR", paymentId: id }), code: "10005" },
      { name: "invoice inquiry of B's invoice", method: "POST", path: () => "/invoice/REST/v1/inquiry", id: () => pzOfB.invoice, form: signed((id) => [id], (id) => ({ invoiceId: id })), code: "10005" },
      { name: "invoice cancel of B's invoice", method: "POST", path: () => "/invoice/REST/v1/cancel", id: () => pzOfB.invoice, form: signed((id) => [id], (id) => ({ invoiceId: id })), code: "10005" },
    ];
    for (const probe of probes) {
      check(`Paymentz ${probe.name} → 404, as an unknown id`, async () => {
        const theirs = probe.id();
        const unknown = probe.name.includes("merchantTransactionId") ? `nobody-${randomUUID()}` : unknownHex();
        const send = (id: string) => http(server.url, probe.method, probe.path(id), { headers: pzHeaders(tokenA), form: probe.form?.(id) });
        const [foreign, nobody] = [await send(theirs), await send(unknown)];
        assertPzError(foreign, 404, probe.code);
        assert.equal(nobody.status, 404, nobody.text);
        assert.deepEqual({ ...foreign.json, timestamp: "" }, { ...nobody.json, timestamp: "" }, "A can tell B's from a missing one");
      });
    }
    check("Paymentz test helper with A's AuthToken on B's payment → 404, as an unknown one", async () => {
      const body = { card_number: PANS[0], expiry: "12/39", cvc: "123", cardholder: "A" };
      const [foreign, nobody] = [await http(server.url, "POST", `/_test/orders/${pzOfB.created}/pay`, { headers: pzHeaders(tokenA), body }), await http(server.url, "POST", `/_test/orders/${unknownHex()}/pay`, { headers: pzHeaders(tokenA), body })];
      assertBogError(foreign, 404);
      assert.deepEqual(foreign.json, nobody.json);
    });
    check("Paymentz: A's token with B's memberId → 401; a checksum made with B's secure key → 10003; nothing made", async () => {
      const reference = `cross-${randomUUID()}`;
      const card = { "card.number": PANS[0]!, "card.expiryMonth": "12", "card.expiryYear": "2039", "card.cvv": "123", "card.holder": "A" };
      const base = { merchantTransactionId: reference, amount: "2.00", currency: "EUR", paymentType: "DB", ...card };
      const withB = await http(server.url, "POST", `${PZ}/payments`, { headers: pzHeaders(tokenA), form: { ...base, "authentication.memberId": B().memberId, "authentication.checksum": md5(B().memberId, B().secureKey, reference, "2.00") } });
      assertPzError(withB, 401, "10004");
      const keyOfB = await http(server.url, "POST", `${PZ}/payments`, { headers: pzHeaders(tokenA), form: { ...base, "authentication.memberId": A.paymentz.memberId, "authentication.checksum": md5(A.paymentz.memberId, B().secureKey, reference, "2.00") } });
      assertPzError(keyOfB, 400, "10003");
      const lookup = await http(server.url, "POST", `${PZ}/inquiry`, { headers: pzHeaders(tokenA), form: { "authentication.memberId": A.paymentz.memberId, "authentication.checksum": md5(A.paymentz.memberId, A.paymentz.secureKey, reference), idType: "MID", merchantTransactionId: reference } });
      assertPzError(lookup, 404, "10005");
    });
    const B = () => pzMember(b);

    type Forge = { name: string; make: () => Promise<string> };
    const wrongKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const forgeries: Forge[] = [
      { name: "alg none, no signature", make: async () => `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claimsOf(tokenA))}.` },
      { name: "signed with a wrong RSA key", make: async () => new SignJWT(claimsOf(tokenA)).setProtectedHeader({ ...headerOf(tokenA), alg: "RS256" } as { alg: string }).sign(wrongKey.privateKey) },
      { name: "claims changed to merchant B, A's signature kept", make: async () => { const [h, , sig] = tokenA.split("."); return `${h}.${b64url({ ...claimsOf(tokenA), sub: claimsOf(tokenB).sub, azp: claimsOf(tokenB).azp })}.${sig}`; } },
      { name: "exp pushed a year ahead", make: async () => { const [h, , sig] = tokenA.split("."); return `${h}.${b64url({ ...claimsOf(tokenA), exp: Number(claimsOf(tokenA).exp) + 31_536_000 })}.${sig}`; } },
      { name: "A's BOG token", make: async () => a.bogToken },
      { name: "A's TBC token", make: async () => a.tbcToken },
      { name: "not a JWT", make: async () => "abc" },
    ];
    for (const forge of forgeries) {
      for (const place of ["AuthToken header", "X-Authorization", "authentication.authToken"] as const) {
        check(`Paymentz: ${forge.name} in ${place} → 401 (10004)`, async () => {
          const token = await forge.make();
          const headers: Record<string, string> = place === "AuthToken header" ? { AuthToken: token } : place === "X-Authorization" ? { "X-Authorization": `AuthToken :${token}` } : {};
          const form = { ...(place === "authentication.authToken" ? { "authentication.authToken": token } : {}), "authentication.memberId": A.paymentz.memberId, "authentication.checksum": md5(A.paymentz.memberId, A.paymentz.secureKey, pzOfB.captured), paymentType: "IN" };
          assertPzError(await http(server.url, "POST", `${PZ}/payments/${pzOfB.captured}`, { headers, form }), 401, "10004");
        });
      }
    }
    check("Paymentz: a BOG or TBC call with A's Paymentz token → 401", async () => {
      assertBogError(await http(server.url, "GET", `/payments/v1/receipt/${randomUUID()}`, { headers: { authorization: `Bearer ${tokenA}` } }), 401, "unauthenticated");
      assertProblem(await http(server.url, "GET", `/v1/tpay/payments/${unknownHex()}`, { headers: { authorization: `Bearer ${tokenA}`, apikey: A.tbcApiKey } }), 401, "Unauthorized");
    });
    check("Paymentz: the secure key is in no response and nowhere in clear in the database", async () => {
      for (const { what, text } of seen) assert.ok(!text.includes(A.paymentz.secureKey) && !text.includes(B().secureKey), `${what} holds a secure key`);
      const files = readdirSync(server.dataDir).filter((name) => name.startsWith("tetri.sqlite"));
      assert.ok(files.length > 0 || server.storeEnv.TETRI_DATABASE_URL, "the database file");
      for (const name of files) {
        const bytes = readFileSync(join(server.dataDir, name));
        for (const key of [A.paymentz.secureKey, B().secureKey]) assert.equal(bytes.includes(Buffer.from(key)), false, `${name} holds a secure key in clear`);
      }
    });
    check("Paymentz: after all of the above, B's payments are exactly as they were", async () => {
      for (const id of [pzOfB.captured, pzOfB.authorized]) {
        const read = await http(server.url, "GET", `${PZ}/payments/${id}`, { headers: pzHeaders(tokenB) });
        assert.equal(read.json.refundedAmount, "0.00", read.text);
        assert.ok(["capturesuccess", "authsuccessful"].includes(read.json.status), read.text);
      }
    });
  });

  // -------------------------------------------------------------------------------------
  describe("card data never in a response", () => {
    check("pay through every path (test helper, hosted page, 3-D Secure, card error page, TBC, saved card), then no response holds a PAN", async () => {
      // BOG through the hosted page, with a card error first (the page re-renders with the buyer's input).
      const id = await a.bogOrder({ callback_url: "http://127.0.0.1:9/callback" });
      const page = await http(server.url, "GET", `/?order_id=${id}`);
      const cookie = cookieOf(page);
      const token = formTokenOf(page.text);
      const invalid = await http(server.url, "POST", "/checkout/pay", { headers: { cookie }, form: { order_id: id, csrf: token, lang: "en", card_number: "4242424242424241", expiry: "12/39", cvc: "123", cardholder: "Nino" } });
      assert.equal(invalid.status, 422);
      const paid = await http(server.url, "POST", "/checkout/pay", { headers: { cookie }, form: { order_id: id, csrf: token, lang: "en", card_number: "5555 5555 5555 4444", expiry: "12/39", cvc: "123", cardholder: "Nino" } });
      assert.equal(paid.status, 303);
      await http(server.url, "GET", String(paid.headers.get("location")));
      await http(server.url, "GET", `/?order_id=${id}`);
      await a.receipt(id);
      await a.ok("GET", `/payments/v1/ecommerce/orders/${id}`, a.bog());
      // 3-D Secure.
      const z = await a.bogOrder();
      const zPage = await http(server.url, "GET", `/?order_id=${z}`);
      const zCookie = cookieOf(zPage);
      const challenge = await http(server.url, "POST", "/checkout/pay", { headers: { cookie: zCookie }, form: { order_id: z, csrf: formTokenOf(zPage.text), lang: "en", card_number: "4000000000003220", expiry: "12/39", cvc: "123", cardholder: "Nino" } });
      await http(server.url, "GET", String(challenge.headers.get("location")), { headers: { cookie: zCookie } });
      await a.receipt(z);
      // Test helper, declined card, pre-authorization and refund.
      const d = await a.bogOrder();
      await a.ok("POST", `/_test/orders/${d}/pay`, a.bog(), { card_number: "4000000000000002", expiry: "12/39", cvc: "123", cardholder: "X" });
      await a.receipt(d);
      const p = await a.bogOrder({ capture: "manual" });
      await a.pay(p, "bog");
      await a.ok("POST", `/payments/v1/payment/authorization/approve/${p}`, a.bog(), {});
      await a.ok("POST", `/payments/v1/payment/refund/${p}`, a.bog(), {});
      await a.receipt(p);
      // TBC, with a saved card and a charge of it.
      const t = await a.tbcPayment({ saveCard: true });
      await a.pay(t, "tbc");
      const payment = await a.payment(t);
      const charge = await a.ok("POST", "/v1/tpay/payments/execution", a.tbc(), { recId: payment.recId, money: { amount: 2, currency: "GEL" } });
      await a.payment(charge.payId);

      const hits: string[] = [];
      const digitsOnly = (s: string) => s.replace(/[\s-]/g, "");
      for (const { what, text } of seen) {
        for (const pan of PANS) {
          if (text.includes(pan) || digitsOnly(text).includes(pan)) hits.push(`${what}: ${pan}`);
        }
        if (/"(card_number|cvc|cvv|pan)"\s*:/i.test(text)) hits.push(`${what}: a card field name`);
        if (/name="(card_number|cvc)"[^>]*value="[^"]+"/.test(text)) hits.push(`${what}: a card field pre-filled`);
      }
      report(`security: ${seen.length} responses and callbacks scanned, ${hits.length} with card data`);
      assert.deepEqual(hits, []);
    });
  });
});
