// Signing in to the dashboard, its sessions and its forms, at the HTTP level: who may sign in,
// what the cookies are, that a session outlives a restart but not its idle time, its maximum
// or a sign-out, that every form refuses a post without its CSRF token, and that guessing
// secrets is cut off.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addMerchant, tempDir } from "../helpers/fixtures.ts";
import { dashboardClient, merchantSignIn, OPERATOR_ENV, operatorSignIn, pageCsrf } from "../helpers/dashboard.ts";
import type { DashboardClient } from "../helpers/dashboard.ts";
import { testDatabase } from "../helpers/database.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { injectTransport } from "../helpers/shop.ts";

const MINUTE = 60_000;

function cookieLine(response: { headers: Headers }, name: string): string {
  const line = response.headers.getSetCookie().find((l) => l.startsWith(`${name}=`));
  assert.ok(line, `no ${name} cookie in ${JSON.stringify(response.headers.getSetCookie())}`);
  return line;
}

/** A browser that holds exactly this session cookie (as one that kept it after sign-out would). */
function browserWith(server: TestServer, session: string): DashboardClient {
  const browser = server.dashboard();
  browser.cookies.set("tetri_session", session);
  return browser;
}

async function signedIn(server: TestServer, who = merchantSignIn(server.merchant)): Promise<DashboardClient> {
  const browser = server.dashboard();
  const answer = await browser.signIn(who);
  assert.equal(answer.status, 303, answer.text.slice(0, 500));
  return browser;
}

function expectSignInAgain(response: { status: number; headers: Headers }, expired = true) {
  assert.equal(response.status, 303);
  const location = new URL(response.headers.get("location") ?? "", "http://x");
  assert.equal(location.pathname, "/dashboard/sign-in");
  assert.equal(location.searchParams.get("expired"), expired ? "1" : null);
}

