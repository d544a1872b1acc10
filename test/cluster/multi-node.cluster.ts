// Three tetri processes on one PostgreSQL database behind HAProxy with the README's own
// configuration (deploy/haproxy.cfg), as an operator runs them. Hundreds of orders are paid
// through the load balancer while one node is SIGKILLed; then every acknowledged order exists,
// every due callback arrived with a valid signature, no refund exceeds its payment and the
// ledger adds up. A refund race and an idempotency race are split across nodes; the database
// is stopped and started under load: nodes answer 503 meanwhile (never 500), and recover.
// npm run test:cluster (needs PostgreSQL on 127.0.0.1:5432, haproxy, and root to stop and
// start the machine's PostgreSQL; it is started again however the test ends).

import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { createPostgresDatabase, TEST_CARD_KEY } from "../helpers/database.ts";
import type { TestPostgresDatabase } from "../helpers/database.ts";
import { freePort, orderBody, purchaseOf, tempDir } from "../helpers/fixtures.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { Receiver } from "../helpers/receiver.ts";
import { fetchTransport, shopClient } from "../helpers/shop.ts";
import type { ShopClient, TestResponse } from "../helpers/shop.ts";
import { eventually, sleep } from "../helpers/wait.ts";
import { ROOT, stopAll, TetriProcess } from "../process/tetri-process.ts";

const ORDERS = 300;
const WORKERS = 12;
const CLUSTER = readdirSync("/etc/postgresql")[0] ?? "15";

