// `tetri listen --forward-to` and `tetri trigger`, as a developer runs them beside a server:
// a real callback of a paid order reaches the local URL with its original body and signature,
// printed with the local URL's status; trigger makes the orders whose callbacks it forwards.

import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { DEMO, orderBody, purchaseOf, tempDir } from "../helpers/fixtures.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { Receiver } from "../helpers/receiver.ts";
import { eventually } from "../helpers/wait.ts";
import { run, startCommand, stopAll, SUITE_TIMEOUT_MS, TetriProcess } from "./tetri-process.ts";
import type { RunningCommand } from "./tetri-process.ts";

type Forward = { type: string; order_id: string; api: string; url: string; forwarded_to: string; status_code: number | null; error: string | null };

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  assert.match(lines[0] ?? "", /^tetri: /);
  return lines[0] ?? "";
}

const signed = (body: string, signature: unknown, key: KeyObject) =>
  typeof signature === "string" && verify("sha256", Buffer.from(body), key, Buffer.from(signature, "base64"));

describe("tetri listen and tetri trigger", { timeout: SUITE_TIMEOUT_MS }, () => {
  const dir = tempDir();
  const env = { TETRI_DATA_DIR: dir.path };
  let server: TetriProcess;
  /** The shop's own callback endpoint, where the orders' callback_url points. */
  let shop: Receiver;
  /** The developer's local endpoint that listen forwards to; answers 500 for orders marked "fail-locally". */
  let local: Receiver;
  let listener: RunningCommand;
  let key: KeyObject;
  const forwards = () =>
    listener
      .stdout()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Forward)
      .filter((f) => f.type === "callback");
  const forwardOf = (orderId: string) => eventually(() => forwards().find((f) => f.order_id === orderId), { what: `listen to forward ${orderId}`, timeoutMs: 15_000 });
  const cli = (...args: string[]) => run(["bin/tetri.js", ...args], env, 30_000);

  before(async () => {
    shop = await startReceiver();
    local = await startReceiver({ behave: (c) => ({ kind: "answer", status: c.body.includes("fail-locally") ? 500 : 200 }) });
    // It serves the whole suite: it may live as long as the suite may run.
    server = await TetriProcess.start({ dataDir: dir.path, hardTimeoutMs: SUITE_TIMEOUT_MS });
    key = createPublicKey(await server.shop.callbackPublicKey());
    listener = startCommand(["bin/tetri.js", "listen", "--forward-to", local.url, "--merchant", DEMO.clientId, "--json"], env, 80_000);
    await listener.waitForStdout(/"type":"ready"/);
  });
  after(async () => {
    await stopAll();
    await shop.close();
    await local.close();
    dir.remove();
  });

  it("a paid order's callback reaches the local URL with its original body and signature, printed with the status", async () => {
    const id = await server.shop.createOrder(orderBody({ external_order_id: "listen-1", purchase_units: purchaseOf(15) }, shop.url));
    assert.equal((await server.shop.pay(id)).status, 200);
    const original = await eventually(() => shop.received.find((c) => c.body.includes(id)), { what: "the callback at the shop" });
    const forwarded = await eventually(() => local.received.find((c) => c.body.includes(id)), { what: "the callback at the local URL" });
    assert.equal(forwarded.body, original.body, "the same bytes");
    assert.equal(forwarded.headers["callback-signature"], original.headers["callback-signature"]);
    assert.ok(signed(forwarded.body, forwarded.headers["callback-signature"], key), "verifies with the published key");
    assert.equal(forwarded.headers["content-type"], "application/json");
    assert.equal(JSON.parse(forwarded.body).body.order_status.key, "completed");
    const printed = await forwardOf(id);
    assert.deepEqual([printed.url, printed.forwarded_to, printed.status_code, printed.error], [shop.url, local.url, 200, null]);
  });

  it("the local URL's error status is printed, and the forward is not retried; the shop's delivery is unaffected", async () => {
    const id = await server.shop.createOrder(orderBody({ external_order_id: "fail-locally", purchase_units: purchaseOf(3) }, shop.url));
    await server.shop.pay(id);
    const printed = await forwardOf(id);
    assert.deepEqual([printed.status_code, printed.error], [500, "HTTP 500"]);
    await eventually(() => shop.received.find((c) => c.body.includes(id)), { what: "the shop's own callback" });
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.equal(local.received.filter((c) => c.body.includes(id)).length, 1);
  });

  it("trigger pays a test order with the event's card; listen forwards its callbacks", async () => {
    const cases: [string, string][] = [
      ["payment.succeeded", "completed"],
      ["payment.declined", "rejected"],
      ["payment.3ds", "completed"],
      ["payment.3ds_failed", "rejected"],
      ["payment.authorized", "blocked"],
      ["refund.succeeded", "refunded"],
    ];
    for (const [event, bogStatus] of cases) {
      const result = await cli("trigger", event, "--callback-url", shop.url, "--json");
      assert.equal(result.code, 0, `${event}: ${result.stderr}`);
      const triggered = JSON.parse(result.stdout);
      assert.equal(triggered.event, event);
      assert.equal(triggered.merchant, DEMO.clientId);
      assert.equal(triggered.callback_url, shop.url);
      const receipt = await server.shop.receipt(triggered.order_id);
      assert.equal(receipt.order_status.key, bogStatus, event);
      await forwardOf(triggered.order_id);
      const statuses = await eventually(
        () => {
          const bodies = local.received.filter((c) => c.body.includes(triggered.order_id)).map((c) => JSON.parse(c.body).body.order_status.key);
          return bodies.includes(bogStatus) ? bodies : undefined;
        },
        { what: `${event}'s ${bogStatus} callback forwarded` },
      );
      assert.ok(statuses.length >= 1, event);
    }
    const declined = JSON.parse((await cli("trigger", "refund.declined", "--json")).stdout);
    assert.deepEqual([declined.payment, declined.refund.status, declined.refund.failure_reason], ["approved", "failed", "issuer_declined"]);

    const human = await cli("trigger", "payment.succeeded", "--amount", "4.20", "--callback-url", shop.url);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^Triggered payment\.succeeded \(paid by card\): order [\w-]+ of demo-shop \(\w+\), 4\.20 GEL\.$/m);
    assert.match(human.stdout, /payment: approved; order captured/);
  });

  it("another merchant's callbacks are not forwarded, and --api keeps one API's", async () => {
    const other = JSON.parse((await cli("merchants", "create", "--name", "Other Shop", "--json")).stdout) as { client_id: string };
    const theirs = JSON.parse((await cli("trigger", "payment.succeeded", "--merchant", other.client_id, "--callback-url", shop.url, "--json")).stdout);
    const mine = JSON.parse((await cli("trigger", "payment.succeeded", "--merchant", DEMO.clientId, "--callback-url", shop.url, "--json")).stdout);
    await forwardOf(mine.order_id);
    await eventually(() => shop.received.find((c) => c.body.includes(theirs.order_id)), { what: "the other merchant's callback at its URL" });
    assert.equal(forwards().some((f) => f.order_id === theirs.order_id), false);


    // A second listener that keeps the TBC API's callbacks only.
    const tbcOnly = startCommand(["bin/tetri.js", "listen", "--forward-to", local.url, "--merchant", DEMO.clientId, "--api", "tbc", "--json"], env, 60_000);
    await tbcOnly.waitForStdout(/"type":"ready"/);
    const viaTbc = JSON.parse((await cli("trigger", "payment.succeeded", "--api", "tbc", "--merchant", DEMO.clientId, "--callback-url", shop.url, "--json")).stdout);
    const viaBog = JSON.parse((await cli("trigger", "payment.succeeded", "--api", "bog", "--merchant", DEMO.clientId, "--callback-url", shop.url, "--json")).stdout);
    await forwardOf(viaTbc.order_id);
    await forwardOf(viaBog.order_id);
    await eventually(() => (tbcOnly.stdout().includes(viaTbc.order_id) ? true : undefined), { what: "the TBC listener to forward the TBC order" });
    assert.equal(tbcOnly.stdout().includes(viaBog.order_id), false, "the BOG order is not the TBC listener's");
    const tbcBody = local.received.find((c) => c.body.includes(viaTbc.order_id.replaceAll("-", "")))?.body;
    assert.deepEqual(JSON.parse(tbcBody ?? "null"), { PaymentId: viaTbc.order_id.replaceAll("-", "") });
    assert.equal((await tbcOnly.stop()).code, 0);

    const unknownApi = startCommand(["bin/tetri.js", "listen", "--forward-to", local.url, "--merchant", DEMO.clientId, "--api", "nope"], env);
    assert.equal((await unknownApi.exited).code, 2);
    assert.match(oneLine(unknownApi.stderr()), /--api must be one of bog, tbc/);
  });

  it("wrong command lines exit 2, trigger refuses live mode, and listen stops on SIGINT with exit 0", async () => {
    for (const args of [["listen"], ["listen", "--forward-to", "ftp://x"], ["listen", "--forward-to", "not a url"], ["trigger"], ["trigger", "payment.unknown"], ["trigger", "payment.succeeded", "--amount", "0"], ["trigger", "payment.succeeded", "--currency", "XYZ"]]) {
      const result = await cli(...args);
      assert.equal(result.code, 2, args.join(" "));
      oneLine(result.stderr);
    }
    const twoMerchants = await cli("trigger", "payment.succeeded");
    assert.equal(twoMerchants.code, 2, "with two merchants, --merchant is needed");
    assert.match(oneLine(twoMerchants.stderr), /--merchant CLIENT_ID is required/);
    const live = await run(["bin/tetri.js", "trigger", "payment.succeeded"], { ...env, TETRI_MODE: "live", TETRI_CARD_KEY: Buffer.alloc(32, 7).toString("base64") }, 30_000);
    assert.equal(live.code, 1);
    assert.match(oneLine(live.stderr), /test mode/);

    const exit = await listener.stop("SIGINT");
    assert.equal(exit.code, 0);
    assert.equal(listener.stderr(), "");
  });
});
