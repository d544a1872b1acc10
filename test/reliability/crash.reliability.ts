// Crash: tries to lose or double money by SIGKILLing tetri at random moments while eight
// shops pay, capture and refund, then restarting it on the same data directory and port.
// The client keeps its own books of what tetri ACKNOWLEDGED (a 2xx), what it refused, and
// what is unknown (the connection broke), and at the end holds tetri's database, receipts
// and callbacks against them and against each other.
//
// Run: node_modules/.bin/node --test --test-concurrency=1 "test/reliability/*.reliability.ts"
// (about a minute).

import assert from "node:assert/strict";
import { createPublicKey, randomUUID } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { after, describe, it } from "node:test";
import { freePort, tempDir } from "../helpers/fixtures.ts";
import { startReceiver } from "../helpers/receiver.ts";
import { shopClient } from "../helpers/shop.ts";
import type { TestResponse } from "../helpers/shop.ts";
import { sleep } from "../helpers/wait.ts";
import { TetriProcess, stopAll } from "../process/tetri-process.ts";
import {
  CALLBACK_STATUSES,
  ConnectionFailed,
  chance,
  major,
  minorOf,
  noKeepAlive,
  randInt,
  parseBogCallback,
  report,
  rows,
  withDatabase,
} from "./helpers.ts";
import type { CallbackReceiver } from "./helpers.ts";

const ENV: Record<string, string> = {
  TETRI_CALLBACK_BACKOFF_BASE_MS: "20",
  TETRI_CALLBACK_BACKOFF_MAX_MS: "300",
  TETRI_CALLBACK_POLL_MS: "50",
  // A crashed process leaves its in-flight callbacks leased for 2·timeout+1 s; keep that short.
  TETRI_CALLBACK_TIMEOUT_MS: "1000",
  TETRI_CALLBACK_MAX_ATTEMPTS: "100",
  TETRI_ACQUIRER_TIMEOUT_MS: "300",
  TETRI_RECONCILE_AFTER_MS: "0",
  TETRI_SWEEP_INTERVAL_MS: "100",
  TETRI_LOG_LEVEL: "warn",
};

const WORKERS = 8;
/** At least this many kills per run; more while the load lasts LOAD_MS, up to MAX_KILLS. */
const MIN_KILLS = 20;
const MAX_KILLS = 40;
const LOAD_MS = 35_000;

const CARD_OK = "4242424242424242";
const CARD_NO_FUNDS = "4000000000009995";
/** The acquirer answers too late: the payment is `pending` until reconciliation. */
const CARD_LATE = "4000000000000085";

/** What the shop knows about one order: what tetri acknowledged, refused, or left unknown. */
type OrderBook = {
  id: string;
  amount: number;
  manual: boolean;
  card?: string;
  payOutcome?: string;
  payUnknown: number;
  captures: { actionId: string; amount: number }[];
  captureUnknown: number;
  voids: string[];
  voidUnknown: number;
  refunds: { actionId: string; amount: number | null; via: "request" | "replay" }[];
  refundsRefused: number;
  refundUnknown: number;
};

type Keyed = { key: string; body: Record<string, unknown>; generation: number; first: "acked" | "refused" | "unknown"; actionId?: string; amount: number | null };

/** One tetri after another on the same data directory and port; `waitUp` resolves while one is serving. */
class Fleet {
  readonly dataDir: string;
  readonly port: number;
  readonly processes: TetriProcess[] = [];
  generation = 0;
  server: TetriProcess | undefined;
  #up: Promise<void>;
  #markUp: () => void = () => {};

  constructor(dataDir: string, port: number) {
    this.dataDir = dataDir;
    this.port = port;
    this.#up = new Promise((resolve) => (this.#markUp = resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<TetriProcess> {
    const server = await TetriProcess.start({ dataDir: this.dataDir, port: this.port, env: ENV, hardTimeoutMs: 300_000 });
    this.server = server;
    this.processes.push(server);
    this.generation++;
    this.#markUp();
    return server;
  }

  /** SIGKILL by pid; requests wait (waitUp) until the next start. */
  async crash(): Promise<void> {
    this.#up = new Promise((resolve) => (this.#markUp = resolve));
    const exit = await this.server?.kill("SIGKILL");
    if (exit && exit.signal !== "SIGKILL") throw new Error(`tetri was not killed by SIGKILL but ended with ${JSON.stringify(exit)}`);
  }

  waitUp(): Promise<void> {
    return this.#up;
  }
}