describe("dashboard sign-in and sessions", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(OPERATOR_ENV);
  });
  after(() => server.close());

  it("the sign-in page sends a strict CSP, no script, and a form bound to an HttpOnly SameSite=Strict cookie", async () => {
    const page = await server.dashboard().get("/dashboard/sign-in");
    assert.equal(page.status, 200);
    const csp = page.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /form-action 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /script-src|unsafe-/);
    assert.equal(page.headers.get("cache-control"), "no-store");
    assert.doesNotMatch(page.text, /<script|style="/);
    assert.match(cookieLine(page, "tetri_csrf"), /; HttpOnly; SameSite=Strict/);
    pageCsrf(page);
  });

  it("a merchant signs in with its client id and secret; the session cookie is HttpOnly, SameSite=Strict, on /dashboard, not Secure over http", async () => {
    const browser = server.dashboard();
    const answer = await browser.signIn(merchantSignIn(server.merchant));
    assert.equal(answer.status, 303);
    assert.equal(answer.headers.get("location"), "/dashboard/overview");
    const cookie = cookieLine(answer, "tetri_session");
    assert.match(cookie, /^tetri_session=[A-Za-z0-9_-]{43}; Path=\/dashboard; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const orders = await browser.get("/dashboard/orders");
    assert.equal(orders.status, 200);
    assert.match(orders.text, /Signed in as <strong>Demo shop<\/strong>/);
  });

  it("a wrong secret, an unknown client id, or a merchant's secret offered as the operator's is refused, and no session starts", async () => {
    const { clientId, clientSecret } = server.merchant;
    for (const who of [
      { kind: "merchant" as const, account: clientId, secret: `${clientSecret}x` },
      { kind: "merchant" as const, account: "no-such-client", secret: clientSecret },
      { kind: "operator" as const, account: clientId, secret: clientSecret },
      { kind: "operator" as const, account: operatorSignIn.account, secret: "wrong-password-123" },
    ]) {
      const browser = server.dashboard();
      const answer = await browser.signIn(who);
      assert.equal(answer.status, 401, JSON.stringify(who));
      assert.match(answer.text, /The client id or the secret is wrong\./);
      assert.equal(browser.cookies.has("tetri_session"), false);
      expectSignInAgain(await browser.get("/dashboard/orders"), false);
    }
  });

  it("the operator signs in with the configured account and sees every merchant", async () => {
    const other = addMerchant(server, "Shop Operator-B");
    const browser = await signedIn(server, operatorSignIn);
    const settings = await browser.get("/dashboard/settings");
    assert.equal(settings.status, 200);
    assert.match(settings.text, /Operator \(ops\)/);
    assert.match(settings.text, />Demo shop</);
    assert.match(settings.text, />Shop Operator-B</);
    assert.ok(settings.text.includes(other.clientId));
  });

  it("a visitor without a session is sent to sign in, and comes back to the page asked for", async () => {
    const browser = server.dashboard();
    const answer = await browser.get("/dashboard/orders?status=declined");
    assert.equal(answer.status, 303);
    assert.equal(answer.headers.get("location"), `/dashboard/sign-in?next=${encodeURIComponent("/dashboard/orders?status=declined")}`);
    const form = await browser.get(answer.headers.get("location") ?? "");
    const signedIn = await browser.post("/dashboard/sign-in", {
      csrf: pageCsrf(form),
      next: "/dashboard/orders?status=declined",
      kind: "merchant",
      account: server.merchant.clientId,
      secret: server.merchant.clientSecret,
    });
    assert.equal(signedIn.headers.get("location"), "/dashboard/orders?status=declined");
    // Only the dashboard's own pages: anything else goes to the overview.
    const again = server.dashboard();
    const page = await again.get("/dashboard/sign-in");
    const elsewhere = await again.post("/dashboard/sign-in", {
      csrf: pageCsrf(page),
      next: "https://evil.example/dashboard/x",
      kind: "merchant",
      account: server.merchant.clientId,
      secret: server.merchant.clientSecret,
    });
    assert.equal(elsewhere.headers.get("location"), "/dashboard/overview");
  });

  it("signing out ends the session for good: the cookie it had opens nothing afterwards", async () => {
    const browser = await signedIn(server);
    const session = browser.cookies.get("tetri_session") ?? "";
    const page = await browser.get("/dashboard/overview");
    const out = await browser.post("/dashboard/sign-out", { csrf: pageCsrf(page) });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get("location"), "/dashboard/sign-in?signed_out=1");
    assert.match(cookieLine(out, "tetri_session"), /^tetri_session=; .*Max-Age=0/);
    assert.equal(browser.cookies.has("tetri_session"), false);
    expectSignInAgain(await browserWith(server, session).get("/dashboard/overview"));
  });

  it("every form refuses a post without its CSRF token, or with another session's, and does nothing", async () => {
    const orderId = await server.createOrder();
    await server.pay(orderId);
    const browser = await signedIn(server);
    const other = await signedIn(server);
    const otherToken = pageCsrf(await other.get("/dashboard/overview"));
    const confirm = await browser.get(`/dashboard/orders/${orderId}/confirm?action=refund&amount=1`);
    assert.equal(confirm.status, 200);
    const token = pageCsrf(confirm);
    const nonce = /name="nonce" value="([^"]+)"/.exec(confirm.text)?.[1] ?? "";
    const refund = (fields: Record<string, string>) =>
      browser.post(`/dashboard/orders/${orderId}/actions`, { action: "refund", amount: "1", nonce, ...fields });

    for (const [what, fields] of [
      ["no token", {}],
      ["another session's token", { csrf: otherToken }],
      ["a forged token", { csrf: "A".repeat(43) }],
    ] as const) {
      const refused = await refund(fields);
      assert.equal(refused.status, 403, what);
      assert.match(refused.text, /This form has expired/);
    }
    // With the browser's own CSRF cookie gone, its token is worth nothing either.
    const withoutCookie = browserWith(server, browser.cookies.get("tetri_session") ?? "");
    assert.equal((await withoutCookie.post(`/dashboard/orders/${orderId}/actions`, { action: "refund", amount: "1", nonce, csrf: token })).status, 403);
    assert.equal((await server.receipt(orderId)).purchase_units.refund_amount, "0.0");

    const settings = await browser.post("/dashboard/settings/callback-url", { api: "tbc", callback_url: "http://127.0.0.1:1/evil" });
    assert.equal(settings.status, 403);
    assert.doesNotMatch((await browser.get("/dashboard/settings")).text, /127\.0\.0\.1:1\/evil/);
    assert.equal((await browser.post("/dashboard/settings/rotate-secret", {})).status, 403);
    await server.tokenFor(server.merchant.clientId, server.merchant.clientSecret);
    assert.equal((await browser.post("/dashboard/sign-out", {})).status, 403);
    assert.equal((await browser.get("/dashboard/overview")).status, 200, "a sign-out without its token signs nobody out");

    // The same refund with its own token goes through: the refusals above were the CSRF check.
    const done = await refund({ csrf: token });
    assert.equal(done.status, 303);
    assert.equal((await server.receipt(orderId)).purchase_units.refund_amount, "1.0");
  });

  it("a sign-in form posted without its token starts no session", async () => {
    const browser = server.dashboard();
    await browser.get("/dashboard/sign-in");
    const refused = await browser.post("/dashboard/sign-in", { kind: "merchant", account: server.merchant.clientId, secret: server.merchant.clientSecret });
    assert.equal(refused.status, 403);
    assert.equal(browser.cookies.has("tetri_session"), false);
    // A token from another browser's page does not fit this browser's cookie.
    const stranger = await server.dashboard().get("/dashboard/sign-in");
    const crossed = await browser.post("/dashboard/sign-in", {
      csrf: pageCsrf(stranger),
      kind: "merchant",
      account: server.merchant.clientId,
      secret: server.merchant.clientSecret,
    });
    assert.equal(crossed.status, 403);
    assert.equal(browser.cookies.has("tetri_session"), false);
  });

  it("a body it cannot read is a clear 4xx page, never a 500 or JSON", async () => {
    for (const [headers, payload, status] of [
      [{ "content-type": "application/xml" }, "<account>x</account>", 415],
      [{ "content-type": "application/x-www-form-urlencoded" }, `account=${"x".repeat(300 * 1024)}`, 413],
    ] as const) {
      const answer = await server.app.inject({ method: "POST", url: "/dashboard/sign-in", headers, payload });
      assert.equal(answer.statusCode, status);
      assert.match(String(answer.headers["content-type"]), /^text\/html/);
      assert.match(answer.body, /<h1>Error<\/h1>/);
    }
    const unknown = await server.app.inject({ method: "GET", url: "/dashboard/no-such-page" });
    assert.equal(unknown.statusCode, 303, "no session: sign in first");
    const browser = await signedIn(server);
    assert.equal((await browser.get("/dashboard/no-such-page")).status, 404);
    assert.equal((await browser.get("/dashboard/orders/not-an-order-id")).status, 404);
  });

  it("a post without a session goes to sign in and changes nothing", async () => {
    const orderId = await server.createOrder();
    await server.pay(orderId);
    const answer = await server.dashboard().post(`/dashboard/orders/${orderId}/actions`, { action: "refund", amount: "1", nonce: "A".repeat(22) });
    expectSignInAgain(answer, false);
    assert.equal((await server.receipt(orderId)).purchase_units.refund_amount, "0.0");
  });

  it("the language is the visitor's choice, else the browser's; the switch returns only to dashboard pages", async () => {
    const browser = server.dashboard();
    const georgian = await dashboardClient(async (request) => injectTransport(server.app)({ ...request, headers: { ...request.headers, "accept-language": "ka-GE,ka;q=0.9" } })).get("/dashboard/sign-in");
    assert.match(georgian.text, /<html lang="ka">/);
    assert.match(georgian.text, /შესვლა/);
    const switched = await browser.get(`/dashboard/language?lang=ka&back=${encodeURIComponent("/dashboard/sign-in?x=1")}`);
    assert.equal(switched.status, 303);
    assert.equal(switched.headers.get("location"), "/dashboard/sign-in?x=1");
    assert.match(cookieLine(switched, "tetri_lang"), /^tetri_lang=ka; Path=\/dashboard; HttpOnly; SameSite=Strict/);
    assert.match((await browser.get("/dashboard/sign-in")).text, /<html lang="ka">/);
    for (const back of ["https://evil.example/", "//evil.example/dashboard/x", "/checkout/pay"]) {
      const answer = await browser.get(`/dashboard/language?lang=en&back=${encodeURIComponent(back)}`);
      assert.equal(answer.headers.get("location"), "/dashboard/overview", back);
    }
  });

  it("sessions are kept in the database: a restarted server still knows them", async () => {
    const dir = tempDir();
    const database = await testDatabase();
    try {
      const first = await startTestServer(database.env, { dataDir: dir.path });
      const browser = dashboardClient(injectTransport(first.app));
      assert.equal((await browser.signIn(merchantSignIn(first.merchant))).status, 303);
      await first.close();
      const second = await startTestServer(database.env, { dataDir: dir.path });
      try {
        const again = browserWith(second, browser.cookies.get("tetri_session") ?? "");
        assert.equal((await again.get("/dashboard/orders")).status, 200);
      } finally {
        await second.close();
      }
    } finally {
      dir.remove();
      await database.remove();
    }
  });
});

