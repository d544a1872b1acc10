// The Paymentz-style REST v1 API at the HTTP level, as a shop integrated with a Paymentz-family
// gateway calls it: tokens in their three places, bodies in their three encodings, payments
// (approved, declined by every test card, 3-D Secure, hosted page), back-office operations,
// inquiry, the MD5 checksums of each, and every class of bad input in the platform's shape.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTwoMerchantServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { csrfCookieOf, csrfTokenOf } from "../helpers/hosted-page.ts";
import { PZ, md5, paymentzClient } from "../helpers/paymentz.ts";
import type { Encoding, PaymentzClient, TokenPlace } from "../helpers/paymentz.ts";
import type { ShopClient, TestResponse } from "../helpers/shop.ts";

const ENCODINGS: readonly Encoding[] = ["form", "flat", "nested"];
const PLACES: readonly TokenPlace[] = ["header", "x-authorization", "body"];

let server: TestServer;
let shopB: ShopClient;
let pz: PaymentzClient;
let pzB: PaymentzClient;
let sequence = 0;
const reference = (what: string) => `${what}-${sequence++}`;

function assertFailure(response: TestResponse, status: number, code: string) {
  assert.equal(response.status, status, response.text);
  assert.equal(response.json?.paymentId, "-", response.text);
  assert.equal(response.json?.transactionStatus, "N", response.text);
  assert.equal(response.json?.result?.code, code, response.text);
  assert.doesNotMatch(response.text, /at \S+\.ts:\d+|stack/i);
}

/** Whether an order with this reference exists for the demo merchant (inquiry by MID). */
async function exists(merchantTransactionId: string): Promise<boolean> {
  const { memberId, secureKey } = pz.member;
  const response = await pz.call("POST", "/inquiry", {
    "authentication.memberId": memberId,
    "authentication.checksum": md5(memberId, secureKey, merchantTransactionId),
    idType: "MID",
    merchantTransactionId,
  });
  if (response.status === 404) return false;
  assert.equal(response.status, 200, response.text);
  return true;
}

before(async () => {
  ({ server, shopB } = await startTwoMerchantServer());
  pz = paymentzClient(server);
  pzB = paymentzClient(shopB);
});
after(() => server.close());

