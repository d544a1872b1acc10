// The store conformance suite: what core relies on from any store, run once per backend.
// A new backend (store/<name>/) joins STORES and must pass all of it unchanged.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AcquirerJournalEntry } from "../../src/acquirers/journal.ts";
import type { AttemptId, MerchantId, OperationId, OrderId, OutboxId, SavedCardId } from "../../src/core/ids.ts";
import { newAttemptId, newMerchantId, newOperationId, newOrderId, newOutboxId, newPayoutId, newSavedCardId } from "../../src/core/ids.ts";
import { minor } from "../../src/core/money.ts";
import type { OrderSearch, Store, StoreTx } from "../../src/core/ports.ts";
import type { DashboardSession, CardSummary, DialectId, Merchant, MerchantDialectSettings, Operation, Order, OutboxMessage, PaymentAttempt, Payout } from "../../src/core/types.ts";
import type { OpenedStore } from "../../src/store/index.ts";
import { openTestStore, TEST_DB } from "../helpers/database.ts";

type Backend = { name: string; open(): ReturnType<typeof openTestStore> };

/** Every backend; PostgreSQL in the run on PostgreSQL (TETRI_TEST_DB=postgres), which CI makes. */
export const STORES: readonly Backend[] = (TEST_DB === "postgres" ? (["sqlite", "postgres"] as const) : (["sqlite"] as const)).map((name) => ({
  name,
  open: () => openTestStore(name),
}));

const DIALECT = "bog" as DialectId;
const OTHER_DIALECT = "tbc" as DialectId;
const NOW = 1_780_000_000_000;

function merchant(): Merchant {
  return { id: newMerchantId(), name: "Store shop", clientId: `c-${newOrderId()}`, secretHash: "scrypt$x", createdAt: NOW };
}

function order(merchantId: MerchantId, changes: Partial<Order> = {}): Order {
  return {
    id: newOrderId(),
    merchantId,
    dialect: DIALECT,
    externalOrderId: "ext-1",
    status: "created",
    captureMode: "automatic",
    currency: "GEL",
    amount: minor(999_999_999_999),
    authorizedAmount: minor(0),
    capturedAmount: minor(0),
    refundedAmount: minor(0),
    refundReservedAmount: minor(0),
    language: "ka",
    theme: "dark",
    callbackUrl: "https://shop.example/cb",
    successUrl: null,
    failUrl: null,
    paymentMethods: ["card", "apple_pay"],
    basket: [{ productId: "p-1", description: "ჩურჩხელა", quantity: "1.5", unitPrice: minor(2) }],
    details: { nested: { list: [1, "two", null] } },
    rejectReason: null,
    saveCard: { until: "1230", usage: "with_buyer" },
    savedCardId: null,
    terminal: "pos-1",
    split: [
      { account: "GE00TB0000000000000001", amount: minor(100), basisPoints: null },
      { account: "GE00TB0000000000000002", amount: null, basisPoints: 1250 },
    ],
    loanOffer: { product: "STANDARD", months: 6 },
    createdAt: NOW,
    expiresAt: NOW + 60_000,
    updatedAt: NOW,
    version: 0,
    ...changes,
  };
}

const CARD: CardSummary = { mask: "424242******4242", brand: "visa", expiry: "12/39", holder: "Nino" };

function attempt(orderId: OrderId, changes: Partial<PaymentAttempt> = {}): PaymentAttempt {
  return {
    id: newAttemptId(),
    orderId,
    status: "pending",
    method: "card",
    customerPresent: false,
    card: CARD,
    panCiphertext: "sealed",
    panKeyId: "key-1",
    methodDetails: null,
    declineReason: null,
    authCode: null,
    transactionId: null,
    terminal: null,
    createdAt: NOW,
    updatedAt: NOW,
    ...changes,
  };
}

function operation(o: Order, changes: Partial<Operation> = {}): Operation {
  return {
    id: newOperationId(),
    orderId: o.id,
    merchantId: o.merchantId,
    kind: "refund",
    status: "pending",
    amount: minor(150),
    currency: "GEL",
    channel: "public_api",
    description: "partial",
    failureReason: null,
    createdAt: NOW,
    updatedAt: NOW,
    ...changes,
  };
}

function message(o: Order, version: number, changes: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    id: newOutboxId(),
    merchantId: o.merchantId,
    orderId: o.id,
    dialect: o.dialect,
    url: "https://shop.example/cb",
    body: `{"v":${version}}`,
    status: "pending",
    orderVersion: version,
    attempts: 0,
    nextAttemptAt: NOW,
    createdAt: NOW,
    deliveredAt: null,
    lastError: null,
    ...changes,
  };
}

