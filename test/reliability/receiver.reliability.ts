// Unreliable receiver: the shop's callback endpoint fails (5xx, 404, a redirect), times out,
// resets connections and answers slowly at random while orders are paid, captured and
// refunded, then recovers. Afterwards every callback must be delivered, in order, signed,
// with every attempt recorded, and a refused change (an over-refund) must have sent nothing.
//
// Run: node_modules/.bin/node --test --test-concurrency=1 "test/reliability/*.reliability.ts"

import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { after, describe, it } from "node:test";
import { tempDir } from "../helpers/fixtures.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { Misbehaviour } from "../helpers/receiver.ts";
import { shopClient } from "../helpers/shop.ts";
import type { TestResponse } from "../helpers/shop.ts";
import { sleep } from "../helpers/wait.ts";
import { TetriProcess, stopAll } from "../process/tetri-process.ts";
import { chance, major, noKeepAlive, parseBogCallback, randInt, report, rows, withDatabase } from "./helpers.ts";

const TIMEOUT_MS = 300;
const BACKOFF = { baseMs: 20, maxMs: 300 };
const ENV: Record<string, string> = {
  TETRI_CALLBACK_TIMEOUT_MS: String(TIMEOUT_MS),
  TETRI_CALLBACK_BACKOFF_BASE_MS: String(BACKOFF.baseMs),
  TETRI_CALLBACK_BACKOFF_MAX_MS: String(BACKOFF.maxMs),
  TETRI_CALLBACK_POLL_MS: "50",
  TETRI_CALLBACK_MAX_ATTEMPTS: "100",
  TETRI_LOG_LEVEL: "warn",
};
/** The shop is unwell (fails at random) for UNWELL_MS, then down hard (nothing gets through) until CHAOS_MS; orders are made until ORDERS_MS. */
const UNWELL_MS = 9_000;
const CHAOS_MS = 15_000;
const ORDERS_MS = 14_000;
const WORKERS = 4;

/** What the shop does with a callback while it is unwell. */
function misbehave(): Misbehaviour {
  const roll = Math.random();
  if (roll < 0.22) return { kind: "answer", status: 500 };
  if (roll < 0.3) return { kind: "answer", status: 503, delayMs: randInt(10, 100) };
  if (roll < 0.36) return { kind: "answer", status: 404 };
  if (roll < 0.41) return { kind: "answer", status: 302 };
  if (roll < 0.56) return { kind: "reset" };
  if (roll < 0.72) return { kind: "hang", ms: TIMEOUT_MS + randInt(200, 600) };
  if (roll < 0.82) return { kind: "answer", status: 200, delayMs: randInt(20, 120) }; // slow, but in time
  return { kind: "answer", status: 200 };
}

/** The worst of it: nothing gets through. */
function down(): Misbehaviour {
  const roll = Math.random();
  if (roll < 0.4) return { kind: "answer", status: 500 };
  if (roll < 0.7) return { kind: "reset" };
  return { kind: "hang", ms: TIMEOUT_MS + randInt(200, 600) };
}

/** A callback the shop must end up with: the order's status and amounts (minor units) at that change. */
type Expected = { status: string; transfer: number; refund: number };

