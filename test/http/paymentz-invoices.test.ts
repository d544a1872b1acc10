// Paymentz invoices (/invoice/REST/v1): a payment link on tetri's hosted page with an expiry,
// paid at most once, e-mailed (isemail) and reminded through the operator's SMTP server (a
// local sink here), cancelled and regenerated as a merchant expects.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, startTwoMerchantServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { md5, paymentzClient } from "../helpers/paymentz.ts";
import type { Encoding, PaymentzClient } from "../helpers/paymentz.ts";
import type { ShopClient, TestResponse } from "../helpers/shop.ts";
import { startSmtpSink } from "../helpers/smtp-sink.ts";
import { eventually } from "../helpers/wait.ts";

const INVOICE = "/invoice/REST/v1";
let sequence = 0;

function generateFields(pz: PaymentzClient, overrides: Record<string, string> = {}): Record<string, string> {
  const reference = overrides.merchantInvoiceId ?? `inv-${sequence++}`;
  const amount = overrides.amount ?? "45.00";
  return {
    "authentication.memberId": pz.member.memberId,
    "authentication.checksum": md5(pz.member.memberId, pz.member.secureKey, reference, amount),
    merchantInvoiceId: reference,
    amount,
    currency: "EUR",
    merchantOrderDescription: "Winter tyres",
    invoiceExpirationPeriod: "24",
    "customer.email": "nino@example.ge",
    "customer.givenName": "Nino",
    isemail: "Y",
    ...overrides,
  };
}

/** A call on the invoice API with the merchant's token (its paths are beside the REST prefix). */
function invoiceCall(shop: ShopClient, pz: PaymentzClient, path: string, fields: Record<string, string>, encoding: Encoding = "form"): Promise<TestResponse> {
  return pz.token().then((token) => {
    const body = encoding === "form" ? new URLSearchParams(fields).toString() : JSON.stringify(encoding === "flat" ? fields : nest(fields));
    const contentType = encoding === "form" ? "application/x-www-form-urlencoded" : "application/json";
    return shop.request("POST", `${INVOICE}${path}`, { token: null, headers: { AuthToken: token, "content-type": contentType }, body });
  });
}

function nest(fields: Record<string, string>): Record<string, unknown> {
  const nested: Record<string, any> = {};
  for (const [key, value] of Object.entries(fields)) {
    const [head = "", tail] = key.split(".");
    if (tail === undefined) nested[head] = value;
    else (nested[head] ??= {})[tail] = value;
  }
  return nested;
}

function byId(pz: PaymentzClient, invoiceId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { "authentication.memberId": pz.member.memberId, "authentication.checksum": md5(pz.member.memberId, pz.member.secureKey, invoiceId), invoiceId, ...extra };
}

function assertFailure(response: TestResponse, status: number, code: string) {
  assert.equal(response.status, status, response.text);
  assert.deepEqual([response.json?.transactionStatus, response.json?.result?.code], ["N", code], response.text);
}

