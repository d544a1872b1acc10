// The SDK's Paymentz client against a real tetri server: checksums computed for each call,
// the AuthToken kept, a held payment captured and refunded, a stored card charged and deleted,
// typed errors, and notifications verified by their checksum.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer } from "../../../test/helpers/harness.ts";
import type { TestServer } from "../../../test/helpers/harness.ts";
import { DEMO } from "../../../test/helpers/fixtures.ts";
import { startReceiver } from "../../../test/helpers/receiver.ts";
import type { Receiver } from "../../../test/helpers/receiver.ts";
import { eventually } from "../../../test/helpers/wait.ts";
import { PaymentzClient, TEST_CARDS, TetriApiError } from "../src/index.ts";
import type { PaymentzCard, PaymentzNotification } from "../src/index.ts";

const cardOf = (number: string): PaymentzCard => ({ number, expiryMonth: "12", expiryYear: "2039", cvv: "123", holder: "Nino Beridze" });

describe("SDK PaymentzClient against tetri", { timeout: 60_000 }, () => {
  let server: TestServer;
  let receiver: Receiver;
  let pz: PaymentzClient;

  before(async () => {
    server = await startTestServer();
    receiver = await startReceiver();
    pz = new PaymentzClient({ ...DEMO.paymentz, baseUrl: server.url });
  });
  after(async () => {
    await receiver.close();
    await server.close();
  });

  it("holds a payment, captures part of it, refunds the rest of what was captured, and reads it back", async () => {
    const held = await pz.pay({ merchantTransactionId: "sdk-pz-1", amount: "40.00", currency: "EUR", paymentType: "PA", card: cardOf(TEST_CARDS.approved.number) });
    assert.equal(held.transactionStatus, "Y", JSON.stringify(held));
    assert.equal(held.result.code, "00001");
    assert.equal((await pz.capture(held.paymentId, "30.00")).result.code, "00004");
    assert.equal((await pz.refund(held.paymentId)).transactionStatus, "Y");
    const inquiry = await pz.inquire(held.paymentId);
    assert.equal(inquiry.result.code, "00026");
    assert.equal(inquiry.status, "reversed");
    assert.equal((await pz.inquireByMerchantTransactionId("sdk-pz-1")).paymentId, held.paymentId);
    const details = await pz.transactionDetails(held.paymentId);
    assert.ok(Array.isArray(details.transactions) && details.transactions.length >= 3, JSON.stringify(details));
    const list = await pz.transactionList({ pageSize: 10 });
    assert.ok(JSON.stringify(list).includes(held.paymentId));
  });

  it("a decline is an answer (N with its code); bad input and unknown ids are typed errors with the platform's code", async () => {
    const declined = await pz.pay({ merchantTransactionId: "sdk-pz-2", amount: "5.00", currency: "EUR", paymentType: "DB", card: cardOf(TEST_CARDS.insufficientFunds.number) });
    assert.equal(declined.transactionStatus, "N");
    assert.equal(declined.result.code, "20003");
    await assert.rejects(pz.refund("0".repeat(32), "1.00"), (error: unknown) => error instanceof TetriApiError && error.status === 404 && error.code === "10005");
    await assert.rejects(
      pz.pay({ merchantTransactionId: "sdk-pz-3", amount: "5", currency: "EUR", paymentType: "DB", card: cardOf(TEST_CARDS.approved.number) }),
      (error: unknown) => error instanceof TetriApiError && error.status === 400,
    );
    const wrongKey = new PaymentzClient({ ...DEMO.paymentz, secureKey: "not-the-key", baseUrl: server.url, retry: { maxRetries: 0 } });
    await assert.rejects(wrongKey.accessToken(), (error: unknown) => error instanceof TetriApiError && error.status === 401);
  });

  it("stores a card, charges it without the buyer, and deletes it", async () => {
    const first = await pz.pay({ merchantTransactionId: "sdk-pz-4", amount: "12.00", currency: "EUR", paymentType: "DB", card: cardOf(TEST_CARDS.approved.number), createRegistration: true });
    assert.ok(first.registrationId, JSON.stringify(first));
    const again = await pz.payWithToken(first.registrationId, { merchantTransactionId: "sdk-pz-5", amount: "7.50", currency: "EUR", paymentType: "DB", recurringType: "REPEATED" });
    assert.equal(again.transactionStatus, "Y", JSON.stringify(again));
    const stored = await pz.registerCard(cardOf(TEST_CARDS.approvedMastercard.number), { merchantTransactionId: "sdk-pz-reg" });
    assert.equal(stored.result.code, "00027", JSON.stringify(stored));
    assert.ok(stored.registrationId);
    assert.equal((await pz.payWithToken(stored.registrationId, { merchantTransactionId: "sdk-pz-8", amount: "3.00", currency: "EUR", paymentType: "DB" })).transactionStatus, "Y");
    await pz.deleteRegistration(first.registrationId);
    await assert.rejects(
      pz.payWithToken(first.registrationId, { merchantTransactionId: "sdk-pz-6", amount: "7.50", currency: "EUR", paymentType: "DB" }),
      (error: unknown) => error instanceof TetriApiError && error.status >= 400,
    );
  });

  it("verifyNotification accepts a real notification and rejects a changed one", async () => {
    const paid = await pz.pay({ merchantTransactionId: "sdk-pz-7", amount: "9.00", currency: "EUR", paymentType: "DB", card: cardOf(TEST_CARDS.approved.number), notificationUrl: receiver.url });
    const received = await eventually(() => receiver.received.find((c) => c.body.includes(paid.paymentId)));
    const notification = JSON.parse(received.body) as PaymentzNotification;
    assert.equal(pz.verifyNotification(notification), true);
    assert.equal(pz.verifyNotification({ ...notification, amount: "90.00" }), false);
    assert.equal(pz.verifyNotification({ ...notification, checksum: "" }), false);
  });

  it("repeats a recurring payment by its id, pays out of the balance (a late payout read back by inquiry), and runs an invoice's life", async () => {
    const first = await pz.pay({ merchantTransactionId: "sdk-pz-rec", amount: "20.00", currency: "USD", paymentType: "DB", card: cardOf(TEST_CARDS.approved.number), recurringType: "INITIAL" });
    const repeated = await pz.repeat(first.paymentId, { merchantTransactionId: "sdk-pz-rec-2", amount: "5.00", currency: "USD", paymentType: "DB" });
    assert.deepEqual([repeated.transactionStatus, repeated.amount], ["Y", "5.00"], JSON.stringify(repeated));
    const paidOut = await pz.payout({ merchantTransactionId: "sdk-po-1", amount: "10.00", currency: "USD", paymentId: first.paymentId });
    assert.equal(paidOut.status, "payoutsuccessful", JSON.stringify(paidOut));
    const cents = (amount: string | undefined) => Number(amount?.replace(".", ""));
    assert.equal(cents(paidOut.result.totalBalance) - cents(paidOut.result.currentPayoutBalance), 1000);
    const late = await pz.payout({ merchantTransactionId: "sdk-po-2", amount: "1.00", currency: "USD", card: { number: TEST_CARDS.lateAnswer.number, expiryMonth: "12", expiryYear: "2039", holder: "Nino" } });
    assert.equal(late.transactionStatus, "P", JSON.stringify(late));
    assert.equal((await pz.inquire(late.paymentId)).status, "payoutstarted");
    await assert.rejects(pz.payout({ merchantTransactionId: "sdk-po-3", amount: "9999.00", currency: "USD", paymentId: first.paymentId }), (error: unknown) => error instanceof TetriApiError && error.code === "10023");

    const generated = await pz.generateInvoice({ merchantInvoiceId: "sdk-inv-1", amount: "12.00", currency: "EUR", merchantOrderDescription: "Tyres", invoiceExpirationPeriod: 24 });
    const invoice = generated.invoiceDetails as { systemInvoiceId: string; transactionUrl: string };
    const invoiceId = invoice.systemInvoiceId;
    assert.match(invoice.transactionUrl, new RegExp(`^${server.url}/`), JSON.stringify(generated));
    const pending = (await pz.inquireInvoice(invoiceId)) as { invoiceDetails: { invoiceStatus: string } };
    assert.equal(pending.invoiceDetails.invoiceStatus, "Pending");
    await pz.cancelInvoice(invoiceId, "changed our mind");
    const cancelled = (await pz.inquireInvoice(invoiceId)) as { invoiceDetails: { invoiceStatus: string } };
    assert.equal(cancelled.invoiceDetails.invoiceStatus, "Cancelled");
    const again = await pz.regenerateInvoice(invoiceId);
    assert.notEqual((again.invoiceDetails as { systemInvoiceId: string }).systemInvoiceId, invoiceId);
    await assert.rejects(pz.remindInvoice(invoiceId), (error: unknown) => error instanceof TetriApiError && error.code === "10025");
  });
});