/** A promise and its resolver, to hold a transaction open while the test looks from outside. */
function gate(): { wait: Promise<void>; open(): void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

for (const backend of STORES) {
  describe(`store conformance: ${backend.name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    let remove: () => Promise<void>;
    let shop: Merchant;
    before(async () => {
      ({ opened, remove } = await backend.open());
      store = opened.store;
      shop = merchant();
      await store.transaction((tx) => tx.merchants.insert(shop));
    });
    after(async () => {
      await opened.close();
      await remove();
    });

    const insertOrder = async (changes: Partial<Order> = {}) => {
      const o = order(shop.id, changes);
      await store.transaction((tx) => tx.orders.insert(o));
      return o;
    };

    it("every repository gives back exactly what it was given: amounts up to 10^12, flags, text, JSON", async () => {
      const o = await insertOrder();
      const a = attempt(o.id, { status: "approved", authCode: "123456", transactionId: "999", terminal: "pos-1" });
      const op = operation(o);
      const card = { id: newSavedCardId(), merchantId: shop.id, orderId: o.id, card: CARD, panCiphertext: "s", panKeyId: "k", validUntil: "1230", usage: "without_buyer" as const, createdAt: NOW, deletedAt: null };
      const credential = { dialect: DIALECT, merchantId: shop.id, lookup: "lookup-1", sealedSecret: { ciphertext: "c", keyId: "k" }, details: { memberId: "11" }, createdAt: NOW };
      const record = { merchantId: shop.id, scope: "s", key: "k", fingerprint: "f", result: '{"id":1}', createdAt: NOW };
      const m = message(o, 1);
      await store.transaction(async (tx) => {
        await tx.attempts.insert(a);
        await tx.operations.insert(op);
        await tx.savedCards.insert(card);
        await tx.credentials.insert(credential);
        await tx.idempotency.insert(record);
        await tx.outbox.insert(m);
      });
      const read = await store.read(async (tx) => ({
        merchant: await tx.merchants.find(shop.id),
        byClient: await tx.merchants.findByClientId(shop.clientId),
        order: await tx.orders.find(o.id),
        attempt: await tx.attempts.find(a.id),
        latest: await tx.attempts.latestOfOrder(o.id),
        operation: await tx.operations.find(op.id),
        operations: await tx.operations.ofOrder(o.id),
        card: await tx.savedCards.find(card.id),
        cardOfOrder: await tx.savedCards.ofOrder(o.id),
        credential: await tx.credentials.findByLookup(DIALECT, "lookup-1"),
        ofMerchant: await tx.credentials.ofMerchant(DIALECT, shop.id),
        otherDialect: await tx.credentials.findByLookup(OTHER_DIALECT, "lookup-1"),
        record: await tx.idempotency.find(shop.id, "s", "k"),
        outbox: await tx.outbox.ofOrder(o.id),
      }));
      assert.deepEqual(read.merchant, shop);
      assert.deepEqual(read.byClient, shop);
      assert.deepEqual(read.order, o);
      assert.deepEqual(read.attempt, a);
      assert.deepEqual(read.latest, a);
      assert.deepEqual(read.operation, op);
      assert.deepEqual(read.operations, [op]);
      assert.deepEqual(read.card, card);
      assert.deepEqual(read.cardOfOrder, card);
      assert.deepEqual(read.credential, credential);
      assert.deepEqual(read.ofMerchant, credential);
      assert.equal(read.otherDialect, undefined, "credentials are per dialect");
      assert.deepEqual(read.record, record);
      assert.deepEqual(read.outbox, [m]);
    });

    it("an update naming a stale version changes nothing and says so", async () => {
      const o = await insertOrder();
      assert.equal(await store.transaction((tx) => tx.orders.update({ ...o, status: "processing" })), true);
      assert.equal(await store.transaction((tx) => tx.orders.update({ ...o, status: "expired" })), false, "version 0 is stale now");
      const now = await store.read((tx) => tx.orders.find(o.id));
      assert.equal(now?.status, "processing");
      assert.equal(now?.version, 1);
    });

    it("transactions that read an order to change it take turns: none loses its update or fails its version check", async () => {
      const o = await insertOrder();
      const won = await Promise.all(
        Array.from({ length: 20 }, () =>
          store.transaction(async (tx) => {
            const current = await tx.orders.find(o.id);
            if (!current) throw new Error("the order vanished");
            return tx.orders.update({ ...current, updatedAt: current.updatedAt + 1 });
          }),
        ),
      );
      assert.deepEqual(won, Array.from({ length: 20 }, () => true));
      const now = await store.read((tx) => tx.orders.find(o.id));
      assert.deepEqual([now?.version, now?.updatedAt], [20, NOW + 20]);
    });

    it("a transaction that throws leaves nothing behind, and takes no concurrent transaction with it", async () => {
      const kept = order(shop.id);
      const lost = order(shop.id);
      const results = await Promise.allSettled([
        store.transaction((tx) => tx.orders.insert(kept)),
        store.transaction(async (tx) => {
          await tx.orders.insert(lost);
          throw new Error("changed my mind");
        }),
      ]);
      assert.equal(results[0].status, "fulfilled");
      assert.equal(results[1].status, "rejected");
      const [k, l] = await store.read((tx) => Promise.all([tx.orders.find(kept.id), tx.orders.find(lost.id)]));
      assert.equal(k?.id, kept.id);
      assert.equal(l, undefined);
    });

    it("a read never sees what a transaction wrote before it commits, nor ever when it rolls back", async () => {
      const o = await insertOrder();
      const wrote = gate();
      const held = gate();
      const failing = store.transaction(async (tx) => {
        await tx.orders.update({ ...o, status: "processing" });
        wrote.open();
        await held.wait;
        throw new Error("changed my mind");
      });
      await wrote.wait;
      const reading = store.read((tx) => tx.orders.find(o.id));
      await new Promise((resolve) => setTimeout(resolve, 20)); // time for the read to run, if it may
      held.open();
      await assert.rejects(failing, /changed my mind/);
      assert.equal((await reading)?.status, "created");
    });

    it("the reads of one snapshot agree with each other while transactions commit around them", async () => {
      const o = await insertOrder();
      const bumps = Array.from({ length: 20 }, (_, i) => store.transaction((tx) => tx.orders.update({ ...o, version: i, updatedAt: NOW + i + 1 })));
      const pairs = await Promise.all(
        Array.from({ length: 20 }, () => store.read(async (tx) => [(await tx.orders.find(o.id))?.version, (await tx.orders.find(o.id))?.version])),
      );
      await Promise.all(bumps);
      for (const [first, second] of pairs) assert.equal(first, second);
    });

    it("work that asks for a transaction or a read from inside another fails at once", async () => {
      await assert.rejects(store.transaction(() => store.transaction(async () => 1)), /inside a transaction/);
      await assert.rejects(store.transaction(() => store.read(async () => 1)), /inside a transaction/);
      await assert.rejects(store.read(() => store.transaction(async () => 1)), /inside a read/);
      assert.equal(await store.read(() => store.read(async () => 7)), 7, "a read inside a read shares its snapshot");
    });

    it("a second idempotency record for the same merchant, scope and key is refused", async () => {
      const record = { merchantId: shop.id, scope: "dup", key: "k", fingerprint: "f", result: "1", createdAt: NOW };
      await store.transaction((tx) => tx.idempotency.insert(record));
      await assert.rejects(store.transaction((tx) => tx.idempotency.insert({ ...record, fingerprint: "g" })));
      assert.equal((await store.read((tx) => tx.idempotency.find(shop.id, "dup", "k")))?.fingerprint, "f");
    });

    it("an idempotency key held by an open transaction is nobody else's until it commits", async () => {
      const held = gate();
      const locked = gate();
      let committed = false;
      const first = store.transaction(async (tx) => {
        assert.equal(await tx.idempotency.lock(shop.id, "held", "k"), true);
        locked.open();
        await held.wait;
      });
      await locked.wait;
      // Where transactions run at once, the second is refused the key; where they take turns, it
      // runs after the first committed. Either way it never holds the key while the first does.
      const second = store.transaction(async (tx) => ({ got: await tx.idempotency.lock(shop.id, "held", "k"), afterFirst: committed }));
      const other = store.transaction((tx) => tx.idempotency.lock(shop.id, "held", "another key"));
      await new Promise((resolve) => setTimeout(resolve, 20));
      committed = true;
      held.open();
      await first;
      const { got, afterFirst } = await second;
      assert.ok(!got || afterFirst, "the key was held by two transactions at once");
      assert.equal(await other, true, "another key is free");
      assert.equal(await store.transaction((tx) => tx.idempotency.lock(shop.id, "held", "k")), true, "free again after the commit");
    });

    it("outbox: a merchant's messages since a time, oldest first (ties by id), within the limit, no other merchant's", async () => {
      const other = merchant();
      await store.transaction((tx) => tx.merchants.insert(other));
      const mineOrder = await insertOrder();
      const theirs = order(other.id);
      await store.transaction((tx) => tx.orders.insert(theirs));
      const since = NOW + 5_000_000;
      const before = message(mineOrder, 1, { createdAt: since - 1 });
      const tied = [message(mineOrder, 2, { createdAt: since }), message(mineOrder, 3, { createdAt: since })];
      const later = message(mineOrder, 4, { createdAt: since + 10 });
      const foreign = message(theirs, 1, { createdAt: since + 5 });
      await store.transaction(async (tx) => {
        for (const m of [later, foreign, ...tied, before]) await tx.outbox.insert(m);
      });
      const read = (limit: number) => store.read((tx) => tx.outbox.ofMerchantSince(shop.id, since, limit));
      const ids = [...tied.map((m) => m.id).sort(), later.id];
      assert.deepEqual((await read(10)).map((m) => m.id), ids);
      assert.deepEqual((await read(2)).map((m) => m.id), ids.slice(0, 2));
      assert.deepEqual((await read(10))[2], later);
    });

    it("outbox: a lease keeps a message from a second claim; an older undelivered message of the order goes first", async () => {
      const o = await insertOrder();
      const first = message(o, 1, { nextAttemptAt: NOW + 10 });
      const second = message(o, 2);
      await store.transaction(async (tx) => {
        await tx.outbox.insert(second);
        await tx.outbox.insert(first);
      });
      const claim = (at: number, token: string) => store.transaction((tx) => tx.outbox.claimDue(at, 100, { until: at + 1000, token }));
      const mine = (claimed: OutboxMessage[]) => claimed.filter((m) => m.orderId === o.id).map((m) => m.id);
      assert.deepEqual(mine(await claim(NOW, "a")), [], "the newer one waits for the older, which is not due yet");
      assert.deepEqual(mine(await claim(NOW + 10, "b")), [first.id]);
      assert.deepEqual(mine(await claim(NOW + 20, "c")), [], "leased, and the newer still waits");
      const attemptOf = (token: string) =>
        store.transaction((tx) =>
          tx.outbox.finishAttempt(
            { id: first.id, status: "delivered", nextAttemptAt: NOW + 30, deliveredAt: NOW + 30, lastError: null },
            token,
            { outboxId: first.id, attemptedAt: NOW + 25, durationMs: 5, statusCode: 200, error: null, responseExcerpt: "ok" },
          ),
        );
      assert.equal(await attemptOf("not-the-lease"), false, "a lost lease records nothing");
      assert.equal(await attemptOf("b"), true);
      assert.deepEqual(
        (await store.read((tx) => tx.outbox.attemptsOf(first.id))).map((a) => [a.statusCode, a.durationMs, a.responseExcerpt]),
        [[200, 5, "ok"]],
      );
      assert.deepEqual(mine(await claim(NOW + 40, "d")), [second.id], "once the older is delivered, the newer goes");
      assert.deepEqual(mine(await claim(NOW + 40 + 1001, "e")), [second.id], "an expired lease is taken over");
      const rows = await store.read((tx) => tx.outbox.ofOrder(o.id));
      assert.deepEqual(rows.map((m) => [m.orderVersion, m.status, m.attempts]), [[1, "delivered", 1], [2, "pending", 0]]);
      assert.ok((await store.read((tx) => tx.outbox.countPending())) >= 1);
    });

    it("the sweeper's queries: due orders, claims of unresolved attempts and pending operations, abandoned challenges, postponing", async () => {
      const due = await insertOrder({ expiresAt: NOW - 1 });
      const later = await insertOrder({ expiresAt: NOW + 60_000 });
      const ids = await store.read((tx) => tx.orders.dueForExpiry(NOW, 1000));
      assert.ok(ids.includes(due.id) && !ids.includes(later.id));

      const unknown = attempt(due.id, { status: "unknown", updatedAt: NOW - 100 });
      const challenge = attempt(due.id, { status: "challenge", updatedAt: NOW - 100 });
      const approved = attempt(later.id, { status: "approved", updatedAt: NOW - 100 });
      const pendingOp = operation(later, { updatedAt: NOW - 100 });
      await store.transaction(async (tx) => {
        for (const a of [unknown, challenge, approved]) await tx.attempts.insert(a);
        await tx.operations.insert(pendingOp);
      });
      const claim = (at: number) =>
        store.transaction(async (tx) => {
          const lease = { now: at, until: at + 1000 };
          const attempts = await tx.attempts.claimUnresolved({ pendingBefore: NOW, unknownBefore: NOW }, 1000, lease);
          const operations = await tx.operations.claimPending(NOW, 1000, lease);
          return [...attempts, ...operations].map((x) => x.id as string);
        });
      const claimed = await claim(NOW);
      assert.ok(claimed.includes(unknown.id) && claimed.includes(pendingOp.id), "unresolved and pending are claimed");
      assert.ok(!claimed.includes(challenge.id) && !claimed.includes(approved.id), "settled and challenged are not");
      const again = await claim(NOW + 500);
      assert.ok(!again.includes(unknown.id) && !again.includes(pendingOp.id), "a claim under lease is nobody else's");
      const takenOver = await claim(NOW + 1001);
      assert.ok(takenOver.includes(unknown.id) && takenOver.includes(pendingOp.id), "a lease that ran out is taken over");
      const abandoned = (await store.read((tx) => tx.attempts.abandonedChallenges(NOW, 1000))).map((a) => a.id);
      assert.ok(abandoned.includes(challenge.id));

      await store.transaction(async (tx) => {
        await tx.attempts.postponeUnresolved(unknown.id, NOW + 5);
        await tx.attempts.postponeUnresolved(approved.id as AttemptId, NOW + 5);
        await tx.operations.postponePending(pendingOp.id as OperationId, NOW + 5);
      });
      const [u, ap, op] = await store.read((tx) => Promise.all([tx.attempts.find(unknown.id), tx.attempts.find(approved.id), tx.operations.find(pendingOp.id)]));
      assert.equal(u?.updatedAt, NOW + 5);
      assert.equal(ap?.updatedAt, NOW - 100, "a settled attempt is left alone");
      assert.equal(op?.updatedAt, NOW + 5);
      const counts = await store.read((tx) => tx.orders.countByStatus());
      assert.ok((counts.created ?? 0) >= 2);
    });

    it("orders due for expiry that an open transaction took are not handed to another meanwhile", async () => {
      const due = await insertOrder({ expiresAt: NOW - 2 });
      const took = gate();
      const held = gate();
      let committed = false;
      const first = store.transaction(async (tx) => {
        const ids = await tx.orders.dueForExpiry(NOW, 1000);
        took.open();
        await held.wait;
        return ids;
      });
      await took.wait;
      const second = store.transaction(async (tx) => ({ ids: await tx.orders.dueForExpiry(NOW, 1000), afterFirst: committed }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      committed = true;
      held.open();
      assert.ok((await first).includes(due.id));
      const { ids, afterFirst } = await second;
      assert.ok(!ids.includes(due.id) || afterFirst, "two transactions held the same due order at once");
    });

    it("an attempt of a method without a card reads back with no card, its method details, and seals nothing", async () => {
      const o = await insertOrder();
      const details = { payer: "N", pointsAmount: null, loanMonths: 12 };
      const a = attempt(o.id, { method: "installment", status: "awaiting_decision", card: null, panCiphertext: "", panKeyId: "", methodDetails: details });
      const before = await store.read((tx) => tx.sealedValues.countByKey());
      await store.transaction((tx) => tx.attempts.insert(a));
      assert.deepEqual(await store.read((tx) => tx.attempts.find(a.id)), a);
      await store.transaction((tx) => tx.attempts.update({ ...a, status: "approved", methodDetails: { ...details, loanMonths: 6 } }));
      assert.deepEqual((await store.read((tx) => tx.attempts.find(a.id)))?.methodDetails, { ...details, loanMonths: 6 });
      assert.deepEqual(await store.read((tx) => tx.sealedValues.countByKey()), before);
    });

    it("a saved card is deleted once; the deletion time stays the first", async () => {
      const o = await insertOrder();
      const id = newSavedCardId() as SavedCardId;
      await store.transaction((tx) =>
        tx.savedCards.insert({ id, merchantId: shop.id, orderId: o.id, card: CARD, panCiphertext: "s", panKeyId: "k", validUntil: null, usage: "any", createdAt: NOW, deletedAt: null }),
      );
      await store.transaction((tx) => tx.savedCards.markDeleted(id, NOW + 1));
      await store.transaction((tx) => tx.savedCards.markDeleted(id, NOW + 2));
      assert.equal((await store.read((tx) => tx.savedCards.find(id)))?.deletedAt, NOW + 1);
    });

    it("sealed values: every place a card key seals is found by key id, re-sealed only if unchanged, and counted by key", async () => {
      const [oldKey, newKey] = [`old-${newOrderId()}`, `new-${newOrderId()}`];
      const o = await insertOrder();
      const a = { ...attempt(o.id), panCiphertext: "pan-a", panKeyId: oldKey };
      const cardId = newSavedCardId() as SavedCardId;
      const lookup = `lookup-${newOrderId()}`;
      const setting = `key:rotation-${newOrderId()}.pem`;
      await store.transaction(async (tx) => {
        await tx.attempts.insert(a);
        await tx.savedCards.insert({ id: cardId, merchantId: shop.id, orderId: o.id, card: CARD, panCiphertext: "pan-c", panKeyId: oldKey, validUntil: null, usage: "any", createdAt: NOW, deletedAt: null });
        await tx.credentials.insert({ dialect: DIALECT, merchantId: shop.id, lookup, sealedSecret: { ciphertext: "secret", keyId: oldKey }, details: {}, createdAt: NOW });
        await tx.settings.insertIfAbsent(setting, JSON.stringify({ ciphertext: "shared", keyId: oldKey }), NOW);
        await tx.settings.insertIfAbsent(`demo-${newOrderId()}`, "not sealed", NOW);
      });
      const found = await store.read((tx) => tx.sealedValues.under([oldKey], 10));
      assert.deepEqual(found.map((v) => [v.place, v.ciphertext]).sort(), [["dialect_credential", "secret"], ["payment_attempt", "pan-a"], ["saved_card", "pan-c"], ["setting", "shared"]]);
      assert.equal((await store.read((tx) => tx.sealedValues.under([oldKey], 2))).length, 2, "at most limit");
      assert.deepEqual(await store.read((tx) => tx.sealedValues.under([newKey], 10)), []);

      const [first, ...rest] = found;
      assert.ok(first);
      // A value read before someone else re-sealed it is not written over.
      assert.equal(await store.transaction((tx) => tx.sealedValues.reseal({ ...first, ciphertext: "stale" }, { ciphertext: "x", keyId: newKey })), false);
      await store.transaction(async (tx) => {
        for (const value of found) assert.equal(await tx.sealedValues.reseal(value, { ciphertext: `${value.ciphertext}-2`, keyId: newKey }), true);
      });
      assert.equal(rest.length, 3);
      const counts = await store.read((tx) => tx.sealedValues.countByKey());
      assert.equal(counts[oldKey], undefined);
      assert.equal(counts[newKey], 4);
      // The places read back re-sealed: the attempt and saved card (and an attempt's later update keeps it).
      await store.transaction((tx) => tx.attempts.update({ ...a, status: "approved" }));
      const after = await store.read(async (tx) => ({ attempt: await tx.attempts.find(a.id), card: await tx.savedCards.find(cardId), credential: await tx.credentials.findByLookup(DIALECT, lookup), setting: await tx.settings.find(setting) }));
      assert.deepEqual([after.attempt?.panCiphertext, after.attempt?.panKeyId, after.attempt?.status], ["pan-a-2", newKey, "approved"]);
      assert.deepEqual([after.card?.panCiphertext, after.card?.panKeyId], ["pan-c-2", newKey]);
      assert.deepEqual(after.credential?.sealedSecret, { ciphertext: "secret-2", keyId: newKey });
      assert.deepEqual(JSON.parse(after.setting ?? "{}"), { ciphertext: "shared-2", keyId: newKey });
    });

    it("the acquirer's journal: an entry recorded is there once the caller's next transaction commits, and can be settled", async () => {
      const entry: AcquirerJournalEntry = {
        reference: newAttemptId(),
        kind: "authorization",
        state: "challenge",
        amount: minor(500),
        currency: "GEL",
        capture: true,
        declineReason: null,
        authCode: null,
        transactionId: null,
        terminal: "default",
        cardBehaviour: "challenge",
        createdAt: NOW,
      };
      await opened.acquirerJournal.record(entry);
      await store.transaction(async () => {}); // what core does next: its own transaction
      assert.deepEqual(await opened.acquirerJournal.find(entry.reference), entry);
      await opened.acquirerJournal.record({ ...entry, state: "approved", authCode: "1", transactionId: "2" });
      await store.transaction(async () => {});
      assert.equal((await opened.acquirerJournal.find(entry.reference))?.state, "approved");
      assert.equal(await opened.acquirerJournal.find("no-such-reference"), undefined);
    });

    it("order search: every condition, amounts per currency, the three ways to name an order, newest first after a cursor", async () => {
      const owner = merchant();
      await store.transaction((tx) => tx.merchants.insert(owner));
      const at = (minutes: number) => NOW + minutes * 60_000;
      const orders = [
        order(owner.id, { externalOrderId: "s-0", status: "captured", amount: minor(1000), createdAt: at(0) }),
        order(owner.id, { externalOrderId: "s-1", status: "declined", amount: minor(2000), createdAt: at(1) }),
        order(owner.id, { externalOrderId: "s-2", status: "captured", amount: minor(3000), currency: "USD", createdAt: at(2) }),
        order(owner.id, { externalOrderId: "s-3", status: "created", amount: minor(4000), dialect: OTHER_DIALECT, createdAt: at(3) }),
        order(owner.id, { externalOrderId: "s-4", status: "captured", amount: minor(5000), createdAt: at(3) }),
      ];
      const other = order(shop.id, { externalOrderId: "s-0", createdAt: at(0) });
      await store.transaction(async (tx) => {
        for (const o of [...orders, other]) await tx.orders.insert(o);
        await tx.attempts.insert(attempt(orders[1]?.id as OrderId, { card: { mask: "400000******0002", brand: "visa", expiry: "12/39", holder: "N" } }));
        await tx.attempts.insert(attempt(orders[0]?.id as OrderId, { createdAt: NOW }));
        await tx.attempts.insert(attempt(orders[0]?.id as OrderId, { createdAt: NOW + 1, card: { mask: "555555******4444", brand: "mc", expiry: "12/39", holder: "N" } }));
      });
      const names = (found: Order[]) => found.map((o) => o.externalOrderId);
      const search = (conditions: Partial<OrderSearch> = {}) => store.read((tx) => tx.orders.search({ merchantId: owner.id, limit: 10, ...conditions }));
      // Newest first; of two made in the same millisecond, the larger id first.
      const sameTime = [orders[3], orders[4]].sort((a, b) => ((a?.id ?? "") < (b?.id ?? "") ? 1 : -1)).map((o) => o?.externalOrderId);
      assert.deepEqual(names(await search()), [...sameTime, "s-2", "s-1", "s-0"]);
      assert.deepEqual(names(await search({ statuses: ["captured"] })).sort(), ["s-0", "s-2", "s-4"]);
      assert.deepEqual(names(await search({ statuses: ["declined", "created"] })).sort(), ["s-1", "s-3"]);
      assert.deepEqual(names(await search({ dialect: OTHER_DIALECT })), ["s-3"]);
      assert.deepEqual(names(await search({ currency: "USD" })), ["s-2"]);
      assert.deepEqual(names(await search({ createdFrom: at(1), createdBefore: at(3) })), ["s-2", "s-1"]);
      const ranges = [{ currency: "GEL" as const, min: minor(1500), max: minor(4000) }, { currency: "USD" as const, max: minor(3000) }];
      assert.deepEqual(names(await search({ amountRanges: ranges })).sort(), ["s-1", "s-2", "s-3"]);
      assert.deepEqual(names(await search({ amountRanges: [] })), [], "no currency can match");
      assert.deepEqual(names(await search({ text: { externalOrderId: "s-2" } })), ["s-2"]);
      assert.deepEqual(names(await search({ text: { externalOrderId: "x", orderId: orders[3]?.id } })), ["s-3"]);
      assert.deepEqual(names(await search({ text: { externalOrderId: "0002", cardLast4: "0002" } })), ["s-1"]);
      assert.deepEqual(names(await search({ text: { externalOrderId: "4444", cardLast4: "4444" } })), ["s-0"]);
      assert.deepEqual(names(await search({ text: { externalOrderId: "s-0" }, merchantId: undefined })).length, 2, "every merchant's, for the operator");
      const firstPage = await search({ limit: 2 });
      const last = firstPage[1];
      assert.ok(last);
      assert.deepEqual(names(await search({ limit: 10, after: { createdAt: last.createdAt, id: last.id } })), ["s-2", "s-1", "s-0"]);
      const latest = await store.read((tx) => tx.attempts.latestOfOrders([orders[0]?.id as OrderId, orders[1]?.id as OrderId, orders[2]?.id as OrderId]));
      assert.deepEqual(latest.map((a) => [a.orderId, a.card?.mask]).sort(), [[orders[0]?.id, "555555******4444"], [orders[1]?.id, "400000******0002"]].sort());
      assert.deepEqual(await store.read((tx) => tx.attempts.latestOfOrders([])), []);
    });

    it("dashboard sessions: found by id until deleted, extended, ended per merchant but one, ended by time; sign-in failures counted per key", async () => {
      const owner = merchant();
      await store.transaction((tx) => tx.merchants.insert(owner));
      const session = (id: string, principal: DashboardSession["principal"], expiresAt: number, endsAt = NOW + 10_000): DashboardSession => ({
        id,
        principal,
        createdAt: NOW,
        expiresAt,
        endsAt,
      });
      const mine = [session(`s-${newOrderId()}`, { kind: "merchant", merchantId: owner.id }, NOW + 100), session(`s-${newOrderId()}`, { kind: "merchant", merchantId: owner.id }, NOW + 100)];
      const operator = session(`s-${newOrderId()}`, { kind: "operator", name: "ops" }, NOW + 50);
      const ended = session(`s-${newOrderId()}`, { kind: "merchant", merchantId: shop.id }, NOW + 500, NOW + 20);
      await store.transaction(async (tx) => {
        for (const s of [...mine, operator, ended]) await tx.sessions.insert(s);
      });
      assert.deepEqual(await store.read((tx) => tx.sessions.find(operator.id)), operator);
      await store.transaction((tx) => tx.sessions.extend(mine[0]?.id ?? "", NOW + 900));
      assert.equal((await store.read((tx) => tx.sessions.find(mine[0]?.id ?? "")))?.expiresAt, NOW + 900);
      await store.transaction((tx) => tx.sessions.deleteOfMerchant(owner.id, mine[0]?.id));
      assert.deepEqual(
        await store.read(async (tx) => [Boolean(await tx.sessions.find(mine[0]?.id ?? "")), Boolean(await tx.sessions.find(mine[1]?.id ?? ""))]),
        [true, false],
      );
      // At NOW+60 the operator's session has expired and the other one reached its end.
      assert.ok((await store.transaction((tx) => tx.sessions.deleteExpired(NOW + 60))) >= 2);
      assert.deepEqual(
        await store.read(async (tx) => [await tx.sessions.find(operator.id), await tx.sessions.find(ended.id), Boolean(await tx.sessions.find(mine[0]?.id ?? ""))]),
        [undefined, undefined, true],
      );
      await store.transaction((tx) => tx.sessions.delete(mine[0]?.id ?? ""));
      assert.equal(await store.read((tx) => tx.sessions.find(mine[0]?.id ?? "")), undefined);

      const key = `merchant:${newOrderId()}`;
      await store.transaction(async (tx) => {
        await tx.signInFailures.record([key, "address:10.0.0.1"], NOW);
        await tx.signInFailures.record([key], NOW + 10);
        await tx.signInFailures.record([], NOW + 10);
      });
      assert.deepEqual(await store.read(async (tx) => [await tx.signInFailures.countSince(key, NOW), await tx.signInFailures.countSince(key, NOW + 5)]), [2, 1]);
      await store.transaction((tx) => tx.signInFailures.deleteBefore(NOW + 5));
      assert.equal(await store.read((tx) => tx.signInFailures.countSince(key, 0)), 1);
      await store.transaction((tx) => tx.signInFailures.clear(key));
      assert.equal(await store.read((tx) => tx.signInFailures.countSince(key, 0)), 0);
    });

    it("merchant settings are put and replaced per merchant and API; merchants are listed by name and get a new secret hash", async () => {
      const owner = { ...merchant(), name: "AAA first by name" };
      await store.transaction((tx) => tx.merchants.insert(owner));
      const settings: MerchantDialectSettings = {
        merchantId: owner.id,
        dialect: DIALECT,
        callbackUrl: "https://a.example/cb",
        enabledMethods: ["card", "qr"],
        tokenTtlSeconds: 3600,
        updatedAt: NOW,
      };
      await store.transaction((tx) => tx.merchantSettings.put(settings));
      await store.transaction((tx) => tx.merchantSettings.put({ ...settings, dialect: OTHER_DIALECT, callbackUrl: null, enabledMethods: null, tokenTtlSeconds: null }));
      await store.transaction((tx) => tx.merchantSettings.put({ ...settings, callbackUrl: "https://b.example/cb", updatedAt: NOW + 1 }));
      assert.deepEqual(await store.read((tx) => tx.merchantSettings.find(owner.id, DIALECT)), { ...settings, callbackUrl: "https://b.example/cb", updatedAt: NOW + 1 });
      assert.deepEqual((await store.read((tx) => tx.merchantSettings.ofMerchant(owner.id))).map((s) => [s.dialect, s.callbackUrl, s.enabledMethods, s.tokenTtlSeconds]), [
        [DIALECT, "https://b.example/cb", ["card", "qr"], 3600],
        [OTHER_DIALECT, null, null, null],
      ]);
      assert.equal(await store.read((tx) => tx.merchantSettings.find(shop.id, DIALECT)), undefined);
      assert.equal((await store.read((tx) => tx.merchants.list()))[0]?.id, owner.id);
      // Found once (and so remembered) before the new hash: the store must not answer the old one.
      assert.equal((await store.read((tx) => tx.merchants.find(owner.id)))?.secretHash, owner.secretHash);
      await store.transaction((tx) => tx.merchants.updateSecretHash(owner.id, "scrypt$new"));
      assert.equal((await store.read((tx) => tx.merchants.find(owner.id)))?.secretHash, "scrypt$new");
    });

    it("stats by day: each ledger line, answered attempt and callback attempt counts in the day its time falls in, per merchant or all", async () => {
      const owner = merchant();
      await store.transaction((tx) => tx.merchants.insert(owner));
      // Three days of uneven length, starting at NOW.
      const days = [NOW, NOW + 1000, NOW + 2500, NOW + 3000];
      const o = order(owner.id);
      const theirs = order(shop.id);
      const callback = message(o, 1);
      await store.transaction(async (tx) => {
        await tx.orders.insert(o);
        await tx.orders.insert(theirs);
        for (const [kind, time, amount] of [["authorization", 10, 700], ["capture", 10, 700], ["capture", 999, 300], ["refund", 1000, 50], ["refund", 3000, 1]] as const) {
          await tx.operations.insert(operation(o, { kind, status: "completed", amount: minor(amount), createdAt: NOW + time, updatedAt: NOW + time }));
        }
        await tx.operations.insert(operation(o, { kind: "capture", status: "pending", updatedAt: NOW + 10 }));
        await tx.operations.insert(operation(theirs, { kind: "capture", status: "completed", amount: minor(5), updatedAt: NOW + 10 }));
        await tx.attempts.insert(attempt(o.id, { status: "approved", updatedAt: NOW + 2600 }));
        await tx.attempts.insert(attempt(o.id, { status: "declined", declineReason: "insufficient_funds", updatedAt: NOW + 2600 }));
        await tx.attempts.insert(attempt(o.id, { status: "declined", declineReason: "insufficient_funds", updatedAt: NOW + 2999 }));
        await tx.attempts.insert(attempt(o.id, { status: "pending", updatedAt: NOW + 2600 }));
        await tx.attempts.insert(attempt(theirs.id, { status: "approved", updatedAt: NOW + 2600 }));
        await tx.outbox.insert(callback);
        await tx.outbox.claimDue(NOW, 100, { until: NOW + 100_000, token: "stats" });
        for (const [time, error] of [[1200, "HTTP 500"], [1300, null]] as const) {
          await tx.outbox.finishAttempt({ id: callback.id, status: "pending", nextAttemptAt: NOW, deliveredAt: null, lastError: error }, "stats", {
            outboxId: callback.id,
            attemptedAt: NOW + time,
            durationMs: 1,
            statusCode: 200,
            error,
            responseExcerpt: null,
          });
          await tx.outbox.claimDue(NOW + 100_000, 100, { until: NOW + 200_000, token: "stats" });
        }
      });
      const query = { merchantId: owner.id, days };
      const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();
      assert.deepEqual(
        sorted(await store.read((tx) => tx.stats.ledgerByDay(query))),
        sorted([
          { day: 0, kind: "authorization", currency: "GEL", count: 1, amount: 700 },
          { day: 0, kind: "capture", currency: "GEL", count: 2, amount: 1000 },
          { day: 1, kind: "refund", currency: "GEL", count: 1, amount: 50 },
        ]),
      );
      assert.deepEqual(
        sorted(await store.read((tx) => tx.stats.attemptsByDay(query))),
        sorted([
          { day: 2, approved: true, reason: null, count: 1 },
          { day: 2, approved: false, reason: "insufficient_funds", count: 2 },
        ]),
      );
      assert.deepEqual(
        sorted(await store.read((tx) => tx.stats.callbackAttemptsByDay(query))),
        sorted([
          { day: 1, delivered: false, count: 1 },
          { day: 1, delivered: true, count: 1 },
        ]),
      );
      const everyone = await store.read((tx) => tx.stats.attemptsByDay({ days }));
      assert.ok(everyone.some((r) => r.approved && r.count >= 2), "without a merchant, every merchant's");
      assert.deepEqual(
        (await store.read((tx) => tx.outbox.attemptsOfOrder(o.id))).map((a) => a.error),
        ["HTTP 500", null],
      );
    });

    it("payouts: kept exactly, found by id and by reference per API, one reference once; the balance adds up orders and payouts per currency; pending ones claimed for reconciliation", async () => {
      const other = merchant();
      await store.transaction((tx) => tx.merchants.insert(other));
      await insertOrder({ merchantId: other.id, currency: "EUR", status: "captured", authorizedAmount: minor(999_999_999_999), capturedAmount: minor(999_999_999_999), refundedAmount: minor(100), refundReservedAmount: minor(50) });
      await insertOrder({ merchantId: other.id, currency: "EUR", status: "captured", amount: minor(1), authorizedAmount: minor(1), capturedAmount: minor(1) });
      await insertOrder({ merchantId: other.id, currency: "USD", status: "captured", amount: minor(700), authorizedAmount: minor(700), capturedAmount: minor(700) });
      const card = { mask: "424242******4242", brand: "visa" as const, expiry: "12/39", holder: "Nino" };
      const payout = (changes: Partial<Payout> = {}): Payout => ({
        id: newPayoutId(),
        merchantId: other.id,
        dialect: DIALECT,
        externalId: `po-${newPayoutId()}`,
        orderId: null,
        currency: "EUR",
        amount: minor(1000),
        status: "pending",
        failureReason: null,
        card,
        panCiphertext: "sealed",
        panKeyId: "k1",
        createdAt: NOW,
        updatedAt: NOW,
        ...changes,
      });
      const pending = payout();
      const done = payout({ status: "completed", amount: minor(2000) });
      const failed = payout({ status: "failed", failureReason: "issuer_declined", amount: minor(4000) });
      const dollars = payout({ currency: "USD", amount: minor(300), externalId: "same-ref" });
      await store.transaction(async (tx) => {
        for (const p of [pending, done, failed, dollars]) await tx.payouts.insert(p);
      });
      assert.deepEqual(await store.read((tx) => tx.payouts.find(failed.id)), failed);
      assert.deepEqual(await store.read((tx) => tx.payouts.findByExternalId(other.id, DIALECT, "same-ref")), dollars);
      assert.equal(await store.read((tx) => tx.payouts.findByExternalId(other.id, OTHER_DIALECT, "same-ref")), undefined);
      await assert.rejects(store.transaction((tx) => tx.payouts.insert(payout({ externalId: "same-ref" }))));
      await store.transaction((tx) => tx.payouts.insert(payout({ externalId: "same-ref", dialect: OTHER_DIALECT, status: "failed" })));
      assert.deepEqual(await store.read((tx) => tx.payouts.balance(other.id, "EUR")), { captured: 1_000_000_000_000, refunded: 150, paidOut: 3000 });
      assert.deepEqual(await store.read((tx) => tx.payouts.balance(other.id, "USD")), { captured: 700, refunded: 0, paidOut: 300 });
      assert.deepEqual(await store.read((tx) => tx.payouts.balance(other.id, "GBP")), { captured: 0, refunded: 0, paidOut: 0 });
      const ours = new Set([pending, done, failed, dollars].map((p) => p.id as string));
      const claim = (at: number) =>
        store.transaction(async (tx) => (await tx.payouts.claimPending(NOW + 1, 1000, { now: at, until: at + 1000 })).map((p) => p.id as string).filter((id) => ours.has(id)));
      assert.deepEqual((await claim(NOW)).sort(), [dollars.id, pending.id].sort(), "only pending payouts are claimed");
      assert.deepEqual(await claim(NOW + 500), [], "a claim under lease is nobody else's");
      await store.transaction((tx) => tx.payouts.postponePending(dollars.id, NOW + 5));
      await store.transaction((tx) => tx.payouts.postponePending(done.id, NOW + 5));
      assert.deepEqual(await claim(NOW + 1001), [pending.id], "a lease that ran out is taken over; a postponed payout waits its turn");
      assert.equal((await store.read((tx) => tx.payouts.find(done.id)))?.updatedAt, NOW, "a settled payout is not postponed");
      await store.transaction((tx) => tx.payouts.update({ ...pending, status: "completed", updatedAt: NOW + 1 }));
      assert.equal((await store.read((tx) => tx.payouts.find(pending.id)))?.status, "completed");
    });

    it("a merchant's payouts held by an open transaction wait for it", async () => {
      const held = gate();
      const locked = gate();
      const order: string[] = [];
      const first = store.transaction(async (tx) => {
        await tx.payouts.lockMerchant(shop.id);
        locked.open();
        await held.wait;
        order.push("first");
      });
      await locked.wait;
      const second = store.transaction(async (tx) => {
        await tx.payouts.lockMerchant(shop.id);
        order.push("second");
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      held.open();
      await Promise.all([first, second]);
      assert.deepEqual(order, ["first", "second"]);
    });

    it("ids of the wrong kind find nothing", async () => {
      const none = await store.read(async (tx: StoreTx) => [
        await tx.orders.find(newOrderId()),
        await tx.attempts.find(newAttemptId()),
        await tx.operations.find(newOperationId()),
        await tx.outbox.attemptsOf(newOutboxId() as OutboxId),
      ]);
      assert.deepEqual(none, [undefined, undefined, undefined, []]);
    });
  });
}