describe("Paymentz invoices with a mail server", () => {
  let server: TestServer;
  let shopB: ShopClient;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let pz: PaymentzClient;
  const call = (path: string, fields: Record<string, string>, encoding?: Encoding) => invoiceCall(server, pz, path, fields, encoding);
  const pay = (paymentId: string, card = "4242424242424242") =>
    pz.token().then((token) =>
      server.request("POST", `/_test/orders/${paymentId}/pay`, { token: null, headers: { AuthToken: token }, body: { card_number: card, expiry: "12/39", cvc: "123", cardholder: "Nino" } }),
    );

  before(async () => {
    sink = await startSmtpSink();
    ({ server, shopB } = await startTwoMerchantServer({ TETRI_SMTP_URL: sink.url, TETRI_SMTP_FROM: "Demo shop payments <pay@shop.example>" }));
    pz = paymentzClient(server);
  });
  after(async () => {
    await server.close();
    await sink.close();
  });

  it("generate makes a pending payment link, in every encoding, and e-mails it to the customer", async () => {
    for (const encoding of ["form", "flat", "nested"] as const) {
      const fields = generateFields(pz);
      const response = await call("/generate", fields, encoding);
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.result.code, "00031");
      const details = response.json.invoiceDetails;
      assert.deepEqual(
        [details.merchantInvoiceId, details.amount, details.currency, details.invoiceStatus, details.transactionStatus, details.expirationPeriod, details.customerEmail, details.descriptor],
        [fields.merchantInvoiceId, "45.00", "EUR", "Pending", "P", "24", "nino@example.ge", "Winter tyres"],
      );
      assert.match(details.createdDate, /^\d{4}-\d\d-\d\d$/);
      assert.match(details.createdTime, /^\d\d:\d\d:\d\d$/);
      assert.equal(response.json.emailStatus, "sent");
      assert.match(details.transactionUrl, new RegExp(`^${server.url}/\\?order_id=`));
      assert.match(await (await fetch(details.transactionUrl)).text(), /45\.00 EUR/);
      const mail = await eventually(() => sink.received.find((m) => m.text.includes(details.transactionUrl)), { what: "the invoice e-mail" });
      assert.deepEqual(mail.to, ["nino@example.ge"]);
      assert.equal(mail.from, "pay@shop.example");
      assert.match(mail.headers.subject ?? "", new RegExp(`Demo shop invoice ${fields.merchantInvoiceId}: 45\\.00 EUR`));
      assert.match(mail.text, /Winter tyres/);
    }
  });

  it("an invoice is paid at most once through its link; inquiry then says Processed", async () => {
    const generated = await call("/generate", generateFields(pz, { isemail: "N" }));
    assert.equal(generated.json.emailStatus, undefined, "not e-mailed without isemail");
    const { systemInvoiceId } = generated.json.invoiceDetails;
    assert.equal((await pay(systemInvoiceId)).json.outcome, "approved");
    assert.equal((await pay(systemInvoiceId)).status, 400, "a second payment of the link is refused");
    const inquiry = await call("/inquiry", byId(pz, systemInvoiceId));
    assert.deepEqual([inquiry.json.result.code, inquiry.json.invoiceDetails.invoiceStatus, inquiry.json.invoiceDetails.transactionStatus], ["00026", "Processed", "Y"]);
    assertFailure(await call("/cancel", byId(pz, systemInvoiceId)), 400, "10025");
    assertFailure(await call("/remind", byId(pz, systemInvoiceId)), 400, "10025");
    assertFailure(await call("/regenerate", byId(pz, systemInvoiceId)), 400, "10025");
  });

  it("cancel closes a pending link; regenerate gives a new one once; remind e-mails the open one again", async () => {
    const generated = await call("/generate", generateFields(pz));
    const old = generated.json.invoiceDetails.systemInvoiceId as string;
    const link = generated.json.invoiceDetails.transactionUrl as string;
    const reminded = await call("/remind", byId(pz, old));
    assert.deepEqual([reminded.json.result.code, reminded.json.emailStatus], ["00032", "sent"], reminded.text);
    await eventually(() => sink.received.find((m) => /^Reminder: /.test(m.headers.subject ?? "") && m.text.includes(link)), { what: "the reminder" });
    const cancelled = await call("/cancel", byId(pz, old, { cancelReason: "customer called" }));
    assert.deepEqual([cancelled.json.result.code, cancelled.json.invoiceDetails.invoiceStatus, cancelled.json.invoiceDetails.transactionStatus], ["00033", "Cancelled", "C"], cancelled.text);
    assert.equal((await pay(old)).status, 400, "a cancelled link cannot be paid");
    assertFailure(await call("/cancel", byId(pz, old)), 400, "10025");
    assertFailure(await call("/remind", byId(pz, old)), 400, "10025");
    const fresh = await call("/regenerate", byId(pz, old, { isemail: "Y" }));
    assert.equal(fresh.json.result.code, "00031", fresh.text);
    const renewed = fresh.json.invoiceDetails;
    assert.notEqual(renewed.systemInvoiceId, old);
    assert.deepEqual([renewed.invoiceStatus, renewed.amount, renewed.merchantInvoiceId], ["Pending", "45.00", generated.json.invoiceDetails.merchantInvoiceId]);
    assert.equal(fresh.json.emailStatus, "sent");
    assertFailure(await call("/regenerate", byId(pz, old)), 409, "10006");
    assert.equal((await pay(renewed.systemInvoiceId)).json.outcome, "approved");
  });

  it("inquiry, remind, cancel and regenerate take every encoding", async () => {
    for (const encoding of ["form", "flat", "nested"] as const) {
      const id = (await call("/generate", generateFields(pz, { isemail: "N" }), encoding)).json.invoiceDetails.systemInvoiceId as string;
      assert.equal((await call("/inquiry", byId(pz, id), encoding)).json.invoiceDetails.invoiceStatus, "Pending");
      assert.equal((await call("/remind", byId(pz, id), encoding)).json.result.code, "00032");
      const renewed = await call("/regenerate", byId(pz, id), encoding);
      assert.equal(renewed.json.result.code, "00031", renewed.text);
      const cancelled = await call("/cancel", byId(pz, renewed.json.invoiceDetails.systemInvoiceId), encoding);
      assert.equal(cancelled.json.invoiceDetails.invoiceStatus, "Cancelled", cancelled.text);
    }
  });

  it("regenerating a pending invoice cancels its old link", async () => {
    const old = (await call("/generate", generateFields(pz, { isemail: "N" }))).json.invoiceDetails.systemInvoiceId as string;
    const renewed = await call("/regenerate", byId(pz, old));
    assert.equal(renewed.json.invoiceDetails.invoiceStatus, "Pending");
    assert.equal((await call("/inquiry", byId(pz, old))).json.invoiceDetails.invoiceStatus, "Cancelled");
  });

  it("an invoice past its expiration period expires; it can be regenerated", async () => {
    const generated = await call("/generate", generateFields(pz, { invoiceExpirationPeriod: "1", isemail: "N" }));
    const id = generated.json.invoiceDetails.systemInvoiceId as string;
    server.clock.advance(61 * 60_000);
    try {
      // The merchant's token has expired too by then: a fresh client gets a new one.
      const later = paymentzClient(server);
      await eventually(async () => ((await invoiceCall(server, later, "/inquiry", byId(later, id))).json.invoiceDetails?.invoiceStatus === "Expired" ? true : undefined), { what: "the invoice to expire" });
    } finally {
      server.clock.advance(-61 * 60_000);
    }
    assertFailure(await call("/remind", byId(pz, id)), 400, "10025");
    assert.equal((await pay(id)).status, 400);
    const renewed = await call("/regenerate", byId(pz, id));
    assert.deepEqual([renewed.json.invoiceDetails?.invoiceStatus, renewed.json.invoiceDetails?.expirationPeriod], ["Pending", "1"], renewed.text);
  });

  it("bad requests are refused in the platform's shape and make nothing", async () => {
    const bad = generateFields(pz);
    assertFailure(await call("/generate", { ...bad, "authentication.checksum": "0".repeat(32) }), 400, "10003");
    const { "customer.email": _e, ...noEmail } = generateFields(pz);
    assertFailure(await call("/generate", noEmail), 400, "10011");
    assertFailure(await call("/generate", generateFields(pz, { "customer.email": "not-an-address" })), 400, "10012");
    assertFailure(await call("/generate", generateFields(pz, { invoiceExpirationPeriod: "0" })), 400, "10012");
    assertFailure(await call("/generate", generateFields(pz, { invoiceExpirationPeriod: "9999" })), 400, "10012");
    assertFailure(await call("/generate", generateFields(pz, { amount: "-5.00" })), 400, "10013");
    assertFailure(await call("/generate", generateFields(pz, { currency: "INR" })), 400, "10015");
    const used = generateFields(pz, { isemail: "N" });
    assert.equal((await call("/generate", used)).status, 200);
    assertFailure(await call("/generate", used), 409, "10006");
    assertFailure(await call("/inquiry", { ...byId(pz, "0".repeat(32)), "authentication.checksum": "x" }), 400, "10003");
    const theirs = (await invoiceCall(shopB, paymentzClient(shopB), "/generate", generateFields(paymentzClient(shopB), { isemail: "N" }))).json.invoiceDetails.systemInvoiceId as string;
    const unknown = theirs.replace(/.$/, (c: string) => (c === "0" ? "1" : "0"));
    for (const path of ["/inquiry", "/cancel", "/remind", "/regenerate"]) {
      const [other, nobody] = [await call(path, byId(pz, theirs)), await call(path, byId(pz, unknown))];
      assertFailure(other, 404, "10005");
      assert.deepEqual(other.json.result, nobody.json.result);
    }
    const payment = (await pz.pay(`not-invoice-${sequence++}`, "1.00")).json.paymentId as string;
    assertFailure(await call("/inquiry", byId(pz, payment)), 404, "10005");
    assertFailure(await invoiceCall(server, { ...pz, token: async () => "bad" }, "/generate", generateFields(pz)), 401, "10004");
  });
});