describe("dashboard session expiry", () => {
  // A server of its own: the clock moves an hour here, past every other session and token.
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ TETRI_DASHBOARD_SESSION_IDLE_MINUTES: "5", TETRI_DASHBOARD_SESSION_MAX_HOURS: "1" });
  });
  after(() => server.close());

  it("a session unused for the idle time ends; one in use lasts until its maximum, then ends too", async () => {
    const idle = await signedIn(server);
    server.clock.advance(4 * MINUTE);
    assert.equal((await idle.get("/dashboard/orders")).status, 200, "still within 5 idle minutes");
    server.clock.advance(4 * MINUTE);
    assert.equal((await idle.get("/dashboard/orders")).status, 200, "the last use moved the idle time on");
    server.clock.advance(5 * MINUTE + 1000);
    const ended = await idle.get("/dashboard/orders");
    expectSignInAgain(ended);
    assert.match(cookieLine(ended, "tetri_session"), /Max-Age=0/);
    const notice = await idle.get(ended.headers.get("location") ?? "");
    assert.match(notice.text, /Your session has ended\. Please sign in again\./);

    const busy = await signedIn(server);
    for (let minutes = 4; minutes < 60; minutes += 4) {
      server.clock.advance(4 * MINUTE);
      assert.equal((await busy.get("/dashboard/overview")).status, 200, `used every 4 minutes, at ${minutes} minutes`);
    }
    server.clock.advance(4 * MINUTE);
    expectSignInAgain(await busy.get("/dashboard/overview"));
  });

});

