// Retries, timeouts and idempotency: against small scripted servers (which answer as told), and
// against a real tetri server behind a proxy that loses the answer to a request tetri did process.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { listOrders } from "../../../src/core/order-listing.ts";
import { startTestServer } from "../../../test/helpers/harness.ts";
import type { TestServer } from "../../../test/helpers/harness.ts";
import { DEMO, freePort } from "../../../test/helpers/fixtures.ts";
import { BogClient, PaymentzClient, TetriApiError, TetriConnectionError } from "../src/index.ts";
import type { BogClientOptions } from "../src/index.ts";

type Seen = { method: string; url: string; headers: IncomingMessage["headers"]; body: string };

async function listen(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A BOG API that hands out tokens and answers API calls from `answers` in turn (the last one repeats). */
async function scriptedBog(answers: { status: number; headers?: Record<string, string>; body?: unknown }[]) {
  let next = 0;
  const server = await listen((req, res) => {
    if (req.url?.endsWith("/token")) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: "t", expires_in: 900 }));
      return;
    }
    const answer = answers[Math.min(next++, answers.length - 1)];
    if (!answer) throw new Error("no answer scripted");
    res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers }).end(JSON.stringify(answer.body ?? {}));
  });
  return { ...server, apiCalls: () => server.seen.filter((s) => !s.url.endsWith("/token")) };
}

const fast: Partial<BogClientOptions> = { retry: { baseDelayMs: 5, maxDelayMs: 50 } };
const clientOf = (url: string, options: Partial<BogClientOptions> = {}) =>
  new BogClient({ clientId: "id", clientSecret: "secret", baseUrl: url, ...fast, ...options });
const ACTION = { key: "request_received", message: "ok", action_id: "00000000-0000-4000-8000-000000000001" };

describe("SDK retries and timeouts", { timeout: 60_000 }, () => {
  it("5xx is retried with the same Idempotency-Key until it succeeds", async () => {
    const bog = await scriptedBog([{ status: 503 }, { status: 502 }, { status: 200, body: ACTION }]);
    try {
      const result = await clientOf(bog.url).refund("o-1", { amount: 1 });
      assert.equal(result.action_id, ACTION.action_id);
      const calls = bog.apiCalls();
      assert.equal(calls.length, 3);
      const keys = new Set(calls.map((c) => c.headers["idempotency-key"]));
      assert.equal(keys.size, 1);
      assert.match(String([...keys][0]), /^[0-9a-f-]{36}$/);
      assert.deepEqual(calls.map((c) => c.body), Array(3).fill('{"amount":1}'));
    } finally {
      await bog.close();
    }
  });

  it("each call gets its own key; the caller may give one", async () => {
    const bog = await scriptedBog([{ status: 200, body: ACTION }]);
    try {
      const client = clientOf(bog.url);
      await client.refund("o-1");
      await client.refund("o-1");
      await client.refund("o-1", {}, { idempotencyKey: "refund-o-1" });
      const keys = bog.apiCalls().map((c) => c.headers["idempotency-key"]);
      assert.equal(new Set(keys).size, 3);
      assert.equal(keys[2], "refund-o-1");
      await client.getReceipt("o-1");
      assert.equal(bog.apiCalls()[3]?.headers["idempotency-key"], undefined, "a read carries no key");
    } finally {
      await bog.close();
    }
  });

  it("429 is retried after Retry-After; 4xx is not retried and carries the body", async () => {
    const limited = await scriptedBog([{ status: 429, headers: { "retry-after": "0" }, body: { key: "rate_limited", message: "slow down" } }, { status: 200, body: ACTION }]);
    const invalid = await scriptedBog([{ status: 400, body: { key: "validation", message: "The request is not valid", errors: [{ field: "amount", message: "bad" }] } }]);
    try {
      await clientOf(limited.url).refund("o-1");
      assert.equal(limited.apiCalls().length, 2);
      const error = await clientOf(invalid.url).refund("o-1").catch((e: unknown) => e);
      assert.ok(error instanceof TetriApiError);
      assert.deepEqual([error.status, error.code], [400, "validation"]);
      assert.deepEqual((error.body as { errors: unknown[] }).errors, [{ field: "amount", message: "bad" }]);
      assert.equal(invalid.apiCalls().length, 1);
    } finally {
      await limited.close();
      await invalid.close();
    }
  });

  it("a 5xx that lasts is given up after maxRetries, as a TetriApiError with its status", async () => {
    const bog = await scriptedBog([{ status: 500, body: { key: "internal", message: "boom" } }]);
    try {
      const error = await clientOf(bog.url, { retry: { maxRetries: 3, baseDelayMs: 1 } }).getReceipt("o-1").catch((e: unknown) => e);
      assert.ok(error instanceof TetriApiError);
      assert.equal(error.status, 500);
      assert.equal(bog.apiCalls().length, 4);
    } finally {
      await bog.close();
    }
  });

  it("an attempt that gets no answer times out and is retried; then a TetriConnectionError with timedOut", async () => {
    const silent = await listen((req, res) => {
      if (req.url?.endsWith("/token")) res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: "t", expires_in: 900 }));
      // API calls: never answered
    });
    try {
      const started = Date.now();
      const error = await clientOf(silent.url, { timeoutMs: 150, retry: { maxRetries: 1, baseDelayMs: 1 } }).getReceipt("o-1").catch((e: unknown) => e);
      assert.ok(error instanceof TetriConnectionError, String(error));
      assert.equal(error.timedOut, true);
      assert.equal(silent.seen.filter((s) => !s.url.endsWith("/token")).length, 2);
      assert.ok(Date.now() - started >= 300);
    } finally {
      await silent.close();
    }
  });

  it("a refused connection is retried, then a TetriConnectionError; the caller's abort stops at once", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const error = await clientOf(closed, { retry: { maxRetries: 2, baseDelayMs: 1 } }).getReceipt("o-1").catch((e: unknown) => e);
    assert.ok(error instanceof TetriConnectionError);
    assert.equal(error.timedOut, false);

    const bog = await scriptedBog([{ status: 503 }]);
    try {
      const controller = new AbortController();
      const pending = clientOf(bog.url, { retry: { maxRetries: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 } }).getReceipt("o-1", { signal: controller.signal });
      setTimeout(() => controller.abort(new Error("shop gave up")), 100);
      await assert.rejects(pending, /shop gave up/);
      assert.equal(bog.apiCalls().length, 1);
    } finally {
      await bog.close();
    }
  });
});

