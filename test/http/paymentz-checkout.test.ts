// The Paymentz standard hosted checkout, POST /transaction/Checkout: the shop's page posts a
// form with its checksum (secure key last), and the buyer is sent on to tetri's hosted page.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { encode, md5, paymentzClient } from "../helpers/paymentz.ts";
import type { Encoding } from "../helpers/paymentz.ts";
import type { TestResponse } from "../helpers/shop.ts";

let server: TestServer;
let sequence = 0;

function checkoutFields(overrides: Record<string, string> = {}): Record<string, string> {
  const { memberId, secureKey } = server.merchant.paymentz;
  const fields: Record<string, string> = {
    memberId,
    totype: "paymentz",
    amount: "19.90",
    currency: "EUR",
    merchantTransactionId: `checkout-${sequence++}`,
    merchantRedirectUrl: "https://shop.example/return",
    notificationUrl: "https://shop.example/notify",
    orderDescription: "Two books",
    email: "nino@example.ge",
    ...overrides,
  };
  fields.checksum ??= md5(fields.memberId ?? "", fields.totype ?? "", fields.amount ?? "", fields.merchantTransactionId ?? "", fields.merchantRedirectUrl ?? "", secureKey);
  return { ...fields, ...overrides };
}

function post(fields: Record<string, string>, encoding: Encoding = "form"): Promise<TestResponse> {
  const { contentType, body } = encode(fields, encoding);
  return server.request("POST", "/transaction/Checkout", { token: null, headers: { "content-type": contentType }, body });
}

function assertFailure(response: TestResponse, status: number, code: string) {
  assert.equal(response.status, status, response.text);
  assert.deepEqual([response.json?.transactionStatus, response.json?.result?.code], ["N", code], response.text);
}

before(async () => {
  server = await startTestServer();
});
after(() => server.close());

describe("Paymentz hosted checkout", () => {
  it("a checked form sends the buyer to tetri's hosted page with the amount, in each encoding", async () => {
    for (const encoding of ["form", "flat", "nested"] as const) {
      const fields = checkoutFields();
      const response = await post(fields, encoding);
      assert.equal(response.status, 303, response.text);
      const location = response.headers.get("location") ?? "";
      assert.match(location, new RegExp(`^${server.url}/\\?order_id=[0-9a-f-]{36}$`));
      const page = await fetch(location);
      assert.match(await page.text(), /19\.90 EUR/);
      const paymentId = new URL(location).searchParams.get("order_id")?.replaceAll("-", "") ?? "";
      const read = await paymentzClient(server).call("GET", `/payments/${paymentId}`);
      assert.deepEqual([read.json.merchantTransactionId, read.json.transactionStatus, read.json.status], [fields.merchantTransactionId, "P", "begun"]);
    }
  });

  it("a wrong checksum, an unknown member, missing or bad fields, a used reference: refused, nothing made", async () => {
    const { memberId, secureKey } = server.merchant.paymentz;
    const fields = checkoutFields();
    assertFailure(await post({ ...fields, checksum: "0".repeat(32) }), 400, "10003");
    assertFailure(await post({ ...fields, checksum: md5(memberId, secureKey, fields.totype ?? "", fields.amount ?? "", fields.merchantTransactionId ?? "", fields.merchantRedirectUrl ?? "") }), 400, "10003");
    assertFailure(await post({ ...fields, amount: "19.91" }), 400, "10003");
    assertFailure(await post(checkoutFields({ memberId: "424242" })), 401, "10004");
    const { merchantRedirectUrl: _r, ...noRedirect } = checkoutFields();
    assertFailure(await post(noRedirect), 400, "10011");
    assertFailure(await post(checkoutFields({ amount: "-1.00" })), 400, "10013");
    assertFailure(await post(checkoutFields({ currency: "INR" })), 400, "10015");
    assertFailure(await post(checkoutFields({ merchantRedirectUrl: "javascript:alert(1)" })), 400, "10012");
    assert.equal((await post(fields)).status, 303, "the reference was not used by the refused ones");
    assertFailure(await post(fields), 409, "10006");
  });
});
