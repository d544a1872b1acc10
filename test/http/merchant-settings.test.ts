// A merchant's settings of each bank API, set with the CLI as an operator would, seen at the
// HTTP level: the payment methods its orders may offer, and its access tokens' lifetime.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addMerchant, orderBody, setMerchantSettings, tbcPaymentBody } from "../helpers/fixtures.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import type { ShopClient } from "../helpers/shop.ts";

const ORDERS = "/payments/v1/ecommerce/orders";
const TBC_PAYMENTS = "/v1/tpay/payments";

describe("merchant settings per API", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  /** A new merchant (so that each test starts from the defaults) and its shop client. */
  function newShop(name: string): { shop: ShopClient; clientId: string } {
    const credentials = addMerchant(server, name);
    return { shop: server.as(credentials), clientId: credentials.clientId };
  }

  /** The methods a payment page lists, the card first (it is the one a test-mode page takes). */
  async function pageMethods(redirect: string): Promise<string> {
    const page = await (await fetch(redirect)).text();
    return /<section class="methods">([\s\S]*?)<\/section>/.exec(page)?.[1]?.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim() ?? "";
  }

  it("BOG: a method the merchant did not enable gets 403 and makes no order; with none named the page offers only the enabled ones", async () => {
    const { shop, clientId } = newShop("Shop BOG methods");
    const set = setMerchantSettings(server, clientId, "bog", ["--methods", "card,apple_pay"]);
    assert.deepEqual(set.methods, ["card", "apple_pay"]);

    const refused = await shop.request("POST", ORDERS, { body: orderBody({ payment_method: ["card", "google_pay"] }) });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.json.key, "method_unavailable");
    assert.match(refused.json.message, /google_pay/);

    const named = await shop.request("POST", ORDERS, { body: orderBody({ payment_method: ["apple_pay"] }) });
    assert.equal(named.status, 200, named.text);

    const unnamed = await shop.request("POST", ORDERS, { body: orderBody() });
    assert.equal(unnamed.status, 200, unnamed.text);
    const methods = await pageMethods(unnamed.json._links.redirect.href);
    assert.match(methods, /Apple Pay/);
    assert.doesNotMatch(methods, /Google Pay|Gift card|Installment/i);

    // Back to every method: google_pay is accepted again.
    assert.equal(setMerchantSettings(server, clientId, "bog", ["--methods", "all"]).methods, null);
    assert.equal((await shop.request("POST", ORDERS, { body: orderBody({ payment_method: ["google_pay"] }) })).status, 200);
  });

  it("TBC: the same rule in TBC's error shape; BOG's settings do not touch TBC's", async () => {
    const { shop, clientId } = newShop("Shop TBC methods");
    setMerchantSettings(server, clientId, "bog", ["--methods", "apple_pay"]);
    assert.equal((await shop.tbcRequest("POST", TBC_PAYMENTS, { body: tbcPaymentBody({ methods: [5] }) })).status, 200);

    setMerchantSettings(server, clientId, "tbc", ["--methods", "card"]);
    const refused = await shop.tbcRequest("POST", TBC_PAYMENTS, { body: tbcPaymentBody({ methods: [5, 9] }) });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.json.status, "403");
    assert.equal(refused.json.systemCode, "MethodUnavailable");
    assert.match(refused.json.detail, /apple_pay/);

    const unnamed = await shop.tbcRequest("POST", TBC_PAYMENTS, { body: tbcPaymentBody({ methods: undefined }) });
    assert.equal(unnamed.status, 200, unnamed.text);
    const methods = await pageMethods(unnamed.json.links.find((l: { rel: string }) => l.rel === "approval_url").uri);
    assert.doesNotMatch(methods, /Apple Pay|Google Pay|QR|Internet bank/i);
  });

  it("TBC expires_in is the merchant's token lifetime, and the token really ends then; BOG keeps its own", async () => {
    const { shop, clientId } = newShop("Shop token lifetime");
    assert.equal(setMerchantSettings(server, clientId, "tbc", ["--token-lifetime", "3600"]).token_lifetime_seconds, 3600);
    const form = new URLSearchParams({ client_id: shop.merchant.clientId, client_secret: shop.merchant.clientSecret }).toString();
    const issued = await shop.request("POST", "/v1/tpay/access-token", {
      token: null,
      headers: { apikey: shop.merchant.tbcApiKey, "content-type": "application/x-www-form-urlencoded" },
      body: form,
    });
    assert.equal(issued.status, 200, issued.text);
    assert.equal(issued.json.expires_in, 3600);
    const bog = await shop.request("POST", "/auth/realms/bog/protocol/openid-connect/token", {
      token: null,
      headers: {
        authorization: `Basic ${Buffer.from(`${shop.merchant.clientId}:${shop.merchant.clientSecret}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials",
    });
    assert.equal(bog.json.expires_in, 900);

    const token = issued.json.access_token as string;
    const create = () => shop.tbcRequest("POST", TBC_PAYMENTS, { body: tbcPaymentBody(), token });
    // Token times are whole seconds: two seconds before the end is surely inside it.
    server.clock.advance(3_598_000);
    const early = await create();
    assert.equal(early.status, 200, early.text);
    server.clock.advance(3_000);
    assert.equal((await create()).status, 401);
  });

  it("the CLI refuses what an API does not offer or core does not allow, and changes nothing", async () => {
    const { clientId } = newShop("Shop bad settings");
    const attempts = [
      ["--methods", "qr"],
      ["--methods", ","],
      ["--token-lifetime", "30"],
      ["--token-lifetime", "soon"],
      ["--callback-url", "ftp://shop.example/cb"],
    ];
    for (const changes of attempts) {
      assert.throws(() => setMerchantSettings(server, clientId, "bog", changes), (error: { status: number }) => error.status === 2, changes.join(" "));
    }
    assert.deepEqual(setMerchantSettings(server, clientId, "bog", []), { api: "bog", callback_url: null, methods: null, token_lifetime_seconds: null });
  });
});