describe("unreliable receiver", { timeout: 120_000 }, () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  after(async () => {
    await stopAll();
    for (const step of cleanup.reverse()) await step();
  });

  it("delivers every callback once the shop recovers, records every attempt, and sends nothing for a refused change", async () => {
    const started = Date.now();
    const dir = tempDir("tetri-receiver-");
    cleanup.push(() => dir.remove());

    let health: "unwell" | "down" | "well" = "unwell";
    const signing: { key?: KeyObject } = {};
    const receiver = await startReceiver({
      publicKey: () => signing.key,
      parse: parseBogCallback,
      behave: () => (health === "unwell" ? misbehave() : health === "down" ? down() : { kind: "answer", status: 200 }),
    });
    cleanup.push(() => receiver.close());

    const tetri = await TetriProcess.start({ dataDir: dir.path, env: ENV, hardTimeoutMs: 110_000 });
    const shop = shopClient(noKeepAlive(tetri.url));
    signing.key = createPublicKey(await shop.callbackPublicKey());
    await shop.token();

    const expected = new Map<string, Expected[]>();
    const mistakes: string[] = [];
    let refusedRefunds = 0;
    let refusedCaptures = 0;

    async function send(method: string, path: string, body?: unknown): Promise<TestResponse> {
      const reply = await shop.request(method, path, { body });
      if (reply.status >= 500) mistakes.push(`${method} ${path}: ${reply.status} ${reply.text.slice(0, 200)}`);
      return reply;
    }
    function expectOk(what: string, reply: TestResponse): boolean {
      if (reply.status === 200) return true;
      mistakes.push(`${what}: ${reply.status} ${reply.text.slice(0, 200)}`);
      return false;
    }
    /** A change that must be refused, and so must call back nothing. */
    function expectRefused(what: string, reply: TestResponse, key: string): void {
      if (reply.status !== 400 || reply.json?.key !== key) mistakes.push(`${what}: expected 400 ${key}, got ${reply.status} ${reply.text.slice(0, 200)}`);
    }

    async function oneOrder(): Promise<void> {
      const amount = randInt(500, 20_000);
      const manual = chance(0.3);
      const created = await send("POST", "/payments/v1/ecommerce/orders", {
        callback_url: receiver.url,
        capture: manual ? "manual" : "automatic",
        purchase_units: { currency: "GEL", total_amount: major(amount), basket: [{ product_id: "sku-1", quantity: 1, unit_price: major(amount) }] },
      });
      if (!expectOk("create order", created)) return;
      const id = String(created.json?.id);
      const seq: Expected[] = [];
      expected.set(id, seq);

      const declined = chance(0.2);
      const paid = await send("POST", `/_test/orders/${id}/pay`, {
        card_number: declined ? "4000000000009995" : "4242424242424242",
        expiry: "12/39",
        cvc: "123",
        cardholder: "Receiver Test",
      });
      if (!expectOk("pay", paid)) return;
      if (paid.json?.outcome !== (declined ? "declined" : "approved")) mistakes.push(`pay ${id}: ${paid.text}`);
      if (declined) {
        seq.push({ status: "rejected", transfer: 0, refund: 0 });
        expectRefused("refund of a declined order", await send("POST", `/payments/v1/payment/refund/${id}`, {}), "order_not_refundable");
        refusedRefunds++;
        return;
      }
      let captured = amount;
      if (manual) {
        seq.push({ status: "blocked", transfer: 0, refund: 0 });
        expectRefused("capture beyond the authorization", await send("POST", `/payments/v1/payment/authorization/approve/${id}`, { amount: major(amount + 1) }), "capture_exceeds_authorized");
        refusedCaptures++;
        captured = chance(0.5) ? amount : randInt(100, amount - 1);
        if (!expectOk("capture", await send("POST", `/payments/v1/payment/authorization/approve/${id}`, { amount: major(captured) }))) return;
        seq.push({ status: captured === amount ? "completed" : "partial_completed", transfer: captured, refund: 0 });
      } else {
        seq.push({ status: "completed", transfer: amount, refund: 0 });
      }

      // A partial refund, an over-refund that must be refused, then (sometimes) the rest and one more.
      const first = randInt(1, Math.floor(captured / 2));
      if (!expectOk("refund", await send("POST", `/payments/v1/payment/refund/${id}`, { amount: major(first) }))) return;
      seq.push({ status: "refunded_partially", transfer: captured, refund: first });
      expectRefused("over-refund", await send("POST", `/payments/v1/payment/refund/${id}`, { amount: major(captured - first + randInt(1, 300)) }), "refund_exceeds_available");
      refusedRefunds++;
      if (chance(0.5)) {
        if (!expectOk("refund of the rest", await send("POST", `/payments/v1/payment/refund/${id}`, {}))) return;
        seq.push({ status: "refunded", transfer: captured, refund: captured });
        expectRefused("refund after a full refund", await send("POST", `/payments/v1/payment/refund/${id}`, { amount: 0.01 }), "order_not_refundable");
        refusedRefunds++;
      }
    }

    // ---- orders while the shop is unwell ----------------------------------------------------
    const chaosStarted = Date.now();
    const goDown = setTimeout(() => (health = "down"), UNWELL_MS);
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (Date.now() - chaosStarted < ORDERS_MS) {
          await oneOrder();
          await sleep(randInt(50, 250));
        }
      }),
    );
    clearTimeout(goDown);
    health = "down";
    const remaining = CHAOS_MS - (Date.now() - chaosStarted);
    if (remaining > 0) await sleep(remaining);
    const duringChaos = receiver.received.length;
    const pendingAtRecovery = await tetri.metric("tetri_callbacks_pending");
    health = "well";

    // ---- recovery -------------------------------------------------------------------------------
    const recovered = Date.now();
    for (;;) {
      const pending = await tetri.metric("tetri_callbacks_pending");
      if (pending === 0) break;
      if (Date.now() - recovered > 15_000) assert.fail(`${pending} callbacks still pending 15 s after the shop recovered`);
      await sleep(50);
    }
    const recoveryMs = Date.now() - recovered;
    const failedMetric = await tetri.metric('tetri_callback_attempts_total{result="failed"}');
    const deliveredMetric = await tetri.metric('tetri_callback_attempts_total{result="delivered"}');
    const deadMetric = await tetri.metric('tetri_callback_attempts_total{result="dead"}');
    const stop = await tetri.kill("SIGTERM");
    assert.equal(stop.code, 0, tetri.output);

    const db = withDatabase(dir.path, (d) => ({
      outbox: rows(d, "SELECT id, order_id, status, attempts, body, order_version FROM outbox ORDER BY order_id, order_version"),
      attempts: rows(d, "SELECT outbox_id, attempt, attempted_at, status_code, error, duration_ms FROM callback_attempts ORDER BY outbox_id, attempt"),
    }));

    const problems: string[] = [];
    const attemptsOf = new Map<string, any[]>();
    for (const a of db.attempts) attemptsOf.set(a.outbox_id, [...(attemptsOf.get(a.outbox_id) ?? []), a]);
    const failureKinds: Record<string, number> = {};
    let retried = 0;
    let maxAttempts = 0;
    let minGapRatio = Infinity;
    for (const m of db.outbox) {
      if (m.status !== "delivered") problems.push(`outbox ${m.id} of ${m.order_id} is ${m.status} after ${m.attempts} attempts`);
      const attempts = attemptsOf.get(m.id) ?? [];
      if (attempts.length !== m.attempts) problems.push(`outbox ${m.id}: ${m.attempts} attempts counted, ${attempts.length} recorded`);
      attempts.forEach((a, i) => {
        if (a.attempt !== i + 1) problems.push(`outbox ${m.id}: attempt numbers ${attempts.map((x) => x.attempt).join(",")}`);
        const last = i === attempts.length - 1;
        const ok = a.status_code !== null && a.status_code >= 200 && a.status_code < 300 && a.error === null;
        if (last && !ok) problems.push(`outbox ${m.id}: its last attempt is not a success: ${JSON.stringify(a)}`);
        if (!last && ok) problems.push(`outbox ${m.id}: attempt ${a.attempt} succeeded, yet it was tried again`);
        if (!last) {
          const kind = a.status_code !== null ? `HTTP ${a.status_code}` : String(a.error).replace(/^network: .*/, "network");
          if (a.status_code !== null && a.error !== `HTTP ${a.status_code}`) problems.push(`outbox ${m.id}: attempt ${JSON.stringify(a)} records a status with another error`);
          failureKinds[kind] = (failureKinds[kind] ?? 0) + 1;
        }
      });
      // Retries wait at least half of base·2^(n-1) (capped) after the failed attempt ended.
      for (let i = 1; i < attempts.length; i++) {
        const previous = attempts[i - 1];
        const gap = attempts[i].attempted_at - (previous.attempted_at + previous.duration_ms);
        const floor = Math.min(BACKOFF.maxMs, BACKOFF.baseMs * 2 ** (i - 1)) / 2;
        if (gap < floor - 1) problems.push(`outbox ${m.id}: attempt ${i + 1} came ${gap} ms after attempt ${i} failed, backoff is at least ${floor} ms`);
        minGapRatio = Math.min(minGapRatio, gap / floor);
      }
      if (attempts.length > 1) retried++;
      maxAttempts = Math.max(maxAttempts, attempts.length);
    }
    const failedAttempts = db.attempts.length - db.outbox.length;
    if (failedMetric !== failedAttempts) problems.push(`metrics count ${failedMetric} failed attempts, the database ${failedAttempts}`);
    if (deliveredMetric !== db.outbox.length) problems.push(`metrics count ${deliveredMetric} delivered, the outbox holds ${db.outbox.length}`);
    if (deadMetric !== 0) problems.push(`${deadMetric} callbacks given up`);

    // What the shop received: signed, each outbox row answered 2xx at least once, in the order's order.
    for (const c of receiver.received) if (!c.signatureValid) problems.push(`callback #${c.seq} for ${c.orderId} has a bad signature`);
    const outboxBodies = new Set(db.outbox.map((m) => m.body as string));
    for (const c of receiver.received) if (!outboxBodies.has(c.body)) problems.push(`callback #${c.seq} for ${c.orderId} is in no outbox row`);
    const acceptedOrder = new Map<string, string[]>(); // order id → bodies in order of first 2xx answer
    for (const c of receiver.received) {
      if (typeof c.answer !== "number" || c.answer < 200 || c.answer >= 300) continue;
      const list = acceptedOrder.get(c.orderId) ?? [];
      if (!list.includes(c.body)) list.push(c.body);
      acceptedOrder.set(c.orderId, list);
    }
    const outboxOf = new Map<string, any[]>();
    for (const m of db.outbox) outboxOf.set(m.order_id, [...(outboxOf.get(m.order_id) ?? []), m]);
    for (const [id, seq] of expected) {
      const rowsOfOrder = outboxOf.get(id) ?? [];
      const got = rowsOfOrder.map((m) => {
        const units = JSON.parse(m.body).body.purchase_units;
        return { status: JSON.parse(m.body).body.order_status.key, transfer: Math.round(Number(units.transfer_amount) * 100), refund: Math.round(Number(units.refund_amount) * 100) };
      });
      // Exactly the acknowledged changes: a refused refund or capture left no outbox row.
      if (JSON.stringify(got) !== JSON.stringify(seq)) problems.push(`order ${id}: callbacks ${JSON.stringify(got)}, expected ${JSON.stringify(seq)}`);
      const accepted = acceptedOrder.get(id) ?? [];
      const inVersionOrder = rowsOfOrder.map((m) => m.body as string);
      // Every row answered 2xx by the shop, first in version order (a row's earlier copies may have been answered late).
      for (const body of inVersionOrder) if (!accepted.includes(body)) problems.push(`order ${id}: a delivered callback was never answered 2xx by the shop`);
      const firstAccepted = accepted.filter((b) => inVersionOrder.includes(b));
      if (JSON.stringify(firstAccepted) !== JSON.stringify(inVersionOrder)) problems.push(`order ${id}: callbacks reached the shop out of order`);
    }
    if (db.outbox.some((m) => !expected.has(m.order_id))) problems.push("outbox rows for orders this test never made");

    const callbacks = db.outbox.length;
    report(
      `receiver: ${expected.size} orders, ${callbacks} callbacks delivered after ${db.attempts.length} attempts ` +
        `(${retried} needed retries, up to ${maxAttempts} attempts, retry gaps ≥ ${minGapRatio.toFixed(2)}× the backoff floor; failures ${JSON.stringify(failureKinds)}), ` +
        `${receiver.received.length} requests reached the shop (${duringChaos} while unwell or down), ` +
        `${refusedRefunds} refused refunds and ${refusedCaptures} refused captures sent no callback; ` +
        `${pendingAtRecovery} pending at recovery, all delivered ${(recoveryMs / 1000).toFixed(1)} s later; total ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    assert.deepEqual(mistakes, [], "the API answered as documented");
    assert.deepEqual(problems.slice(0, 40), [], `${problems.length} problems`);
    assert.ok(expected.size >= 20, `enough orders (${expected.size})`);
    assert.ok(pendingAtRecovery > 0, "some callbacks were still waiting when the shop recovered");
    assert.ok(retried >= callbacks / 4, `many callbacks needed retries (${retried} of ${callbacks})`);
    for (const kind of ["HTTP 500", "timeout", "network"]) assert.ok((failureKinds[kind] ?? 0) > 0, `some attempts failed with ${kind}: ${JSON.stringify(failureKinds)}`);
  });
});
