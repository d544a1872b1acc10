// The SDK's TBC TPay client against a real tetri server: payments, refunds, pre-authorization,
// saved cards, and TBC's problem+json errors as typed errors.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer } from "../../../test/helpers/harness.ts";
import type { TestServer } from "../../../test/helpers/harness.ts";
import { DEMO } from "../../../test/helpers/fixtures.ts";
import { TEST_CARDS, TbcClient, TetriApiError } from "../src/index.ts";
import type { TbcCreatePayment } from "../src/index.ts";

const payment = (total: number, extra: Partial<TbcCreatePayment> = {}): TbcCreatePayment => ({
  amount: { currency: "GEL", total },
  returnurl: "https://shop.example/return",
  methods: [5],
  language: "EN",
  merchantPaymentId: "sdk-tbc-1",
  ...extra,
});

describe("SDK TbcClient against tetri", { timeout: 60_000 }, () => {
  let server: TestServer;
  let tbc: TbcClient;

  before(async () => {
    server = await startTestServer();
    tbc = new TbcClient({ apiKey: DEMO.tbcApiKey, clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, baseUrl: server.url });
  });
  after(() => server.close());

  it("creates a payment, pays it, refunds part of it and reads it back", async () => {
    const created = await tbc.createPayment(payment(12.5));
    assert.equal(created.status, "Created");
    assert.equal(created.links[1]?.rel, "approval_url");
    await tbc.payWithTestCard(created.payId, TEST_CARDS.approved);
    const paid = await tbc.getPayment(created.payId);
    assert.deepEqual([paid.status, paid.confirmedAmount, paid.resultCode], ["Succeeded", 12.5, "approved"]);

    const cancelled = await tbc.cancelPayment(created.payId, { amount: 2.5 });
    assert.equal(cancelled.httpStatusCode, 200);
    const refunded = await tbc.getPayment(created.payId);
    assert.deepEqual([refunded.status, refunded.returnedAmount], ["PartialReturned", 2.5]);
  });

  it("completes part of a pre-authorization", async () => {
    const created = await tbc.createPayment(payment(30, { preAuth: true }));
    await tbc.payWithTestCard(created.payId, TEST_CARDS.approved);
    assert.equal((await tbc.getPayment(created.payId)).status, "WaitingConfirm");
    const completed = await tbc.completePayment(created.payId, { amount: 20 });
    assert.equal(completed.confirmedAmount, 20);
  });

  it("charges a saved card, then deletes it, after which a charge is refused", async () => {
    const created = await tbc.createPayment(payment(1, { saveCard: true, saveCardToDate: "1230" }));
    await tbc.payWithTestCard(created.payId, TEST_CARDS.approved);
    const recId = (await tbc.getPayment(created.payId)).recId;
    assert.ok(recId);
    const charge = await tbc.chargeSavedCard({ recId, money: { amount: 9.99, currency: "GEL" }, initiator: "merchant" });
    assert.deepEqual([charge.status, charge.amount, charge.Initiator], ["Succeeded", 9.99, "Merchant"]);
    await tbc.deleteSavedCard(recId);
    const refused = await tbc.chargeSavedCard({ recId, money: { amount: 1, currency: "GEL" } }).catch((error: unknown) => error);
    assert.ok(refused instanceof TetriApiError);
    assert.equal(refused.status, 404);
  });

  it("errors carry the status and TBC's problem body; a wrong apikey is refused", async () => {
    const invalid = await tbc.createPayment(payment(1, { extra: "x".repeat(26) })).catch((error: unknown) => error);
    assert.ok(invalid instanceof TetriApiError);
    assert.deepEqual([invalid.status, invalid.code], [400, "InvalidParameter"]);
    assert.equal((invalid.body as { invalidParams: { name: string }[] }).invalidParams[0]?.name, "extra");

    const wrongKey = new TbcClient({ apiKey: "not-the-key", clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, baseUrl: server.url });
    const refused = await wrongKey.getPayment("0".repeat(32)).catch((error: unknown) => error);
    assert.ok(refused instanceof TetriApiError);
    assert.equal(refused.status, 401);
  });
});