/** The machine's PostgreSQL, through Debian's cluster tool (no systemd here). */
function postgres(action: "start" | "stop" | "status"): boolean {
  try {
    execFileSync("pg_ctlcluster", ["--skip-systemctl-redirect", CLUSTER, "main", action, ...(action === "stop" ? ["-m", "fast"] : [])], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function ensurePostgresRunning(): void {
  if (!postgres("status")) postgres("start");
}

type Callback = { orderId: string; status: string };

/** What the shops saw: every answer's status, and what was acknowledged. */
class Ledger {
  readonly statuses = new Map<number | string, number>();
  /** Orders whose creation was acknowledged: paid or not in the end, and the refunds acknowledged for each (minor units). */
  readonly orders = new Map<string, { paid: boolean; refunded: number }>();
  see(status: number | string): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }
  /** Answers that are neither a success, a refusal, nor "not now" (a node or the database away). */
  get failures(): string[] {
    return [...this.statuses].filter(([s]) => typeof s === "number" && s >= 500 && s !== 502 && s !== 503).map(([s, n]) => `${s}×${n}`);
  }
}

/**
 * Sends one request until it is answered with something other than "not now": a node killed
 * mid-request (502, a reset connection), the database away (503), the same key in flight (409).
 * Shops do this with the request's Idempotency-Key, so a repeat is answered, not done again.
 */
async function untilAnswered(ledger: Ledger, send: () => Promise<TestResponse>, deadline = Date.now() + 60_000): Promise<TestResponse> {
  for (;;) {
    let response: TestResponse | undefined;
    try {
      response = await send();
      ledger.see(response.status);
    } catch {
      ledger.see("network");
    }
    const retry = !response || response.status === 502 || response.status === 503 || (response.status === 409 && response.json?.key === "idempotency_key_in_flight");
    if (response && !retry) return response;
    if (Date.now() > deadline) throw new Error(`no answer in time; last ${response?.status} ${response?.text}`);
    await sleep(50);
  }
}

/** One shop order: created, paid, and every third one refunded 1.00, each step acknowledged or repeated. */
async function shopOrder(lb: ShopClient, ledger: Ledger, receiver: Receiver<Callback>, n: number, stop?: () => boolean): Promise<void> {
  const key = { "idempotency-key": `order-${n}-${Date.now()}` };
  const created = await untilAnswered(ledger, () => lb.request("POST", "/payments/v1/ecommerce/orders", { body: orderBody({ purchase_units: purchaseOf(25.5) }, receiver.url), headers: key }));
  assert.equal(created.status, 200, created.text);
  const id = created.json.id as string;
  const order = { paid: false, refunded: 0 };
  ledger.orders.set(id, order);
  if (stop?.()) return;
  const paid = await untilAnswered(ledger, () => lb.pay(id));
  if (paid.status === 200) order.paid = paid.json.outcome === "approved";
  else {
    // The answer of an earlier try was lost (its node died, or the database went away): the
    // attempt it started is settled by reconciliation on a live node, approved or not.
    assert.deepEqual([paid.status, paid.json?.key], [400, "order_not_payable"], paid.text);
    const settled = await eventually(
      async () => {
        const status = (await untilAnswered(ledger, () => lb.request("GET", `/payments/v1/receipt/${id}`))).json.order_status.key as string;
        return status === "processing" ? undefined : status;
      },
      { what: `the payment of ${id} to be settled`, timeoutMs: 30_000 },
    );
    order.paid = settled === "completed";
  }
  if (!order.paid) return;
  if (n % 3 !== 0 || stop?.()) return;
  const refund = await untilAnswered(ledger, () => lb.request("POST", `/payments/v1/payment/refund/${id}`, { body: { amount: 1 }, headers: { "idempotency-key": `refund-${id}` } }));
  assert.equal(refund.status, 200, refund.text);
  order.refunded += 100;
}

const minorOf = (amount: string | number) => Math.round(Number(amount) * 100);

describe("three nodes on one PostgreSQL database behind HAProxy", { timeout: 600_000 }, () => {
  let database: TestPostgresDatabase;
  let receiver: Receiver<Callback>;
  let nodes: TetriProcess[];
  let haproxy: ChildProcess;
  let lb: ShopClient;
  let key: KeyObject | undefined;
  const dirs = Array.from({ length: 3 }, () => tempDir("tetri-node-"));
  const ledger = new Ledger();
  let lbUrl: string;
  let env: Record<string, string>;

  before(async () => {
    ensurePostgresRunning();
    database = await createPostgresDatabase();
    receiver = await startReceiver<Callback>({
      publicKey: () => key,
      parse: (body) => {
        const parsed = JSON.parse(body) as { body: { order_id: string; order_status: { key: string } } };
        return { orderId: parsed.body.order_id, status: parsed.body.order_status.key };
      },
    });
    const [lbPort, ...ports] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    lbUrl = `http://127.0.0.1:${lbPort}`;
    // One public URL for all: the load balancer's (links, and the issuer every token names).
    env = { TETRI_DATABASE_URL: database.url, TETRI_CARD_KEY: TEST_CARD_KEY, TETRI_PUBLIC_URL: lbUrl, TETRI_TOKEN_RATE_LIMIT: "100000" };
    nodes = await Promise.all(ports.map((port, i) => TetriProcess.start({ dataDir: dirs[i]!.path, port, env, hardTimeoutMs: 600_000 })));
    haproxy = spawn("haproxy", ["-db", "-f", "deploy/haproxy.cfg"], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", TETRI_LB_LISTEN: `127.0.0.1:${lbPort}`, ...Object.fromEntries(ports.map((p, i) => [`TETRI_NODE${i + 1}`, `127.0.0.1:${p}`])) },
    });
    lb = shopClient(fetchTransport(lbUrl));
    await eventually(async () => ((await fetch(`${lbUrl}/healthz`).catch(() => undefined))?.status === 200 ? true : undefined), { what: "HAProxy to reach a node" });
    key = createPublicKey(await lb.callbackPublicKey());
  });

  after(async () => {
    ensurePostgresRunning();
    // A node that died on its own (the test killed only one) says why.
    for (const node of nodes ?? []) if (!node.running && node !== nodes[1]) process.stderr.write(`node on ${node.port} exited:\n${node.output}\n`);
    haproxy?.kill("SIGKILL");
    await stopAll();
    await receiver?.close();
    await database?.remove();
    for (const dir of dirs) dir.remove();
  });

  it(`${ORDERS} orders paid through the load balancer while a node is SIGKILLed: nothing acknowledged is lost`, async () => {
    let next = 0;
    let killed = false;
    const victim = nodes[1]!;
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        for (let n = next++; n < ORDERS; n = next++) {
          if (!killed && n >= ORDERS / 3) {
            killed = true;
            await victim.kill("SIGKILL");
          }
          await shopOrder(lb, ledger, receiver, n);
        }
      }),
    );
    assert.equal(victim.running, false);
    assert.equal(ledger.orders.size, ORDERS, "every order acknowledged in the end");
    assert.deepEqual(ledger.failures, [], "no 500 ever");

    for (const [id, acknowledged] of ledger.orders) {
      // A refund cut off mid-way by the kill is settled by reconciliation on a surviving node.
      const receipt = await eventually(
        async () => {
          const r = await lb.receipt(id);
          return minorOf(r.purchase_units.refund_amount) === acknowledged.refunded ? r : undefined;
        },
        { what: `order ${id} with its acknowledged refunds`, timeoutMs: 30_000 },
      );
      const captured = minorOf(receipt.purchase_units.transfer_amount);
      const refunded = minorOf(receipt.purchase_units.refund_amount);
      assert.equal(captured, acknowledged.paid ? 2550 : 0, `${id}: captured in full if paid, else nothing`);
      assert.ok(refunded <= captured, `${id}: refunds ${refunded} within ${captured}`);
      const refundActions = (receipt.actions as Array<{ action: string; status: string; amount: string | number }>).filter(
        (a) => /refund/.test(a.action) && a.status === "completed",
      );
      assert.equal(refundActions.reduce((sum, a) => sum + minorOf(a.amount), 0), refunded, `${id}: the ledger adds up to the refunded amount`);
    }

    // Every order's last state reached the shop, signed with the one published key; callbacks a
    // dead node held under lease were taken over.
    const finals = new Map<string, string>();
    for (const [id, { paid, refunded }] of ledger.orders) finals.set(id, !paid ? "rejected" : refunded > 0 ? "refunded_partially" : "completed");
    await eventually(
      () => ([...finals].every(([id, status]) => receiver.received.some((c) => c.orderId === id && c.status === status)) ? true : undefined),
      { what: () => `callbacks of all ${finals.size} orders (${receiver.received.length} received)`, timeoutMs: 60_000 },
    );
    assert.deepEqual(receiver.received.filter((c) => c.signatureValid !== true).map((c) => c.orderId), [], "every callback verifies");
    const unpaid = [...ledger.orders.values()].filter((o) => !o.paid).length;
    process.stdout.write(
      `cluster: ${ORDERS} orders (${unpaid} whose payment was cut off by the kill and declined), ${receiver.received.length} callbacks, answers ${JSON.stringify(Object.fromEntries(ledger.statuses))}\n`,
    );
  });

  it("40 refunds of 0.37 split across the two live nodes: exactly 27 fit in 10.00", async () => {
    const live = nodes.filter((n) => n.running);
    const id = await live[0]!.shop.createOrder(orderBody({ purchase_units: purchaseOf(10) }));
    assert.equal((await live[0]!.shop.pay(id)).status, 200);
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => live[i % live.length]!.shop.request("POST", `/payments/v1/payment/refund/${id}`, { body: { amount: 0.37 } })),
    );
    assert.deepEqual(
      [responses.filter((r) => r.status === 200).length, responses.filter((r) => r.status === 400 && r.json.key === "refund_exceeds_available").length],
      [27, 13],
    );
    assert.equal((await lb.receipt(id)).purchase_units.refund_amount, "9.99");
  });

  it("an Idempotency-Key sent to both live nodes at once: one order; in flight, then its first response, on either", async () => {
    const live = nodes.filter((n) => n.running);
    const headers = { "idempotency-key": "split-across-nodes" };
    const body = orderBody({ external_order_id: "split" });
    const responses = await Promise.all(
      Array.from({ length: 16 }, (_, i) => live[i % live.length]!.shop.request("POST", "/payments/v1/ecommerce/orders", { body, headers })),
    );
    const ids = new Set(responses.filter((r) => r.status === 200).map((r) => r.json.id as string));
    assert.equal(ids.size, 1);
    assert.deepEqual(responses.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.json?.key}`).filter((s) => s !== "409 idempotency_key_in_flight"), []);
    for (const node of live) {
      const replay = await node.shop.request("POST", "/payments/v1/ecommerce/orders", { body, headers });
      assert.deepEqual([replay.status, replay.json.id], [200, [...ids][0]]);
    }
  });

  it("the database stopped and started under load: 503s meanwhile, never 500; nodes recover by themselves; nothing acknowledged is lost", async () => {
    const outage = new Ledger();
    let stopping = false;
    let n = 10_000;
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!stopping) await shopOrder(lb, outage, receiver, n++, () => stopping);
      }),
    );
    await sleep(500);
    assert.ok(postgres("stop"), "PostgreSQL stopped");
    const live = nodes.filter((node) => node.running);
    try {
      await eventually(
        async () => ((await Promise.all(live.map((node) => node.shop.request("GET", "/healthz", { token: null })))).every((r) => r.status === 503) ? true : undefined),
        { what: "every node's /healthz to say 503" },
      );
      const during = await lb.request("POST", "/payments/v1/ecommerce/orders", { body: orderBody() });
      assert.equal(during.status, 503, "through the load balancer too");
      await sleep(1500);
    } finally {
      assert.ok(postgres("start"), "PostgreSQL started again");
    }
    await eventually(
      async () => ((await Promise.all(live.map((node) => node.shop.request("GET", "/healthz", { token: null }).catch(() => undefined)))).every((r) => r?.status === 200) ? true : undefined),
      { what: "every node to recover", timeoutMs: 30_000 },
    );
    await sleep(1000);
    stopping = true;
    await load;
    assert.ok(live.every((node) => node.running), "no node crashed");
    assert.ok((outage.statuses.get(503) ?? 0) > 0, "the outage was seen");
    assert.deepEqual(outage.failures, [], `no 500: ${JSON.stringify(Object.fromEntries(outage.statuses))}`);
    assert.equal(outage.statuses.get(502) ?? 0, 0, "no node went away");
    for (const id of outage.orders.keys()) assert.equal((await lb.request("GET", `/payments/v1/receipt/${id}`)).status, 200, `order ${id} exists`);
    process.stdout.write(`cluster outage: ${outage.orders.size} orders acknowledged around it, answers ${JSON.stringify(Object.fromEntries(outage.statuses))}\n`);
  });
});
