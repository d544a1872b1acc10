// Paymentz /payout on core's payouts: money out of the merchant's balance (captured payments
// less refunds less payouts, exact, per currency, whichever API took the payments), to a
// captured payment's card or to a named card; never beyond the balance, even concurrently.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTwoMerchantServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { md5, paymentzClient } from "../helpers/paymentz.ts";
import type { Encoding, PaymentzClient } from "../helpers/paymentz.ts";
import type { ShopClient, TestResponse } from "../helpers/shop.ts";
import { eventually } from "../helpers/wait.ts";

let server: TestServer;
let shopB: ShopClient;
let sequence = 0;

function payout(pz: PaymentzClient, amount: string, to: Record<string, string>, options: { currency?: string; reference?: string; encoding?: Encoding; checksum?: string } = {}): Promise<TestResponse> {
  const { memberId, secureKey } = pz.member;
  const reference = options.reference ?? `po-${sequence++}`;
  return pz.call(
    "POST",
    "/payout",
    {
      "authentication.memberId": memberId,
      "authentication.terminalId": pz.member.terminalId,
      "authentication.checksum": options.checksum ?? md5(memberId, reference, amount, secureKey),
      merchantTransactionId: reference,
      amount,
      currency: options.currency ?? "EUR",
      paymentType: "PO",
      ...to,
    },
    { encoding: options.encoding },
  );
}

const toCard = (number = "4242424242424242") => ({ "card.number": number, "card.expiryMonth": "10", "card.expiryYear": "2037", "card.holder": "Nino Beridze" });

const cents = (amount: string) => Number(amount.replace(".", ""));

/** POST /inquiry by paymentId (PID) or, given a reference, by merchantTransactionId (MID). */
function inquire(pz: PaymentzClient, by: { paymentId: string } | { reference: string }): Promise<TestResponse> {
  const { memberId, secureKey } = pz.member;
  const fields: Record<string, string> =
    "paymentId" in by
      ? { paymentId: by.paymentId, "authentication.checksum": md5(memberId, secureKey, by.paymentId) }
      : { idType: "MID", merchantTransactionId: by.reference, "authentication.checksum": md5(memberId, secureKey, by.reference) };
  return pz.call("POST", "/inquiry", { "authentication.memberId": memberId, paymentType: "IN", ...fields });
}

function assertFailure(response: TestResponse, status: number, code: string) {
  assert.equal(response.status, status, response.text);
  assert.deepEqual([response.json.paymentId, response.json.transactionStatus, response.json.result.code], ["-", "N", code], response.text);
}

before(async () => {
  ({ server, shopB } = await startTwoMerchantServer());
});
after(() => server.close());

