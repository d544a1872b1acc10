// Apple Pay from the merchant's own page, in a real browser: the shop's page shows its Apple Pay
// button, the buyer presses it, the (simulated, test-mode) wallet hands the shop a token, and
// the shop's server passes it to tetri's accept link. The buyer never visits tetri's page.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium } from "../helpers/browser.ts";
import { applePayTestToken } from "../helpers/fixtures.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";

/** The shop: /product creates an Apple Pay order at tetri and shows the button; /apple-pay hands the device's token to tetri. */
async function startShop(tetri: TestServer) {
  const server = createServer((req, res) => {
    const page = (body: string) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><title>shop</title>${body}`);
    void (async () => {
      if (req.method === "GET" && req.url === "/product") {
        const created = await tetri.request("POST", "/payments/v1/ecommerce/orders", {
          body: {
            callback_url: "https://shop.example/cb",
            payment_method: ["apple_pay"],
            config: { apple_pay: { external: true } },
            application_type: "web",
            purchase_units: { currency: "GEL", total_amount: 7.2, basket: [{ product_id: "tea", quantity: 1, unit_price: 7.2 }] },
          },
        });
        const { id, result } = created.json;
        page(`<h1>Georgian tea, ${result.total.amount} ${result.currencyCode}</h1>
<form method="post" action="/apple-pay"><input type="hidden" name="order" value="${id}"><button>Pay with Apple Pay</button></form>`);
        return;
      }
      if (req.method === "POST" && req.url === "/apple-pay") {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const order = new URLSearchParams(Buffer.concat(chunks).toString()).get("order") ?? "";
        // What the device gives the page after Face ID, in tetri's test-mode form.
        const token = applePayTestToken({ pan: "4242424242424242", amount: 720 });
        const paid = await tetri.request("POST", `/payments/v1/ecommerce/orders/${order}/payment`, { body: { apple_pay_token: token } });
        page(`<h1 id="result">${paid.json.status}</h1><p id="method">${paid.json.order_details.payment_detail.transfer_method.key}</p>`);
        return;
      }
      res.writeHead(404).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("Apple Pay from the merchant's page, in Chromium", () => {
  let tetri: TestServer;
  let shop: Awaited<ReturnType<typeof startShop>>;
  let browser: Browser;
  before(async () => {
    // The browser first: when it cannot start, nothing else is left running to hold the test open.
    browser = await launchChromium();
    tetri = await startTestServer();
    shop = await startShop(tetri);
  });
  after(async () => {
    await browser?.close();
    await shop?.close();
    await tetri?.close();
  });

  it("the buyer presses the shop's Apple Pay button and the order is paid through the accept link", async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${shop.origin}/product`);
      assert.equal(await page.getByRole("heading").innerText(), "Georgian tea, 7.20 GEL");
      await page.getByRole("button", { name: "Pay with Apple Pay" }).click();
      await page.locator("#result").waitFor();
      assert.equal(await page.locator("#result").innerText(), "completed");
      assert.equal(await page.locator("#method").innerText(), "apple_pay");
    } finally {
      await context.close();
    }
  });
});