describe("Paymentz tokens", () => {
  it("/authToken answers AuthToken (that case) and result 200, by memberId or by the merchant's login, in every encoding", async () => {
    for (const encoding of ENCODINGS) {
      const names: Record<string, string>[] = [{ "authentication.memberId": pz.member.memberId }, { "merchant.username": server.merchant.clientId }];
      for (const name of names) {
        const response = await pz.call("POST", "/authToken", { ...name, "authentication.partnerId": "195", "authentication.sKey": pz.member.secureKey }, { token: null, encoding });
        assert.equal(response.status, 200, response.text);
        assert.equal(response.json.result.code, "200");
        assert.equal(response.json.memberId, pz.member.memberId);
        assert.equal(response.json.partnerId, "195");
        assert.equal(response.json.LoginName, server.merchant.clientId);
        assert.match(response.json.AuthToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
        assert.match(response.json.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      }
    }
  });

  it("a wrong secure key, an unknown member or another merchant's key gets 401 and result 10004", async () => {
    const attempts: Record<string, string>[] = [
      { "authentication.memberId": pz.member.memberId, "authentication.sKey": "wrong-key-123" },
      { "authentication.memberId": "99999999999", "authentication.sKey": pz.member.secureKey },
      { "authentication.memberId": pz.member.memberId, "authentication.sKey": pzB.member.secureKey },
      { "authentication.memberId": pz.member.memberId },
    ];
    for (const fields of attempts) assertFailure(await pz.call("POST", "/authToken", fields, { token: null }), 401, "10004");
  });

  it("/partnerAuthToken and /regenerateToken give tokens that work, in every encoding and token place", async () => {
    for (const [i, encoding] of ENCODINGS.entries()) {
      const partner = await pz.call("POST", "/partnerAuthToken", { "partner.userName": server.merchant.clientId, "authentication.sKey": pz.member.secureKey, "authentication.partnerId": "7" }, { token: null, encoding });
      assert.equal(partner.status, 200, partner.text);
      assert.equal(partner.json.partnerId, "7");
      assertFailure(await pz.call("POST", "/partnerAuthToken", { "partner.userName": server.merchant.clientId, "authentication.sKey": "wrong-key-42" }, { token: null, encoding }), 401, "10004");
      const again = await pz.call("POST", "/regenerateToken", {}, { token: partner.json.AuthToken, encoding, place: PLACES[i] });
      assert.equal(again.status, 200, again.text);
      assert.match(again.json.AuthToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    }
    const partner = await pz.call("POST", "/partnerAuthToken", { "partner.userName": server.merchant.clientId, "authentication.sKey": pz.member.secureKey }, { token: null });
    const fresh = await pz.call("POST", "/regenerateToken", {}, { token: partner.json.AuthToken });
    assert.equal(fresh.status, 200, fresh.text);
    assert.equal((await pz.pay(reference("regen"), "1.00", {}, { place: "header" })).status, 200);
    const paid = await pz.call("POST", "/payments", pz.payment(reference("with-regenerated"), "1.00"), { token: fresh.json.AuthToken });
    assert.equal(paid.json.transactionStatus, "Y", paid.text);
  });

  it("no token, a broken one, another API's token or an expired one is 401 (10004); nothing is recorded", async () => {
    const id = reference("no-token");
    assertFailure(await pz.call("POST", "/payments", pz.payment(id, "1.00"), { token: null }), 401, "10004");
    assertFailure(await pz.call("POST", "/payments", pz.payment(id, "1.00"), { token: "not.a.token" }), 401, "10004");
    assertFailure(await pz.call("POST", "/payments", pz.payment(id, "1.00"), { token: await server.token() }), 401, "10004");
    const old = (await pz.call("POST", "/authToken", { "authentication.memberId": pz.member.memberId, "authentication.sKey": pz.member.secureKey }, { token: null })).json.AuthToken;
    server.clock.advance(3601_000);
    try {
      assertFailure(await pz.call("POST", "/payments", pz.payment(id, "1.00"), { token: old }), 401, "10004");
      assertFailure(await pz.call("POST", "/regenerateToken", {}, { token: old }), 401, "10004");
    } finally {
      server.clock.advance(-3601_000);
    }
    assert.equal(await exists(id), false);
  });
});

describe("Paymentz payments", () => {
  it("a DB payment is approved in every encoding with the token in every place: 00001, Y, card bin and last 4", async () => {
    for (const encoding of ENCODINGS) {
      for (const place of PLACES) {
        const id = reference(`db-${encoding}-${place}`);
        const response = await pz.pay(id, "25.50", {}, { encoding, place });
        assert.equal(response.status, 200, response.text);
        const payment = response.json;
        assert.equal(payment.result.code, "00001", response.text);
        assert.equal(payment.transactionStatus, "Y");
        assert.equal(payment.status, "capturesuccess");
        assert.equal(payment.paymentType, "DB");
        assert.equal(payment.paymentBrand, "VISA");
        assert.equal(payment.merchantTransactionId, id);
        assert.equal(payment.amount, "25.50");
        assert.equal(payment.currency, "EUR");
        assert.deepEqual(payment.card, { bin: "424242", last4Digits: "4242", holder: "Nino Beridze", expiryMonth: "12", expiryYear: "2039" });
        assert.match(payment.paymentId, /^[0-9a-f]{32}$/);
        assert.doesNotMatch(response.text, /4242424242424242/);
      }
    }
  });

  it("a PA payment is held (authsuccessful), captured in part (00004), refunded in part (00005), read (00026)", async () => {
    const held = (await pz.pay(reference("pa"), "50.00", { paymentType: "PA" })).json;
    assert.equal(held.status, "authsuccessful");
    assert.equal(held.transactionStatus, "Y");
    assert.equal(held.result.code, "00001");
    for (const encoding of ENCODINGS) {
      const id = (await pz.pay(reference(`pa-${encoding}`), "50.00", { paymentType: "PA" })).json.paymentId;
      const captured = await pz.operate(id, "CP", "30.00", { encoding });
      assert.equal(captured.status, 200, captured.text);
      assert.equal(captured.json.result.code, "00004");
      assert.equal(captured.json.capturedAmount, "30.00");
      const refunded = await pz.operate(id, "RF", "10.00", { encoding });
      assert.equal(refunded.json.result.code, "00005", refunded.text);
      assert.equal(refunded.json.status, "partialrefund");
      assert.equal(refunded.json.refundedAmount, "10.00");
      const read = await pz.operate(id, "IN", undefined, { encoding });
      assert.equal(read.json.result.code, "00026", read.text);
      assert.equal(read.json.amount, "50.00");
      assert.equal(read.json.capturedAmount, "30.00");
      const full = await pz.operate(id, "RF", "20.00", { encoding });
      assert.equal(full.json.status, "reversed", full.text);
    }
  });

  it("a PA reversal (RV) cancels the hold in every encoding; no partial reversal; no capture after it", async () => {
    for (const encoding of ENCODINGS) {
      const id = (await pz.pay(reference(`rv-${encoding}`), "20.00", { paymentType: "PA" })).json.paymentId;
      assertFailure(await pz.operate(id, "RV", undefined, { encoding, extra: { amount: "5.00" } }), 400, "10012");
      const reversed = await pz.operate(id, "RV", undefined, { encoding, extra: { cancelReason: "customer asked" } });
      assert.equal(reversed.status, 200, reversed.text);
      assert.equal(reversed.json.result.code, "00006");
      assert.equal(reversed.json.transactionStatus, "C");
      assertFailure(await pz.operate(id, "CP", "20.00", { encoding }), 400, "10008");
    }
  });

  it("refunds and captures never exceed what is left: 10009 and 10010; a DB payment has no reversal", async () => {
    const id = (await pz.pay(reference("over"), "10.00")).json.paymentId;
    assertFailure(await pz.operate(id, "RF", "10.01"), 400, "10009");
    assertFailure(await pz.operate(id, "CP", "1.00"), 400, "10008");
    assertFailure(await pz.operate(id, "RV"), 400, "10008");
    assert.equal((await pz.operate(id, "RF")).json.status, "reversed", "no amount: all that is left");
    assertFailure(await pz.operate(id, "RF", "0.01"), 400, "10007");
    const held = (await pz.pay(reference("over-pa"), "10.00", { paymentType: "PA" })).json.paymentId;
    assertFailure(await pz.operate(held, "CP", "10.01"), 400, "10010");
    assertFailure(await pz.operate(held, "RF", "1.00"), 400, "10007");
  });

  it("the paymentId may also come in the body; one naming another payment is not found", async () => {
    const id = (await pz.pay(reference("body-id"), "4.00")).json.paymentId;
    const other = (await pz.pay(reference("body-id-2"), "4.00")).json.paymentId;
    assert.equal((await pz.operate(id, "RF", "1.00", { extra: { paymentId: id } })).json.result.code, "00005");
    assertFailure(await pz.operate(id, "RF", "1.00", { extra: { paymentId: other } }), 404, "10005");
  });

  it("GET /payments/{id} is the inquiry alias; /inquiry finds by PID and by MID (both MID checksums)", async () => {
    const mid = reference("inquiry");
    const id = (await pz.pay(mid, "7.00")).json.paymentId;
    const got = await pz.call("GET", `/payments/${id}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.json.result.code, "00026");
    assert.equal(got.json.transactionStatus, "Y");
    const { memberId, secureKey } = pz.member;
    for (const encoding of ENCODINGS) {
      const byPid = await pz.call("POST", "/inquiry", { "authentication.memberId": memberId, "authentication.checksum": md5(memberId, secureKey, id), paymentId: id, idType: "PID", paymentType: "IN" }, { encoding });
      assert.equal(byPid.json.paymentId, id, byPid.text);
      const byMid = await pz.call("POST", "/inquiry", { "authentication.memberId": memberId, "authentication.checksum": md5(memberId, secureKey, mid), merchantTransactionId: mid, idType: "MID" }, { encoding });
      assert.equal(byMid.json.paymentId, id, byMid.text);
      const withAmount = await pz.call("POST", `/payments/${id}`, { "authentication.memberId": memberId, "authentication.checksum": md5(memberId, secureKey, mid, "7.00"), merchantTransactionId: mid, amount: "7.00", idType: "MID", paymentType: "IN" }, { encoding });
      assert.equal(withAmount.json.result.code, "00026", withAmount.text);
    }
  });

  it("every test card's outcome is reachable, each decline with its own result code", async () => {
    const outcomes: Array<[string, string, string]> = [
      ["5555555555554444", "Y", "00001"],
      ["4000000000000002", "N", "20001"],
      ["4000000000000036", "N", "20002"],
      ["4000000000009995", "N", "20003"],
      ["4000000000000069", "N", "20004"],
      ["4000000000000127", "N", "20005"],
      ["4000000000009987", "N", "20006"],
      ["4000000000009979", "N", "20007"],
      ["4000000000009961", "N", "20008"],
      ["4000000000000119", "N", "20009"],
      ["4000000000000101", "N", "20010"],
      ["4000000000000168", "Y", "00001"],
    ];
    for (const [card, short, code] of outcomes) {
      const response = await pz.pay(reference(`card-${card}`), "3.00", { "card.number": card });
      assert.equal(response.status, 200, response.text);
      assert.deepEqual([response.json.transactionStatus, response.json.result.code], [short, code], card);
    }
    assert.equal((await pz.pay(reference("mc"), "3.00", { "card.number": "5555555555554444", paymentBrand: "MASTERCARD" })).json.paymentBrand, "MASTERCARD");
    const pastExpiry = await pz.pay(reference("past"), "3.00", { "card.expiryYear": "2020" });
    assert.deepEqual([pastExpiry.json.transactionStatus, pastExpiry.json.result.code], ["N", "20004"]);
    const refusesRefunds = (await pz.pay(reference("no-refund"), "3.00", { "card.number": "4000000000000168" })).json.paymentId;
    const refund = await pz.operate(refusesRefunds, "RF", "1.00");
    assert.deepEqual([refund.status, refund.json.transactionStatus, refund.json.result.code], [200, "N", "21001"], refund.text);
  });

  it("a card the acquirer answers late is pending (P) until reconciliation finds it approved", async () => {
    const response = await pz.pay(reference("late"), "3.00", { "card.number": "4000000000000085" });
    assert.deepEqual([response.json.transactionStatus, response.json.result.code], ["P", "00011"], response.text);
  });

  it("a 3-D Secure card answers 3D with a redirect to tetri's challenge page, always with its method", async () => {
    const response = await pz.pay(reference("3d"), "12.00", { "card.number": "4000000000003220", merchantRedirectUrl: "https://shop.example/back" });
    assert.equal(response.json.transactionStatus, "3D", response.text);
    assert.equal(response.json.status, "pending3DConfirmation");
    assert.equal(response.json.result.code, "00010");
    assert.equal(response.json.redirect.method, "GET");
    assert.deepEqual(response.json.redirect.parameters, []);
    assert.match(response.json.redirect.url, new RegExp(`^${server.url}/checkout/3ds\\?order_id=`));
  });

  it("without card fields the payment is pending (P) with a redirect to tetri's hosted page", async () => {
    const response = await pz.call("POST", "/payments", Object.fromEntries(Object.entries(pz.payment(reference("hosted"), "9.00")).filter(([key]) => !key.startsWith("card."))));
    assert.equal(response.json.transactionStatus, "P", response.text);
    assert.match(response.json.redirect.url, new RegExp(`^${server.url}/\\?order_id=`));
    const page = await fetch(response.json.redirect.url);
    assert.match(await page.text(), /9\.00/);
  });
});

describe("Paymentz return to the shop", () => {
  it("after the hosted page, the return page posts the status to merchantRedirectUrl; its fields are escaped; its CSP allows that form and tetri's script", async () => {
    const mid = `"><script>alert(1)</script>-${sequence++}`;
    const fields = Object.fromEntries(Object.entries(pz.payment(mid, "9.00", { merchantRedirectUrl: "https://shop.example/back?x=1" })).filter(([key]) => !key.startsWith("card.")));
    const created = await pz.call("POST", "/payments", fields);
    assert.equal(created.json.transactionStatus, "P", created.text);
    const path = new URL(created.json.redirect.url).pathname + new URL(created.json.redirect.url).search;
    const page = await server.request("GET", path, { token: null });
    const cookie = csrfCookieOf(page.headers) ?? "";
    const csrf = csrfTokenOf(page.text) ?? "";
    const orderId = new URL(created.json.redirect.url).searchParams.get("order_id") ?? "";
    const form = { order_id: orderId, csrf, lang: "en", card_number: "4242424242424242", expiry: "12/39", cvc: "123", cardholder: "Nino" };
    const paid = await server.request("POST", "/checkout/pay", { token: null, headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() });
    assert.equal(paid.status, 200, paid.text);
    assert.match(paid.text, /<form method="post" action="https:\/\/shop\.example\/back\?x=1" id="shop-return">/);
    assert.ok(!paid.text.includes("<script>alert(1)"), "the reference is escaped");
    assert.ok(paid.text.includes(`name="merchantTransactionId" value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;-`), paid.text);
    const value = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(paid.text)?.[1];
    assert.deepEqual([value("status"), value("transactionStatus"), value("amount"), value("currency"), value("resultCode")], ["Y", "Y", "9.00", "EUR", "00001"]);
    assert.equal(value("resourcePath"), `/transactionServices/REST/v1/payments/${created.json.paymentId}`);
    assert.equal(value("checksum"), md5(created.json.paymentId, mid, "9.00", "Y", pz.member.secureKey));
    const csp = paid.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /form-action 'self' https:\/\/shop\.example/);
    assert.match(paid.text, /<script src="\/checkout\/send-form\.js" defer><\/script>/);
  });

  it("without merchantRedirectUrl the buyer ends on tetri's own result page, as for the other APIs", async () => {
    const fields = Object.fromEntries(Object.entries(pz.payment(reference("no-redirect"), "4.00")).filter(([key]) => !key.startsWith("card.")));
    const created = await pz.call("POST", "/payments", fields);
    const url = new URL(created.json.redirect.url);
    const page = await server.request("GET", url.pathname + url.search, { token: null });
    const form = { order_id: url.searchParams.get("order_id") ?? "", csrf: csrfTokenOf(page.text) ?? "", lang: "en", card_number: "4242424242424242", expiry: "12/39", cvc: "123", cardholder: "Nino" };
    const paid = await server.request("POST", "/checkout/pay", { token: null, headers: { cookie: csrfCookieOf(page.headers) ?? "", "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() });
    assert.equal(paid.status, 303);
    assert.match(paid.headers.get("location") ?? "", /^\/receipt\?order_id=/);
  });
});

describe("Paymentz checksums", () => {
  const wrong = "0".repeat(32);

  it("a wrong or missing checksum of a payment gets 10003 (missing: 10011) and records nothing; the reference stays usable", async () => {
    const id = reference("bad-checksum");
    const cases: Record<string, string>[] = [
      { "authentication.checksum": wrong },
      { "authentication.checksum": md5(pz.member.memberId, pz.member.secureKey, id, "5.0") },
      { "authentication.checksum": md5(pz.member.memberId, pzB.member.secureKey, id, "5.00") },
      { "authentication.checksum": md5(pz.member.secureKey, pz.member.memberId, id, "5.00") },
    ];
    for (const encoding of ENCODINGS) {
      for (const fields of cases) assertFailure(await pz.pay(id, "5.00", fields, { encoding }), 400, "10003");
    }
    assertFailure(await pz.call("POST", "/payments", Object.fromEntries(Object.entries(pz.payment(id, "5.00")).filter(([key]) => key !== "authentication.checksum"))), 400, "10011");
    assert.equal(await exists(id), false);
    assert.equal((await pz.pay(id, "5.00")).json.transactionStatus, "Y");
  });

  it("a wrong checksum of CP, RF, RV and IN (by PID and MID) gets 10003 and changes nothing", async () => {
    const mid = reference("ops-checksum");
    const id = (await pz.pay(mid, "8.00", { paymentType: "PA" })).json.paymentId;
    const { memberId } = pz.member;
    const bad = (paymentType: string, extra: Record<string, string> = {}) =>
      pz.call("POST", `/payments/${id}`, { "authentication.memberId": memberId, "authentication.checksum": wrong, paymentType, ...extra });
    for (const [type, extra] of [["CP", { amount: "8.00" }], ["RF", { amount: "1.00" }], ["RV", {}], ["IN", {}], ["IN", { idType: "MID", merchantTransactionId: mid }]] as const) {
      assertFailure(await bad(type, extra), 400, "10003");
    }
    // A checksum made with a refund's amount does not authorize another amount.
    const forOne = md5(memberId, pz.member.secureKey, id, "1.00");
    assertFailure(await pz.call("POST", `/payments/${id}`, { "authentication.memberId": memberId, "authentication.checksum": forOne, paymentType: "CP", amount: "8.00" }), 400, "10003");
    assertFailure(await pz.call("POST", "/inquiry", { "authentication.memberId": memberId, "authentication.checksum": wrong, paymentId: id }), 400, "10003");
    assert.equal((await pz.call("GET", `/payments/${id}`)).json.status, "authsuccessful");
  });

  it("a memberId other than the token's is refused (10004); a terminal id not the member's is a validation error", async () => {
    const id = reference("member");
    assertFailure(await pz.pay(id, "2.00", { "authentication.memberId": pzB.member.memberId }), 401, "10004");
    assertFailure(await pz.pay(id, "2.00", { "authentication.terminalId": "1" }), 400, "10012");
    assert.equal(await exists(id), false);
  });
});

describe("Paymentz bad input", () => {
  const noCard = (fields: Record<string, string>) => fields;

  it("every class of bad field has its own result code and records nothing", async () => {
    const cases: Array<[string, (id: string) => Record<string, string>, string]> = [
      ["missing amount", (id) => { const { amount: _a, ...rest } = pz.payment(id, "1.00"); return rest; }, "10011"],
      ["missing merchantTransactionId", (id) => { const { merchantTransactionId: _m, ...rest } = pz.payment(id, "1.00"); return rest; }, "10011"],
      ["missing card.cvv", (id) => { const { "card.cvv": _c, ...rest } = pz.payment(id, "1.00"); return rest; }, "10011"],
      ["amount without two decimals", (id) => pz.payment(id, "1.5"), "10012"],
      ["amount not a number", (id) => pz.payment(id, "ten"), "10012"],
      ["paymentType unknown", (id) => pz.payment(id, "1.00", { paymentType: "XX" }), "10012"],
      ["card number not Luhn-valid", (id) => pz.payment(id, "1.00", { "card.number": "4242424242424241" }), "10012"],
      ["negative amount", (id) => pz.payment(id, "-1.00"), "10013"],
      ["zero amount", (id) => pz.payment(id, "0.00"), "10013"],
      ["huge amount", (id) => pz.payment(id, "99999999999999999.00"), "10014"],
      ["field too long", (id) => pz.payment(id, "1.00", { "customer.email": `${"a".repeat(300)}@x.ge` }), "10014"],
      ["wrong currency", (id) => pz.payment(id, "1.00", { currency: "INR" }), "10015"],
    ];
    for (const encoding of ENCODINGS) {
      for (const [what, fields, code] of cases) {
        const id = reference("bad");
        const sent = noCard(fields(id));
        if (sent.amount !== undefined && sent.merchantTransactionId !== undefined) sent["authentication.checksum"] = md5(pz.member.memberId, pz.member.secureKey, id, sent.amount);
        const response = await pz.call("POST", "/payments", sent, { encoding });
        assertFailure(response, 400, code);
        assert.ok(Array.isArray(response.json.errors) && response.json.errors.length > 0, `${what}: the fields at fault`);
        assert.equal(await exists(id), false, what);
      }
    }
  });

  it("wrong types in JSON: an amount as a number, an object where text belongs, a key given twice", async () => {
    const id = reference("types");
    const fields = pz.payment(id, "1.00");
    const send = (body: unknown) => server.request("POST", `${PZ}/payments`, { token: null, headers: { AuthToken: "" }, body });
    const token = await pz.token();
    const withToken = (body: unknown) => server.request("POST", `${PZ}/payments`, { token: null, headers: { AuthToken: token }, body });
    assertFailure(await send(fields), 401, "10004");
    assertFailure(await withToken({ ...fields, amount: 1 }), 400, "10012");
    assertFailure(await withToken({ ...fields, card: "4242" , "card.number": "4242424242424242" }), 400, "10012");
    assertFailure(await withToken({ ...fields, "card.number": { deep: "x" } }), 400, "10012");
    assertFailure(await withToken("{not json"), 400, "10002");
    assertFailure(await withToken([1, 2]), 400, "10012");
    assert.equal(await exists(id), false);
  });

  it("a replayed merchantTransactionId is refused (10006) whatever else it carries, and the first payment is untouched", async () => {
    const id = reference("replay");
    const first = await pz.pay(id, "6.00");
    assert.equal(first.json.transactionStatus, "Y");
    for (const encoding of ENCODINGS) {
      assertFailure(await pz.pay(id, "6.00", {}, { encoding }), 409, "10006");
      assertFailure(await pz.pay(id, "7.00", {}, { encoding }), 409, "10006");
    }
    const read = await pz.call("GET", `/payments/${first.json.paymentId}`);
    assert.deepEqual([read.json.amount, read.json.capturedAmount, read.json.refundedAmount], ["6.00", "6.00", "0.00"]);
  });

  it("a request sent again with its Idempotency-Key (a client's retry) is answered as the first; any other reuse of the reference is refused", async () => {
    const id = reference("retried");
    const fields = pz.payment(id, "4.00");
    const retry = { headers: { "Idempotency-Key": `key-${id}` } };
    const first = await pz.call("POST", "/payments", fields, retry);
    const again = await pz.call("POST", "/payments", fields, retry);
    assert.equal(first.status, 200, first.text);
    assert.equal(again.status, 200, again.text);
    assert.deepEqual([again.json.paymentId, again.json.transactionStatus, again.json.amount], [first.json.paymentId, "Y", "4.00"]);
    assertFailure(await pz.call("POST", "/payments", fields), 409, "10006");
    assertFailure(await pz.call("POST", "/payments", { ...fields, "customer.email": "other@example.ge" }, retry), 409, "10006");
    assertFailure(await pz.call("POST", "/payments", fields, { headers: { "Idempotency-Key": "another-key" } }), 409, "10006");
    const listed = await pz.call("POST", "/getTransactionList", { "authentication.memberId": pz.member.memberId, "authentication.checksum": md5(pz.member.memberId, pz.member.secureKey), "pagination.pageSize": "100" });
    assert.equal(listed.json.transactions.filter((t: { merchantTransactionId: string }) => t.merchantTransactionId === id).length, 1, "one payment was made");
  });

  it("an unknown paymentId and another merchant's get the same 404 (10005) on every call", async () => {
    const theirs = (await pzB.pay(reference("theirs"), "3.00")).json.paymentId;
    const nobodys = theirs.replace(/.$/, (c: string) => (c === "0" ? "1" : "0"));
    for (const id of [theirs, nobodys, "not-an-id"]) {
      for (const [type, amount] of [["CP", "1.00"], ["RF", "1.00"], ["RV", undefined], ["IN", undefined]] as const) {
        const response = await pz.operate(id, type, amount);
        assertFailure(response, 404, "10005");
        assert.equal(response.json.result.description, "Transaction not found");
      }
      assertFailure(await pz.call("GET", `/payments/${id}`), 404, "10005");
    }
    const mid = reference("their-mid");
    await pzB.pay(mid, "3.00");
    assertFailure(await pz.call("POST", "/inquiry", { "authentication.memberId": pz.member.memberId, "authentication.checksum": md5(pz.member.memberId, pz.member.secureKey, mid), idType: "MID", merchantTransactionId: mid }), 404, "10005");
    assert.equal((await pzB.call("GET", `/payments/${theirs}`)).json.refundedAmount, "0.00");
  });

  it("an unknown operation type is a validation error; unknown paths 404 in the platform's shape", async () => {
    const id = (await pz.pay(reference("type"), "3.00")).json.paymentId;
    assertFailure(await pz.call("POST", `/payments/${id}`, { "authentication.memberId": pz.member.memberId, "authentication.checksum": "x", paymentType: "ZZ" }), 400, "10012");
    assertFailure(await pz.call("POST", "/noSuchThing", {}), 404, "10020");
  });

  it("the niche extras of the endpoint map answer 'not supported' (10018), never a 404 or 500", async () => {
    for (const path of ["/getCardsAndAccounts", "/QRCheckout", "/QRPayments", "/QRPayments/1", "/inquiryStatus/1", "/initiateAuthentication", "/authenticate", "/sendSMSCode", "/generateTransactionOTP", "/verifyTransactionOTP", "/getInstallmentWithToken/1", "/getPaymentAndCardType", "/saveTransactionReceipt", "/customerCardWhitelisting", "/getSalesReport", "/exchangerDeposit", "/customerValidation", "/paymentUpdate", "/customerValidateAndUpdate", "/validateWalletDetails", "/checkConfirmation"]) {
      assertFailure(await pz.call("POST", path, { "authentication.memberId": pz.member.memberId }), 400, "10018");
    }
  });
});

describe("Paymentz tokenised cards and recurring charges", () => {
  const registrationFields = (client: PaymentzClient, reference?: string, card = "4242424242424242") => {
    const { memberId, secureKey } = client.member;
    return {
      "authentication.memberId": memberId,
      "authentication.checksum": reference === undefined ? md5(memberId, secureKey) : md5(memberId, secureKey, reference),
      ...(reference === undefined ? {} : { merchantTransactionId: reference }),
      "card.number": card,
      "card.expiryMonth": "11",
      "card.expiryYear": "2038",
      "card.cvv": "321",
      "card.holder": "Giorgi Beridze",
    };
  };
  const deleteFields = (client: PaymentzClient, registrationId: string) => ({
    "authentication.memberId": client.member.memberId,
    "authentication.checksum": md5(client.member.memberId, client.member.secureKey, registrationId),
    actionType: "delete",
  });

  it("/registrations stores a card without a charge, in every encoding", async () => {
    for (const encoding of ENCODINGS) {
      const response = await pz.call("POST", "/registrations", registrationFields(pz, encoding === "form" ? undefined : reference("reg")), { encoding });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.result.code, "00027", response.text);
      assert.match(response.json.registrationId, /^[0-9a-f]{32}$/);
      assert.deepEqual(response.json.card, {
        registrationId: response.json.registrationId,
        registrationStatus: "ACTIVE",
        cardType: "VISA",
        bin: "424242",
        last4Digits: "4242",
        lastFourDigits: "4242",
        holder: "Giorgi Beridze",
        expiryMonth: "11",
        expiryYear: "2038",
      });
      assert.deepEqual([response.json.amount, response.json.capturedAmount], ["0.00", "0.00"]);
    }
    assertFailure(await pz.call("POST", "/registrations", { ...registrationFields(pz), "authentication.checksum": "0".repeat(32) }), 400, "10003");
    assertFailure(await pz.call("POST", "/registrations", { ...registrationFields(pz), "card.number": "1234" }), 400, "10012");
    const declined = await pz.call("POST", "/registrations", registrationFields(pz, undefined, "4000000000000002"));
    assert.deepEqual([declined.json.transactionStatus, declined.json.result.code, declined.json.registrationId], ["N", "20001", undefined]);
  });

  it("createRegistration=true on a payment returns its registrationId; INITIAL then REPEATED charges go through /paywithtoken", async () => {
    for (const encoding of ENCODINGS) {
      const first = await pz.pay(reference("initial"), "15.00", { createRegistration: "true", recurringType: "INITIAL", "card.number": "4000000000003220" }, { encoding });
      assert.equal(first.json.transactionStatus, "3D", "the buyer's own first payment is authenticated");
      const saved = await pz.pay(reference("initial"), "15.00", { createRegistration: "true" }, { encoding });
      const registrationId = saved.json.registrationId as string;
      assert.match(registrationId, /^[0-9a-f]{32}$/, saved.text);
      for (const recurringType of ["INITIAL", "REPEATED"]) {
        const id = reference(`token-${recurringType}`);
        const { "card.number": _n, "card.expiryMonth": _m, "card.expiryYear": _y, "card.cvv": _c, "card.holder": _h, ...fields } = pz.payment(id, "4.99", { recurringType });
        const charged = await pz.call("POST", `/paywithtoken/${registrationId}`, fields, { encoding });
        assert.equal(charged.status, 200, charged.text);
        assert.deepEqual([charged.json.transactionStatus, charged.json.result.code, charged.json.amount, charged.json.registrationId], ["Y", "00001", "4.99", registrationId]);
        assert.equal(charged.json.card.last4Digits, "4242");
      }
    }
  });

  it("a stored 3-D Secure card is charged without a challenge; PA through a token is held; refunds work on the charge", async () => {
    const registrationId = (await pz.call("POST", "/registrations", registrationFields(pz, undefined, "4000000000003220"))).json.registrationId;
    assert.ok(registrationId === undefined, "registering a 3-D card asks for the challenge first");
    const saved = (await pz.call("POST", "/registrations", registrationFields(pz))).json.registrationId as string;
    const { "card.number": _n, ...held } = pz.payment(reference("token-pa"), "20.00", { paymentType: "PA" });
    const charged = await pz.call("POST", `/paywithtoken/${saved}`, held);
    assert.equal(charged.json.status, "authsuccessful", charged.text);
    assert.equal((await pz.operate(charged.json.paymentId, "CP", "20.00")).json.result.code, "00004");
    assert.equal((await pz.operate(charged.json.paymentId, "RF", "5.00")).json.result.code, "00005");
  });

  it("a token charge needs its checksum, a fresh reference and a registration of the merchant's own", async () => {
    const saved = (await pz.call("POST", "/registrations", registrationFields(pz))).json.registrationId as string;
    const theirs = (await pzB.call("POST", "/registrations", registrationFields(pzB))).json.registrationId as string;
    const used = reference("used");
    await pz.pay(used, "1.00");
    const charge = (registrationId: string, id: string, overrides: Record<string, string> = {}) => {
      const { "card.number": _n, ...fields } = pz.payment(id, "2.00", overrides);
      return pz.call("POST", `/paywithtoken/${registrationId}`, fields);
    };
    assertFailure(await charge(saved, reference("bad-sum"), { "authentication.checksum": "0".repeat(32) }), 400, "10003");
    assertFailure(await charge(saved, used), 409, "10006");
    const unknown = theirs.replace(/.$/, (c: string) => (c === "0" ? "1" : "0"));
    const [other, nobody] = [await charge(theirs, reference("theirs")), await charge(unknown, reference("nobody"))];
    assertFailure(other, 404, "10016");
    assertFailure(nobody, 404, "10016");
    assert.deepEqual(other.json.result, nobody.json.result);
    assertFailure(await charge("not-a-registration", reference("garbage")), 404, "10016");
    for (const encoding of ENCODINGS) assertFailure(await pz.call("POST", "/paywithtoken", { "authentication.memberId": pz.member.memberId }, { encoding }), 404, "10016");
    const again = reference("ok");
    assert.equal((await charge(saved, again)).json.transactionStatus, "Y");
    assertFailure(await charge(saved, again), 409, "10006");
  });

  it("a payment made with recurringType=INITIAL is repeated by its id (/payments/{id}, DB, PA or RB), without the card, in every encoding", async () => {
    const repeat = (client: PaymentzClient, parentId: string, id: string, amount: string, overrides: Record<string, string> = {}, encoding: (typeof ENCODINGS)[number] = "form") => {
      const { "card.number": _number, "card.expiryMonth": _month, "card.expiryYear": _year, "card.cvv": _cvv, "card.holder": _holder, ...fields } = client.payment(id, amount, { recurringType: "REPEATED", ...overrides });
      return client.call("POST", `/payments/${parentId}`, fields, { encoding });
    };
    const first = await pz.pay(reference("recurring"), "9.00", { recurringType: "INITIAL" });
    assert.equal(first.json.transactionStatus, "Y", first.text);
    const parentId = first.json.paymentId as string;
    for (const [i, encoding] of ENCODINGS.entries()) {
      const again = await repeat(pz, parentId, reference("repeat"), `2.0${i}`, {}, encoding);
      assert.equal(again.status, 200, again.text);
      assert.deepEqual([again.json.transactionStatus, again.json.result.code, again.json.amount, again.json.card.last4Digits], ["Y", "00001", `2.0${i}`, "4242"]);
      assert.notEqual(again.json.paymentId, parentId, "a repeat is a payment of its own");
    }
    const held = await repeat(pz, parentId, reference("repeat-pa"), "3.00", { paymentType: "PA" });
    assert.equal(held.json.status, "authsuccessful", held.text);
    assert.equal((await pz.operate(held.json.paymentId, "CP", "3.00")).json.result.code, "00004");
    const rb = await repeat(pz, parentId, reference("repeat-rb"), "1.50", { paymentType: "RB" });
    assert.deepEqual([rb.json.transactionStatus, rb.json.paymentType], ["Y", "DB"], rb.text);
    assert.equal((await pz.call("GET", `/payments/${parentId}`)).json.amount, "9.00", "the first payment is untouched");
  });

  it("a repeat needs a payment that stored its card, the merchant's own, its checksum and a fresh reference", async () => {
    const repeat = (parentId: string, id: string, overrides: Record<string, string> = {}) => {
      const { "card.number": _number, ...fields } = pz.payment(id, "2.00", { recurringType: "REPEATED", ...overrides });
      return pz.call("POST", `/payments/${parentId}`, fields);
    };
    const parentId = (await pz.pay(reference("recurring"), "9.00", { recurringType: "INITIAL" })).json.paymentId as string;
    const plain = (await pz.pay(reference("plain"), "9.00")).json.paymentId as string;
    const theirs = (await pzB.pay(reference("their-recurring"), "9.00", { recurringType: "INITIAL" })).json.paymentId as string;
    assertFailure(await repeat(plain, reference("of-plain")), 400, "10027");
    const unknown = theirs.replace(/.$/, (c: string) => (c === "0" ? "1" : "0"));
    const [other, nobody] = [await repeat(theirs, reference("theirs")), await repeat(unknown, reference("nobody"))];
    assertFailure(other, 404, "10005");
    assertFailure(nobody, 404, "10005");
    assert.deepEqual(other.json.result, nobody.json.result);
    assertFailure(await repeat(parentId, reference("bad-sum"), { "authentication.checksum": "0".repeat(32) }), 400, "10003");
    assertFailure(await repeat(parentId, reference("initial-again"), { recurringType: "INITIAL" }), 400, "10012");
    const used = reference("used");
    assert.equal((await repeat(parentId, used)).json.transactionStatus, "Y");
    assertFailure(await repeat(parentId, used), 409, "10006");
    const declined = (await pz.pay(reference("recurring-0051"), "9.00", { recurringType: "INITIAL", "card.number": "4000000000000051" })).json.paymentId as string;
    const soft = await repeat(declined, reference("soft"));
    assert.deepEqual([soft.status, soft.json.transactionStatus, soft.json.result.code], [200, "N", "20003"], soft.text);
  });

  it("a deleted registration charges no more; another merchant's cannot be deleted", async () => {
    const saved = (await pz.call("POST", "/registrations", registrationFields(pz))).json.registrationId as string;
    const theirs = (await pzB.call("POST", "/registrations", registrationFields(pzB))).json.registrationId as string;
    assertFailure(await pz.call("POST", `/paywithtoken/${theirs}`, deleteFields(pz, theirs)), 404, "10016");
    assertFailure(await pz.call("POST", `/paywithtoken/${saved}`, { ...deleteFields(pz, saved), "authentication.checksum": "0".repeat(32) }), 400, "10003");
    for (const encoding of ENCODINGS) {
      const another = encoding === "form" ? saved : ((await pz.call("POST", "/registrations", registrationFields(pz))).json.registrationId as string);
      const deleted = await pz.call("POST", `/paywithtoken/${another}`, encoding === "flat" ? { ...deleteFields(pz, another), actionType: "", paymentType: "DL" } : deleteFields(pz, another), { encoding });
      assert.deepEqual([deleted.status, deleted.json.result.code], [200, "00028"], deleted.text);
    }
    const { "card.number": _n, ...fields } = pz.payment(reference("after-delete"), "2.00");
    assertFailure(await pz.call("POST", `/paywithtoken/${saved}`, fields), 404, "10016");
    assertFailure(await pz.call("POST", `/paywithtoken/${saved}`, deleteFields(pz, saved)), 404, "10016");
    const { "card.number": _m, ...theirFields } = paymentzClient(shopB).payment(reference("their-charge"), "2.00");
    assert.equal((await pzB.call("POST", `/paywithtoken/${theirs}`, theirFields)).json.transactionStatus, "Y", "theirs still works");
  });
});

describe("Paymentz beside the other APIs", () => {
  it("one merchant using BOG, TBC and Paymentz sees each order only through the API that made it", async () => {
    const paymentzId = (await pz.pay(reference("mixed"), "3.00")).json.paymentId as string;
    const uuid = paymentzId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
    assert.equal((await server.request("GET", `/payments/v1/receipt/${uuid}`)).status, 404);
    assert.equal((await server.tbcRequest("GET", `/v1/tpay/payments/${paymentzId}`)).status, 404);
    const bogId = await server.createOrder();
    assertFailure(await pz.call("GET", `/payments/${bogId.replaceAll("-", "")}`), 404, "10005");
    const tbc = await server.tbcRequest("POST", "/v1/tpay/payments", { body: { amount: { currency: "GEL", total: 1 }, returnurl: "https://shop.example/r", methods: [5] } });
    assertFailure(await pz.operate(tbc.json.payId, "RF", "1.00"), 404, "10005");
  });

  it("a card saved through TBC is no registration of Paymentz, and a Paymentz registration no TBC recId", async () => {
    const created = await server.tbcRequest("POST", "/v1/tpay/payments", { body: { amount: { currency: "GEL", total: 2 }, returnurl: "https://shop.example/r", methods: [5], saveCard: true } });
    assert.equal((await server.tbcRequest("POST", `/_test/orders/${created.json.payId}/pay`, { body: { card_number: "4242424242424242", expiry: "12/39", cvc: "123", cardholder: "N B" } })).status, 200);
    const recId = (await server.tbcRequest("GET", `/v1/tpay/payments/${created.json.payId}`)).json.recId as string;
    assert.match(recId, /^[0-9a-f]{32}$/);
    const { "card.number": _n, ...fields } = pz.payment(reference("tbc-card"), "2.00");
    assertFailure(await pz.call("POST", `/paywithtoken/${recId}`, fields), 404, "10016");
    assertFailure(await pz.call("POST", `/paywithtoken/${recId}`, { "authentication.memberId": pz.member.memberId, "authentication.checksum": md5(pz.member.memberId, pz.member.secureKey, recId), actionType: "delete" }), 404, "10016");
    const registrationId = (await pz.pay(reference("pz-card"), "2.00", { createRegistration: "true" })).json.registrationId as string;
    const execution = await server.tbcRequest("POST", "/v1/tpay/payments/execution", { body: { recId: registrationId, money: { amount: 2, currency: "GEL" } } });
    assert.equal(execution.status, 404, execution.text);
    assert.equal((await server.tbcRequest("POST", `/v1/tpay/payments/${registrationId}/delete`)).status, 404);
  });

  it("its OpenAPI document lists its operations", async () => {
    const response = await server.request("GET", `${PZ}/openapi.json`, { token: null });
    assert.equal(response.status, 200);
    const paths = Object.keys(response.json.paths);
    for (const path of ["/authToken", "/partnerAuthToken", "/regenerateToken", "/payments", "/payments/{id}", "/inquiry", "/registrations", "/paywithtoken", "/paywithtoken/{registrationId}", "/getTransactionList", "/getTransactionDetails", "/payout"]) assert.ok(paths.includes(`${PZ}${path}`), path);
    assert.ok(!paths.some((path) => path.startsWith("/payments/v1")), "no other API's paths");
    for (const path of ["/transaction/Checkout", "/invoice/REST/v1/generate", "/invoice/REST/v1/inquiry", "/invoice/REST/v1/cancel", "/invoice/REST/v1/remind", "/invoice/REST/v1/regenerate"]) assert.ok(paths.includes(path), path);
  });
});
