import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { TEST_DB } from "../helpers/database.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";

describe("operations endpoints", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("/healthz answers ok", async () => {
    const response = await server.request("GET", "/healthz", { token: null });
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { status: "ok" });
  });

  it("/metrics exposes requests, orders by status and callback attempts", async () => {
    const id = await server.createOrder();
    await server.pay(id);
    const response = await server.request("GET", "/metrics", { token: null });
    assert.equal(response.status, 200);
    assert.match(response.text, /tetri_http_requests_total\{method="POST",route="\/payments\/v1\/ecommerce\/orders",status="200"\} 1/);
    assert.match(response.text, /tetri_orders\{status="captured"\} 1/);
    assert.match(response.text, /tetri_orders\{status="created"\} 0/);
    assert.match(response.text, /# TYPE tetri_callback_attempts_total counter/);
    assert.match(response.text, /tetri_callbacks_pending \d+/);
    assert.match(response.text, /tetri_callbacks_leased \d+/);
    if (TEST_DB === "postgres") {
      assert.match(response.text, /tetri_db_pool_connections\{state="size"\} 10/);
      assert.match(response.text, /tetri_db_pool_connections\{state="open"\} [1-9]/);
    } else {
      assert.doesNotMatch(response.text, /tetri_db_pool/, "one SQLite connection, no pool");
    }
  });

  it("publishes the callback public key as PEM, without a token", async () => {
    const response = await server.request("GET", "/payments/v1/callback-public-key", { token: null });
    assert.equal(response.status, 200);
    assert.match(response.text, /^-----BEGIN PUBLIC KEY-----/);
    assert.equal(createPublicKey(response.text).asymmetricKeyType, "rsa");
  });

  it("serves the BOG OpenAPI document with every endpoint of the dialect", async () => {
    const response = await server.request("GET", "/payments/v1/openapi.json", { token: null });
    assert.equal(response.status, 200);
    const doc = response.json;
    assert.match(doc.openapi, /^3\./);
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      "/auth/realms/bog/protocol/openid-connect/certs",
      "/auth/realms/bog/protocol/openid-connect/token",
      "/payments/v1/callback-public-key",
      "/payments/v1/charges/card/{order_id}",
      "/payments/v1/ecommerce/orders",
      "/payments/v1/ecommerce/orders/{order_id}",
      "/payments/v1/ecommerce/orders/{order_id}/payment",
      "/payments/v1/ecommerce/orders/{order_id}/subscribe",
      "/payments/v1/orders/{order_id}/cards",
      "/payments/v1/orders/{order_id}/subscriptions",
      "/payments/v1/payment/authorization/approve/{order_id}",
      "/payments/v1/payment/authorization/cancel/{order_id}",
      "/payments/v1/payment/refund/{order_id}",
      "/payments/v1/receipt/{order_id}",
    ]);
    const create = doc.paths["/payments/v1/ecommerce/orders"].post;
    assert.ok(create.requestBody.content["application/json"].schema.properties.purchase_units);
    assert.ok(create.responses["200"]);
  });

  it("unknown paths and methods answer JSON errors, not HTML or 500", async () => {
    const unknown = await server.request("GET", "/payments/v1/nothing-here");
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.key, "not_found");
    const outside = await server.request("GET", "/nothing", { token: null });
    assert.equal(outside.status, 404);
    assert.equal(outside.json.key, "not_found");
    const method = await server.request("DELETE", "/payments/v1/ecommerce/orders");
    assert.equal(method.status, 404);
  });
});
