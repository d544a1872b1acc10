import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addMerchant, orderBody } from "../helpers/fixtures.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";

const ORDERS = "/payments/v1/ecommerce/orders";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const BOG_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

function withUnits(units: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const base = orderBody();
  return { ...base, ...extra, purchase_units: { ...(base.purchase_units as object), ...units } };
}

describe("create order", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("answers {id, _links.details, _links.redirect} with this server's host", async () => {
    const response = await server.request("POST", ORDERS, { body: orderBody() });
    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.json), ["id", "_links"]);
    const { id, _links } = response.json;
    assert.match(id, UUID);
    assert.equal(_links.details.href, `${server.url}/payments/v1/receipt/${id}`);
    assert.equal(_links.redirect.href, `${server.url}/?order_id=${id}`);
  });

  it("accepts every documented field and echoes them in the receipt", async () => {
    const body = {
      callback_url: "https://shop.example/callback",
      external_order_id: "order-42",
      capture: "manual",
      purchase_units: {
        currency: "USD",
        total_amount: 100.5,
        total_discount_amount: 0,
        basket: [
          {
            product_id: "id_1",
            description: "product 1",
            quantity: 1,
            unit_price: 25.35,
            unit_discount_price: 0,
            vat: 0,
            vat_percent: 0,
            total_price: 25.35,
            image: "https://shop.example/1.png",
            package_code: "A000123",
            tin: "123",
            pinfl: "456",
            product_discount_id: "BF222R5",
          },
          { product_id: "id_2", quantity: 2.5, unit_price: "30.06" },
        ],
        delivery: { amount: 5 },
      },
      redirect_urls: { success: "https://shop.example/ok", fail: "https://shop.example/fail" },
      ttl: 30,
      payment_method: ["card", "google_pay", "bog_loan"],
      config: {
        loan: { type: "STANDARD", month: 12 },
        campaign: { card: "visa", type: "restrict" },
        google_pay: { external: false },
        apple_pay: { external: false },
        account: { tag: "pos-1" },
      },
      buyer: { full_name: "John Doe", masked_email: "jo***@mail.ge", masked_phone: "+9955****00" },
      application_type: "web",
    };
    const id = await server.createOrder(body, { "accept-language": "en" });
    const receipt = await server.receipt(id);
    assert.equal(receipt.order_id, id);
    assert.equal(receipt.industry, "ecommerce");
    assert.equal(receipt.capture, "manual");
    assert.equal(receipt.external_order_id, "order-42");
    assert.deepEqual(receipt.order_status, { key: "created", value: "Created" });
    assert.equal(receipt.lang, "en");
    assert.deepEqual(receipt.buyer, { full_name: "John Doe", email: "jo***@mail.ge", phone_number: "+9955****00" });
    assert.equal(receipt.purchase_units.request_amount, "100.5");
    assert.equal(receipt.purchase_units.transfer_amount, "0.0");
    assert.equal(receipt.purchase_units.refund_amount, "0.0");
    assert.equal(receipt.purchase_units.currency_code, "USD");
    assert.equal(receipt.purchase_units.items.length, 2);
    assert.deepEqual(receipt.purchase_units.items[0], {
      external_item_id: "id_1",
      description: "product 1",
      quantity: "1",
      unit_price: "25.35",
      unit_discount_price: "0",
      vat: "0",
      vat_percent: "0",
      total_price: "25.35",
      package_code: "A000123",
      tin: "123",
      pinfl: "456",
      product_discount_id: "BF222R5",
    });
    assert.deepEqual(receipt.redirect_links, { success: "https://shop.example/ok", fail: "https://shop.example/fail" });
    assert.equal(receipt.payment_detail.request_account_tag, "pos-1");
    assert.equal(receipt.payment_detail.code, null);
    assert.deepEqual(receipt.actions, []);
    assert.equal(receipt.reject_reason, null);
    assert.match(receipt.zoned_create_date, BOG_DATE);
    const ttl = Date.parse(receipt.zoned_expire_date) - Date.parse(receipt.zoned_create_date);
    assert.equal(ttl, 30 * 60_000);
  });

  it("an order with its own discount shows it in the receipt's discount block; one without has none", async () => {
    const discounted = await server.createOrder(orderBody({ purchase_units: { currency: "GEL", total_amount: 20, total_discount_amount: "5.5", basket: [{ product_id: "p", quantity: 1, unit_price: 25.5 }] } }));
    assert.deepEqual((await server.receipt(discounted)).discount, {
      bank_discount_amount: "0.0",
      bank_discount_desc: null,
      discounted_amount: "20.0",
      original_order_amount: "25.5",
      system_discount_amount: "5.5",
      system_discount_desc: null,
    });
    assert.equal((await server.receipt(await server.createOrder())).discount, null);
  });

  it("defaults: GEL, automatic capture, Georgian, 15-minute ttl, tetri's own result page", async () => {
    const minimal = {
      callback_url: "https://shop.example/cb",
      purchase_units: { total_amount: 1, basket: [{ quantity: 1, unit_price: 1, product_id: "product123" }] },
    };
    const id = await server.createOrder(minimal);
    const receipt = await server.receipt(id);
    assert.equal(receipt.purchase_units.currency_code, "GEL");
    assert.equal(receipt.capture, "automatic");
    assert.equal(receipt.lang, "ka");
    assert.equal(receipt.order_status.value, "შექმნილი");
    assert.equal(Date.parse(receipt.zoned_expire_date) - Date.parse(receipt.zoned_create_date), 15 * 60_000);
    assert.equal(receipt.redirect_links.success, `${server.url}/receipt?order_id=${id}`);
    assert.equal(receipt.external_order_id, null);
  });

  it("Theme: dark (any case) gives the hosted page the dark theme; none or another value, light", async () => {
    const themeOf = async (headers: Record<string, string>) => {
      const created = await server.request("POST", ORDERS, { body: orderBody(), headers });
      assert.equal(created.status, 200, created.text);
      const page = await fetch(created.json._links.redirect.href);
      return /<html lang="ka" data-theme="(\w+)">/.exec(await page.text())?.[1];
    };
    assert.equal(await themeOf({ theme: "dark" }), "dark");
    assert.equal(await themeOf({ theme: "DARK" }), "dark");
    assert.equal(await themeOf({ theme: "light" }), "light");
    assert.equal(await themeOf({}), "light");
    // BOG documents no error for an unknown theme: the page keeps its default.
    assert.equal(await themeOf({ theme: "blue" }), "light");
  });

  it("Accept-Language: only BOG's ka and en; ru (which BOG does not offer) means the default ka", async () => {
    const cases: Array<[string, string]> = [["en-US,en;q=0.9", "en"], ["ka", "ka"], ["ru-RU", "ka"], ["de, en;q=0.5", "en"]];
    for (const [header, lang] of cases) {
      const created = await server.request("POST", ORDERS, { body: orderBody(), headers: { "accept-language": header } });
      assert.equal((await server.receipt(created.json.id)).lang, lang, header);
    }
  });

  it("tolerates client deviations: amounts as strings, top-level currency, a single redirect_url", async () => {
    const id = await server.createOrder({
      ...withUnits({ total_amount: "12.30", currency: undefined }, { currency: "EUR", redirect_url: "https://shop.example/back" }),
    });
    const receipt = await server.receipt(id);
    assert.equal(receipt.purchase_units.request_amount, "12.3");
    assert.equal(receipt.purchase_units.currency_code, "EUR");
    assert.deepEqual(receipt.redirect_links, { success: "https://shop.example/back", fail: "https://shop.example/back" });
  });

  it("plain-http callback and redirect URLs are fine in test mode", async () => {
    const id = await server.createOrder(orderBody({ redirect_urls: { success: "http://127.0.0.1:3000/ok" } }, "http://127.0.0.1:3000/cb"));
    assert.match(id, UUID);
  });

  const invalid: Array<[string, unknown, string]> = [
    ["missing callback_url", { ...orderBody(), callback_url: undefined }, "callback_url"],
    ["callback_url not a URL", orderBody({ callback_url: "not a url" }), "callback_url"],
    ["callback_url ftp", orderBody({ callback_url: "ftp://shop.example/cb" }), "callback_url"],
    ["callback_url wrong type", orderBody({ callback_url: 42 }), "callback_url"],
    ["missing purchase_units", { callback_url: "https://a.example/cb" }, "purchase_units"],
    ["missing total_amount", withUnits({ total_amount: undefined }), "purchase_units.total_amount"],
    ["negative total", withUnits({ total_amount: -5 }), "purchase_units.total_amount"],
    ["zero total", withUnits({ total_amount: 0 }), "purchase_units.total_amount"],
    ["three decimals", withUnits({ total_amount: 10.555 }), "purchase_units.total_amount"],
    ["huge total", withUnits({ total_amount: 1e15 }), "purchase_units.total_amount"],
    ["string total", withUnits({ total_amount: "ten" }), "purchase_units.total_amount"],
    ["boolean total", withUnits({ total_amount: true }), "purchase_units.total_amount"],
    ["unknown currency", withUnits({ currency: "JPY" }), "purchase_units.currency"],
    ["empty basket", withUnits({ basket: [] }), "purchase_units.basket"],
    ["basket not an array", withUnits({ basket: {} }), "purchase_units.basket"],
    ["item without product_id", withUnits({ basket: [{ quantity: 1, unit_price: 1 }] }), "purchase_units.basket.0.product_id"],
    ["item zero quantity", withUnits({ basket: [{ product_id: "a", quantity: 0, unit_price: 1 }] }), "purchase_units.basket.0.quantity"],
    ["item negative price", withUnits({ basket: [{ product_id: "a", quantity: 1, unit_price: -1 }] }), "purchase_units.basket.0.unit_price"],
    ["ttl too short", orderBody({ ttl: 1 }), "ttl"],
    ["ttl too long", orderBody({ ttl: 1441 }), "ttl"],
    ["ttl fractional", orderBody({ ttl: 2.5 }), "ttl"],
    ["capture unknown", orderBody({ capture: "later" }), "capture"],
    ["unknown payment method", orderBody({ payment_method: ["cash"] }), "payment_method.0"],
    ["loan without type", orderBody({ payment_method: ["bog_loan"] }), "config.loan.type"],
    ["redirect not a URL", orderBody({ redirect_urls: { success: "javascript:alert(1)" } }), "redirect_urls.success"],
    ["redirect with a line break", orderBody({ redirect_urls: { success: "http://x.example/ok\r\nSet-Cookie: a=b" } }), "redirect_urls.success"],
    ["quantity with 7 decimals", withUnits({ basket: [{ product_id: "a", quantity: 0.0000001, unit_price: 1 }] }), "purchase_units.basket.0.quantity"],
    ["external_order_id too long", orderBody({ external_order_id: "x".repeat(256) }), "external_order_id"],
    ["split in USD", withUnits({ currency: "USD" }, { config: { split: { split_payments: [{ iban: "GE00", amount: 1 }] } } }), "config.split"],
    ["split part with both amount and percent", orderBody({ config: { split: { split_payments: [{ iban: "GE00", amount: 1, percent: 5 }] } } }), "config.split.split_payments.0"],
  ];
  for (const [name, body, field] of invalid) {
    it(`rejects ${name} with 400 naming ${field}`, async () => {
      const response = await server.request("POST", ORDERS, { body });
      assert.equal(response.status, 400, response.text);
      assert.equal(response.json.key, "validation");
      assert.ok(
        response.json.errors.some((e: { field: string }) => e.field === field),
        `${field} not in ${JSON.stringify(response.json.errors)}`,
      );
    });
  }

  it("rejects a body that is not JSON, not an object, or not JSON at all", async () => {
    const broken = await server.request("POST", ORDERS, { body: "{not json" });
    assert.equal(broken.status, 400);
    assert.equal(broken.json.key, "malformed_body");
    for (const body of ["[]", "null", '"text"', "42"]) {
      const response = await server.request("POST", ORDERS, { body });
      assert.equal(response.status, 400, body);
      assert.equal(response.json.key, "validation", body);
    }
    const empty = await server.request("POST", ORDERS, { body: "" , headers: { "content-type": "application/json" } });
    assert.equal(empty.status, 400);
    const form = await server.request("POST", ORDERS, { body: "a=b", headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.equal(form.status, 415);
    const deep = await server.request("POST", ORDERS, { body: `${"[".repeat(50_000)}${"]".repeat(50_000)}`, headers: { "idempotency-key": "deep" } });
    assert.equal(deep.status, 400);
    assert.equal(deep.json.errors[0].field, "body");
    const deepInside = withUnits({ extra: JSON.parse(`${"[".repeat(40)}1${"]".repeat(40)}`) });
    assert.equal((await server.request("POST", ORDERS, { body: deepInside })).status, 400);
    const xml = await server.request("POST", ORDERS, { body: "<a/>", headers: { "content-type": "application/xml" } });
    assert.equal(xml.status, 415);
    assert.equal(xml.json.key, "unsupported_media_type");
  });

  it("refuses an oversized body with 413 and writes nothing", async () => {
    const huge = withUnits({ basket: [{ product_id: "a", quantity: 1, unit_price: 1, description: "x".repeat(300_000) }] });
    const response = await server.request("POST", ORDERS, { body: huge });
    assert.equal(response.status, 413);
    assert.equal(response.json.key, "body_too_large");
  });

  it("unknown fields are ignored, as the bank does", async () => {
    const id = await server.createOrder(orderBody({ shop_order_id: "legacy", success_url: "https://x.example" }));
    assert.match(id, UUID);
  });

  it("no error response carries a stack trace", async () => {
    const response = await server.request("POST", ORDERS, { body: withUnits({ total_amount: { $gt: 1 } }) });
    assert.equal(response.status, 400);
    assert.doesNotMatch(response.text, /\bat .*\.ts:\d+/);
  });
});

