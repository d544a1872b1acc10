// Each payment method beside the card, on the hosted page in Chromium: the buyer picks it, its
// simulated bank screen says it is simulated, and one payment of each is approved and one
// declined, in Georgian and in English. One browser for the file; each flow is a few clicks.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../helpers/browser.ts";
import { orderBody, purchaseOf, tbcPaymentBody } from "../helpers/fixtures.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";

type Language = "en" | "ka";

const SIMULATED: Readonly<Record<Language, string>> = { en: "Simulated", ka: "სიმულაცია" };
const RESULT_TITLE: Readonly<Record<Language, { success: string; declined: string }>> = {
  en: { success: "Payment successful", declined: "Payment failed" },
  ka: { success: "გადახდა წარმატებულია", declined: "გადახდა ვერ შესრულდა" },
};

describe("payment methods on the hosted page in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    browser = await launchChromium();
    server = await startTestServer();
    const context = await browser.newContext();
    context.setDefaultTimeout(5_000);
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A BOG order of `amount` GEL offering `methods`, its page opened in `language`, the method picked. */
  async function openBog(methods: string[], method: string, language: Language, amount = 12.5, extra: Record<string, unknown> = {}) {
    const id = await server.createOrder(orderBody({ payment_method: methods, purchase_units: purchaseOf(amount), ...extra }), { "accept-language": language });
    await pick(`${server.url}/?order_id=${id}`, method, language);
    return id;
  }

  async function pick(href: string, method: string, language: Language) {
    await page.goto(href);
    assert.equal(await page.locator("html").getAttribute("lang"), language);
    await page.locator(`a[data-method="${method}"]`).click();
    await page.waitForURL(/\/checkout\/method\?/);
    assert.equal(await page.locator("h1 .simulated-badge").textContent(), SIMULATED[language]);
  }

  async function choose(result: string) {
    await page.locator(`button[name="result"][value="${result}"]`).click();
  }

  async function submit() {
    await page.locator("form.method-form button[type=submit]").click();
  }

  /** The buyer lands on tetri's result page; the receipt says the same. */
  async function landsOn(id: string, language: Language, outcome: "success" | "declined", status: string) {
    await page.locator(`h1.result.${outcome}`).waitFor();
    assert.equal(await page.locator("h1.result").innerText(), RESULT_TITLE[language][outcome]);
    assert.equal((await server.receipt(id)).order_status.key, status);
  }

  it("Google Pay: a wallet sheet card pays in English; a declining one in Georgian", async () => {
    const paid = await openBog(["card", "google_pay"], "google_pay", "en");
    await page.getByLabel(/4242 4242 4242 4242/).check();
    await submit();
    await landsOn(paid, "en", "success", "completed");
    const declined = await openBog(["google_pay"], "google_pay", "ka");
    await page.getByLabel(/4000 0000 0000 0002/).check();
    await submit();
    await landsOn(declined, "ka", "declined", "rejected");
  });

  it("Apple Pay: approved in Georgian, insufficient funds in English", async () => {
    const paid = await openBog(["apple_pay"], "apple_pay", "ka");
    await page.getByLabel(/5555 5555 5555 4444/).check();
    await submit();
    await landsOn(paid, "ka", "success", "completed");
    const declined = await openBog(["apple_pay"], "apple_pay", "en");
    await page.getByLabel(/4000 0000 0000 9995/).check();
    await submit();
    await landsOn(declined, "en", "declined", "rejected");
    assert.match(await page.getByRole("status").innerText(), /Insufficient funds/i);
  });

  it("internet bank: the simulated sign-in approves in English and declines in Georgian", async () => {
    const paid = await openBog(["bog_p2p"], "bank_transfer", "en");
    await page.getByLabel("Account holder").fill("Nino Beridze");
    await choose("approve");
    await landsOn(paid, "en", "success", "completed");
    assert.equal((await server.receipt(paid)).payment_detail.payer_identifier, "Nino Beridze");
    const declined = await openBog(["bog_p2p"], "bank_transfer", "ka");
    await choose("decline");
    await landsOn(declined, "ka", "declined", "rejected");
  });

  it("QR (TBC): scanned and approved in Georgian, declined in English", async () => {
    for (const [language, result, status] of [["ka", "approve", "Succeeded"], ["en", "decline", "Failed"]] as const) {
      const created = await server.tbcRequest("POST", "/v1/tpay/payments", {
        body: tbcPaymentBody({ methods: [4], language: language.toUpperCase(), returnurl: `${server.url}/healthz` }),
      });
      await pick(created.json.links[1].uri, "qr", language);
      assert.ok(await page.locator(".qr-code").isVisible());
      await choose(result);
      await page.waitForURL(/\/healthz$/);
      assert.equal((await server.tbcRequest("GET", `/v1/tpay/payments/${created.json.payId}`)).json.status, status);
    }
  });

  it("loyalty points: points and a card pay in English; more points than the balance decline in Georgian", async () => {
    const paid = await openBog(["bog_loyalty"], "loyalty_points", "en", 80);
    assert.equal(await page.locator(".points-balance").innerText(), "50.00 GEL");
    await page.getByLabel("Card number").fill("4242 4242 4242 4242");
    await page.getByLabel(/Expiry date/).fill("12/39");
    await page.getByLabel("CVC").fill("123");
    await page.getByLabel("Cardholder name").fill("Nino Beridze");
    await submit();
    await landsOn(paid, "en", "success", "completed");
    const declined = await openBog(["bog_loyalty"], "loyalty_points", "ka", 80);
    await page.locator('input[name="points"]').fill("60");
    await submit();
    await landsOn(declined, "ka", "declined", "rejected");
  });

  it("BNPL: left pending in Georgian, then approved by the bank; declined in English", async () => {
    const paid = await openBog(["bnpl"], "bnpl", "ka", 12.5, { config: { loan: { type: "STANDARD" } } });
    await page.locator('select[name="months"]').selectOption("6");
    await choose("pending");
    await page.locator("form.decision").waitFor();
    assert.equal((await server.receipt(paid)).order_status.key, "processing");
    await choose("approve");
    await landsOn(paid, "ka", "success", "completed");
    const declined = await openBog(["bnpl"], "bnpl", "en", 12.5, { config: { loan: { type: "STANDARD" } } });
    await choose("decline");
    await landsOn(declined, "en", "declined", "rejected");
  });

  it("installment loan: approved in English, declined in Georgian", async () => {
    const paid = await openBog(["card", "bog_loan"], "installment", "en");
    await page.locator('select[name="months"]').selectOption("24");
    await choose("approve");
    await landsOn(paid, "en", "success", "completed");
    const declined = await openBog(["card", "bog_loan"], "installment", "ka");
    await choose("decline");
    await landsOn(declined, "ka", "declined", "rejected");
  });

  it("gift card: a test code pays in Georgian; one with too little balance declines in English", async () => {
    const paid = await openBog(["gift_card"], "gift_card", "ka");
    await page.locator('input[name="gift_code"]').fill("GIFT-100");
    await submit();
    await landsOn(paid, "ka", "success", "completed");
    const declined = await openBog(["gift_card"], "gift_card", "en");
    await page.getByLabel("Gift card code").fill("GIFT-5");
    await submit();
    await landsOn(declined, "en", "declined", "rejected");
  });
});