describe("Paymentz payouts", () => {
  it("pays out of the balance, to a payment's card and to a named card, in every encoding, to the last cent", async () => {
    const pz = paymentzClient(server);
    const paid = await pz.pay("balance-1", "30.00");
    await pz.operate(paid.json.paymentId, "RF", "5.00");
    const first = await payout(pz, "10.00", { paymentId: paid.json.paymentId });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(
      [first.json.status, first.json.transactionStatus, first.json.result.code, first.json.result.totalBalance, first.json.result.currentPayoutBalance, first.json.card.last4Digits],
      ["payoutsuccessful", "Y", "00030", "25.00", "15.00", "4242"],
    );
    assert.match(first.json.paymentId, /^[0-9a-f]{32}$/);
    for (const encoding of ["form", "flat", "nested"] as const) {
      const response = await payout(pz, "5.00", toCard("5555555555554444"), { encoding });
      assert.equal(response.json.result.code, "00030", response.text);
    }
    assertFailure(await payout(pz, "0.01", toCard()), 400, "10023");
    const usd = await pz.pay("balance-usd", "4.00", { currency: "USD" });
    assert.equal(usd.json.transactionStatus, "Y");
    const inUsd = await payout(pz, "4.00", toCard(), { currency: "USD" });
    assert.deepEqual([inUsd.json.result.totalBalance, inUsd.json.result.currentPayoutBalance], ["4.00", "0.00"], inUsd.text);
  });

  it("payments taken through another API count in the balance of their currency", async () => {
    const pz = paymentzClient(server);
    const id = await server.createOrder();
    assert.equal((await server.pay(id)).status, 200);
    const response = await payout(pz, "25.50", toCard(), { currency: "GEL" });
    assert.deepEqual([response.json.result.code, response.json.result.totalBalance, response.json.result.currentPayoutBalance], ["00030", "25.50", "0.00"], response.text);
  });

  it("a card that refuses the payout fails it (payoutfailed, 21001) and the balance keeps the money", async () => {
    const pz = paymentzClient(server);
    await pz.pay("balance-2", "8.00");
    for (const card of ["4000000000000002", "4000000000000168"]) {
      const failed = await payout(pz, "8.00", toCard(card));
      assert.equal(failed.status, 200, failed.text);
      assert.deepEqual([failed.json.status, failed.json.transactionStatus, failed.json.result.code], ["payoutfailed", "N", "21001"]);
      assert.equal(failed.json.result.totalBalance, failed.json.result.currentPayoutBalance);
    }
    const expired = await payout(pz, "8.00", { ...toCard(), "card.expiryYear": "2021" });
    assert.equal(expired.json.result.code, "21003", expired.text);
    assert.equal((await payout(pz, "8.00", toCard())).json.result.currentPayoutBalance, "0.00");
  });

  it("every bad request is refused with its code and pays nothing", async () => {
    const pz = paymentzClient(server);
    const paid = await pz.pay("balance-3", "6.00");
    const theirs = (await paymentzClient(shopB).pay("their-balance", "6.00")).json.paymentId as string;
    const { memberId, secureKey } = pz.member;
    assertFailure(await payout(pz, "1.00", toCard(), { checksum: "0".repeat(32) }), 400, "10003");
    assertFailure(await payout(pz, "1.00", toCard(), { reference: "sum-order", checksum: md5(memberId, secureKey, "sum-order", "1.00") }), 400, "10003");
    assertFailure(await payout(pz, "-1.00", toCard()), 400, "10013");
    assertFailure(await payout(pz, "1", toCard()), 400, "10012");
    assertFailure(await payout(pz, "1.00", toCard(), { currency: "INR" }), 400, "10015");
    assertFailure(await payout(pz, "1.00", {}), 400, "10011");
    assertFailure(await payout(pz, "1.00", toCard("4242424242424241")), 400, "10012");
    assertFailure(await payout(pz, "1.00", { "bankAccount.iban": "GE29NB0000000101904917" }), 400, "10018");
    const unknown = theirs.replace(/.$/, (c: string) => (c === "0" ? "1" : "0"));
    const [other, nobody] = [await payout(pz, "1.00", { paymentId: theirs }), await payout(pz, "1.00", { paymentId: unknown })];
    assertFailure(other, 404, "10005");
    assertFailure(nobody, 404, "10005");
    assert.deepEqual(other.json.result, nobody.json.result);
    assert.equal((await payout(pz, "1.00", toCard(), { reference: "once" })).json.result.code, "00030");
    assertFailure(await payout(pz, "1.00", toCard(), { reference: "once" }), 409, "10006");
    const rest = await payout(pz, "5.00", { paymentId: paid.json.paymentId });
    assert.deepEqual([rest.json.result.code, rest.json.result.totalBalance], ["00030", "5.00"], "only the one good payout was taken before");
  });

  it("concurrent payouts never exceed the balance: of twelve 3.00 payouts on 10.00, three are paid", async () => {
    const pz = paymentzClient(shopB);
    const before = await payout(pz, "0.01", toCard());
    const left = Number(before.json.result.currentPayoutBalance.replace(".", ""));
    await pz.pay("race-balance", "10.00");
    const start = left + 1000;
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => payout(pz, "3.00", toCard(), { encoding: (["form", "flat", "nested"] as const)[i % 3] })));
    const paid = answers.filter((a) => a.status === 200 && a.json.result.code === "00030");
    assert.equal(paid.length, Math.floor(start / 300), answers.map((a) => a.text).join("\n"));
    for (const refused of answers.filter((a) => a.status !== 200)) assert.equal(refused.json.result.code, "10023", refused.text);
    const after = await payout(pz, "0.01", toCard());
    assert.equal(Number(after.json.result.totalBalance.replace(".", "")), start - 300 * paid.length);
  });

  it("a payout the acquirer answers too late is started (P) with its money held, and reconciliation settles it; inquiry shows both", async () => {
    const pz = paymentzClient(server);
    await pz.pay("balance-late", "7.00");
    const started = await payout(pz, "6.00", toCard("4000000000000085"), { reference: "po-late" });
    assert.equal(started.status, 200, started.text);
    assert.deepEqual([started.json.status, started.json.transactionStatus, started.json.result.code], ["payoutstarted", "P", "00011"], started.text);
    assert.equal(cents(started.json.result.totalBalance) - cents(started.json.result.currentPayoutBalance), 600, "the pending payout holds its money");
    const payoutId = started.json.paymentId as string;
    const pending = await inquire(pz, { paymentId: payoutId });
    assert.equal(pending.status, 200, pending.text);
    assert.deepEqual([pending.json.status, pending.json.transactionStatus, pending.json.result.code, pending.json.paymentType, pending.json.amount], ["payoutstarted", "P", "00026", "PO", "6.00"]);
    // Past the acquirer's timeout, the sweeper's reconciliation asks the acquirer and learns it was paid.
    server.clock.advance(5_000);
    const settled = await eventually(async () => {
      const answer = await inquire(pz, { paymentId: payoutId });
      return answer.json.transactionStatus === "P" ? undefined : answer;
    }, { what: "reconciliation to settle the payout" });
    assert.deepEqual([settled.json.status, settled.json.transactionStatus, settled.json.result.code], ["payoutsuccessful", "Y", "00026"], settled.text);
    const byReference = await inquire(pz, { reference: "po-late" });
    assert.deepEqual([byReference.json.paymentId, byReference.json.status], [payoutId, "payoutsuccessful"], byReference.text);
    const after = await payout(pz, "0.01", toCard());
    assert.equal(cents(after.json.result.totalBalance), cents(started.json.result.currentPayoutBalance), "the money went out once");
  });

  it("another merchant's payout, or none, is not found by inquiry, with the same answer", async () => {
    const theirs = (await payout(paymentzClient(shopB), "0.01", toCard())).json;
    const pz = paymentzClient(server);
    const unknown = theirs.paymentId.replace(/.$/, (c: string) => (c === "0" ? "1" : "0"));
    const answers = [await inquire(pz, { paymentId: theirs.paymentId }), await inquire(pz, { paymentId: unknown }), await inquire(pz, { reference: theirs.merchantTransactionId })];
    for (const answer of answers) assertFailure(answer, 404, "10005");
    assert.deepEqual(answers[0]?.json.result, answers[1]?.json.result);
  });
});
