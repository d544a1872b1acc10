// `npm run tetri -- cards rotate-key`: 1,000 cards saved under card key 1; the server restarted
// with key 2 (key 1 retired); the rotation killed in the middle while the server charges cards,
// then run again to the end; the server restarted with key 2 alone charges every card, and
// nothing is sealed under key 1 any more.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import { vaultKeyFrom } from "../../src/core/card-vault.ts";
import { CARD, orderBody, tbcPaymentBody, tempDir } from "../helpers/fixtures.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { run, runKilledWhen, stopAll } from "./tetri-process.ts";

const CARDS = 1000;
const KEY_1 = randomBytes(32).toString("base64");
const KEY_2 = randomBytes(32).toString("base64");
const KEY_1_ID = vaultKeyFrom(Buffer.from(KEY_1, "base64")).id;
const KEY_2_ID = vaultKeyFrom(Buffer.from(KEY_2, "base64")).id;

/** Runs `work` over `items`, `width` at a time. */
async function inParallel<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i] as T);
      }
    }),
  );
  return results;
}

type SavedCard = { kind: "tbc"; recId: string } | { kind: "bog"; parent: string };

/** A paid order that saved its card: every other one through TBC (saveCard), the rest through BOG (PUT subscriptions). */
async function saveCard(server: TestServer, i: number): Promise<SavedCard> {
  if (i % 2 === 0) {
    const created = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody({ saveCard: true }) });
    await server.tbcRequest("POST", `/_test/orders/${created.json.payId}/pay`, { body: CARD });
    const payment = await server.tbcRequest("GET", `/v1/tpay/payments/${created.json.payId}`);
    assert.equal(typeof payment.json.recId, "string", payment.text);
    return { kind: "tbc", recId: payment.json.recId };
  }
  const parent = await server.createOrder(orderBody({ external_order_id: `plan-${i}` }));
  assert.equal((await server.request("PUT", `/payments/v1/orders/${parent}/subscriptions`)).status, 202);
  assert.equal((await server.pay(parent)).json.outcome, "approved");
  return { kind: "bog", parent };
}

/** Charges a saved card without the buyer; true when the acquirer approved it. */
async function charge(server: TestServer, card: SavedCard): Promise<boolean> {
  if (card.kind === "tbc") {
    const response = await server.tbcRequest("POST", "/v1/tpay/payments/execution", { body: { recId: card.recId, money: { amount: 1, currency: "GEL" } } });
    return response.json?.status === "Succeeded";
  }
  const response = await server.request("POST", `/payments/v1/ecommerce/orders/${card.parent}/subscribe`, { body: {} });
  return response.status === 200 && (await server.receipt(response.json.id)).order_status.key === "completed";
}

const countsOf = (server: TestServer) => server.services.ctx.store.read((tx) => tx.sealedValues.countByKey());

