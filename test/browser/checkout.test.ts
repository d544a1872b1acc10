// The hosted payment page in a real browser (Debian's Chromium via playwright-core): a buyer
// opens the link the shop got from the BOG API, types a card, and ends at the shop's
// success or fail URL (or tetri's own result page). Fields are found by their visible
// labels, as a buyer (or a screen reader) finds them.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium, watch } from "../helpers/browser.ts";
import { orderBody } from "../helpers/fixtures.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { csrfTokenOf } from "../helpers/hosted-page.ts";

const FUTURE_EXPIRY = `12/${String((new Date().getUTCFullYear() + 5) % 100).padStart(2, "0")}`;

type Labels = { number: string; expiry: string; cvc: string; holder: string; pay: RegExp };
const EN: Labels = { number: "Card number", expiry: "Expiry date (MM/YY)", cvc: "CVC", holder: "Cardholder name", pay: /^Pay 25\.50 GEL$/ };
const KA: Labels = { number: "ბარათის ნომერი", expiry: "მოქმედების ვადა", cvc: "CVC", holder: "ბარათის მფლობელი", pay: /^გადახდა 25\.50 GEL$/ };
const RU: Labels = { number: "Номер карты", expiry: "Срок действия (ММ/ГГ)", cvc: "CVC", holder: "Имя владельца карты", pay: /^Оплатить 25\.50 GEL$/ };

