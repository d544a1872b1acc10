// The dialect conformance suite: the same payment story, told once per registered dialect in
// its bank's wire format: token, create, pay, read, refund, pre-authorization, callback,
// isolation between merchants, errors. A dialect that is registered but has no driver fails.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DIALECTS } from "../../src/dialects/registry.ts";
import { startTwoMerchantServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { ShopClient } from "../helpers/shop.ts";
import { eventually } from "../helpers/wait.ts";
import { DRIVERS } from "./drivers.ts";
import type { DialectDriver, DialectSession } from "./drivers.ts";

it("every registered dialect has a conformance driver", () => {
  assert.deepEqual(DRIVERS.map((d) => d.id).sort(), DIALECTS.map((d) => d.id).sort());
});

for (const driver of DRIVERS) runConformance(driver);

function runConformance(driver: DialectDriver) {
  describe(`dialect conformance: ${driver.id}`, () => {
    let server: TestServer;
    let shopB: ShopClient;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let a: DialectSession;
    let b: DialectSession;
    const order = (amount: string, capture: "automatic" | "manual" = "automatic") => ({ amount, capture, callbackUrl: receiver.url });
    const stateOf = async (session: DialectSession, id: string) => {
      const response = await session.read(id);
      assert.equal(response.status, 200, response.text);
      return session.reading(response);
    };
    const paid = async (amount: string, capture: "automatic" | "manual" = "automatic") => {
      const { id } = await a.createOrder(order(amount, capture));
      const payment = await a.pay(id, "4242424242424242");
      assert.equal(payment.status, 200, payment.text);
      return id;
    };

    before(async () => {
      ({ server, shopB } = await startTwoMerchantServer());
      receiver = await startReceiver();
      a = driver.session(server);
      b = driver.session(shopB);
    });
    after(async () => {
      await server.close();
      await receiver.close();
    });

    it("a created order reads as created with its exact amount, and its payment page is tetri's hosted page", async () => {
      const { id, paymentPage } = await a.createOrder(order("12.34"));
      assert.deepEqual(await stateOf(a, id), { state: "created", amount: 1234, captured: 0, refunded: 0 });
      const page = await fetch(paymentPage);
      assert.equal(page.status, 200);
      assert.match(String(page.headers.get("content-type")), /^text\/html/);
      assert.match(await page.text(), /12\.34/);
    });

    it("paying captures the whole amount, and one callback names the order (signed where the dialect signs)", async () => {
      const id = await paid("25.50");
      assert.deepEqual(await stateOf(a, id), { state: "paid", amount: 2550, captured: 2550, refunded: 0 });
      const callback = await eventually(() => receiver.received.find((c) => driver.names(c, id)), { what: "the order's callback" });
      assert.notEqual(driver.verifies(callback, await server.callbackPublicKey()), false, "the callback's signature verifies");
    });

    it("a declined card leaves the order declined with nothing captured", async () => {
      const { id } = await a.createOrder(order("5.00"));
      assert.equal((await a.pay(id, "4000000000009995")).status, 200);
      assert.deepEqual(await stateOf(a, id), { state: "declined", amount: 500, captured: 0, refunded: 0 });
    });

    it("refunds: a part, then the rest; nothing beyond what was paid", async () => {
      const id = await paid("10.00");
      assert.equal((await a.refund(id, "2.50")).status, 200);
      assert.deepEqual(await stateOf(a, id), { state: "partially_refunded", amount: 1000, captured: 1000, refunded: 250 });
      driver.assertError(await a.refund(id, "7.51"), 400);
      assert.equal((await a.refund(id, "7.50")).status, 200);
      assert.deepEqual(await stateOf(a, id), { state: "refunded", amount: 1000, captured: 1000, refunded: 1000 });
      driver.assertError(await a.refund(id, "0.01"), 400);
    });

    it("a pre-authorization is held, then captured in part; another is released", async () => {
      const held = await paid("50.00", "manual");
      assert.deepEqual(await stateOf(a, held), { state: "authorized", amount: 5000, captured: 0, refunded: 0 });
      driver.assertError(await a.capture(held, "50.01"), 400);
      assert.equal((await a.capture(held, "30.00")).status, 200);
      assert.deepEqual(await stateOf(a, held), { state: "paid", amount: 5000, captured: 3000, refunded: 0 });

      const released = await paid("20.00", "manual");
      assert.equal((await a.void(released)).status, 200);
      assert.deepEqual(await stateOf(a, released), { state: "voided", amount: 2000, captured: 0, refunded: 0 });
      driver.assertError(await a.capture(released), 400);
    });

    it("another merchant's order is not found, exactly as an unknown one, on every call", async () => {
      const id = await paid("3.00");
      const unknown = (await b.createOrder(order("1.00"))).id.replace(/[0-9a-f]$/, (c) => (c === "0" ? "1" : "0"));
      const calls = [(x: string) => b.read(x), (x: string) => b.refund(x, "1.00"), (x: string) => b.capture(x), (x: string) => b.void(x)];
      for (const call of calls) {
        const theirs = await call(id);
        const nobodys = await call(unknown);
        driver.assertError(theirs, 404);
        driver.assertError(nobodys, 404);
        assert.deepEqual(theirs.json, nobodys.json, "the same answer: nothing tells the two apart");
      }
      // The test helper is tetri's own route: its 404 is tetri's shape, the same for both.
      const [theirs, nobodys] = [await b.pay(id, "4242424242424242"), await b.pay(unknown, "4242424242424242")];
      assert.deepEqual([theirs.status, theirs.json], [404, nobodys.json]);
      assert.deepEqual(await stateOf(a, id), { state: "paid", amount: 300, captured: 300, refunded: 0 }, "and nothing happened to it");
    });

    it("bad input is a 400 in the dialect's shape and creates nothing; no credentials is a 401", async () => {
      for (const amount of ["-1.00", "0", "1.234", "abc", "1e3"]) driver.assertError(await a.tryCreateOrder(order(amount)), 400);
      const anonymous = a.anonymous();
      driver.assertError(await anonymous.tryCreateOrder(order("1.00")), 401);
      const { id } = await a.createOrder(order("1.00"));
      driver.assertError(await anonymous.read(id), 401);
      driver.assertError(await anonymous.refund(id), 401);
    });
  });
}