describe("Idempotency-Key on create order", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("the same key and body replays the first response; one order exists", async () => {
    const headers = { "idempotency-key": "7b6f3f9e-0b1f-4a59-9e39-4a1c3f1f2d10" };
    const first = await server.request("POST", ORDERS, { body: orderBody(), headers });
    const second = await server.request("POST", ORDERS, { body: orderBody(), headers });
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(second.text, first.text);
    const third = await server.request("POST", ORDERS, { body: orderBody() });
    assert.notEqual(third.json.id, first.json.id);
  });

  it("the same key with a different body is 422 and creates nothing", async () => {
    const headers = { "idempotency-key": "key-reused" };
    const first = await server.request("POST", ORDERS, { body: orderBody(), headers });
    assert.equal(first.status, 200);
    const changed = await server.request("POST", ORDERS, { body: withUnits({ total_amount: 99 }), headers });
    assert.equal(changed.status, 422);
    assert.equal(changed.json.key, "idempotency_key_reused");
  });

  it("keys belong to one merchant: another merchant's identical key makes its own order", async () => {
    const other = await server.request("POST", "/payments/v1/ecommerce/orders", {
      body: orderBody(),
      headers: { "idempotency-key": "shared-key" },
    });
    const shopB = server.as(addMerchant(server, "Shop B"));
    const mine = await shopB.request("POST", ORDERS, { body: orderBody(), headers: { "idempotency-key": "shared-key" } });
    assert.equal(mine.status, 200);
    assert.notEqual(mine.json.id, other.json.id);
  });

  it("a malformed key is 400", async () => {
    const response = await server.request("POST", ORDERS, { body: orderBody(), headers: { "idempotency-key": "has space" } });
    assert.equal(response.status, 400);
    assert.equal(response.json.errors[0].field, "Idempotency-Key");
  });
});

