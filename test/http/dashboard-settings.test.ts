// The dashboard's settings at the HTTP level: the default callback URL per API (which then
// takes the callbacks of orders that name none), test callbacks with their result, rotating
// the client secret (shown once), the callback public key, and whose settings one may see.

import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { addMerchant, CARD, tbcPaymentBody } from "../helpers/fixtures.ts";
import type { MerchantCredentials } from "../helpers/fixtures.ts";
import { merchantSignIn, OPERATOR_ENV, operatorSignIn, pageCsrf } from "../helpers/dashboard.ts";
import type { DashboardClient, SignIn } from "../helpers/dashboard.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { Receiver } from "../helpers/receiver.ts";
import { eventually } from "../helpers/wait.ts";

describe("dashboard settings", () => {
  let server: TestServer;
  let receiver: Receiver;
  let other: Receiver;
  let publicKey: KeyObject | undefined;
  before(async () => {
    server = await startTestServer(OPERATOR_ENV);
    publicKey = createPublicKey(await server.callbackPublicKey());
    [receiver, other] = await Promise.all([
      startReceiver({ publicKey: () => publicKey, behave: (c) => (c.body.includes('"fail-me"') ? { kind: "answer", status: 500 } : { kind: "answer", status: 200 }) }),
      startReceiver(),
    ]);
  });
  after(async () => {
    await server.close();
    await Promise.all([receiver.close(), other.close()]);
  });

  async function signedIn(who: SignIn): Promise<DashboardClient> {
    const browser = server.dashboard();
    assert.equal((await browser.signIn(who)).status, 303);
    return browser;
  }

  async function merchantWithDashboard(name: string): Promise<{ credentials: MerchantCredentials; browser: DashboardClient }> {
    const credentials = addMerchant(server, name);
    return { credentials, browser: await signedIn(merchantSignIn(credentials)) };
  }

  const setCallbackUrl = (browser: DashboardClient, api: string, url: string, merchant?: string) =>
    browser.submit(`/dashboard/settings${merchant ? `?merchant=${merchant}` : ""}`, "/dashboard/settings/callback-url", {
      api,
      callback_url: url,
      ...(merchant ? { merchant } : {}),
    });

  it("a default callback URL per API takes the callbacks of that API's orders that name none; an order's own URL still wins", async () => {
    const { credentials, browser } = await merchantWithDashboard("Shop Default URL");
    const saved = await setCallbackUrl(browser, "tbc", receiver.url);
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.get("location"), "/dashboard/settings?saved=1");
    const page = await browser.get(saved.headers.get("location") ?? "");
    assert.match(page.text, /role="status">Saved\.</);
    assert.ok(page.text.includes(`id="callback-tbc" name="callback_url" type="url" inputmode="url" maxlength="2048" value="${receiver.url}"`));

    const shop = server.as(credentials);
    const pay = async (body: Record<string, unknown>) => {
      const created = await shop.tbcRequest("POST", "/v1/tpay/payments", { body });
      assert.equal(created.status, 200, created.text);
      const payId = created.json.payId as string;
      const paid = await shop.tbcRequest("POST", `/_test/orders/${payId}/pay`, { body: CARD });
      assert.equal(paid.status, 200, paid.text);
      return payId;
    };
    const withoutUrl = await pay(tbcPaymentBody());
    await eventually(() => receiver.received.find((c) => c.body === JSON.stringify({ PaymentId: withoutUrl })), { what: "the callback at the default URL" });
    const ownUrl = await pay(tbcPaymentBody({ callbackUrl: other.url }));
    await eventually(() => other.received.find((c) => c.body === JSON.stringify({ PaymentId: ownUrl })), { what: "the callback at the order's own URL" });
    assert.equal(receiver.received.some((c) => c.body.includes(ownUrl)), false);
  });

  it("refuses a URL the API would refuse, says why, and keeps what was saved; an empty one clears it", async () => {
    const { browser } = await merchantWithDashboard("Shop Bad URL");
    assert.equal((await setCallbackUrl(browser, "bog", "https://saved.example/callback")).status, 303);
    const refused = await setCallbackUrl(browser, "bog", "saved.example/callback");
    assert.equal(refused.status, 400);
    assert.match(refused.text, /aria-invalid="true" aria-describedby="callback-bog-error"/);
    assert.match(refused.text, /must be an absolute URL/);
    assert.match((await browser.get("/dashboard/settings")).text, /value="https:\/\/saved\.example\/callback"/);
    assert.equal((await setCallbackUrl(browser, "bog", "")).status, 303);
    assert.doesNotMatch((await browser.get("/dashboard/settings")).text, /saved\.example/);
    assert.equal((await setCallbackUrl(browser, "no-such-api", "https://saved.example/callback")).status, 404);
  });

  it("a test callback goes to the default URL in the API's shape, signed as real ones are, and its result is shown", async () => {
    const { browser } = await merchantWithDashboard("Shop Test Callback");
    const before = receiver.received.length;
    const none = await browser.submit("/dashboard/settings", "/dashboard/settings/test-callback", { api: "bog" });
    assert.equal(none.status, 400);
    assert.match(none.text, /There is no callback URL/);

    assert.equal((await setCallbackUrl(browser, "bog", receiver.url)).status, 303);
    const sent = await browser.submit("/dashboard/settings", "/dashboard/settings/test-callback", { api: "bog" });
    assert.equal(sent.status, 200);
    assert.match(sent.text, /Test callback to http:\/\/127\.0\.0\.1:\d+\/callback<\/strong>: The shop took it/);
    assert.match(sent.text, /HTTP status<\/dt><dd>200<\/dd>/);
    assert.match(sent.text, /<dt>latency<\/dt><dd>\d+ ms<\/dd>/);
    assert.match(sent.text, /<code class="excerpt">ok<\/code>/);
    const callback = receiver.received.slice(before).at(-1);
    assert.ok(callback);
    assert.equal(callback.signatureValid, true);
    const body = JSON.parse(callback.body);
    assert.equal(body.event, "order_payment");
    assert.equal(body.body.external_order_id, "tetri-test-callback");
    assert.equal(body.body.order_status.key, "completed");
  });

  it("a test callback the shop does not take says so, with the status and the start of its answer", async () => {
    // The receiver fails callbacks whose body names "fail-me": the merchant's name is in a BOG body.
    const shop = addMerchant(server, "fail-me");
    const failing = await signedIn(merchantSignIn(shop));
    assert.equal((await setCallbackUrl(failing, "bog", receiver.url)).status, 303);
    const sent = await failing.submit("/dashboard/settings", "/dashboard/settings/test-callback", { api: "bog" });
    assert.equal(sent.status, 200);
    assert.match(sent.text, /The shop did not take it/);
    assert.match(sent.text, /HTTP status<\/dt><dd>500<\/dd>/);
    assert.match(sent.text, /<dt>Error<\/dt><dd>HTTP 500<\/dd>/);
    assert.match(sent.text, /<code class="excerpt">not now<\/code>/);
  });

  it("rotating the secret shows the new one once: the old one stops working, the merchant's other sessions end", async () => {
    const { credentials, browser } = await merchantWithDashboard("Shop Rotate");
    const elsewhere = await signedIn(merchantSignIn(credentials));
    const confirm = await browser.get("/dashboard/settings/rotate-secret");
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /Make a new client secret for Shop Rotate\?/);
    const rotated = await browser.post("/dashboard/settings/rotate-secret", { csrf: pageCsrf(confirm) });
    assert.equal(rotated.status, 200);
    assert.equal(rotated.headers.get("cache-control"), "no-store");
    const secret = /<output class="mono secret"[^>]*>([^<]+)<\/output>/.exec(rotated.text)?.[1];
    assert.ok(secret && secret !== credentials.clientSecret);
    assert.match(rotated.text, /it is shown only this once/);

    await assert.rejects(server.tokenFor(credentials.clientId, credentials.clientSecret), /no token \(401\)/);
    assert.ok(await server.tokenFor(credentials.clientId, secret));
    assert.equal((await elsewhere.get("/dashboard/overview")).status, 303, "the other session ended");
    const settings = await browser.get("/dashboard/settings");
    assert.equal(settings.status, 200, "the session that rotated goes on");
    assert.equal(settings.text.includes(secret), false, "shown once, never again");
    assert.equal((await server.dashboard().signIn(merchantSignIn(credentials))).status, 401);
    assert.equal((await server.dashboard().signIn({ ...merchantSignIn(credentials), secret })).status, 303);
  });

  it("shows the callback public key that callbacks verify with", async () => {
    const { browser } = await merchantWithDashboard("Shop Key");
    const pem = (await server.callbackPublicKey()).trim();
    assert.ok((await browser.get("/dashboard/settings")).text.includes(pem));
  });

  it("the operator chooses a merchant to see its settings; a merchant naming another is told there is none", async () => {
    const target = addMerchant(server, "Shop Target");
    const operator = await signedIn(operatorSignIn);
    const list = await operator.get("/dashboard/settings");
    const merchantId = new RegExp(`<a href="/dashboard/settings\\?merchant=(mer_[0-9a-f]+)">Shop Target</a>`).exec(list.text)?.[1];
    assert.ok(merchantId);
    const page = await operator.get(`/dashboard/settings?merchant=${merchantId}`);
    assert.match(page.text, /<h1>Settings · Shop Target<\/h1>/);
    assert.ok(page.text.includes(target.clientId));
    assert.equal((await setCallbackUrl(operator, "bog", "https://target.example/cb", merchantId)).headers.get("location"), `/dashboard/settings?merchant=${merchantId}&saved=1`);

    const { browser } = await merchantWithDashboard("Shop Nosy");
    assert.equal((await browser.get(`/dashboard/settings?merchant=${merchantId}`)).status, 404);
    assert.equal((await browser.get(`/dashboard/settings/rotate-secret?merchant=${merchantId}`)).status, 404);
    const token = pageCsrf(await browser.get("/dashboard/settings"));
    const nosy = await browser.post("/dashboard/settings/callback-url", { csrf: token, merchant: merchantId, api: "bog", callback_url: "https://nosy.example/cb" });
    assert.equal(nosy.status, 404);
    assert.equal((await browser.post("/dashboard/settings/rotate-secret", { csrf: token, merchant: merchantId })).status, 404);
    assert.ok(await server.tokenFor(target.clientId, target.clientSecret), "the target's secret is unchanged");
    assert.match((await operator.get(`/dashboard/settings?merchant=${merchantId}`)).text, /value="https:\/\/target\.example\/cb"/);
  });
});
