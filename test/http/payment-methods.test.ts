// Every payment method on tetri's hosted page in test mode, through its simulated page as a
// buyer's browser posts it: what the receipt and the callback then say about the method, in
// BOG's and TBC's fields; methods the shop did not ask for or the merchant did not enable; and
// live mode, where no upstream provides them.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { orderBody, setMerchantSettings, tbcPaymentBody, addMerchant } from "../helpers/fixtures.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { csrfCookieOf, csrfTokenOf } from "../helpers/hosted-page.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { Receiver } from "../helpers/receiver.ts";
import { eventually } from "../helpers/wait.ts";

const ORDERS = "/payments/v1/ecommerce/orders";
const TBC_PAYMENTS = "/v1/tpay/payments";

/** A page of the hosted checkout as a browser opens it: its HTML, the CSRF cookie it set, and its QR code if it shows one. */
async function openPage(server: TestServer, path: string) {
  const page = await fetch(`${server.url}${path}`, { redirect: "manual" });
  const html = await page.text();
  return { status: page.status, html, cookie: csrfCookieOf(page.headers) ?? "", qr: /name="qr_code" value="([^"]+)"/.exec(html)?.[1] };
}

/** Posts a form of an opened page with its CSRF cookie and token. */
async function postForm(server: TestServer, opened: Awaited<ReturnType<typeof openPage>>, action: string, fields: Record<string, string>) {
  const posted = await fetch(`${server.url}${action}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: opened.cookie },
    body: new URLSearchParams({ csrf: csrfTokenOf(opened.html) ?? "", ...fields }).toString(),
  });
  return { html: opened.html, status: posted.status, location: posted.headers.get("location"), text: await posted.text() };
}

/** Opens a method's simulated page and posts its form with `fields` (and the code of a QR page). */
async function payOnPage(server: TestServer, orderId: string, method: string, fields: Record<string, string>, lang = "en") {
  const opened = await openPage(server, `/checkout/method?order_id=${orderId}&method=${method}&lang=${lang}`);
  assert.equal(opened.status, 200, opened.html);
  return postForm(server, opened, "/checkout/method", { order_id: orderId, lang, method, ...(opened.qr ? { qr_code: opened.qr } : {}), ...fields });
}

/** The bank's later decision of a pending loan application, on its result page. */
async function decide(server: TestServer, orderId: string, result: "approve" | "decline") {
  const opened = await openPage(server, `/receipt?order_id=${orderId}&lang=en`);
  assert.match(opened.html, /action="\/checkout\/decision"/);
  const posted = await postForm(server, opened, "/checkout/decision", { order_id: orderId, lang: "en", result });
  assert.equal(posted.status, 303, posted.text);
}

const attemptOf = (server: TestServer, orderId: string) => server.services.ctx.store.read((tx) => tx.attempts.latestOfOrder(orderId as never));

describe("BOG: each payment method's simulated page, receipt and callback", () => {
  let server: TestServer;
  let receiver: Receiver;
  before(async () => {
    server = await startTestServer();
    receiver = await startReceiver();
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  const callbackOf = (orderId: string, status: string) =>
    eventually(() => {
      const bodies = receiver.received.map((c) => JSON.parse(c.body).body).filter((b) => b.order_id === orderId && b.order_status.key === status);
      return bodies[0];
    }, { what: `a ${status} callback of ${orderId}` });

  async function order(methods: string[], amount = 12.5, extra: Record<string, unknown> = {}) {
    return server.createOrder(
      orderBody({ payment_method: methods, purchase_units: { currency: "GEL", total_amount: amount, basket: [{ product_id: "p", quantity: 1, unit_price: amount }] }, ...extra }, receiver.url),
    );
  }

  /** Pays through the method's page; the receipt and the callback agree on what paid. */
  async function paid(methods: string[], method: string, fields: Record<string, string>, options: { amount?: number; extra?: Record<string, unknown> } = {}) {
    const id = await order(methods, options.amount, options.extra);
    const answer = await payOnPage(server, id, method, fields);
    assert.equal(answer.status, 303, answer.text);
    const receipt = await server.receipt(id);
    const callback = await callbackOf(id, receipt.order_status.key);
    assert.deepEqual(callback.payment_detail, receipt.payment_detail);
    return { id, receipt, detail: receipt.payment_detail };
  }

  it("wallets: the sheet's test card pays or declines, with the card's mask, brand and direct_debit", async () => {
    const google = await paid(["google_pay"], "google_pay", { wallet_card: "4242424242424242" });
    const part = await server.request("POST", `/payments/v1/payment/refund/${google.id}`, { body: { amount: 2.5 } });
    assert.equal(part.status, 200, "a wallet's payment is refunded in part, as a card's");
    assert.equal(google.receipt.order_status.key, "completed");
    assert.deepEqual(google.detail.transfer_method, { key: "google_pay", value: "Google Pay" });
    assert.equal(google.detail.payer_identifier, "424242xxxxxx4242");
    assert.equal(google.detail.payment_option, "direct_debit");
    assert.equal(google.detail.card_type, "visa");
    assert.equal(google.detail.code, "100");

    const apple = await paid(["card", "apple_pay"], "apple_pay", { wallet_card: "5555555555554444" });
    assert.equal(apple.detail.transfer_method.key, "apple_pay");
    assert.equal(apple.detail.card_type, "mc");

    const declined = await paid(["apple_pay"], "apple_pay", { wallet_card: "4000000000009995" });
    assert.equal(declined.receipt.order_status.key, "rejected");
    assert.equal(declined.detail.code, "107");
    assert.equal(declined.detail.transfer_method.key, "apple_pay");

    // Only the sheet's cards: another number is asked again, and nothing is recorded.
    const id = await order(["google_pay"]);
    const other = await payOnPage(server, id, "google_pay", { wallet_card: "4000000000000085" });
    assert.equal(other.status, 422);
    assert.equal(await attemptOf(server, id), undefined);
  });

  it("internet bank (bog_p2p): approved and declined on the simulated sign-in, the account holder as payer; refundable", async () => {
    const approved = await paid(["bog_p2p"], "bank_transfer", { account_holder: "Nino Beridze", result: "approve" });
    assert.equal(approved.receipt.order_status.key, "completed");
    assert.deepEqual(approved.detail.transfer_method, { key: "bog_p2p", value: "ინტერნეტბანკით გადახდა" });
    assert.equal(approved.detail.payer_identifier, "Nino Beridze");
    assert.equal(approved.detail.card_type, null);
    assert.equal(approved.detail.card_expiry_date, null);
    assert.equal(approved.detail.code, "100");
    // BOG refunds its own authorization in full only.
    const partial = await server.request("POST", `/payments/v1/payment/refund/${approved.id}`, { body: { amount: 5 } });
    assert.equal(partial.status, 400, partial.text);
    assert.equal(partial.json.key, "method_refunds_in_full");
    const refund = await server.request("POST", `/payments/v1/payment/refund/${approved.id}`, { body: {} });
    assert.equal(refund.status, 200, refund.text);
    assert.equal((await eventually(async () => ((await server.receipt(approved.id)).order_status.key === "refunded" ? true : undefined))), true);

    const declined = await paid(["bog_p2p"], "bank_transfer", { account_holder: "Nino Beridze", result: "decline" });
    assert.equal(declined.receipt.order_status.key, "rejected");
    assert.equal(declined.detail.code, "112");
  });

  it("loyalty points: all by points, or points and the card to the minor unit; more points than the balance decline", async () => {
    const points = await paid(["bog_loyalty"], "loyalty_points", { account_holder: "Nino", points: "12.50" });
    assert.equal(points.receipt.order_status.key, "completed");
    assert.equal(points.detail.transfer_method.key, "bog_loyalty");
    assert.equal(points.detail.payer_identifier, "Nino");
    assert.equal(points.detail.card_type, null);

    const split = await paid(["bog_loyalty"], "loyalty_points", {
      account_holder: "Nino",
      points: "49.99",
      card_number: "4242424242424242",
      expiry: "12/39",
      cvc: "123",
      cardholder: "Nino Beridze",
    }, { amount: 80.01 });
    assert.equal(split.receipt.order_status.key, "completed");
    assert.equal(split.receipt.purchase_units.transfer_amount, "80.01");
    assert.equal(split.detail.card_type, "visa");
    const attempt = await attemptOf(server, split.id);
    assert.equal(attempt?.methodDetails?.pointsAmount, 4999, "the points' share, in minor units; the card paid the rest");
    assert.equal(attempt?.card?.mask, "424242******4242");

    const noCard = await payOnPage(server, await order(["bog_loyalty"], 80), "loyalty_points", { account_holder: "Nino", points: "50" });
    assert.equal(noCard.status, 422, "the rest needs a card");

    const over = await paid(["bog_loyalty"], "loyalty_points", { account_holder: "Nino", points: "60" }, { amount: 80 });
    assert.equal(over.receipt.order_status.key, "rejected");
    assert.equal(over.detail.code, "107");
  });

  it("BNPL with the shop's config.loan: only its term, its product shown; pending stays processing until the bank decides", async () => {
    const loan = { config: { loan: { type: "STANDARD", month: 4 } } };
    const id = await order(["bnpl"], 12.5, loan);
    const pending = await payOnPage(server, id, "bnpl", { applicant: "nino", months: "4", result: "pending" });
    assert.match(pending.html, /<option value="4" selected>4 months<\/option>\n<\/select>/);
    assert.match(pending.html, /class="loan-product">STANDARD</);
    assert.equal(pending.status, 303, pending.text);
    const waiting = await server.receipt(id);
    assert.equal(waiting.order_status.key, "processing");
    assert.equal(waiting.payment_detail.transfer_method.key, "bnpl");
    assert.equal(waiting.payment_detail.code, null);
    assert.equal((await attemptOf(server, id))?.status, "awaiting_decision");

    await decide(server, id, "approve");
    const receipt = await server.receipt(id);
    assert.equal(receipt.order_status.key, "completed");
    assert.equal(receipt.payment_detail.payer_identifier, "N");
    assert.equal((await callbackOf(id, "completed")).payment_detail.transfer_method.key, "bnpl");
    assert.equal(receipt.payment_detail.code, "100");
    assert.equal((await attemptOf(server, id))?.methodDetails?.loanMonths, 4);
    // BOG lists no refund of a loan.
    const refund = await server.request("POST", `/payments/v1/payment/refund/${id}`, { body: {} });
    assert.equal(refund.status, 400, refund.text);
    assert.equal(refund.json.key, "method_not_refundable");

    const otherTerm = await payOnPage(server, await order(["bnpl"], 12.5, loan), "bnpl", { applicant: "nino", months: "6", result: "approve" });
    assert.equal(otherTerm.status, 422, "a term the shop did not set is asked again");
  });

  it("installment loan (bog_loan): a term of the list; declined at once, or later after pending", async () => {
    const declined = await paid(["bog_loan"], "installment", { applicant: "Giorgi", months: "12", result: "decline" }, { extra: { config: { loan: { type: "STANDARD" } } } });
    assert.equal(declined.receipt.order_status.key, "rejected");
    assert.equal(declined.detail.transfer_method.key, "bog_loan");
    assert.equal(declined.detail.payer_identifier, "G");

    const id = await order(["bog_loan"], 12.5, { config: { loan: { type: "STANDARD" } } });
    assert.equal((await payOnPage(server, id, "installment", { applicant: "Giorgi", months: "24", result: "pending" })).status, 303);
    await decide(server, id, "decline");
    assert.equal((await callbackOf(id, "rejected")).payment_detail.code, "112");
  });

  it("gift card: a test code with enough balance pays; too little declines; an unknown code is an invalid card", async () => {
    const gift = await paid(["gift_card"], "gift_card", { gift_code: "gift-100" });
    assert.equal(gift.receipt.order_status.key, "completed");
    assert.equal(gift.detail.transfer_method.key, "gift_card");
    assert.equal(gift.detail.payer_identifier, "GI****00");

    const low = await paid(["gift_card"], "gift_card", { gift_code: "GIFT-5" });
    assert.equal(low.detail.code, "107");
    const unknown = await paid(["gift_card"], "gift_card", { gift_code: "NOPE-1" });
    assert.equal(unknown.detail.code, "103");
    const long = await payOnPage(server, await order(["gift_card"]), "gift_card", { gift_code: "G".repeat(33) });
    assert.equal(long.status, 422, "no code is that long");
  });

  it("methods the shop did not ask for are not shown and cannot be paid with, the card included", async () => {
    const id = await order(["bog_p2p"]);
    const page = await (await fetch(`${server.url}/?order_id=${id}&lang=en`)).text();
    assert.match(page, /data-method="bank_transfer"/);
    assert.doesNotMatch(page, /name="card_number"|data-method="google_pay"/);
    const wallet = await fetch(`${server.url}/checkout/method?order_id=${id}&method=google_pay&lang=en`, { redirect: "manual" });
    assert.equal(wallet.status, 303);
    assert.equal(wallet.headers.get("location"), `/?order_id=${id}&lang=en`);
    const card = await server.pay(id);
    assert.equal(card.status, 403, card.text);
    assert.equal((await server.receipt(id)).order_status.key, "created");
  });

  it("bad input on a method's page is a clear 4xx or a way back, never a 500, and records nothing", async () => {
    const id = await order(["bog_loyalty", "bnpl", "bog_p2p"], 12.5, { config: { loan: { type: "STANDARD" } } });
    const cases: Array<[method: string, fields: Record<string, string>, status: number]> = [
      ["loyalty_points", { account_holder: "N", points: "abc" }, 422],
      ["loyalty_points", { account_holder: "N", points: "-1" }, 422],
      ["loyalty_points", { account_holder: "N", points: "1.234" }, 422],
      ["loyalty_points", { account_holder: "", points: "1" }, 422],
      ["bnpl", { applicant: "N", months: "NaN", result: "approve" }, 422],
      ["bnpl", { applicant: "N".repeat(5000), months: "1e9", result: "approve" }, 422],
      ["bank_transfer", { account_holder: " ", result: "approve" }, 422],
      ["bank_transfer", { account_holder: "N".repeat(65), result: "approve" }, 422],
    ];
    for (const [method, fields, status] of cases) {
      const answer = await payOnPage(server, id, method, fields);
      assert.equal(answer.status, status, `${method} ${JSON.stringify(fields).slice(0, 80)}: ${answer.text.slice(0, 200)}`);
    }
    const post = (body: Record<string, string>, cookie = "") =>
      fetch(`${server.url}/checkout/method`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", cookie }, body: new URLSearchParams(body).toString() });
    assert.equal((await post({ order_id: id, method: "bank_transfer", result: "approve", account_holder: "N" })).status, 403, "no CSRF token");
    assert.equal((await post({ order_id: id, method: "card" })).status, 303, "the card has no simulated page");
    assert.equal((await post({ order_id: id, method: "gift_card" })).status, 303, "not offered");
    assert.equal((await post({ order_id: "nope", method: "gift_card" })).status, 404);
    assert.equal(await attemptOf(server, id), undefined);
    assert.equal((await server.receipt(id)).order_status.key, "created");
  });

  it("a method requested but not enabled for the merchant gets BOG's 403 and makes no order", async () => {
    const merchant = addMerchant(server, "Shop p2p");
    setMerchantSettings(server, merchant.clientId, "bog", ["--methods", "card,loyalty_points"]);
    const refused = await server.as(merchant).request("POST", ORDERS, { body: orderBody({ payment_method: ["bog_p2p"] }) });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.json.key, "method_unavailable");
    assert.match(refused.json.message, /bank_transfer/);
  });
});

describe("TBC: each payment method's paymentMethod and operationType", () => {
  let server: TestServer;
  let receiver: Receiver;
  before(async () => {
    server = await startTestServer({ TETRI_QR_TTL_SECONDS: "60" });
    receiver = await startReceiver();
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  async function payment(methods: number[], extra: Record<string, unknown> = {}): Promise<string> {
    const created = await server.tbcRequest("POST", TBC_PAYMENTS, { body: tbcPaymentBody({ methods, callbackUrl: receiver.url, ...extra }) });
    assert.equal(created.status, 200, created.text);
    return created.json.payId as string;
  }
  const orderIdOf = (payId: string) => payId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
  const details = async (payId: string) => (await server.tbcRequest("GET", `${TBC_PAYMENTS}/${payId}`)).json;

  async function paid(methods: number[], method: string, fields: Record<string, string>, extra: Record<string, unknown> = {}) {
    const payId = await payment(methods, extra);
    const answer = await payOnPage(server, orderIdOf(payId), method, fields, "ka");
    assert.equal(answer.status, 303, answer.text);
    await eventually(() => (receiver.received.some((c) => JSON.parse(c.body).PaymentId === payId) ? true : undefined), { what: `the callback of ${payId}` });
    return details(payId);
  }

  it("QR (4): scanned and approved, or declined; operationType 0", async () => {
    const approved = await paid([4], "qr", { result: "approve" });
    assert.equal(approved.status, "Succeeded");
    assert.equal(approved.paymentMethod, 4);
    assert.equal(approved.operationType, 0);
    assert.equal(approved.PaymentCardNumber, null);
    assert.equal(approved.resultCode, "approved");
    const declined = await paid([4], "qr", { result: "decline" });
    assert.equal(declined.status, "Failed");
    assert.equal(declined.paymentMethod, 4);
  });

  it("an expired QR code pays nothing: a clear page, and the order still waits for its payment", async () => {
    const payId = await payment([4]);
    const id = orderIdOf(payId);
    const opened = await openPage(server, `/checkout/method?order_id=${id}&method=qr&lang=en`);
    server.clock.advance(61_000);
    const posted = await postForm(server, opened, "/checkout/method", { order_id: id, lang: "en", method: "qr", result: "approve", qr_code: opened.qr ?? "" });
    assert.equal(posted.status, 410);
    assert.match(posted.text, /QR code expired/);
    assert.equal((await details(payId)).status, "Created");
  });

  it("BNPL through the Web QR (4): operationType 1; Ertguli points (6): operationType 2", async () => {
    const bnpl = await paid([4], "bnpl", { applicant: "Nino", months: "3", result: "approve" });
    assert.deepEqual([bnpl.status, bnpl.paymentMethod, bnpl.operationType], ["Succeeded", 4, 1]);
    const points = await paid([6], "loyalty_points", { account_holder: "Nino", points: "12.50" });
    assert.deepEqual([points.status, points.paymentMethod, points.operationType], ["Succeeded", 6, 2]);
  });

  it("internet bank (7) and installments (8) with their installmentProducts; no card number", async () => {
    const bank = await paid([7], "bank_transfer", { account_holder: "Nino", result: "approve" });
    assert.deepEqual([bank.status, bank.paymentMethod, bank.operationType, bank.PaymentCardNumber], ["Succeeded", 7, null, null]);
    const products = { amount: { currency: "GEL", total: 30 }, installmentProducts: [{ name: "Kettle", price: 10, quantity: 3 }] };
    const payId = await payment([8], products);
    const page = await payOnPage(server, orderIdOf(payId), "installment", { applicant: "Nino", months: "18", result: "decline" });
    assert.match(page.html, /Kettle/);
    assert.match(page.html, /<option value="24">24 months<\/option>/);
    const declined = await details(payId);
    assert.deepEqual([declined.status, declined.paymentMethod, declined.resultCode], ["Failed", 8, "decline_general"]);

    // Left pending, the payment is Processing without a result until the bank decides.
    const pendingId = await payment([8], products);
    assert.equal((await payOnPage(server, orderIdOf(pendingId), "installment", { applicant: "Nino", months: "6", result: "pending" })).status, 303);
    const pending = await details(pendingId);
    assert.deepEqual([pending.status, pending.paymentMethod, pending.resultCode], ["Processing", 8, null]);
    await decide(server, orderIdOf(pendingId), "approve");
    assert.equal((await details(pendingId)).status, "Succeeded");
  });

  it("wallets (9, 14): the sheet's card, its mask as PaymentCardNumber", async () => {
    const apple = await paid([9], "apple_pay", { wallet_card: "4242424242424242" });
    assert.deepEqual([apple.status, apple.paymentMethod, apple.PaymentCardNumber], ["Succeeded", 9, "424242******4242"]);
    const google = await paid([14], "google_pay", { wallet_card: "4000000000000002" });
    assert.deepEqual([google.status, google.paymentMethod, google.resultCode], ["Failed", 14, "decline_general"]);
  });

  it("a method requested but not enabled for the merchant gets TBC's 403 problem; the QR brings BNPL only when enabled", async () => {
    const merchant = addMerchant(server, "Shop QR");
    setMerchantSettings(server, merchant.clientId, "tbc", ["--methods", "card"]);
    const shop = server.as(merchant);
    const refused = await shop.tbcRequest("POST", TBC_PAYMENTS, { body: tbcPaymentBody({ methods: [4] }) });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.json.systemCode, "MethodUnavailable");

    const offered = async () => {
      const created = await shop.tbcRequest("POST", TBC_PAYMENTS, { body: tbcPaymentBody({ methods: [4] }) });
      assert.equal(created.status, 200, created.text);
      const page = await (await fetch(created.json.links[1].uri)).text();
      return [...page.matchAll(/data-method="([a-z_]+)"/g)].map((m) => m[1]);
    };
    setMerchantSettings(server, merchant.clientId, "tbc", ["--methods", "card,qr"]);
    assert.deepEqual(await offered(), ["qr"]);
    setMerchantSettings(server, merchant.clientId, "tbc", ["--methods", "qr,bnpl"]);
    assert.deepEqual(await offered(), ["qr", "bnpl"]);
  });
});

describe("the test helper pays with any method the order offers, for CI without a browser", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const pay = (id: string, body: Record<string, unknown>) => server.request("POST", `/_test/orders/${id}/pay`, { body });

  it("BOG: the simulated page's fields; a pending application decided through the helper", async () => {
    const p2p = await server.createOrder(orderBody({ payment_method: ["bog_p2p"] }));
    const paid = await pay(p2p, { method: "bank_transfer", account_holder: "Nino", result: "approve" });
    assert.deepEqual(paid.json, { order_id: p2p, outcome: "approved", decline_reason: null, status: "captured" });
    assert.equal((await server.receipt(p2p)).payment_detail.transfer_method.key, "bog_p2p");

    const loan = await server.createOrder(orderBody({ payment_method: ["bnpl"], config: { loan: { type: "STANDARD" } } }));
    assert.equal((await pay(loan, { method: "bnpl", applicant: "Nino", months: "3", result: "pending" })).json.outcome, "pending");
    const decided = await server.request("POST", `/_test/orders/${loan}/decide`, { body: { result: "decline" } });
    assert.deepEqual([decided.json.outcome, decided.json.decline_reason], ["declined", "issuer_declined"]);

    const wrong = await pay(await server.createOrder(orderBody({ payment_method: ["bnpl"], config: { loan: { type: "STANDARD" } } })), { method: "bnpl", applicant: "", months: "3" });
    assert.equal(wrong.status, 400, wrong.text);
    assert.equal(wrong.json.errors[0].field, "applicant");
    const notOffered = await pay(p2p, { method: "gift_card", gift_code: "GIFT-100" });
    assert.equal(notOffered.status, 400, "the order is paid already");
    const other = await server.createOrder(orderBody({ payment_method: ["card"] }));
    assert.equal((await pay(other, { method: "gift_card", gift_code: "GIFT-100" })).status, 403);
  });

  it("TBC: a QR payment is scanned at once", async () => {
    const created = await server.tbcRequest("POST", TBC_PAYMENTS, { body: tbcPaymentBody({ methods: [4] }) });
    const paid = await server.tbcRequest("POST", `/_test/orders/${created.json.payId}/pay`, { body: { method: "qr", result: "approve" } });
    assert.equal(paid.json.outcome, "approved", paid.text);
    assert.equal((await server.tbcRequest("GET", `${TBC_PAYMENTS}/${created.json.payId}`)).json.paymentMethod, 4);
  });
});

describe("live mode: no upstream provides the methods beside the card", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ TETRI_MODE: "live", TETRI_CARD_KEY: Buffer.alloc(32, 7).toString("base64") });
  });
  after(() => server.close());

  it("an order naming one is refused in the API's own shape; naming none, the page offers the card alone", async () => {
    const bog = await server.request("POST", ORDERS, { body: orderBody({ payment_method: ["card", "bog_p2p"] }, "https://shop.example/cb") });
    assert.equal(bog.status, 403, bog.text);
    assert.equal(bog.json.key, "method_no_upstream");
    assert.match(bog.json.message, /bank_transfer/);

    const tbc = await server.tbcRequest("POST", TBC_PAYMENTS, { body: tbcPaymentBody({ methods: [5, 4], callbackUrl: "https://shop.example/cb" }) });
    assert.equal(tbc.status, 403, tbc.text);
    assert.equal(tbc.json.systemCode, "MethodNoUpstream");

    const unnamed = await server.request("POST", ORDERS, { body: orderBody({}, "https://shop.example/cb") });
    assert.equal(unnamed.status, 200, unnamed.text);
    const page = await (await fetch(unnamed.json._links.redirect.href)).text();
    assert.match(page, /name="card_number"/);
    assert.doesNotMatch(page, /Google Pay|Internet bank|method-links/);
    const simulated = await fetch(`${server.url}/checkout/method?order_id=${unnamed.json.id}&method=google_pay`, { redirect: "manual" });
    assert.equal(simulated.status, 303);
  });
});
