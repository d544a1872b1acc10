// A buyer of a shop integrated with the Paymentz REST v1 API, in a real browser (Debian's
// Chromium via playwright-core): the shop's server-to-server payment asks for 3-D Secure, the
// buyer follows its redirect to tetri's challenge page, answers it, and the browser comes back
// to merchantRedirectUrl by form POST with the status, the checksum and the resourcePath; the
// same after paying on tetri's hosted page.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium, screenshot, watch } from "../helpers/browser.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { md5, paymentzClient } from "../helpers/paymentz.ts";
import type { PaymentzClient } from "../helpers/paymentz.ts";
import { eventually } from "../helpers/wait.ts";

/** The shop's side: /return takes the browser's form POST and remembers its fields; /page/… serves the pages put there. */
async function startShop() {
  const posts: Array<{ method: string; url: string; fields: Record<string, string> }> = [];
  const pages = new Map<string, string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const page = pages.get(req.url ?? "");
      if (page !== undefined) {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
        return;
      }
      posts.push({ method: req.method ?? "", url: req.url ?? "", fields: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString())) });
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end("<!doctype html><title>shop</title><h1>Back at the shop</h1>");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    posts,
    pages,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("Paymentz 3-D Secure and hosted page in Chromium", () => {
  let server: TestServer;
  let shop: Awaited<ReturnType<typeof startShop>>;
  let browser: Browser;
  let pz: PaymentzClient;
  const contexts: BrowserContext[] = [];
  let sequence = 0;

  before(async () => {
    browser = await launchChromium();
    [server, shop] = await Promise.all([startTestServer(), startShop()]);
    pz = paymentzClient(server);
  });
  after(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await shop?.close();
    await server?.close();
  });

  const failedResponses = new WeakMap<Page, string[]>();

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ locale: "en-US" });
    contexts.push(context);
    context.setDefaultTimeout(5_000);
    const page = await context.newPage();
    const failed: string[] = [];
    page.on("response", (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    failedResponses.set(page, failed);
    return page;
  }

  /**
   * No script error, and every request of the page answered. Chromium's own favicon request
   * (outside the page, answered 404 by tetri) shows as a bare console error: that one is left out.
   */
  function assertClean(watched: ReturnType<typeof watch> & { page: Page }) {
    assert.deepEqual(failedResponses.get(watched.page), []);
    assert.deepEqual(watched.problems.filter((p) => !/^Failed to load resource: the server responded with a status of 404/.test(p)), []);
  }

  /** The form POST the shop got back for this payment, with its checksum checked. */
  async function returnOf(paymentId: string) {
    const post = await eventually(() => shop.posts.find((p) => p.fields.paymentId === paymentId), { what: "the form POST back to the shop" });
    assert.equal(post.method, "POST");
    assert.match(post.url, /^\/return\?shop=1$/);
    const { fields } = post;
    assert.equal(fields.checksum, md5(fields.paymentId ?? "", fields.merchantTransactionId ?? "", fields.amount ?? "", fields.status ?? "", pz.member.secureKey));
    assert.equal(fields.resourcePath, `/transactionServices/REST/v1/payments/${paymentId}`);
    return fields;
  }

  for (const [answer, status, code] of [["Complete", "Y", "00001"], ["Fail", "N", "20011"]] as const) {
    it(`3-D Secure: the redirect leads to the challenge; "${answer}" posts status ${status} back to merchantRedirectUrl`, async () => {
      const reference = `3d-${answer}-${sequence++}`;
      const paid = await pz.pay(reference, "12.00", { "card.number": "4000000000003220", merchantRedirectUrl: `${shop.origin}/return?shop=1` });
      assert.equal(paid.json.transactionStatus, "3D", paid.text);
      const { redirect, paymentId } = paid.json;
      const page = await newPage();
      const watched = { ...watch(page), page };
      await page.goto(redirect.url);
      assert.ok(await page.getByText("12.00 EUR").isVisible());
      await page.getByRole("button", { name: answer, exact: true }).click();
      await page.waitForURL(`${shop.origin}/return?shop=1`);
      assert.ok(await page.getByRole("heading", { name: "Back at the shop" }).isVisible());
      const fields = await returnOf(paymentId);
      assert.deepEqual([fields.status, fields.merchantTransactionId, fields.amount, fields.currency, fields.resultCode], [status, reference, "12.00", "EUR", code]);
      const read = await pz.call("GET", fields.resourcePath?.replace("/transactionServices/REST/v1", "") ?? "");
      assert.equal(read.json.transactionStatus, status, read.text);
      assertClean(watched);
    });
  }

  it("without a card the buyer pays on tetri's hosted page and is posted back to the shop", async () => {
    const reference = `hosted-${sequence++}`;
    const fields = Object.fromEntries(Object.entries(pz.payment(reference, "30.00", { merchantRedirectUrl: `${shop.origin}/return?shop=1` })).filter(([key]) => !key.startsWith("card.")));
    const created = await pz.call("POST", "/payments", fields);
    assert.equal(created.json.transactionStatus, "P", created.text);
    const page = await newPage();
    const watched = { ...watch(page), page };
    await page.goto(created.json.redirect.url);
    await page.getByLabel("Card number").fill("4242 4242 4242 4242");
    await page.getByLabel("Expiry date (MM/YY)").fill("12/39");
    await page.getByLabel("CVC").fill("123");
    await page.getByLabel("Cardholder name").fill("Nino Beridze");
    await screenshot(page, "paymentz-hosted-page");
    await page.getByRole("button", { name: /^Pay 30\.00 EUR$/ }).click();
    await page.waitForURL(`${shop.origin}/return?shop=1`);
    const back = await returnOf(created.json.paymentId);
    assert.deepEqual([back.status, back.amount, back.resultCode], ["Y", "30.00", "00001"]);
    assertClean(watched);
  });

  it("the shop's own page posts the hosted checkout form; the buyer pays on tetri's page and is posted back", async () => {
    const { memberId, secureKey } = pz.member;
    const reference = `checkout-${sequence++}`;
    const redirect = `${shop.origin}/return?shop=1`;
    const fields: Record<string, string> = {
      memberId,
      totype: "docpaymentz",
      amount: "44.10",
      currency: "EUR",
      merchantTransactionId: reference,
      merchantRedirectUrl: redirect,
      orderDescription: "A teapot",
      checksum: md5(memberId, "docpaymentz", "44.10", reference, redirect, secureKey),
    };
    const inputs = Object.entries(fields).map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`).join("");
    shop.pages.set("/page/checkout", `<!doctype html><title>shop</title><form method="post" action="${server.url}/transaction/Checkout">${inputs}<button>Buy the teapot</button></form>`);
    const page = await newPage();
    const watched = { ...watch(page), page };
    await page.goto(`${shop.origin}/page/checkout`);
    await page.getByRole("button", { name: "Buy the teapot" }).click();
    await page.waitForURL(new RegExp(`^${server.url}/\\?order_id=`));
    assert.ok(await page.getByText("A teapot").first().isVisible());
    await page.getByLabel("Card number").fill("4000 0000 0000 3220");
    await page.getByLabel("Expiry date (MM/YY)").fill("12/39");
    await page.getByLabel("CVC").fill("123");
    await page.getByLabel("Cardholder name").fill("Nino Beridze");
    await page.getByRole("button", { name: /^Pay 44\.10 EUR$/ }).click();
    await page.getByRole("button", { name: "Complete", exact: true }).click();
    await page.waitForURL(redirect);
    const paymentId = (await eventually(() => shop.posts.find((p) => p.fields.merchantTransactionId === reference))).fields.paymentId ?? "";
    const back = await returnOf(paymentId);
    assert.deepEqual([back.status, back.amount, back.resultCode], ["Y", "44.10", "00001"]);
    assertClean(watched);
  });

  it("an invoice's payment link is paid on tetri's page, once; the buyer is posted back to the shop", async () => {
    const { memberId, secureKey } = pz.member;
    const reference = `invoice-${sequence++}`;
    const token = await pz.token();
    const generated = await server.request("POST", "/invoice/REST/v1/generate", {
      token: null,
      headers: { AuthToken: token, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        "authentication.memberId": memberId,
        "authentication.checksum": md5(memberId, secureKey, reference, "17.25"),
        merchantInvoiceId: reference,
        amount: "17.25",
        currency: "EUR",
        merchantOrderDescription: "Plumbing work",
        merchantRedirectUrl: `${shop.origin}/return?shop=1`,
      }).toString(),
    });
    assert.equal(generated.status, 200, generated.text);
    const { transactionUrl, systemInvoiceId } = generated.json.invoiceDetails;
    const page = await newPage();
    const watched = { ...watch(page), page };
    await page.goto(transactionUrl);
    await page.getByLabel("Card number").fill("5555 5555 5555 4444");
    await page.getByLabel("Expiry date (MM/YY)").fill("12/39");
    await page.getByLabel("CVC").fill("123");
    await page.getByLabel("Cardholder name").fill("Nino Beridze");
    await page.getByRole("button", { name: /^Pay 17\.25 EUR$/ }).click();
    await page.waitForURL(`${shop.origin}/return?shop=1`);
    const back = await returnOf(systemInvoiceId);
    assert.deepEqual([back.status, back.merchantTransactionId], ["Y", reference]);
    await page.goto(transactionUrl);
    assert.equal(await page.getByLabel("Card number").count(), 0, "a paid link shows no card form again");
    assertClean(watched);
  });

  it("without scripts the return page's button posts the same form", async () => {
    const context = await browser.newContext({ locale: "en-US", javaScriptEnabled: false });
    contexts.push(context);
    const page = await context.newPage();
    const reference = `noscript-${sequence++}`;
    const paid = await pz.pay(reference, "5.00", { "card.number": "4000000000003220", merchantRedirectUrl: `${shop.origin}/return?shop=1` });
    await page.goto(paid.json.redirect.url);
    await page.getByRole("button", { name: "Complete", exact: true }).click();
    await page.getByRole("button", { name: "Back to the shop" }).waitFor();
    await screenshot(page, "paymentz-return-without-scripts");
    await page.getByRole("button", { name: "Back to the shop" }).click();
    await page.waitForURL(`${shop.origin}/return?shop=1`);
    assert.equal((await returnOf(paid.json.paymentId)).status, "Y");
  });
});