describe("dashboard over https", () => {
  it("marks its cookies Secure when the public URL is https", async () => {
    const server = await startTestServer({ TETRI_PUBLIC_URL: "https://pay.example.test" });
    try {
      const browser = server.dashboard();
      const page = await browser.get("/dashboard/sign-in");
      assert.match(cookieLine(page, "tetri_csrf"), /; Secure$/);
      const answer = await browser.signIn(merchantSignIn(server.merchant));
      assert.match(cookieLine(answer, "tetri_session"), /; Secure$/);
    } finally {
      await server.close();
    }
  });
});

describe("dashboard sign-in limit", () => {
  it("after too many failed sign-ins, an account and an address are refused without checking, until the window passes", async () => {
    const server = await startTestServer({ TETRI_DASHBOARD_SIGN_IN_LIMIT: "3" });
    try {
      const right = merchantSignIn(server.merchant);
      for (let i = 0; i < 3; i++) assert.equal((await server.dashboard().signIn({ ...right, secret: `guess-${i}` })).status, 401);
      const throttled = server.dashboard();
      const answer = await throttled.signIn(right);
      assert.equal(answer.status, 429);
      assert.match(answer.text, /Too many failed sign-ins/);
      assert.equal(throttled.cookies.has("tetri_session"), false, "the right secret opens nothing while throttled");
      // The address is over the limit too: another account from it waits as well.
      const other = addMerchant(server, "Shop Limit-B");
      assert.equal((await server.dashboard().signIn(merchantSignIn(other))).status, 429);

      server.clock.advance(15 * MINUTE + 1000);
      assert.equal((await server.dashboard().signIn(right)).status, 303);
    } finally {
      await server.close();
    }
  });
});