describe("card-key rotation", { timeout: 300_000 }, () => {
  const dir = tempDir();
  const servers: TestServer[] = [];
  const start = async (env: Record<string, string>) => {
    const server = await startTestServer(env, { dataDir: dir.path });
    servers.push(server);
    return server;
  };
  after(async () => {
    await stopAll();
    for (const server of servers) await server.close().catch(() => {});
    dir.remove();
  });

  it("re-seals 1,000 cards under the new key across a kill, while the server charges; every card is still chargeable after key 1 is gone", async () => {
    const first = await start({ TETRI_CARD_KEY: KEY_1 });
    const cards = await inParallel(Array.from({ length: CARDS }, (_, i) => i), 8, (i) => saveCard(first, i));
    const underKey1 = await countsOf(first);
    assert.deepEqual(Object.keys(underKey1), [KEY_1_ID]);
    // Every saved card, every attempt (the paid parents), and the three shared keys.
    assert.ok((underKey1[KEY_1_ID] ?? 0) >= 2 * CARDS + 3, JSON.stringify(underKey1));
    await first.close();

    const rotating = { TETRI_CARD_KEY: KEY_2, TETRI_CARD_KEYS_RETIRED: KEY_1 };
    const server = await start(rotating);
    const cli = (args: string[]) => ["src/cli.ts", "cards", "rotate-key", ...args];
    const cliEnv = { TETRI_DATA_DIR: dir.path, ...rotating };

    // The server charges cards while the rotation runs, and the rotation is killed mid-way.
    const during = inParallel(cards.slice(0, 40), 2, (card) => charge(server, card));
    // Small batches with a pause between them (a fast disk commits a thousand in less time than
    // this process takes to read the first lines): the kill lands with most of the work left.
    const killed = await runKilledWhen(cli(["--batch-size", "2", "--pause-ms", "10"]), cliEnv, (stdout) => (stdout.match(/^re-sealed /gm) ?? []).length >= 5);
    assert.equal(killed.signal, "SIGKILL", `the rotation ended before the kill: ${killed.stdout}`);
    assert.deepEqual(await during, Array(40).fill(true), "charges during the rotation");
    const midway = await countsOf(server);
    assert.ok((midway[KEY_1_ID] ?? 0) > 0 && (midway[KEY_2_ID] ?? 0) > 0, `both keys (1: ${KEY_1_ID}, 2: ${KEY_2_ID}) seal something after the kill: ${JSON.stringify(midway)}`);

    const resumed = await run(cli([]), cliEnv, 120_000);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`Nothing remains under the retired key\\(s\\) ${KEY_1_ID}: they may now be removed from TETRI_CARD_KEYS_RETIRED`));
    const rotated = await countsOf(server);
    assert.deepEqual(Object.keys(rotated), [KEY_2_ID], JSON.stringify(rotated));
    await server.close();

    // Key 1 is no longer configured at all: every card is charged, the shared keys open.
    const last = await start({ TETRI_CARD_KEY: KEY_2 });
    const charged = await inParallel(cards, 8, (card) => charge(last, card));
    assert.equal(charged.filter(Boolean).length, CARDS);
    assert.deepEqual(Object.keys(await countsOf(last)), [KEY_2_ID]);
    const again = await run(cli([]), { TETRI_DATA_DIR: dir.path, TETRI_CARD_KEY: KEY_2 });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /done: nothing to re-seal/);
  });

  it("refuses to finish while values are sealed under a key it is not given, and says which", async () => {
    const other = tempDir();
    try {
      const server = await startTestServer({ TETRI_CARD_KEY: KEY_1 }, { dataDir: other.path });
      await server.close();
      const result = await run(["src/cli.ts", "cards", "rotate-key"], { TETRI_DATA_DIR: other.path, TETRI_CARD_KEY: KEY_2 });
      assert.equal(result.code, 1, result.stdout);
      // The three shared keys and the demo merchant's Paymentz secure key.
      assert.match(result.stderr, new RegExp(`^tetri: 4 under key ${KEY_1_ID}: sealed under a key that is neither TETRI_CARD_KEY nor in TETRI_CARD_KEYS_RETIRED`));
    } finally {
      other.remove();
    }
  });

  it("a wrong command line exits 2; a bad retired key stops it with a one-line reason that does not repeat the key", async () => {
    const usage = await run(["src/cli.ts", "cards", "rotate-key", "--batch-size", "0"], { TETRI_DATA_DIR: dir.path });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^tetri: --batch-size must be a whole number/);
    const unknown = await run(["src/cli.ts", "cards", "spin"], { TETRI_DATA_DIR: dir.path });
    assert.equal(unknown.code, 2);
    const bad = await run(["src/cli.ts", "cards", "rotate-key"], { TETRI_DATA_DIR: dir.path, TETRI_CARD_KEY: KEY_2, TETRI_CARD_KEYS_RETIRED: `${KEY_1},c2hvcnQ=` });
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, "tetri: TETRI_CARD_KEYS_RETIRED: key 2 must be 32 bytes in base64 (openssl rand -base64 32)\n");
    const same = await run(["src/cli.ts", "cards", "rotate-key"], { TETRI_DATA_DIR: dir.path, TETRI_CARD_KEY: KEY_2, TETRI_CARD_KEYS_RETIRED: KEY_2 });
    assert.equal(same.code, 1);
    assert.match(same.stderr, /key 1 is TETRI_CARD_KEY itself/);
    assert.ok(!same.stderr.includes(KEY_2));
  });
});
