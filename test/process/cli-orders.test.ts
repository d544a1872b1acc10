// `tetri orders list|show|refund` on the data directory of a running server: what a user reads,
// and refunds that keep the API's rules (never over-refunded, even raced against the API and
// each other), recorded as the operator's and called back by the server.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DEMO, orderBody, purchaseOf, tempDir } from "../helpers/fixtures.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { Receiver } from "../helpers/receiver.ts";
import { eventually } from "../helpers/wait.ts";
import { run, stopAll, SUITE_TIMEOUT_MS, TetriProcess } from "./tetri-process.ts";

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  assert.match(lines[0] ?? "", /^tetri: /);
  return lines[0] ?? "";
}

describe("tetri orders", { timeout: SUITE_TIMEOUT_MS }, () => {
  const dir = tempDir();
  let server: TetriProcess;
  let receiver: Receiver;
  const cli = (...args: string[]) => run(["bin/tetri.js", ...args], { TETRI_DATA_DIR: dir.path }, 20_000);
  const json = async (...args: string[]) => {
    const result = await cli(...args, "--json");
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout);
  };
  /** A paid BOG order of `amount` GEL that calls back the receiver. */
  const paidOrder = async (amount: number, externalId: string) => {
    const id = await server.shop.createOrder(orderBody({ external_order_id: externalId, purchase_units: purchaseOf(amount) }, receiver.url));
    const paid = await server.shop.pay(id);
    assert.equal(paid.status, 200, paid.text);
    return id;
  };

  before(async () => {
    receiver = await startReceiver();
    // It serves the whole suite: it may live as long as the suite may run.
    server = await TetriProcess.start({ dataDir: dir.path, hardTimeoutMs: SUITE_TIMEOUT_MS });
  });
  after(async () => {
    await stopAll();
    await receiver.close();
    dir.remove();
  });

  it("list shows orders newest first, filtered by merchant, status and search, a page at a time", async () => {
    const first = await paidOrder(12.5, "list-1");
    const second = await server.shop.createOrder(orderBody({ external_order_id: "list-2" }, receiver.url));
    const listed = await json("orders", "list");
    const ids = listed.orders.map((o: { order_id: string }) => o.order_id);
    assert.ok(ids.indexOf(second) < ids.indexOf(first), "newest first");
    const row = listed.orders.find((o: { order_id: string }) => o.order_id === first);
    assert.deepEqual(
      { merchant: row.merchant, status: row.status, amount: row.amount, captured: row.captured, refunded: row.refunded, currency: row.currency, card: row.card },
      { merchant: DEMO.clientId, status: "captured", amount: "12.50", captured: "12.50", refunded: "0.00", currency: "GEL", card: "424242******4242" },
    );
    assert.deepEqual((await json("orders", "list", "--status", "created")).orders.map((o: { order_id: string }) => o.order_id), [second]);
    assert.deepEqual((await json("orders", "list", "--search", "list-1", "--merchant", DEMO.clientId)).orders.map((o: { order_id: string }) => o.order_id), [first]);
    const page = await json("orders", "list", "--limit", "1");
    assert.equal(page.orders.length, 1);
    const next = await json("orders", "list", "--limit", "1", "--cursor", page.next);
    assert.notEqual(next.orders[0].order_id, page.orders[0].order_id);

    const human = await cli("orders", "list", "--search", "list-1");
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^ORDER ID\s+CREATED \(UTC\)\s+MERCHANT\s+API\s+STATUS\s+AMOUNT\s+CAPTURED\s+REFUNDED$/m);
    assert.match(human.stdout, new RegExp(`^${first}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+${DEMO.clientId}\\s+\\w+\\s+captured\\s+12\\.50 GEL\\s+12\\.50\\s+0\\.00$`, "m"));

    for (const args of [["--status", "paid"], ["--limit", "0"], ["--api", "nope"], ["--cursor"]]) {
      const bad = await cli("orders", "list", ...args);
      assert.equal(bad.code, 2, args.join(" "));
      oneLine(bad.stderr);
    }
    const stranger = await cli("orders", "list", "--merchant", "no-such-merchant");
    assert.equal(stranger.code, 1);
    assert.match(oneLine(stranger.stderr), /no merchant has client_id/);
  });

  it("show gives the amounts, the card, the ledger and the callbacks with their delivery attempts", async () => {
    const id = await paidOrder(20, "show-1");
    await eventually(() => (receiver.received.some((c) => c.body.includes(id)) ? true : undefined), { what: "the order's callback" });
    const detail = await eventually(async () => {
      const shown = await json("orders", "show", id);
      return shown.callbacks[0]?.attempts.length ? shown : undefined;
    }, { what: "the callback's delivery attempt in orders show" });
    assert.equal(detail.status, "captured");
    assert.equal(detail.refundable, "20.00");
    assert.equal(detail.callback_url, receiver.url);
    assert.deepEqual(detail.operations.map((op: { kind: string; status: string; channel: string }) => [op.kind, op.status, op.channel]).sort(), [
      ["authorization", "completed", "checkout"],
      ["capture", "completed", "checkout"],
    ]);
    assert.equal(detail.callbacks[0].status, "delivered");
    assert.equal(detail.callbacks[0].attempts[0].status_code, 200);

    const human = await cli("orders", "show", id.replaceAll("-", ""));
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`^Order ${id} `));
    assert.match(human.stdout, /status:\s+captured/);
    assert.match(human.stdout, /424242\*{6}4242/);
    assert.match(human.stdout, /Callback cb_\w+ to .*: delivered/);

    for (const unknown of ["00000000-0000-4000-8000-000000000000", "not-an-id"]) {
      const result = await cli("orders", "show", unknown);
      assert.equal(result.code, 1);
      assert.match(oneLine(result.stderr), /order ".*" not found/);
    }
  });

  it("refund takes part and then the rest, recorded as the operator's, and the running server calls back", async () => {
    const id = await paidOrder(25.5, "refund-1");
    const partial = await json("orders", "refund", id, "--amount", "5.50");
    assert.deepEqual([partial.kind, partial.status, partial.amount, partial.channel], ["refund", "completed", "5.50", "support"]);
    assert.deepEqual([partial.order.status, partial.order.refunded], ["partially_refunded", "5.50"]);

    const human = await cli("orders", "refund", id);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout.trimEnd(), /^Refund of 20\.00 GEL completed \(operation [\w-]+\)\.\nOrder [\w-]+ is refunded: captured 25\.50, refunded 25\.50 GEL\.$/);

    const receipt = await server.shop.receipt(id);
    assert.equal(receipt.order_status.key, "refunded");
    assert.deepEqual(receipt.actions.map((a: { request_channel: string; amount: string }) => [a.request_channel, a.amount]), [["support", "5.5"], ["support", "20.0"]]);
    await eventually(
      () => (receiver.received.some((c) => c.body.includes(id) && c.body.includes('"key":"refunded"')) ? true : undefined),
      { what: "the server's callback of the CLI's refund" },
    );

    const more = await cli("orders", "refund", id, "--amount", "1");
    assert.equal(more.code, 1);
    assert.match(oneLine(more.stderr), /no paid amount that can be refunded|exceeds/i);
  });

  it("a refund above what is left, or an amount that is not one, refunds nothing", async () => {
    const id = await paidOrder(10, "refund-2");
    const above = await cli("orders", "refund", id, "--amount", "10.01");
    assert.equal(above.code, 1);
    assert.match(oneLine(above.stderr), /exceeds the amount left to refund/);
    for (const amount of ["-1", "0", "1.001", "ten", "1e3"]) {
      const result = await cli("orders", "refund", id, "--amount", amount);
      assert.equal(result.code, 2, amount);
      assert.match(oneLine(result.stderr), /--amount/);
    }
    const missing = await cli("orders", "refund");
    assert.equal(missing.code, 2);
    assert.match(oneLine(missing.stderr), /ORDER_ID is required/);
    const unknown = await cli("orders", "refund", "00000000-0000-4000-8000-000000000000");
    assert.equal(unknown.code, 1);
    assert.equal((await server.shop.receipt(id)).order_status.key, "completed");
  });

  it("the same --idempotency-key refunds once; refunds raced from the CLI and the API never exceed the payment", async () => {
    const once = await paidOrder(10, "refund-3");
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await cli("orders", "refund", once, "--amount", "2", "--idempotency-key", "cli-retry-1", "--json"));
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    assert.equal(new Set(results.map((r) => JSON.parse(r.stdout).operation_id)).size, 1);
    assert.equal(Number((await server.shop.receipt(once)).purchase_units.refund_amount), 2);
    const otherAmount = await cli("orders", "refund", once, "--amount", "3", "--idempotency-key", "cli-retry-1");
    assert.equal(otherAmount.code, 1, "the key with another amount is refused");
    oneLine(otherAmount.stderr);

    const raced = await paidOrder(30, "refund-race");
    const cliRefunds = Array.from({ length: 4 }, () => cli("orders", "refund", raced, "--amount", "10"));
    const apiRefunds = Array.from({ length: 4 }, () => server.shop.request("POST", `/payments/v1/payment/refund/${raced}`, { body: { amount: 10 } }));
    const [fromCli, fromApi] = await Promise.all([Promise.all(cliRefunds), Promise.all(apiRefunds)]);
    const succeeded = fromCli.filter((r) => r.code === 0).length + fromApi.filter((r) => r.status === 200).length;
    assert.equal(succeeded, 3, `${fromCli.map((r) => r.stderr).join("")} ${fromApi.map((r) => r.text).join(" ")}`);
    for (const failed of fromCli.filter((r) => r.code !== 0)) assert.equal(failed.code, 1, failed.stderr);
    const receipt = await server.shop.receipt(raced);
    assert.deepEqual([receipt.order_status.key, Number(receipt.purchase_units.refund_amount)], ["refunded", 30]);
  });
});
