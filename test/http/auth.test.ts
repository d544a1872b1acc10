import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { SignJWT, createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { DEMO } from "../helpers/fixtures.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";

const TOKEN_PATH = "/auth/realms/bog/protocol/openid-connect/token";

describe("BOG OAuth2 token endpoint", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ TETRI_TOKEN_RATE_LIMIT: "40" });
  });
  after(() => server.close());

  const tokenRequest = (init: { auth?: string; body?: string; contentType?: string }) =>
    server.request("POST", TOKEN_PATH, {
      token: null,
      headers: {
        ...(init.auth ? { authorization: init.auth } : {}),
        "content-type": init.contentType ?? "application/x-www-form-urlencoded",
      },
      body: init.body ?? "grant_type=client_credentials",
    });
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

  it("issues a Keycloak-style Bearer token for HTTP Basic client credentials", async () => {
    const response = await tokenRequest({ auth: basic(DEMO.clientId, DEMO.clientSecret) });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const body = response.json as Record<string, unknown>;
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.expires_in, 900);
    assert.equal(typeof body.access_token, "string");
    assert.deepEqual(Object.keys(body).sort(), ["access_token", "expires_in", "not-before-policy", "refresh_expires_in", "scope", "token_type"]);
    const claims = decodeJwt(String(body.access_token));
    assert.equal(claims.aud, "bog");
    assert.equal(claims.azp, DEMO.clientId);
  });

  it("the token verifies against the published JWKS", async () => {
    const token = await server.token();
    const jwks = createRemoteJWKSet(new URL(`${server.url}/auth/realms/bog/protocol/openid-connect/certs`));
    const { protectedHeader } = await jwtVerify(token, jwks, { audience: "bog" });
    assert.equal(protectedHeader.alg, "RS256");
  });

  it("accepts credentials as form fields too (client_secret_post)", async () => {
    const response = await tokenRequest({
      body: `grant_type=client_credentials&client_id=${DEMO.clientId}&client_secret=${DEMO.clientSecret}`,
    });
    assert.equal(response.status, 200);
  });

  it("a wrong secret, an unknown client or no credentials is 401 invalid_client", async () => {
    for (const auth of [basic(DEMO.clientId, "wrong"), basic("nobody", DEMO.clientSecret), basic(DEMO.clientId, "%zz"), undefined, "Basic %%%"]) {
      const response = await tokenRequest({ auth });
      assert.equal(response.status, 401, String(auth));
      assert.match(response.headers.get("www-authenticate") ?? "", /^Basic/);
      const body = response.json as Record<string, unknown>;
      assert.equal(body.error, "invalid_client");
      assert.equal(typeof body.error_description, "string");
    }
  });

  it("a missing or unsupported grant type is 400 with the OAuth2 error", async () => {
    const auth = basic(DEMO.clientId, DEMO.clientSecret);
    const missing = await tokenRequest({ auth, body: "scope=x" });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.json, { error: "invalid_request", error_description: "Missing form parameter: grant_type" });
    const password = await tokenRequest({ auth, body: "grant_type=password" });
    assert.equal(password.status, 400);
    assert.equal(password.json.error, "unsupported_grant_type");
  });

  it("a JSON or malformed body is 400 invalid_request, never 500", async () => {
    const auth = basic(DEMO.clientId, DEMO.clientSecret);
    const json = await tokenRequest({ auth, body: '{"grant_type":"client_credentials"}', contentType: "application/json" });
    assert.equal(json.status, 400);
    assert.equal(json.json.error, "invalid_request");
    const broken = await tokenRequest({ auth, body: "{", contentType: "application/json" });
    assert.equal(broken.status, 400);
    assert.equal(broken.json.error, "invalid_request");
  });
});

describe("Bearer tokens on the API", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ TETRI_TOKEN_TTL_SECONDS: "60" });
  });
  after(() => server.close());

  const receiptWith = (authorization: string | undefined) =>
    server.request("GET", "/payments/v1/receipt/00000000-0000-4000-8000-000000000000", {
      token: null,
      headers: authorization ? { authorization } : {},
    });

  it("a valid token reaches the API (unknown order: 404)", async () => {
    const response = await receiptWith(`Bearer ${await server.token()}`);
    assert.equal(response.status, 404);
  });

  it("missing, malformed, tampered, alg:none, foreign-key and expired tokens are 401 in the API's error shape", async () => {
    const good = await server.token();
    const [header, payload, signature] = good.split(".");
    const claims = decodeJwt(good);
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "mer_someone_else" })).toString("base64url");
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const foreign = await new SignJWT({ ...claims }).setProtectedHeader({ alg: "RS256" }).sign(privateKey);
    server.clock.advance(61_000);
    const expired = good;
    const cases = {
      missing: undefined,
      basic: `Basic ${Buffer.from("a:b").toString("base64")}`,
      garbage: "Bearer not-a-jwt",
      tampered: `Bearer ${header}.${forged}.${signature}`,
      none: `Bearer ${none}`,
      foreign: `Bearer ${foreign}`,
      expired: `Bearer ${expired}`,
    };
    for (const [name, authorization] of Object.entries(cases)) {
      const response = await receiptWith(authorization);
      assert.equal(response.status, 401, name);
      assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/, name);
      assert.deepEqual(response.json, { key: "unauthenticated", message: "A valid Bearer access token is required" }, name);
    }
    server.clock.offset = 0;
  });
});

describe("token endpoint rate limit", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ TETRI_TOKEN_RATE_LIMIT: "3" });
  });
  after(() => server.close());

  it("answers 429 slow_down past the limit per minute", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await server.request("POST", TOKEN_PATH, {
        token: null,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials&client_id=x&client_secret=y",
      });
      statuses.push(response.status);
      if (response.status === 429) assert.equal(response.json.error, "slow_down");
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
  });
});