/** The shop's side: plain pages at /success and /fail that remember they were visited. */
async function startShop() {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? "");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end("<!doctype html><title>shop</title><h1>Thank you</h1>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("hosted payment page in Chromium", () => {
  let server: TestServer;
  let shop: Awaited<ReturnType<typeof startShop>>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    // The browser first: when it cannot start, nothing else is left running to hold the test open.
    browser = await launchChromium();
    [server, shop] = await Promise.all([startTestServer(), startShop()]);
  });
  after(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await shop?.close();
    await server?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ locale: "en-US" });
    contexts.push(context);
    context.setDefaultTimeout(5_000);
    return context.newPage();
  }

  const withRedirects = (tag: string, overrides: Record<string, unknown> = {}) =>
    orderBody({
      redirect_urls: { success: `${shop.origin}/success?tag=${tag}`, fail: `${shop.origin}/fail?tag=${tag}` },
      ...overrides,
    });

  /** Creates an order as a shop does and returns the link the buyer is sent to. */
  async function createOrder(body: Record<string, unknown>, language: "en" | "ka", headers: Record<string, string> = {}): Promise<{ id: string; href: string }> {
    const response = await server.request("POST", "/payments/v1/ecommerce/orders", { body, headers: { "accept-language": language, ...headers } });
    assert.equal(response.status, 200, response.text);
    const href = response.json._links.redirect.href as string;
    assert.ok(href.startsWith(`${server.url}/?order_id=`), href);
    return { id: response.json.id as string, href };
  }

  async function fillCard(page: Page, labels: Labels, number: string, expiry = FUTURE_EXPIRY) {
    await page.getByLabel(labels.number).fill(number);
    await page.getByLabel(labels.expiry).fill(expiry);
    await page.getByLabel(labels.cvc).fill("123");
    await page.getByLabel(labels.holder).fill("Nino Beridze");
  }

  async function pay(page: Page, labels: Labels, number: string) {
    await fillCard(page, labels, number);
    await page.getByRole("button", { name: labels.pay }).click();
  }

  /** A new order (as createOrder) with its hosted page open in a new tab. */
  async function openCheckout(body: Record<string, unknown>, language: "en" | "ka", headers: Record<string, string> = {}) {
    const [{ id, href }, page] = await Promise.all([createOrder(body, language, headers), newPage()]);
    const response = await page.goto(href);
    return { id, href, page, response };
  }

  /** The order's receipt, once its status (and its payment code, when given) is checked. */
  async function receiptIs(id: string, status: string, code?: string) {
    const receipt = await server.receipt(id);
    assert.equal(receipt.order_status.key, status);
    if (code !== undefined) assert.equal(receipt.payment_detail.code, code);
    return receipt;
  }

  it("pays in English and returns to the shop's success URL", async () => {
    const { id, page, response } = await openCheckout(withRedirects("en"), "en");
    assert.equal(response?.status(), 200);
    assert.equal(await page.locator("html").getAttribute("lang"), "en");
    assert.equal(await page.title(), "Payment · tetri");
    assert.ok(await page.getByText("Demo shop", { exact: true }).isVisible());
    const line = page.getByRole("row").filter({ hasText: "Churchkhela" });
    assert.deepEqual(await line.getByRole("cell").allInnerTexts(), ["Churchkhela", "3", "8.50 GEL"]);
    const total = page.getByRole("row").filter({ hasText: "Total" });
    assert.match(await total.innerText(), /Total\s+25\.50 GEL/);
    // The other methods requested are links to their simulated pages, each marked so; the card form is here.
    const others = await page.locator(".method-links a").allInnerTexts();
    assert.deepEqual(others.map((text) => text.replace(/^Pay with | \(simulated\)$/gi, "")), ["Google Pay", "Apple Pay", "Internet bank", "Loyalty points", "Buy now, pay later", "Installment loan", "Gift card"]);

    if (process.env.TETRI_CHECKOUT_SCREENSHOT) await page.screenshot({ path: process.env.TETRI_CHECKOUT_SCREENSHOT, fullPage: true });

    await pay(page, EN, "4242 4242 4242 4242");
    await page.waitForURL(`${shop.origin}/success?tag=en`);
    assert.equal(page.url(), `${shop.origin}/success?tag=en`);
    assert.ok(shop.hits.includes("/success?tag=en"));
    const receipt = await receiptIs(id, "completed", "100");
    assert.equal(receipt.payment_detail.payer_identifier, "424242xxxxxx4242");
    assert.equal(receipt.lang, "en");
  });

  it("pays in Georgian: labels, button and texts are Georgian", async () => {
    const { id, page } = await openCheckout(withRedirects("ka"), "ka");
    assert.equal(await page.locator("html").getAttribute("lang"), "ka");
    for (const label of [KA.number, KA.expiry, KA.holder]) assert.ok(await page.getByLabel(label).isVisible(), label);
    assert.ok(await page.getByRole("heading", { name: "გადახდა", exact: true }).isVisible());
    assert.equal(await page.getByText("Card number").count(), 0);
    // The buyer can switch to English (&lang=en) and back without losing the order.
    await page.getByRole("link", { name: "English" }).click();
    await page.waitForURL(/[?&]lang=en(&|$)/);
    assert.equal(await page.locator("html").getAttribute("lang"), "en");
    assert.ok(await page.getByLabel(EN.number).isVisible());
    assert.ok(await page.getByRole("button", { name: EN.pay }).isVisible());
    await page.getByRole("link", { name: "ქართული" }).click();
    await page.waitForURL(/[?&]lang=ka(&|$)/);

    await pay(page, KA, "4242424242424242");
    await page.waitForURL(`${shop.origin}/success?tag=ka`);
    const receipt = await receiptIs(id, "completed");
    assert.equal(receipt.lang, "ka");
  });

  it("pays in Russian after the buyer switches to it; the order keeps the language it was made in", async () => {
    const { id, page } = await openCheckout(orderBody(), "en");
    await page.getByRole("link", { name: "Русский" }).click();
    await page.waitForURL(/[?&]lang=ru(&|$)/);
    assert.equal(await page.locator("html").getAttribute("lang"), "ru");
    assert.ok(await page.getByRole("heading", { name: "Оплата", exact: true }).isVisible());
    await pay(page, RU, "4000000000009995");
    await page.waitForURL((url) => url.pathname === "/receipt");
    assert.ok(await page.getByRole("heading", { name: "Оплата не прошла" }).isVisible());
    assert.equal((await page.getByRole("status").innerText()).trim(), "Недостаточно средств на карте.");
    const receipt = await receiptIs(id, "rejected", "107");
    assert.equal(receipt.lang, "en");
  });

  it("the Theme: dark header gives a dark page, through the card form and the result", async () => {
    const colours = (page: Page) =>
      page.evaluate(() => {
        const style = (selector: string) => getComputedStyle(document.querySelector(selector) as Element);
        return { page: style("body").backgroundColor, text: style("body").color, card: style("main").backgroundColor, field: style("input").backgroundColor };
      });
    const light = await openCheckout(orderBody(), "en");
    assert.equal(await light.page.locator("html").getAttribute("data-theme"), "light");
    assert.deepEqual(await colours(light.page), { page: "rgb(243, 245, 248)", text: "rgb(27, 31, 36)", card: "rgb(255, 255, 255)", field: "rgb(255, 255, 255)" });

    const { id, page } = await openCheckout(orderBody(), "en", { theme: "dark" });
    assert.equal(await page.locator("html").getAttribute("data-theme"), "dark");
    assert.deepEqual(await colours(page), { page: "rgb(15, 19, 24)", text: "rgb(232, 234, 237)", card: "rgb(26, 32, 40)", field: "rgb(26, 32, 40)" });
    if (process.env.TETRI_CHECKOUT_SCREENSHOT) await page.screenshot({ path: process.env.TETRI_CHECKOUT_SCREENSHOT.replace(/(\.png)?$/, "-dark.png"), fullPage: true });
    await pay(page, EN, "4242424242424242");
    await page.waitForURL((url) => url.pathname === "/receipt");
    assert.equal(await page.locator("html").getAttribute("data-theme"), "dark");
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), "rgb(15, 19, 24)");
    await receiptIs(id, "completed", "100");
  });

  it("a declined card without redirect URLs lands on tetri's result page", async () => {
    const { id, page } = await openCheckout(orderBody(), "en");
    await pay(page, EN, "4000000000009995");
    await page.waitForURL((url) => url.pathname === "/receipt");
    assert.equal(new URL(page.url()).origin, server.url);
    assert.ok(await page.getByRole("heading", { name: "Payment failed" }).isVisible());
    assert.equal((await page.getByRole("status").innerText()).trim(), "Insufficient funds on the card.");
    assert.equal(await page.getByRole("button", { name: /^Pay/ }).count(), 0);
    await receiptIs(id, "rejected", "107");
  });

  it("3-D Secure: completing the challenge pays and returns to the success URL", async () => {
    const { id, page } = await openCheckout(withRedirects("3ds-ok"), "en");
    await pay(page, EN, "4000000000003220");
    await page.waitForURL((url) => url.pathname === "/checkout/3ds");
    assert.ok(await page.getByRole("heading", { name: "3-D Secure" }).isVisible());
    assert.ok(await page.getByText("Demo shop").isVisible());
    assert.ok(await page.getByText("25.50 GEL").isVisible());
    assert.ok(await page.getByText("400000******3220").isVisible());
    await receiptIs(id, "processing");
    await page.getByRole("button", { name: "Complete" }).click();
    await page.waitForURL(`${shop.origin}/success?tag=3ds-ok`);
    await receiptIs(id, "completed", "100");
  });

  it("3-D Secure in Georgian: failing the challenge returns to the fail URL, code 108", async () => {
    const { id, page } = await openCheckout(withRedirects("3ds-fail"), "ka");
    await pay(page, KA, "4000000000003220");
    await page.waitForURL((url) => url.pathname === "/checkout/3ds");
    assert.ok(await page.getByRole("button", { name: "დასრულება" }).isVisible());
    await page.getByRole("button", { name: "უარყოფა" }).click();
    await page.waitForURL(`${shop.origin}/fail?tag=3ds-fail`);
    await receiptIs(id, "rejected", "108");
  });

  it("a generic decline returns to the shop's fail URL", async () => {
    const { id, page } = await openCheckout(withRedirects("issuer"), "en");
    await pay(page, EN, "4000000000000002");
    await page.waitForURL(`${shop.origin}/fail?tag=issuer`);
    await receiptIs(id, "rejected", "112");
  });

  it("a Luhn-invalid number is rejected beside the field, without an attempt; fixing it pays", async () => {
    const { id, page } = await openCheckout(withRedirects("luhn"), "en");
    await fillCard(page, EN, "4242 4242 4242 4241");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${server.url}/checkout/pay`),
      page.getByRole("button", { name: EN.pay }).click(),
    ]);
    assert.equal(response.status(), 422);
    await page.getByRole("alert").waitFor(); // the answer page, not the old form
    assert.equal(new URL(page.url()).origin, server.url);
    assert.equal((await page.getByRole("alert").innerText()).trim(), "Please correct the highlighted fields.");

    const number = page.getByLabel(EN.number);
    assert.equal(await number.getAttribute("aria-invalid"), "true");
    const describedBy = await number.getAttribute("aria-describedby");
    assert.ok(describedBy);
    const error = page.locator(`[id="${describedBy}"]`);
    assert.equal((await error.innerText()).trim(), "This card number is not valid");
    // The message sits right under the field it is about.
    const [fieldBox, errorBox] = await Promise.all([number.boundingBox(), error.boundingBox()]);
    assert.ok(fieldBox && errorBox && errorBox.y >= fieldBox.y + fieldBox.height && errorBox.y - (fieldBox.y + fieldBox.height) < 20);
    // Other fields are fine and keep what was typed, except the card number and CVC, which are never echoed.
    assert.equal(await page.getByLabel(EN.expiry).getAttribute("aria-invalid"), null);
    assert.equal(await page.getByLabel(EN.expiry).inputValue(), FUTURE_EXPIRY);
    assert.equal(await page.getByLabel(EN.holder).inputValue(), "Nino Beridze");
    assert.equal(await number.inputValue(), "");
    assert.equal(await page.getByLabel(EN.cvc).inputValue(), "");
    assert.equal((await page.content()).includes("4241"), false);

    const receipt = await receiptIs(id, "created");
    assert.equal(receipt.payment_detail.transaction_id, null);
    assert.equal(receipt.payment_detail.payer_identifier, null);

    await pay(page, EN, "4242424242424242");
    await page.waitForURL(`${shop.origin}/success?tag=luhn`);
    await receiptIs(id, "completed");
  });

  it("an already paid order says so, has no Pay button, and its old form cannot pay twice", async () => {
    // Two tabs open the payment form; a third tab of the same browser pays first.
    const [{ id, href }, stale] = await Promise.all([createOrder(withRedirects("twice"), "en"), newPage()]);
    const staleTypo = await stale.context().newPage();
    const other = await stale.context().newPage();
    // One tab first: it sets the browser's CSRF cookie, which the others then share (tabs
    // that load at the very same moment each get a cookie of their own, and all but the last
    // are answered with a fresh form, as when the cookie is gone: tested below).
    await other.goto(href);
    await Promise.all([stale.goto(href), staleTypo.goto(href)]);
    await pay(other, EN, "4242424242424242");
    await other.waitForURL(`${shop.origin}/success?tag=twice`);
    const paid = await server.receipt(id);
    assert.equal(paid.order_status.key, "completed");

    await other.goto(href);
    assert.ok(await other.getByRole("heading", { name: "Payment successful" }).isVisible());
    assert.ok(await other.getByText("This order is already paid.").isVisible());
    assert.equal(await other.getByRole("button").count(), 0);
    assert.equal(await other.getByLabel(EN.number).count(), 0);
    assert.equal(await other.getByRole("link", { name: "Back to the shop" }).getAttribute("href"), `${shop.origin}/success?tag=twice`);

    // An old form with a mistyped number does not bring the card form back for a paid order.
    await staleTypo.bringToFront();
    await pay(staleTypo, EN, "4242424242424241");
    await staleTypo.waitForURL(`${server.url}/?order_id=${id}&lang=en`);
    await staleTypo.getByText("This order is already paid.").waitFor();
    assert.equal(await staleTypo.getByLabel(EN.number).count(), 0);

    // An old form with another good card changes nothing either.
    await stale.bringToFront();
    await pay(stale, EN, "5555555555554444");
    await stale.waitForURL(`${server.url}/?order_id=${id}&lang=en`);
    await stale.getByText("This order is already paid.").waitFor();
    const later = await server.receipt(id);
    assert.equal(later.order_status.key, "completed");
    assert.equal(later.payment_detail.transaction_id, paid.payment_detail.transaction_id);
    assert.equal(later.payment_detail.payer_identifier, "424242xxxxxx4242");
    assert.equal(later.purchase_units.transfer_amount, "25.5");
  });

  it("sends a strict Content-Security-Policy and loads nothing from third parties", async () => {
    const [{ href }, page] = await Promise.all([createOrder(withRedirects("csp"), "en"), newPage()]);
    const { requested, problems } = watch(page);

    const response = await page.goto(href);
    const csp = response?.headers()["content-security-policy"] ?? "";
    const directives = new Map(
      csp.split(";").map((d) => {
        const [name = "", ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    assert.deepEqual(directives.get("default-src"), ["'none'"], csp);
    assert.ok(!/unsafe-(inline|eval|hashes)/.test(csp), csp);
    assert.equal(directives.has("script-src"), false, csp);
    assert.deepEqual(directives.get("style-src"), ["'self'"], csp);
    assert.deepEqual(directives.get("frame-ancestors"), ["'none'"], csp);
    assert.deepEqual(directives.get("form-action"), ["'self'", shop.origin], csp);
    assert.equal(response?.headers()["x-frame-options"], "DENY");
    assert.equal(response?.headers()["cache-control"], "no-store");
    // No script, no inline style, no style attribute on the page at all.
    assert.equal(await page.locator("script, style, [style]").count(), 0);
    // The stylesheet is allowed and applied.
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, "rgb(243, 245, 248)");

    await pay(page, EN, "4242424242424242");
    await page.waitForURL(`${shop.origin}/success?tag=csp`);
    assert.ok(requested.some((url) => url === `${server.url}/checkout/assets/checkout.css`));
    const allowed = new Set([server.url, shop.origin]);
    const foreign = requested.filter((url) => !allowed.has(new URL(url).origin));
    assert.deepEqual(foreign, []);
    assert.deepEqual(problems, []);
  });

  it("a form POST without the CSRF cookie is refused with 403 and pays nothing", async () => {
    const { id, href } = await createOrder(withRedirects("csrf"), "en");
    // Take a real form token from the page, as an attacker who saw the page could.
    const page = await fetch(href);
    const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    assert.match(cookie, /^tetri_csrf=[A-Za-z0-9_-]{43}$/);
    const token = csrfTokenOf(await page.text());
    assert.ok(token);
    const form = new URLSearchParams({
      order_id: id,
      csrf: token,
      lang: "en",
      card_number: "4242424242424242",
      expiry: FUTURE_EXPIRY,
      cvc: "123",
      cardholder: "Nino Beridze",
    }).toString();
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/checkout/pay`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: form,
        redirect: "manual",
      });

    const noCookie = await post({});
    assert.equal(noCookie.status, 403);
    assert.match(await noCookie.text(), /Your session expired/);
    const otherCookie = await post({ cookie: `tetri_csrf=${"A".repeat(43)}` });
    assert.equal(otherCookie.status, 403);
    await receiptIs(id, "created");

    // The same form with the cookie it belongs to does pay: the 403s were the CSRF check.
    const withCookie = await post({ cookie });
    assert.equal(withCookie.status, 303);
    assert.equal(withCookie.headers.get("location"), `${shop.origin}/success?tag=csrf`);
    await receiptIs(id, "completed");
  });

  it("a buyer whose CSRF cookie is gone gets a fresh form, not a dead end, and can pay", async () => {
    const { id, page } = await openCheckout(withRedirects("session"), "en");
    await page.context().clearCookies();
    await fillCard(page, EN, "4242424242424242");
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${server.url}/checkout/pay`),
      page.getByRole("button", { name: EN.pay }).click(),
    ]);
    assert.equal(refused.status(), 403);
    await page.getByRole("alert").waitFor(); // the answer page, not the old form
    assert.equal((await page.getByRole("alert").innerText()).trim(), "Your session expired. Please try again.");
    assert.equal(await page.getByLabel(EN.holder).inputValue(), "");
    await receiptIs(id, "created");

    await pay(page, EN, "4242424242424242");
    await page.waitForURL(`${shop.origin}/success?tag=session`);
    await receiptIs(id, "completed");
  });
  /** Marks the order's card to be saved, as a BOG shop does before sending the buyer to the page. */
  async function saveCardOf(id: string, path: "cards" | "subscriptions") {
    const response = await server.request("PUT", `/payments/v1/orders/${id}/${path}`);
    assert.equal(response.status, 202, response.text);
  }

  /** A new order paid with the parent's saved card, with its page open: what the shop gets from POST /ecommerce/orders/{parent}. */
  async function openSavedCardCheckout(parentId: string, tag: string, language: "en" | "ka") {
    const response = await server.request("POST", `/payments/v1/ecommerce/orders/${parentId}`, { body: withRedirects(tag), headers: { "accept-language": language } });
    assert.equal(response.status, 200, response.text);
    const page = await newPage();
    await page.goto(response.json._links.redirect.href);
    return { id: response.json.id as string, page };
  }

  it("a saving checkout says the card will be saved; the next order pays with it: the masked card and a Pay button, no card fields", async () => {
    const { id: parent, page } = await openCheckout(withRedirects("save"), "en", {});
    await saveCardOf(parent, "cards");
    await page.reload();
    const notice = page.getByRole("note");
    assert.equal((await notice.innerText()).trim(), "This card will be saved with the shop, so that next time you pay with it without typing it.");
    await pay(page, EN, "4242424242424242");
    await page.waitForURL(`${shop.origin}/success?tag=save`);
    assert.equal((await receiptIs(parent, "completed")).payment_detail.saved_card_type, "recurrent");

    const { id, page: again } = await openSavedCardCheckout(parent, "saved", "en");
    assert.ok(await again.getByRole("heading", { name: "Saved card" }).isVisible());
    assert.ok(await again.getByText("424242******4242").isVisible());
    for (const label of [EN.number, EN.expiry, EN.cvc, EN.holder]) assert.equal(await again.getByLabel(label).count(), 0, label);
    assert.equal(await again.locator("input:not([type=hidden])").count(), 0);
    assert.equal(await again.getByRole("note").count(), 0, "this order saves no card");
    await again.getByRole("button", { name: EN.pay }).click();
    await again.waitForURL(`${shop.origin}/success?tag=saved`);
    const receipt = await receiptIs(id, "completed", "100");
    assert.equal(receipt.payment_detail.payment_option, "recurrent");
    assert.equal(receipt.payment_detail.parent_order_id, parent);
  });

  it("in Georgian: the subscription notice, and a saved 3-D Secure card challenged again with the buyer present", async () => {
    const { id: parent, page } = await openCheckout(withRedirects("save-ka"), "ka");
    await saveCardOf(parent, "subscriptions");
    await page.reload();
    assert.equal((await page.getByRole("note").innerText()).trim(), "ეს ბარათი შეინახება მაღაზიაში, რომელსაც შეეძლება მისგან თანხის ჩამოჭრა ყოველ ჯერზე თქვენი თანხმობის გარეშე.");
    await pay(page, KA, "4000000000003220");
    await page.waitForURL((url) => url.pathname === "/checkout/3ds");
    await page.getByRole("button", { name: "დასრულება" }).click();
    await page.waitForURL(`${shop.origin}/success?tag=save-ka`);

    // A subscription card is charged without the buyer; a recurrent one of the same card, with them.
    const subscription = await server.request("POST", `/payments/v1/ecommerce/orders/${parent}/subscribe`, { body: {} });
    assert.equal((await receiptIs(subscription.json.id, "completed")).payment_detail.payment_option, "subscription");

    const { id: recurrentParent, page: first } = await openCheckout(withRedirects("save-ka-2"), "ka");
    await saveCardOf(recurrentParent, "cards");
    await first.reload();
    await pay(first, KA, "4000000000003220");
    await first.getByRole("button", { name: "დასრულება" }).click();
    await first.waitForURL(`${shop.origin}/success?tag=save-ka-2`);
    const { id, page: again } = await openSavedCardCheckout(recurrentParent, "saved-ka", "ka");
    assert.ok(await again.getByRole("heading", { name: "შენახული ბარათი" }).isVisible());
    assert.ok(await again.getByText("400000******3220").isVisible());
    await again.getByRole("button", { name: KA.pay }).click();
    await again.waitForURL((url) => url.pathname === "/checkout/3ds");
    await again.getByRole("button", { name: "დასრულება" }).click();
    await again.waitForURL(`${shop.origin}/success?tag=saved-ka`);
    await receiptIs(id, "completed", "100");
  });
});