describe("SDK idempotency against tetri", { timeout: 60_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  /** A proxy that passes each request to tetri and drops the connection after the first answer to a path ending in `lost`. */
  function losingProxy(lost: string) {
    let dropped = 0;
    return listen((req, res, body) => {
      void (async () => {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !["host", "content-length", "connection"].includes(name))) as Record<string, string>;
        const upstream = await fetch(`${server.url}${req.url}`, { method: req.method, headers, body: req.method === "GET" ? undefined : body });
        const text = await upstream.text();
        if (req.url?.endsWith(lost) && dropped++ === 0) {
          assert.equal(upstream.status, 200, text);
          req.socket.destroy();
          return;
        }
        res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" }).end(text);
      })();
    });
  }

  function assertRetriedOnce(seen: Seen[], path: string) {
    const attempts = seen.filter((s) => s.url.endsWith(path));
    assert.equal(attempts.length, 2, "the SDK sent the request again");
    assert.equal(attempts[0]?.headers["idempotency-key"], attempts[1]?.headers["idempotency-key"]);
  }

  it("a create order whose answer was lost after tetri made it is retried and makes one order", async () => {
    const proxy = await losingProxy("/ecommerce/orders");
    try {
      const bog = new BogClient({ clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, baseUrl: proxy.url, retry: { baseDelayMs: 5 } });
      const created = await bog.createOrder({
        callback_url: "http://127.0.0.1:9/cb",
        external_order_id: "sdk-lost-answer",
        purchase_units: { currency: "GEL", total_amount: 7, basket: [{ product_id: "sku", quantity: 1, unit_price: 7 }] },
      });
      assertRetriedOnce(proxy.seen, "/ecommerce/orders");
      const listing = await listOrders(server.services.ctx, { kind: "operator", name: "test" }, { text: "sdk-lost-answer" });
      assert.deepEqual(listing.rows.map((r) => r.order.id), [created.id], "one order, the one the retry was answered with");
    } finally {
      await proxy.close();
    }
  });

  it("a Paymentz payment whose answer was lost is retried with its key and answered as the first, not refused as a reused reference", async () => {
    const proxy = await losingProxy("/payments");
    try {
      const pz = new PaymentzClient({ ...DEMO.paymentz, baseUrl: proxy.url, retry: { baseDelayMs: 5 } });
      const card = { number: "4242424242424242", expiryMonth: "12", expiryYear: "2039", cvv: "123", holder: "Nino Beridze" };
      const paid = await pz.pay({ merchantTransactionId: "sdk-pz-lost-answer", amount: "7.00", currency: "EUR", paymentType: "DB", card });
      assert.equal(paid.transactionStatus, "Y", JSON.stringify(paid));
      assertRetriedOnce(proxy.seen, "/payments");
      const listing = await listOrders(server.services.ctx, { kind: "operator", name: "test" }, { text: "sdk-pz-lost-answer" });
      assert.deepEqual(listing.rows.map((r) => r.order.id.replaceAll("-", "")), [paid.paymentId], "one payment");
    } finally {
      await proxy.close();
    }
  });
});
