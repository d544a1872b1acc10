// Concurrent Paymentz back-office calls on one payment: however they interleave, the refunds
// never exceed what was captured and captures never exceed the hold.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { md5, paymentzClient } from "../helpers/paymentz.ts";
import type { PaymentzClient } from "../helpers/paymentz.ts";

let server: TestServer;
let pz: PaymentzClient;

before(async () => {
  server = await startTestServer();
  pz = paymentzClient(server);
});
after(() => server.close());

describe("Paymentz races", () => {
  it("twelve concurrent refunds of 3.00 on a 10.00 payment: exactly three succeed, the ledger agrees", async () => {
    const paymentId = (await pz.pay("race-refunds", "10.00")).json.paymentId as string;
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => pz.operate(paymentId, "RF", "3.00", { encoding: (["form", "flat", "nested"] as const)[i % 3] })));
    const succeeded = answers.filter((a) => a.status === 200 && a.json.result.code === "00005");
    assert.equal(succeeded.length, 3, answers.map((a) => a.text).join("\n"));
    for (const refused of answers.filter((a) => a.status !== 200)) assert.ok(["10009", "10019"].includes(refused.json.result.code), refused.text);
    const read = await pz.call("GET", `/payments/${paymentId}`);
    assert.deepEqual([read.json.capturedAmount, read.json.refundedAmount, read.json.status], ["10.00", "9.00", "partialrefund"]);
  });

  it("concurrent captures of one hold: one wins, the hold is captured once", async () => {
    const paymentId = (await pz.pay("race-captures", "10.00", { paymentType: "PA" })).json.paymentId as string;
    const answers = await Promise.all(Array.from({ length: 6 }, () => pz.operate(paymentId, "CP", "6.00")));
    assert.equal(answers.filter((a) => a.status === 200 && a.json.result.code === "00004").length, 1, answers.map((a) => a.text).join("\n"));
    const read = await pz.call("GET", `/payments/${paymentId}`);
    assert.equal(read.json.capturedAmount, "6.00");
  });

  it("concurrent payments with one merchantTransactionId: exactly one is made", async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => pz.pay("race-reference", "2.00")));
    assert.equal(answers.filter((a) => a.status === 200).length, 1, answers.map((a) => a.text).join("\n"));
    for (const refused of answers.filter((a) => a.status !== 200)) assert.ok(["10006", "10019"].includes(refused.json.result.code), refused.text);
  });

  it("payments and token charges racing with one merchantTransactionId: exactly one payment is made", async () => {
    const { memberId, secureKey } = pz.member;
    const registration = await pz.call("POST", "/registrations", {
      "authentication.memberId": memberId,
      "authentication.checksum": md5(memberId, secureKey),
      "card.number": "4242424242424242",
      "card.expiryMonth": "11",
      "card.expiryYear": "2038",
      "card.cvv": "321",
      "card.holder": "Giorgi Beridze",
    });
    const registrationId = registration.json.registrationId as string;
    for (let round = 0; round < 4; round++) {
      const reference = `race-across-${round}`;
      const { "card.number": _number, ...byToken } = pz.payment(reference, "2.00");
      const answers = await Promise.all([
        pz.pay(reference, "2.00"),
        pz.call("POST", `/paywithtoken/${registrationId}`, byToken),
        pz.pay(reference, "2.00", {}, { encoding: "nested" }),
        pz.call("POST", `/paywithtoken/${registrationId}`, byToken, { encoding: "flat" }),
      ]);
      assert.equal(answers.filter((a) => a.status === 200).length, 1, answers.map((a) => a.text).join("\n"));
      for (const refused of answers.filter((a) => a.status !== 200)) assert.ok(["10006", "10019"].includes(refused.json.result.code), refused.text);
    }
    const listed = await pz.call("POST", "/getTransactionList", { "authentication.memberId": memberId, "authentication.checksum": md5(memberId, secureKey), "pagination.pageSize": "100" });
    const references = listed.json.transactions.map((t: { merchantTransactionId: string }) => t.merchantTransactionId).filter((id: string) => id.startsWith("race-across-"));
    assert.deepEqual(references.sort(), ["race-across-0", "race-across-1", "race-across-2", "race-across-3"]);
  });
});
