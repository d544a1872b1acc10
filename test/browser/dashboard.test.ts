// The merchant dashboard in a real browser (Debian's Chromium): a merchant signs in, finds an
// order by search, refunds part of it and sees its timeline grow; another merchant cannot open
// that order by its URL; the dashboard speaks Georgian; it works by keyboard, every control
// has a label, and nothing loads from elsewhere. Each main page is saved as a screenshot under
// .tmp/screenshots/ for a person to look at.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium, screenshot, watch } from "../helpers/browser.ts";
import { OPERATOR_ENV } from "../helpers/dashboard.ts";
import { addMerchant, orderBody, purchaseOf } from "../helpers/fixtures.ts";
import type { MerchantCredentials } from "../helpers/fixtures.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { Receiver } from "../helpers/receiver.ts";
import type { ShopClient } from "../helpers/shop.ts";
import { eventually } from "../helpers/wait.ts";

type Language = "en" | "ka";

const LABELS: Record<Language, { account: string; secret: string; signIn: string }> = {
  en: { account: "Client ID or operator name", secret: "Client secret or password", signIn: "Sign in" },
  ka: { account: "Client ID ან ოპერატორის სახელი", secret: "Client secret ან პაროლი", signIn: "შესვლა" },
};

describe("merchant dashboard in Chromium", () => {
  let server: TestServer;
  let receiver: Receiver;
  let browser: Browser;
  let other: MerchantCredentials;
  const contexts: BrowserContext[] = [];
  const orders: string[] = [];

  before(async () => {
    // The browser first: when it cannot start, nothing else is left running to hold the test open.
    browser = await launchChromium();
    [server, receiver] = await Promise.all([startTestServer(OPERATOR_ENV), startReceiver()]);
    other = addMerchant(server, "Other shop");
    // A little history for the overview: paid, declined for two reasons, one pre-authorized.
    const cards = ["4242424242424242", "5555555555554444", "4000000000009995", "4242424242424242", "4000000000000002", "4242424242424242"];
    for (const [i, card] of cards.entries()) {
      const id = await server.createOrder(orderBody({ external_order_id: `history-${i}`, purchase_units: purchaseOf(10 + i * 5) }, receiver.url));
      await server.pay(id, { card_number: card });
      orders.push(id);
    }
    const held = await server.createOrder(orderBody({ external_order_id: "history-held", capture: "manual" }, receiver.url));
    await server.pay(held);
  });
  after(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await receiver?.close();
    await server?.close();
  });

  async function newPage(language: Language = "en"): Promise<Page> {
    const context = await browser.newContext({
      locale: language === "ka" ? "ka-GE" : "en-US",
      extraHTTPHeaders: { "accept-language": language === "ka" ? "ka-GE,ka;q=0.9" : "en-US,en;q=0.9" },
      viewport: { width: 1280, height: 900 },
    });
    contexts.push(context);
    context.setDefaultTimeout(5_000);
    return context.newPage();
  }

  async function signIn(page: Page, merchant: MerchantCredentials, language: Language = "en") {
    const labels = LABELS[language];
    await page.getByLabel(labels.account).fill(merchant.clientId);
    await page.getByLabel(labels.secret).fill(merchant.clientSecret);
    await page.getByRole("button", { name: labels.signIn, exact: true }).click();
    await page.waitForURL((url) => !url.pathname.endsWith("/sign-in"));
  }

  async function createPaidOrder(shop: ShopClient, externalId: string): Promise<string> {
    const id = await shop.createOrder(orderBody({ external_order_id: externalId }, receiver.url));
    assert.equal((await shop.pay(id)).status, 200);
    return id;
  }

  it("a merchant signs in, finds an order by search, refunds it in part, and sees the timeline update", async () => {
    const id = await createPaidOrder(server, "find-me-7");
    const page = await newPage();
    await page.goto(`${server.url}/dashboard`);
    await page.waitForURL(`${server.url}/dashboard/sign-in`);
    assert.ok(await page.getByRole("heading", { name: "Sign in to the tetri dashboard" }).isVisible());
    await screenshot(page, "sign-in-en");

    await signIn(page, server.merchant);
    assert.equal(new URL(page.url()).pathname, "/dashboard/overview");
    assert.ok(await page.getByRole("heading", { name: "Overview", level: 1 }).isVisible());
    assert.ok(await page.getByRole("img", { name: /Captured volume per day \(GEL\)/ }).isVisible());
    assert.ok(await page.getByRole("img", { name: "Declines by reason" }).isVisible());
    // Six payments approved (one of them pre-authorized), two declined.
    assert.equal((await page.locator(".tile", { hasText: "Approval rate" }).locator(".tile-value").innerText()).trim(), "75.0%");
    await screenshot(page, "overview-en");

    await page.getByRole("link", { name: "Orders", exact: true }).click();
    await page.getByLabel("Search").fill("find-me-7");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/q=find-me-7/);
    const rows = page.locator("table.orders tbody tr");
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /find-me-7[\s\S]*Paid[\s\S]*25\.50 GEL[\s\S]*424242\*{6}4242/);
    await screenshot(page, "orders-en");

    await page.getByRole("link", { name: `Order ${id}` }).click();
    await page.waitForURL(`${server.url}/dashboard/orders/${id}`);
    await eventually(async () => ((await page.reload(), await page.getByText("HTTP 200").count()) === 1 ? true : undefined), { what: "the payment's callback on the timeline" });
    await screenshot(page, "order-en");

    await page.getByLabel("Refund (GEL)").fill("5");
    await page.getByRole("button", { name: "Refund", exact: true }).click();
    assert.ok(await page.getByText("Refund 5.00 GEL of order find-me-7?").isVisible());
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.waitForURL(/\?done=/);
    assert.equal((await page.getByRole("status").first().innerText()).trim(), "Refund 5.00 GEL: Done.");
    const timeline = page.locator("ol.timeline li");
    assert.ok(await timeline.filter({ hasText: "Refund 5.00 GEL: completed · by the dashboard" }).isVisible());
    assert.match(await page.locator(".facts div", { hasText: "Left to refund" }).innerText(), /20\.50 GEL/);
    // The refund's callback arrives, and its delivery joins the timeline.
    await eventually(async () => ((await page.reload(), await page.getByText("HTTP 200").count()) === 2 ? true : undefined), { what: "the refund's callback on the timeline" });
    assert.equal(await timeline.filter({ hasText: "Callback queued" }).count(), 2);
    await screenshot(page, "order-refunded-en");
    assert.equal((await server.receipt(id)).purchase_units.refund_amount, "5.0");

    await page.getByRole("link", { name: "Settings" }).click();
    assert.ok(await page.getByRole("heading", { name: "Callback public key" }).isVisible());
    await screenshot(page, "settings-en");
  });

  it("another merchant opening that order's URL gets the same 'not found' as for an order that does not exist", async () => {
    const id = await createPaidOrder(server, "not-yours-1");
    const page = await newPage();
    await page.goto(`${server.url}/dashboard/sign-in`);
    await signIn(page, other);
    const response = await page.goto(`${server.url}/dashboard/orders/${id}`);
    assert.equal(response?.status(), 404);
    assert.ok(await page.getByRole("heading", { name: "Not found" }).isVisible());
    assert.equal(await page.getByText("not-yours-1").count(), 0);
    await screenshot(page, "not-found-en");
    const refund = await page.goto(`${server.url}/dashboard/orders/${id}/confirm?action=refund&amount=1`);
    assert.equal(refund?.status(), 404);
    await page.goto(`${server.url}/dashboard/orders?q=${id}`);
    assert.ok(await page.getByText("No orders match.").isVisible());
  });

  it("speaks Georgian, from the browser's language or by the switch, and back", async () => {
    const page = await newPage("ka");
    await page.goto(`${server.url}/dashboard`);
    assert.equal(await page.locator("html").getAttribute("lang"), "ka");
    assert.ok(await page.getByRole("heading", { name: "tetri-ს მართვის პანელში შესვლა" }).isVisible());
    await screenshot(page, "sign-in-ka");
    await signIn(page, server.merchant, "ka");
    assert.ok(await page.getByRole("heading", { name: "მიმოხილვა", level: 1 }).isVisible());
    assert.ok(await page.getByText("დადასტურების წილი").isVisible());
    await screenshot(page, "overview-ka");
    await page.getByRole("link", { name: "შეკვეთები", exact: true }).click();
    assert.ok(await page.getByRole("heading", { name: "შეკვეთები", level: 1 }).isVisible());
    assert.ok(await page.getByLabel("ძიება").isVisible());
    await screenshot(page, "orders-ka");
    await page.goto(`${server.url}/dashboard/orders/${orders[0]}`);
    assert.ok(await page.getByRole("heading", { name: "ქრონოლოგია" }).isVisible());
    assert.ok(await page.getByLabel("თანხის დაბრუნება (GEL)").isVisible());
    await screenshot(page, "order-ka");
    await page.getByRole("link", { name: "პარამეტრები" }).click();
    await screenshot(page, "settings-ka");

    await page.getByRole("link", { name: "English" }).click();
    await page.waitForURL(`${server.url}/dashboard/settings`);
    assert.equal(await page.locator("html").getAttribute("lang"), "en");
    assert.ok(await page.getByRole("heading", { name: "Settings", level: 1 }).isVisible());
  });

  it("works by keyboard alone, labels every control, keeps a strict CSP and loads nothing from elsewhere", async () => {
    const page = await newPage();
    const { requested, problems } = watch(page);
    await page.goto(`${server.url}/dashboard/sign-in`);

    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
    const focusedId = () => page.evaluate(() => document.activeElement?.id ?? "");
    for (let i = 0; i < 10 && (await focusedId()) !== "account"; i++) await page.keyboard.press("Tab");
    await page.keyboard.type(server.merchant.clientId);
    await page.keyboard.press("Tab");
    assert.equal(await focusedId(), "secret");
    await page.keyboard.type(server.merchant.clientSecret);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${server.url}/dashboard/overview`);

    for (const path of ["/dashboard/overview", "/dashboard/orders", `/dashboard/orders/${orders[0]}`, "/dashboard/settings"]) {
      const response = await page.goto(`${server.url}${path}`);
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll("input:not([type=hidden]), select, button")]
          .filter((el) => {
            const control = el as HTMLInputElement;
            const named = (control.labels?.length ?? 0) > 0 || control.getAttribute("aria-label") || (el.tagName === "BUTTON" && el.textContent?.trim());
            return !named;
          })
          .map((el) => el.outerHTML),
      );
      assert.deepEqual(unlabelled, [], path);
      assert.equal(await page.locator("script, style, [style]").count(), 0, path);
      const csp = response?.headers()["content-security-policy"] ?? "";
      assert.match(csp, /^default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'$/, path);
    }
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, "rgb(243, 245, 248)", "the stylesheets are allowed and applied");
    assert.deepEqual(requested.filter((url) => new URL(url).origin !== server.url), []);
    assert.deepEqual(problems, []);
  });
});