describe("Paymentz invoices without a working mail server", () => {
  it("isemail without TETRI_SMTP_URL is refused (10026) and makes nothing; without isemail the link is made", async () => {
    const server = await startTestServer();
    try {
      const pz = paymentzClient(server);
      const fields = generateFields(pz);
      assertFailure(await invoiceCall(server, pz, "/generate", fields), 400, "10026");
      const made = await invoiceCall(server, pz, "/generate", { ...fields, isemail: "N" });
      assert.equal(made.json.invoiceDetails.invoiceStatus, "Pending", made.text);
      assertFailure(await invoiceCall(server, pz, "/remind", byId(pz, made.json.invoiceDetails.systemInvoiceId)), 400, "10026");
    } finally {
      await server.close();
    }
  });

  it("a mail server that refuses the message: the invoice stands, its emailStatus says failed", async () => {
    const sink = await startSmtpSink({ refuse: true });
    const server = await startTestServer({ TETRI_SMTP_URL: sink.url });
    try {
      const pz = paymentzClient(server);
      const response = await invoiceCall(server, pz, "/generate", generateFields(pz));
      assert.deepEqual([response.status, response.json.emailStatus, response.json.invoiceDetails.invoiceStatus], [200, "failed", "Pending"], response.text);
    } finally {
      await server.close();
      await sink.close();
    }
  });
});
