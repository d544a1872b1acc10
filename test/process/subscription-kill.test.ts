// Subscriptions survive SIGKILL: a gateway is killed at a random moment while its scheduler
// charges new subscriptions (each due at once), started again on the same data directory, and
// killed again; in the end every subscription was charged for its first period exactly once
// (or, if a kill fell before the acquirer saw the charge, declined as a technical error and
// due again tomorrow), and never twice. Read at the HTTP level, as the shop sees it.

import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { after, describe, it } from "node:test";
import { orderBody, tempDir } from "../helpers/fixtures.ts";
import { eventually, sleep } from "../helpers/wait.ts";
import { stopAll, TetriProcess } from "./tetri-process.ts";

const ROUNDS = 3;
const PER_ROUND = 15;
// Short acquirer timeouts keep the leases of a killed process's claims (2 × timeout + 1 s) short.
const ENV = { TETRI_SWEEP_INTERVAL_MS: "20", TETRI_ACQUIRER_TIMEOUT_MS: "300" };

type Subscription = { id: string; next_charge_at: string | null; status: string; charges: Array<{ order_id: string; period: number; retry: number }> };

describe("subscriptions across SIGKILL", { timeout: 240_000 }, () => {
  const dir = tempDir();
  after(async () => {
    await stopAll();
    dir.remove();
  });

  it("kills mid-charge never charge a subscription's period twice; every one is charged once or due again", async () => {
    let tetri = await TetriProcess.start({ dataDir: dir.path, env: ENV });
    const parent = await tetri.shop.createOrder(orderBody());
    assert.equal((await tetri.shop.request("PUT", `/payments/v1/orders/${parent}/subscriptions`)).status, 202);
    assert.equal((await tetri.shop.pay(parent)).json.outcome, "approved");

    for (let round = 0; round < ROUNDS; round++) {
      const shop = tetri.shop;
      const creating = (async () => {
        for (let i = 0; i < PER_ROUND; i++) {
          const created = await shop
            .request("POST", "/tetri/v1/subscriptions", { body: { order_id: parent, amount: 1 + round, interval: "monthly" } })
            .catch(() => undefined);
          if (!created) return; // the process is gone
        }
      })();
      await sleep(randomInt(20, 250));
      await tetri.kill("SIGKILL");
      await creating;
      tetri = await TetriProcess.start({ dataDir: dir.path, env: ENV });
    }

    const shop = tetri.shop;
    const statusOf = async (orderId: string) => ((await shop.receipt(orderId)).order_status as { key: string }).key;
    const settled = await eventually(
      async () => {
        const { subscriptions } = (await shop.request("GET", "/tetri/v1/subscriptions?limit=100")).json as { subscriptions: Subscription[] };
        for (const s of subscriptions) {
          // Settled: charged, every charge's order final, and the schedule moved past today.
          if (s.charges.length === 0 || s.next_charge_at === null || Date.parse(s.next_charge_at) <= Date.now()) return undefined;
          for (const c of s.charges) if (!["completed", "rejected"].includes(await statusOf(c.order_id))) return undefined;
        }
        return subscriptions;
      },
      { timeoutMs: 60_000, what: "every subscription settled" },
    );
    assert.ok(settled.length > 0, "subscriptions were created before the kills");

    let charged = 0;
    for (const s of settled) {
      const outcomes = await Promise.all(s.charges.map(async (c) => ({ ...c, status: await statusOf(c.order_id), receipt: await shop.receipt(c.order_id) })));
      const approved = outcomes.filter((o) => o.status === "completed");
      assert.ok(approved.length <= 1, `${s.id} charged ${approved.length} times: ${JSON.stringify(outcomes.map((o) => o.order_id))}`);
      assert.ok(outcomes.every((o) => o.period === 0), "only the first period was due");
      if (approved.length === 1) {
        charged++;
        assert.equal(s.charges.length, 1, "an approved first try has no retry");
      } else {
        // The kill fell before the acquirer saw the charge: a technical decline, tried again tomorrow.
        assert.deepEqual(outcomes.map((o) => o.receipt.payment_detail.code), ["109"], JSON.stringify(outcomes.map((o) => o.receipt.payment_detail)));
        assert.equal(s.status, "active");
      }
    }
    assert.ok(charged > 0, "some subscriptions were charged");
  });
});