describe("crash: SIGKILL at random moments under load", { timeout: 240_000 }, () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  after(async () => {
    await stopAll();
    for (const step of cleanup.reverse()) await step();
  });

  it("loses no acknowledged order, refund or callback, and never moves money twice", async () => {
    const started = Date.now();
    const dir = tempDir("tetri-crash-");
    cleanup.push(() => dir.remove());

    const signing: { key?: KeyObject } = {};
    const receiver: CallbackReceiver = await startReceiver({ publicKey: () => signing.key, parse: parseBogCallback });
    cleanup.push(() => receiver.close());

    const fleet = new Fleet(dir.path, await freePort());
    await fleet.start();
    // The load's client gives up on a request after 10 s; the one that reads afterwards waits 15 s.
    const shop = shopClient(noKeepAlive(fleet.url, { timeoutMs: 10_000 }));
    const reader = shopClient(noKeepAlive(fleet.url));
    const firstKey = await reader.callbackPublicKey();
    signing.key = createPublicKey(firstKey);
    const token = await shop.token();

    const books = new Map<string, OrderBook>();
    const anomalies: string[] = [];
    const fiveHundreds: string[] = [];
    const stats = { requests: 0, unknown: 0, createUnknownNoKey: 0, createUnknownResolved: 0, replays: 0, replaysAfterRestart: 0, attemptsNeverSeen: 0 };

    /** One request; undefined when its outcome is unknown (connection broke, or a 5xx). */
    async function send(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse | undefined> {
      await fleet.waitUp();
      stats.requests++;
      try {
        const reply = await shop.request(method, path, { body, headers });
        if (reply.status >= 500) {
          fiveHundreds.push(`${method} ${path} → ${reply.status} ${reply.text.slice(0, 300)}`);
          return undefined;
        }
        return reply;
      } catch (error) {
        if (!(error instanceof ConnectionFailed)) throw error;
        stats.unknown++;
        return undefined;
      }
    }

    async function receiptOf(id: string): Promise<any> {
      for (let i = 0; i < 20; i++) {
        const reply = await send("GET", `/payments/v1/receipt/${id}`);
        if (reply?.status === 200) return reply.json;
        if (reply) throw new Error(`receipt of ${id}: ${reply.status} ${reply.text}`);
      }
      throw new Error(`receipt of ${id}: no answer in 20 tries`);
    }

    /** The receipt once `done` holds (or the last one read after `ms`). */
    async function receiptWhen(id: string, done: (r: any) => boolean, ms = 8000): Promise<any> {
      const deadline = Date.now() + ms;
      for (;;) {
        const r = await receiptOf(id);
        if (done(r) || Date.now() > deadline) return r;
        await sleep(100);
      }
    }

    const key = (k: string | undefined) => (k ? { "idempotency-key": k } : undefined);

    async function createOrder(): Promise<OrderBook | undefined> {
      const amount = randInt(100, 20_000);
      const manual = chance(0.3);
      const idempotencyKey = chance(0.5) ? randomUUID() : undefined;
      const body = {
        callback_url: receiver.url,
        capture: manual ? "manual" : "automatic",
        external_order_id: `crash-${randomUUID().slice(0, 8)}`,
        purchase_units: { currency: "GEL", total_amount: major(amount), basket: [{ product_id: "sku-1", quantity: 1, unit_price: major(amount) }] },
      };
      let unknownBefore = false;
      for (let attempt = 0; attempt < 6; attempt++) {
        const reply = await send("POST", "/payments/v1/ecommerce/orders", body, key(idempotencyKey));
        if (!reply) {
          if (!idempotencyKey) {
            stats.createUnknownNoKey++;
            return undefined;
          }
          unknownBefore = true;
          continue; // same key, same body: at most one order
        }
        if (reply.status !== 200 || typeof reply.json?.id !== "string") {
          anomalies.push(`create order answered ${reply.status} ${reply.text.slice(0, 200)}`);
          return undefined;
        }
        if (unknownBefore) stats.createUnknownResolved++;
        const book: OrderBook = {
          id: reply.json?.id,
          amount,
          manual,
          payUnknown: 0,
          captures: [],
          captureUnknown: 0,
          voids: [],
          voidUnknown: 0,
          refunds: [],
          refundsRefused: 0,
          refundUnknown: 0,
        };
        books.set(book.id, book);
        return book;
      }
      if (idempotencyKey) stats.createUnknownNoKey++; // never learnt: treat like an unkeyed unknown
      return undefined;
    }

    async function pay(book: OrderBook): Promise<void> {
      const card = chance(0.15) ? CARD_NO_FUNDS : chance(0.06) ? CARD_LATE : CARD_OK;
      book.card = card;
      for (let attempt = 0; attempt < 5; attempt++) {
        const reply = await send("POST", `/_test/orders/${book.id}/pay`, { card_number: card, expiry: "12/39", cvc: "123", cardholder: "Crash Test" });
        if (!reply) {
          book.payUnknown++;
          continue; // paying again must never make a second attempt
        }
        if (reply.status === 200) {
          book.payOutcome = String(reply.json?.outcome);
          // "pending": the acquirer did not answer within TETRI_ACQUIRER_TIMEOUT_MS (always so for the late card).
          const expected = card === CARD_NO_FUNDS ? ["declined", "pending"] : card === CARD_LATE ? ["pending"] : ["approved", "pending"];
          if (!expected.includes(book.payOutcome)) anomalies.push(`pay ${book.id} with ${card}: outcome ${book.payOutcome}, expected ${expected.join(" or ")}`);
          return;
        }
        if (reply.status === 400 && reply.json?.key === "order_not_payable" && book.payUnknown > 0) return;
        anomalies.push(`pay ${book.id}: ${reply.status} ${reply.text.slice(0, 200)}`);
        return;
      }
    }

    async function captureOrVoid(book: OrderBook): Promise<void> {
      const voiding = chance(0.12);
      const amount = chance(0.5) ? book.amount : randInt(1, book.amount);
      const idempotencyKey = chance(0.5) ? randomUUID() : undefined;
      const path = voiding ? `/payments/v1/payment/authorization/cancel/${book.id}` : `/payments/v1/payment/authorization/approve/${book.id}`;
      const body = voiding ? {} : { amount: major(amount) };
      for (let attempt = 0; attempt < 8; attempt++) {
        const reply = await send("POST", path, body, key(idempotencyKey));
        if (!reply) {
          if (voiding) book.voidUnknown++;
          else book.captureUnknown++;
          continue; // without a key too: a second capture of a captured order must be refused
        }
        if (reply.status === 200) {
          if (voiding) book.voids.push(reply.json?.action_id);
          else book.captures.push({ actionId: reply.json?.action_id, amount });
          return;
        }
        if (reply.status === 409) {
          await sleep(200); // operation_in_flight: the first one is still with the acquirer
          continue;
        }
        const unknownBefore = voiding ? book.voidUnknown : book.captureUnknown;
        if (reply.status === 400 && reply.json?.key === "order_not_authorized" && unknownBefore > 0) return;
        anomalies.push(`${voiding ? "void" : "capture"} ${book.id}: ${reply.status} ${reply.text.slice(0, 200)}`);
        return;
      }
    }

    async function refund(book: OrderBook, amount: number | null, keyed: Keyed[]): Promise<void> {
      const body: Record<string, unknown> = amount === null ? {} : { amount: major(amount) };
      const idempotencyKey = chance(0.35) ? randomUUID() : undefined;
      const generation = fleet.generation;
      const reply = await send("POST", `/payments/v1/payment/refund/${book.id}`, body, key(idempotencyKey));
      let first: Keyed["first"];
      let actionId: string | undefined;
      if (!reply) first = "unknown";
      else if (reply.status === 200) {
        first = "acked";
        actionId = String(reply.json?.action_id);
        book.refunds.push({ actionId, amount, via: "request" });
      } else {
        first = "refused";
        book.refundsRefused++;
        const expected = ["refund_exceeds_available", "order_not_refundable"];
        if (reply.status !== 400 || !expected.includes(reply.json?.key)) anomalies.push(`refund ${book.id}: ${reply.status} ${reply.text.slice(0, 200)}`);
      }
      if (idempotencyKey) keyed.push({ key: idempotencyKey, body, generation, first, actionId, amount });
      else if (first === "unknown") book.refundUnknown++;
    }

    /** The same key and body again, after a restart when one comes within a few seconds. */
    async function replay(book: OrderBook, k: Keyed): Promise<void> {
      const deadline = Date.now() + 4000;
      while (fleet.generation <= k.generation && Date.now() < deadline) await sleep(50);
      if (fleet.generation > k.generation) stats.replaysAfterRestart++;
      for (let attempt = 0; attempt < 6; attempt++) {
        const reply = await send("POST", `/payments/v1/payment/refund/${book.id}`, k.body, key(k.key));
        if (!reply) continue;
        stats.replays++;
        if (k.first === "acked") {
          if (reply.status !== 200 || reply.json?.action_id !== k.actionId) {
            anomalies.push(`replay of acknowledged refund ${k.actionId} of ${book.id}: ${reply.status} ${reply.text.slice(0, 200)}`);
          }
        } else if (reply.status === 200) {
          const actionId = String(reply.json?.action_id);
          if (!book.refunds.some((r) => r.actionId === actionId)) book.refunds.push({ actionId, amount: k.amount, via: "replay" });
        } else if (reply.status === 400) {
          book.refundsRefused++;
        } else anomalies.push(`replay of refund on ${book.id}: ${reply.status} ${reply.text.slice(0, 200)}`);
        return;
      }
      if (k.first !== "acked") book.refundUnknown++; // the replay itself may have made one
    }

    async function refunds(book: OrderBook, captured: number): Promise<void> {
      const count = randInt(1, 3);
      const amounts: (number | null)[] = [];
      for (let i = 0; i < count; i++) {
        amounts.push(chance(0.12) ? null : chance(0.1) ? captured + randInt(1, 500) : randInt(1, Math.max(1, Math.floor(captured * 0.6))));
      }
      const keyed: Keyed[] = [];
      if (chance(0.3)) await Promise.all(amounts.map((a) => refund(book, a, keyed)));
      else for (const a of amounts) await refund(book, a, keyed);
      for (const k of keyed) await replay(book, k);
    }

    async function scenario(): Promise<void> {
      const book = await createOrder();
      if (!book) return;
      await pay(book);
      let r = await receiptWhen(book.id, (x) => x.order_status.key !== "processing");
      if (r.order_status.key === "blocked") {
        await captureOrVoid(book);
        r = await receiptWhen(book.id, (x) => x.order_status.key !== "blocked");
      }
      const captured = minorOf(r.purchase_units.transfer_amount);
      if (captured > 0 && ["completed", "partial_completed"].includes(r.order_status.key)) await refunds(book, captured);
    }

    // ---- load and crashes ----------------------------------------------------------------
    let loading = true;
    const workers = Array.from({ length: WORKERS }, async (_, w) => {
      while (loading) {
        try {
          await scenario();
        } catch (error) {
          anomalies.push(`worker ${w}: ${(error as Error).stack ?? String(error)}`);
          await sleep(100);
        }
      }
    });

    const loadStarted = Date.now();
    let kills = 0;
    while (kills < MIN_KILLS || (kills < MAX_KILLS && Date.now() - loadStarted < LOAD_MS)) {
      await sleep(randInt(150, 700));
      await fleet.crash();
      kills++;
      await fleet.start();
    }
    const loadMs = Date.now() - loadStarted;
    loading = false;
    let workersDone = false;
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(workers).then(() => (workersDone = true)),
      new Promise((resolve) => (giveUp = setTimeout(resolve, 40_000))),
    ]);
    clearTimeout(giveUp);
    assert.ok(workersDone, "the workers finished their last orders within 40 s of the last restart");
    const final = fleet.server as TetriProcess;

    // ---- settle: nothing in flight, every callback delivered ---------------------------------
    const settleStarted = Date.now();
    for (;;) {
      const pendingCallbacks = await final.metric("tetri_callbacks_pending");
      const open = withDatabase(dir.path, (db) => ({
        operations: rows(db, "SELECT count(*) AS n FROM operations WHERE status = 'pending'")[0].n as number,
        attempts: rows(db, "SELECT count(*) AS n FROM payment_attempts WHERE status NOT IN ('approved', 'declined')")[0].n as number,
        orders: rows(db, "SELECT count(*) AS n FROM orders WHERE status = 'processing' OR refund_reserved_amount > 0")[0].n as number,
      }));
      const unsettled = `${pendingCallbacks} callbacks pending, ${open.operations} operations pending, ${open.attempts} attempts unresolved, ${open.orders} orders in flight`;
      if (pendingCallbacks === 0 && open.operations === 0 && open.attempts === 0 && open.orders === 0) break;
      if (Date.now() - settleStarted > 30_000) assert.fail(`not settled 30 s after the load: ${unsettled}`);
      await sleep(100);
    }
    const settleMs = Date.now() - settleStarted;

    // ---- receipts, as the shop reads them ------------------------------------------------------
    // Every broken invariant, tagged with the section that found it.
    const problems: string[] = [];
    const problemsBySection: Record<string, number> = {};
    let section = "receipts";
    const flag = (text: string) => {
      problems.push(`[${section}] ${text}`);
      problemsBySection[section] = (problemsBySection[section] ?? 0) + 1;
    };
    const receipts = new Map<string, any>();
    const rejectedAcked: { orderId: string; actionId: string; what: string }[] = [];
    const ids = [...books.keys()];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let id = ids.pop(); id !== undefined; id = ids.pop()) {
          const reply = await reader.request("GET", `/payments/v1/receipt/${id}`, { token });
          if (reply.status !== 200) flag(`acknowledged order ${id}: receipt answered ${reply.status}`);
          else receipts.set(id, reply.json);
        }
      }),
    );
    for (const [id, r] of receipts) {
      const book = books.get(id) as OrderBook;
      const transfer = minorOf(r.purchase_units.transfer_amount);
      const refunded = minorOf(r.purchase_units.refund_amount);
      if (refunded > transfer) flag(`${id}: refund_amount ${refunded} > transfer_amount ${transfer}`);
      const actions = new Map<string, any>((r.actions as any[]).map((a) => [a.action_id, a]));
      for (const x of book.refunds) {
        const action = actions.get(x.actionId);
        if (action?.status === "rejected") rejectedAcked.push({ orderId: id, actionId: x.actionId, what: `refund (${x.via})` });
        else if (action?.status !== "completed") flag(`${id}: acknowledged refund ${x.actionId} (${x.via}) is ${action ? action.status : "missing"} in the receipt`);
        else if (x.amount !== null && minorOf(action.amount) !== x.amount) flag(`${id}: refund ${x.actionId} of ${x.amount} shows ${action.amount}`);
      }
      for (const x of [...book.captures.map((c) => c.actionId), ...book.voids]) {
        const status = actions.get(x)?.status;
        if (status === "rejected") rejectedAcked.push({ orderId: id, actionId: x, what: "capture/void" });
        else if (status !== "completed") flag(`${id}: acknowledged capture/void ${x} is ${status ?? "missing"} in the receipt`);
      }
    }
    section = "signing key";
    const keyNow = await reader.callbackPublicKey();
    if (keyNow !== firstKey) flag("the callback signing key changed across restarts");

    const stop = await final.kill("SIGTERM");
    if (stop.code !== 0) flag(`final SIGTERM exited ${JSON.stringify(stop)}:\n${final.output.slice(-2000)}`);

    // ---- the database itself --------------------------------------------------------------------
    const db = withDatabase(dir.path, (d) => ({
      integrity: rows(d, "PRAGMA integrity_check").map((x) => x.integrity_check as string),
      foreignKeys: rows(d, "PRAGMA foreign_key_check"),
      orders: rows(d, "SELECT * FROM orders"),
      attempts: rows(d, "SELECT id, order_id, status, decline_reason FROM payment_attempts"),
      operations: rows(d, "SELECT id, order_id, kind, status, amount, channel FROM operations"),
      journal: rows(d, "SELECT reference, kind, state, amount FROM acquirer_journal"),
      outbox: rows(d, "SELECT id, order_id, status, attempts, body, order_version FROM outbox"),
      callbackAttempts: rows(d, "SELECT outbox_id, attempt, status_code, error FROM callback_attempts ORDER BY outbox_id, attempt"),
    }));
    section = "database";
    if (db.integrity.join() !== "ok") flag(`integrity_check: ${db.integrity.join("; ")}`);
    if (db.foreignKeys.length > 0) flag(`foreign_key_check: ${JSON.stringify(db.foreignKeys.slice(0, 5))}`);

    const group = <T extends { order_id: string }>(list: T[]) => {
      const map = new Map<string, T[]>();
      for (const item of list) map.set(item.order_id, [...(map.get(item.order_id) ?? []), item]);
      return map;
    };
    const attemptsOf = group(db.attempts);
    const operationsOf = group(db.operations);
    const journal = new Map<string, any>(db.journal.map((j) => [j.reference, j]));
    const attemptIds = new Map<string, any>(db.attempts.map((a) => [a.id, a]));
    const operationIds = new Map<string, any>(db.operations.map((o) => [o.id, o]));
    const sum = (list: any[]) => list.reduce((s, x) => s + Number(x.amount), 0);
    const bogStatus: Record<string, string> = {
      created: "created",
      processing: "processing",
      authorized: "blocked",
      captured: "completed",
      partially_captured: "partial_completed",
      partially_refunded: "refunded_partially",
      refunded: "refunded",
      declined: "rejected",
      expired: "rejected",
      voided: "rejected",
    };

    section = "ledger";
    for (const o of db.orders) {
      const at = `order ${o.id}`;
      const attempts = attemptsOf.get(o.id) ?? [];
      const ops = operationsOf.get(o.id) ?? [];
      const done = (kind: string) => ops.filter((x) => x.kind === kind && x.status === "completed");
      if (attempts.length > 1) flag(`${at}: ${attempts.length} payment attempts`);
      const attempt = attempts[0];
      if (attempt && !["approved", "declined"].includes(attempt.status)) flag(`${at}: attempt left ${attempt.status}`);
      for (const x of ops) if (x.status === "pending") flag(`${at}: operation ${x.id} (${x.kind}) left pending`);
      if (o.refund_reserved_amount !== 0) flag(`${at}: refund_reserved_amount ${o.refund_reserved_amount} left`);
      if (!(0 <= o.refunded_amount && o.refunded_amount <= o.captured_amount && o.captured_amount <= o.authorized_amount && o.authorized_amount <= o.amount)) {
        flag(`${at}: amounts out of order: amount ${o.amount} authorized ${o.authorized_amount} captured ${o.captured_amount} refunded ${o.refunded_amount}`);
      }
      if (sum(done("refund")) !== o.refunded_amount) flag(`${at}: completed refunds sum to ${sum(done("refund"))}, refunded_amount ${o.refunded_amount}`);
      if (done("capture").length > 1) flag(`${at}: ${done("capture").length} completed captures`);
      if (sum(done("capture")) !== o.captured_amount) flag(`${at}: completed captures sum to ${sum(done("capture"))}, captured_amount ${o.captured_amount}`);
      if (done("authorization").length > 1) flag(`${at}: ${done("authorization").length} completed authorizations`);
      if (sum(done("authorization")) !== o.authorized_amount) flag(`${at}: completed authorizations sum to ${sum(done("authorization"))}, authorized_amount ${o.authorized_amount}`);
      if (done("void").length > 1) flag(`${at}: ${done("void").length} completed voids`);

      // Money held at the acquirer for this order: at most one approved authorization, and only for an approved attempt.
      const approvedAuths = attempts.filter((a) => journal.get(a.id)?.state === "approved");
      if (approvedAuths.length > 1) flag(`${at}: ${approvedAuths.length} approved authorizations at the acquirer`);
      for (const a of attempts) {
        const j = journal.get(a.id);
        if ((a.status === "approved") !== (j?.state === "approved")) flag(`${at}: attempt ${a.id} is ${a.status} but the acquirer says ${j?.state ?? "never heard of it"}`);
        if (j && j.amount !== o.amount) flag(`${at}: acquirer authorized ${j.amount} of ${o.amount}`);
      }

      // The status follows from the ledger.
      let expected: string;
      if (!attempt) expected = o.status === "expired" ? "expired" : "created";
      else if (attempt.status === "declined") expected = "declined";
      else if (attempt.status !== "approved") expected = "processing";
      else if (done("void").length === 1) expected = "voided";
      else if (o.captured_amount === 0) expected = "authorized";
      else if (o.refunded_amount === o.captured_amount) expected = "refunded";
      else if (o.refunded_amount > 0) expected = "partially_refunded";
      else expected = o.captured_amount === o.authorized_amount ? "captured" : "partially_captured";
      if (o.status !== expected) flag(`${at}: status ${o.status}, but its ledger says ${expected}`);

      const r = receipts.get(o.id);
      if (r) {
        if (r.order_status.key !== bogStatus[o.status]) flag(`${at}: receipt says ${r.order_status.key}, database ${o.status}`);
        if (minorOf(r.purchase_units.transfer_amount) !== o.captured_amount || minorOf(r.purchase_units.refund_amount) !== o.refunded_amount) {
          flag(`${at}: receipt amounts differ from the database`);
        }
      }
    }

    section = "acquirer";
    // Every acquirer movement belongs to an attempt or an operation, and agrees with it.
    for (const j of db.journal) {
      const attempt = attemptIds.get(j.reference);
      const operation = operationIds.get(j.reference);
      if (!attempt && !operation) flag(`acquirer journal ${j.reference} (${j.kind} ${j.state} ${j.amount}) belongs to nothing in tetri`);
      if (operation && operation.kind !== j.kind) flag(`operation ${operation.id} is a ${operation.kind}, the acquirer did a ${j.kind}`);
    }
    for (const x of db.operations) {
      if (x.channel !== "public_api") continue;
      const j = journal.get(x.id);
      if (x.status === "completed" && (j?.state !== "approved" || j.amount !== x.amount)) {
        flag(`${x.kind} ${x.id} of order ${x.order_id} is completed but the acquirer has ${j ? `${j.state} ${j.amount}` : "nothing"}`);
      }
      if (x.status === "failed" && j?.state === "approved") {
        flag(`${x.kind} ${x.id} of order ${x.order_id} (${x.amount}) is failed but the acquirer approved it: money moved that tetri does not show`);
      }
    }

    section = "acknowledged";
    // An acknowledged operation must be carried out, never rejected afterwards (not even when the acquirer never saw it).
    for (const x of rejectedAcked) {
      const j = journal.get(x.actionId);
      flag(`order ${x.orderId}: acknowledged ${x.what} ${x.actionId} is rejected; the acquirer has ${j ? `${j.state} ${j.amount}` : "no record of it"}`);
    }

    // The client's books against the database.
    const ordersInDb = new Map<string, any>(db.orders.map((o) => [o.id, o]));
    if (db.orders.length > books.size + stats.createUnknownNoKey) {
      flag(`${db.orders.length} orders in the database, but only ${books.size} acknowledged and ${stats.createUnknownNoKey} unknown creates`);
    }
    let refundsAcked = 0;
    let refundsRefused = 0;
    for (const book of books.values()) {
      const at = `order ${book.id}`;
      const o = ordersInDb.get(book.id);
      if (!o) {
        flag(`${at}: acknowledged but missing from the database`);
        continue;
      }
      refundsAcked += book.refunds.length;
      refundsRefused += book.refundsRefused;
      const ops = operationsOf.get(book.id) ?? [];
      const attempt = attemptsOf.get(book.id)?.[0];
      if (book.payOutcome === "approved" && attempt?.status !== "approved") flag(`${at}: payment acknowledged approved, attempt is ${attempt?.status}`);
      if (book.payOutcome === "declined" && attempt?.status !== "declined") flag(`${at}: payment acknowledged declined, attempt is ${attempt?.status}`);
      if (book.payOutcome === undefined && book.payUnknown === 0 && attempt) flag(`${at}: an attempt exists, but no payment was acknowledged or unknown`);
      // The card decides the outcome; the only other one is "the acquirer never saw it" after a crash.
      if (attempt) {
        const neverSeen = attempt.status === "declined" && attempt.decline_reason === "technical_error" && !journal.has(attempt.id);
        const wanted = book.card === CARD_NO_FUNDS ? "declined" : "approved";
        if (attempt.status !== wanted && !neverSeen) flag(`${at}: paid with ${book.card}, attempt ${attempt.status} (${attempt.decline_reason})`);
        if (neverSeen) stats.attemptsNeverSeen++;
      }
      const ackedRefunds = new Set(book.refunds.map((x) => x.actionId));
      let ackedRefundSum = 0;
      for (const x of book.refunds) {
        const op = operationIds.get(x.actionId);
        if (!op || op.order_id !== book.id || op.kind !== "refund") flag(`${at}: acknowledged refund ${x.actionId} is not a refund operation of this order`);
        else if (op.status !== "failed") ackedRefundSum += op.amount; // a failed one was checked above: the acquirer never saw it
      }
      if (ackedRefundSum > o.captured_amount) flag(`${at}: acknowledged refunds sum to ${ackedRefundSum} > captured ${o.captured_amount}`);
      const extraRefunds = ops.filter((x) => x.kind === "refund" && !ackedRefunds.has(x.id));
      if (extraRefunds.length > book.refundUnknown) {
        flag(`${at}: ${extraRefunds.length} refund operations nobody was told about, only ${book.refundUnknown} refund requests had an unknown outcome`);
      }
      const ackedOther = new Set([...book.captures.map((c) => c.actionId), ...book.voids]);
      for (const c of book.captures) {
        const op = operationIds.get(c.actionId);
        if (op?.kind !== "capture" || op.amount !== c.amount) flag(`${at}: acknowledged capture ${c.actionId} of ${c.amount} is ${JSON.stringify(op)}`);
      }
      const extraOther = ops.filter((x) => x.channel === "public_api" && x.kind !== "refund" && !ackedOther.has(x.id));
      if (extraOther.length > book.captureUnknown + book.voidUnknown) flag(`${at}: ${extraOther.length} unacknowledged captures/voids`);
    }

    section = "callback delivery";
    // Callbacks: every outbox row delivered and received, signed, nothing received that the outbox never held.
    const outboxBodies = new Set(db.outbox.map((m) => m.body as string));
    const receivedBodies = new Set(receiver.received.map((c) => c.body));
    const attemptsByOutbox = new Map<string, any[]>();
    for (const a of db.callbackAttempts) attemptsByOutbox.set(a.outbox_id, [...(attemptsByOutbox.get(a.outbox_id) ?? []), a]);
    for (const m of db.outbox) {
      if (m.status !== "delivered") flag(`outbox ${m.id} of ${m.order_id} is ${m.status}`);
      if (!receivedBodies.has(m.body)) flag(`outbox ${m.id} of ${m.order_id} was never received`);
      const attempts = attemptsByOutbox.get(m.id) ?? [];
      if (attempts.length !== m.attempts) flag(`outbox ${m.id}: ${m.attempts} attempts counted, ${attempts.length} recorded`);
      const last = attempts.at(-1);
      if (m.status === "delivered" && !(last && last.status_code >= 200 && last.status_code < 300)) flag(`outbox ${m.id}: delivered, but its last attempt was ${JSON.stringify(last)}`);
    }
    for (const c of receiver.received) {
      if (!c.signatureValid) flag(`callback #${c.seq} for ${c.orderId} has a bad signature`);
      if (!outboxBodies.has(c.body)) flag(`callback #${c.seq} for ${c.orderId} (${c.status}) is not in the outbox: sent for a change that did not commit?`);
    }
    section = "callback status";
    for (const c of receiver.received) {
      const text = `callback #${c.seq} for ${c.orderId} reports ${c.status}, which never calls back`;
      if (c.status === "refund_requested") flag(text);
      else if (!CALLBACK_STATUSES.has(c.status)) flag(text);
    }
    const lastCallback = new Map<string, (typeof receiver.received)[number]>();
    for (const c of receiver.received) {
      const previous = lastCallback.get(c.orderId);
      if (previous && c.refund < previous.refund) flag(`order ${c.orderId}: callback #${c.seq} (refund ${c.refund}) arrived after #${previous.seq} (refund ${previous.refund})`);
      lastCallback.set(c.orderId, c);
    }
    for (const o of db.orders) {
      const status = bogStatus[o.status] as string;
      const last = lastCallback.get(o.id);
      if (!CALLBACK_STATUSES.has(status)) {
        if (last) flag(`order ${o.id} is ${status} but got a callback (${last.status})`);
        continue;
      }
      if (!last) flag(`order ${o.id} is ${status} but no callback arrived`);
      else if (last.status !== status || last.transfer !== o.captured_amount || last.refund !== o.refunded_amount) {
        flag(`order ${o.id}: last callback says ${last.status} ${last.transfer}/${last.refund}, final is ${status} ${o.captured_amount}/${o.refunded_amount}`);
      }
    }

    // Errors tetri logged on the way (pino level ≥ 50), shown, not failed on: a killed process may log anything.
    const loggedErrors = fleet.processes.flatMap((p) => p.output.split("\n").filter((line) => /"level":(50|60)/.test(line)));

    const duplicates = receiver.received.length - receivedBodies.size;
    const orderCounts = db.orders.reduce<Record<string, number>>((acc, o) => ((acc[o.status] = (acc[o.status] ?? 0) + 1), acc), {});
    report(
      `crash: ${kills} kills survived, ${books.size} orders, ${refundsAcked} refunds acknowledged (${refundsRefused} refused), ` +
        `${receiver.received.length} callbacks delivered (${duplicates} duplicates), ${stats.unknown} unknown outcomes, ${fiveHundreds.length} 5xx`,
    );
    report(
      `crash: ${stats.requests} requests, ${stats.replays} idempotent replays (${stats.replaysAfterRestart} after a restart), ` +
        `${stats.createUnknownResolved} unknown creates resolved by key, ${stats.createUnknownNoKey} lost without key; ` +
        `orders ${JSON.stringify(orderCounts)}; load ${(loadMs / 1000).toFixed(1)} s, settle ${(settleMs / 1000).toFixed(1)} s, ` +
        `total ${((Date.now() - started) / 1000).toFixed(1)} s; ${loggedErrors.length} error log lines; ` +
        `${stats.attemptsNeverSeen} unacknowledged payments declined by reconciliation (the acquirer never saw them)`,
    );
    for (const line of loggedErrors.slice(0, 5)) report(`crash: tetri logged: ${line.slice(0, 400)}`);
    if (problems.length > 0) report(`crash: PROBLEMS by section ${JSON.stringify(problemsBySection)}`);

    assert.ok(kills >= 20, `at least 20 kills (${kills})`);
    assert.ok(books.size >= 60, `a real load: ${books.size} orders acknowledged`);
    assert.deepEqual(anomalies, [], "the API answered as documented");
    assert.deepEqual(fiveHundreds, [], "no 5xx");
    assert.deepEqual(problems.slice(0, 40), [], `${problems.length} problems`);
  });
});