describe("live mode", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ TETRI_MODE: "live", TETRI_CARD_KEY: Buffer.alloc(32, 7).toString("base64") });
  });
  after(() => server.close());

  it("requires https callback and redirect URLs, as the bank does", async () => {
    const response = await server.request("POST", ORDERS, {
      body: orderBody({ redirect_urls: { fail: "http://shop.example/fail" } }, "http://shop.example/cb"),
    });
    assert.equal(response.status, 400);
    assert.deepEqual(
      response.json.errors.map((e: { field: string }) => e.field).sort(),
      ["callback_url", "redirect_urls.fail"],
    );
    const ok = await server.request("POST", ORDERS, { body: orderBody({}, "https://shop.example/cb") });
    assert.equal(ok.status, 200);
  });

  it("refuses callback and redirect URLs inside the gateway's own network", async () => {
    for (const internal of [
      "https://127.0.0.1/cb",
      "https://localhost/cb",
      "https://10.0.0.1/cb",
      "https://172.16.5.4/cb",
      "https://192.168.1.1/cb",
      "https://169.254.169.254/latest/meta-data",
      "https://[::1]/cb",
    ]) {
      const response = await server.request("POST", ORDERS, { body: orderBody({}, internal) });
      assert.equal(response.status, 400, internal);
      assert.equal(response.json.errors[0].field, "callback_url", internal);
    }
    const redirect = await server.request("POST", ORDERS, {
      body: orderBody({ redirect_urls: { success: "https://192.168.0.10/ok" } }, "https://shop.example/cb"),
    });
    assert.equal(redirect.status, 400);
  });

  it("has no test helper", async () => {
    const id = await server.createOrder(orderBody({}, "https://shop.example/cb"));
    const response = await server.pay(id);
    assert.equal(response.status, 404);
  });
});
