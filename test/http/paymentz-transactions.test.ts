// /getTransactionList and /getTransactionDetails: a merchant's Paymentz transactions by date,
// page by page, and one transaction with its operations; never another merchant's, never an
// order made through another API.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTwoMerchantServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { md5, paymentzClient } from "../helpers/paymentz.ts";
import type { Encoding, PaymentzClient } from "../helpers/paymentz.ts";
import type { ShopClient, TestResponse } from "../helpers/shop.ts";

const DAY = 86_400_000;
let server: TestServer;
let shopB: ShopClient;
let laterDay: string;

const dayText = (at: number) => new Date(at).toISOString().slice(0, 10);

function list(pz: PaymentzClient, pagination: Record<string, string>, encoding: Encoding = "form"): Promise<TestResponse> {
  const { memberId, secureKey } = pz.member;
  const fields = Object.fromEntries(Object.entries(pagination).map(([k, v]) => [`pagination.${k}`, v]));
  return pz.call("POST", "/getTransactionList", { "authentication.memberId": memberId, "authentication.checksum": md5(memberId, secureKey), ...fields }, { encoding });
}

before(async () => {
  ({ server, shopB } = await startTwoMerchantServer());
  const early = paymentzClient(server);
  for (let i = 0; i < 2; i++) await early.pay(`early-${i}`, "1.00");
  await paymentzClient(shopB).pay("theirs-early", "1.00");
  server.clock.advance(2 * DAY);
  laterDay = dayText(server.clock.now());
  const later = paymentzClient(server);
  for (let i = 0; i < 3; i++) await later.pay(`later-${i}`, `${i + 2}.00`);
  await paymentzClient(shopB).pay("theirs-later", "1.00");
  await server.createOrder();
});
after(() => server.close());

describe("Paymentz transaction list and details", () => {
  it("lists the day's transactions newest first, page by page, in every encoding", async () => {
    const pz = paymentzClient(server);
    for (const encoding of ["form", "flat", "nested"] as const) {
      const first = await list(pz, { fromdate: laterDay, todate: laterDay, pageSize: "2" }, encoding);
      assert.equal(first.status, 200, first.text);
      assert.equal(first.json.result.code, "00026");
      assert.deepEqual(first.json.transactions.map((t: { merchantTransactionId: string }) => t.merchantTransactionId), ["later-2", "later-1"]);
      assert.equal(first.json.pagination.hasMore, true);
      const second = await list(pz, { fromdate: laterDay, todate: laterDay, pageSize: "2", page: "2" }, encoding);
      assert.deepEqual(second.json.transactions.map((t: { merchantTransactionId: string }) => t.merchantTransactionId), ["later-0"]);
      assert.equal(second.json.pagination.hasMore, false);
      const beyond = await list(pz, { fromdate: laterDay, pageSize: "2", page: "9" }, encoding);
      assert.deepEqual(beyond.json.transactions, []);
    }
    const all = await list(pz, {});
    assert.deepEqual(all.json.transactions.map((t: { merchantTransactionId: string }) => t.merchantTransactionId), ["later-2", "later-1", "later-0", "early-1", "early-0"]);
    const [newest] = all.json.transactions;
    assert.deepEqual([newest.amount, newest.currency, newest.status, newest.transactionStatus, newest.paymentType], ["4.00", "EUR", "capturesuccess", "Y", "DB"]);
    const early = await list(pz, { todate: dayText(server.clock.now() - 2 * DAY) });
    assert.equal(early.json.transactions.length, 2);
  });

  it("a bad range, page or checksum is refused in the platform's shape", async () => {
    const pz = paymentzClient(server);
    const cases: Record<string, string>[] = [{ fromdate: "31/01/2024" }, { fromdate: "2024-02-30" }, { fromdate: laterDay, todate: "2000-01-01" }, { page: "0" }, { pageSize: "1000" }, { page: "x" }];
    for (const pagination of cases) {
      const response = await list(pz, pagination);
      assert.equal(response.status, 400, response.text);
      assert.equal(response.json.result.code, "10012", response.text);
    }
    const wrong = await pz.call("POST", "/getTransactionList", { "authentication.memberId": pz.member.memberId, "authentication.checksum": md5(pz.member.memberId, "guess") });
    assert.deepEqual([wrong.status, wrong.json.result.code], [400, "10003"]);
  });

  it("details show one transaction with its operations; another merchant's is not found", async () => {
    const pz = paymentzClient(server);
    const { memberId, secureKey } = pz.member;
    const paid = await pz.pay("details-1", "10.00", { paymentType: "PA" });
    const id = paid.json.paymentId as string;
    await pz.operate(id, "CP", "8.00");
    await pz.operate(id, "RF", "3.00");
    const ways: Array<Record<string, string> & { checksum: string }> = [
      { paymentId: id, checksum: md5(memberId, secureKey, id) },
      { merchantTransactionId: "details-1", checksum: md5(memberId, secureKey, "details-1") },
    ];
    for (const [i, by] of ways.entries()) {
      const { checksum, ...which } = by;
      const encoding = (["form", "flat", "nested"] as const)[i + 1] ?? "form";
      assert.equal((await pz.call("POST", "/getTransactionDetails", { "authentication.memberId": memberId, "authentication.checksum": "0".repeat(32), ...which }, { encoding })).json.result.code, "10003");
      const response = await pz.call("POST", "/getTransactionDetails", { "authentication.memberId": memberId, "authentication.checksum": checksum, ...which }, { encoding });
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(
        response.json.transactions.map((t: { paymentType: string; amount: string; status: string }) => [t.paymentType, t.amount, t.status]),
        [["PA", "10.00", "success"], ["CP", "8.00", "success"], ["RF", "3.00", "success"]],
      );
      assert.equal(response.json.refundedAmount, "3.00");
    }
    const theirs = (await paymentzClient(shopB).pay("their-details", "1.00")).json.paymentId as string;
    const response = await pz.call("POST", "/getTransactionDetails", { "authentication.memberId": memberId, "authentication.checksum": md5(memberId, secureKey, theirs), paymentId: theirs });
    assert.deepEqual([response.status, response.json.result.code], [404, "10005"]);
  });
});
