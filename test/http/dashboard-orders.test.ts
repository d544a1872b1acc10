// The dashboard's orders at the HTTP level: the list (newest first, a cursor, filters,
// search), an order's page (amounts, buyer, basket, a masked card), its actions with the
// API's rules (each confirmation used once), its timeline, resent callbacks, and that one
// merchant never reaches another's order.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addDays, localDateOf } from "../../src/core/calendar.ts";
import { addMerchant, CARD, orderBody, purchaseOf, tbcPaymentBody } from "../helpers/fixtures.ts";
import type { MerchantCredentials } from "../helpers/fixtures.ts";
import { hiddenFields, merchantSignIn, OPERATOR_ENV, operatorSignIn, pageCsrf } from "../helpers/dashboard.ts";
import type { DashboardClient, SignIn } from "../helpers/dashboard.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { Receiver } from "../helpers/receiver.ts";
import type { ShopClient } from "../helpers/shop.ts";
import { eventually } from "../helpers/wait.ts";

const DAY = 86_400_000;

/** The orders a list page links to, in its order. */
function listed(html: string): string[] {
  return [...html.matchAll(/<a class="mono" href="\/dashboard\/orders\/([0-9a-f-]{36})"/g)].map((m) => m[1] ?? "");
}

/** The link to the next (older) page, or undefined on the last page. */
function olderLink(html: string): string | undefined {
  return /<a href="([^"]+)" rel="next">/.exec(html)?.[1]?.replaceAll("&amp;", "&");
}

/** The page without what differs between two renderings of it (form tokens). */
const withoutTokens = (html: string) => html.replace(/name="csrf" value="[^"]*"/g, "");

describe("dashboard orders", () => {
  let server: TestServer;
  let receiver: Receiver;
  before(async () => {
    [server, receiver] = await Promise.all([startTestServer(OPERATOR_ENV), startReceiver()]);
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  /** A merchant of its own for a test, with its shop client and a signed-in dashboard browser. */
  async function merchantWithDashboard(name: string): Promise<{ credentials: MerchantCredentials; shop: ShopClient; browser: DashboardClient }> {
    const credentials = addMerchant(server, name);
    return { credentials, shop: server.as(credentials), browser: await signedIn(merchantSignIn(credentials)) };
  }

  async function signedIn(who: SignIn): Promise<DashboardClient> {
    const browser = server.dashboard();
    assert.equal((await browser.signIn(who)).status, 303);
    return browser;
  }

  async function paidOrder(shop: ShopClient, body: Record<string, unknown> = orderBody(), card: Record<string, string> = {}): Promise<string> {
    const id = await shop.createOrder(body);
    const paid = await shop.pay(id, card);
    assert.equal(paid.status, 200, paid.text);
    return id;
  }

  /** Confirms an action on an order as the dashboard's forms do: the confirmation page, then its form. */
  async function act(browser: DashboardClient, orderId: string, action: string, amount = "") {
    const confirm = await browser.get(`/dashboard/orders/${orderId}/confirm?action=${action}&amount=${encodeURIComponent(amount)}`);
    if (confirm.status !== 200) return { confirm, answer: confirm, form: {} };
    const form = { csrf: pageCsrf(confirm), ...hiddenFields(confirm.text, `/dashboard/orders/${orderId}/actions`) };
    const answer = await browser.post(`/dashboard/orders/${orderId}/actions`, form);
    return { confirm, answer, form };
  }

  it("lists a merchant's orders newest first, a page at a time, each once, and a page does not shift when orders arrive", async () => {
    const { shop, browser } = await merchantWithDashboard("Shop List");
    const created: string[] = [];
    for (let i = 0; i < 27; i++) {
      created.push(await shop.createOrder(orderBody({ external_order_id: `list-${i}` })));
      server.clock.advance(1);
    }
    const first = await browser.get("/dashboard/orders");
    assert.equal(first.status, 200);
    assert.deepEqual(listed(first.text), created.slice(2).reverse());
    const older = olderLink(first.text);
    assert.ok(older);
    await shop.createOrder(orderBody({ external_order_id: "list-late" }));
    const second = await browser.get(older);
    assert.deepEqual(listed(second.text), created.slice(0, 2).reverse());
    assert.equal(olderLink(second.text), undefined);
    assert.match(second.text, /<a href="\/dashboard\/orders">← Newest<\/a>/);
    const badCursor = await browser.get("/dashboard/orders?cursor=nonsense");
    assert.equal(badCursor.status, 400);
  });

  it("filters by status, API, currency, amount and the day an order was made, and says which filter is wrong", async () => {
    const credentials = addMerchant(server, "Shop Filters");
    let shop = server.as(credentials);
    const paid = await paidOrder(shop, orderBody({ purchase_units: purchaseOf(10) }));
    const declined = await paidOrder(shop, orderBody({ purchase_units: purchaseOf(20) }), { card_number: "4000000000000002" });
    const dollars = await shop.createOrder(orderBody({ purchase_units: { ...purchaseOf(30), currency: "USD" } }));
    const tbc = await shop.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody() });
    assert.equal(tbc.status, 200, tbc.text);
    const tbcOrder = await eventually(async () => listed((await (await signedIn(merchantSignIn(credentials))).get("/dashboard/orders?api=tbc")).text)[0]);
    server.clock.advance(2 * DAY);
    shop = server.as(credentials); // the first token has expired meanwhile
    const later = await shop.createOrder(orderBody({ purchase_units: purchaseOf(40) }));
    const browser = await signedIn(merchantSignIn(credentials));
    const list = async (query: string) => {
      const page = await browser.get(`/dashboard/orders?${query}`);
      assert.equal(page.status, 200, `${query}: ${page.text.slice(0, 300)}`);
      return listed(page.text).sort();
    };
    const today = localDateOf(server.clock.now(), "Asia/Tbilisi");
    assert.deepEqual(await list("status=declined"), [declined]);
    assert.deepEqual(await list("status=captured"), [paid]);
    assert.deepEqual(await list("api=tbc"), [tbcOrder]);
    assert.deepEqual(await list("api=bog&currency=USD"), [dollars]);
    assert.deepEqual(await list("amount_min=15&amount_max=30"), [declined, dollars].sort());
    assert.deepEqual(await list("amount_min=12.5&amount_max=12.50"), [tbcOrder]);
    assert.deepEqual(await list("amount_min=40&currency=GEL"), [later]);
    assert.deepEqual(await list(`from=${today}`), [later]);
    assert.deepEqual(await list(`to=${addDays(today, -1)}`), [paid, declined, dollars, tbcOrder].sort());
    assert.deepEqual(await list(`from=${today}&status=declined`), []);

    const badAmount = await browser.get("/dashboard/orders?amount_min=ten");
    assert.equal(badAmount.status, 400);
    assert.match(badAmount.text, /aria-invalid="true" aria-describedby="f-amount_min-error"/);
    assert.match(badAmount.text, /Enter an amount, such as 10 or 10\.50\./);
    const badDate = await browser.get("/dashboard/orders?from=2026-13-01");
    assert.equal(badDate.status, 400);
    assert.match(badDate.text, /Use the format YYYY-MM-DD\./);
  });

  it("finds an order by its id (with or without dashes), by the shop's own id, and by the last four digits of its card", async () => {
    const { shop, browser } = await merchantWithDashboard("Shop Search");
    const visa = await paidOrder(shop, orderBody({ external_order_id: "search-visa" }));
    const mastercard = await paidOrder(shop, orderBody({ external_order_id: "search-mc" }), { card_number: "5555555555554444" });
    const search = async (q: string) => listed((await browser.get(`/dashboard/orders?q=${encodeURIComponent(q)}`)).text);
    assert.deepEqual(await search(visa), [visa]);
    assert.deepEqual(await search(visa.replaceAll("-", "").toUpperCase()), [visa]);
    assert.deepEqual(await search("search-mc"), [mastercard]);
    assert.deepEqual(await search("4444"), [mastercard]);
    assert.deepEqual(await search("4242"), [visa]);
    const none = await browser.get("/dashboard/orders?q=9999");
    assert.deepEqual(listed(none.text), []);
    assert.match(none.text, /No orders match\./);
  });

  it("an order's page shows its amounts, buyer, basket and masked card, and never the card number", async () => {
    const { shop, browser } = await merchantWithDashboard("Shop Detail");
    const buyer = { full_name: "Nino Beridze", masked_email: "n***@example.ge", masked_phone: "599***123" };
    const id = await paidOrder(shop, orderBody({ buyer, external_order_id: "detail-1" }));
    const page = await browser.get(`/dashboard/orders/${id}`);
    assert.equal(page.status, 200);
    for (const text of ["detail-1", "Nino Beridze", "n***@example.ge", "599***123", "Churchkhela", "25.50 GEL", "424242******4242", "Bank of Georgia Online Payments v1"]) {
      assert.ok(page.text.includes(text), text);
    }
    assert.equal(page.text.includes("4242424242424242"), false);
    assert.match(page.text, /Left to refund<\/dt><dd>25\.50 GEL/);
  });

  it("an order paid without a card shows its method and what the method recorded: payer, points, a loan's term", async () => {
    const { shop, browser } = await merchantWithDashboard("Shop Methods");
    const loyalty = await shop.createOrder(orderBody({ payment_method: ["bog_loyalty"] }));
    const paid = await shop.request("POST", `/_test/orders/${loyalty}/pay`, { body: { method: "loyalty_points", account_holder: "Nino Beridze", points: "25.50" } });
    assert.equal(paid.json.outcome, "approved", paid.text);
    const page = (await browser.get(`/dashboard/orders/${loyalty}`)).text;
    assert.match(page, /<dt>Method<\/dt><dd>Loyalty points<\/dd>/);
    assert.match(page, /<dt>Payer<\/dt><dd>Nino Beridze<\/dd>/);
    assert.match(page, /<dt>Paid with points<\/dt><dd>25\.50 GEL<\/dd>/);
    assert.doesNotMatch(page, /<dt>Cardholder/);

    const loan = await shop.createOrder(orderBody({ payment_method: ["bog_loan"], config: { loan: { type: "STANDARD", month: 12 } } }));
    await shop.request("POST", `/_test/orders/${loan}/pay`, { body: { method: "installment", applicant: "Nino", months: "12", result: "pending" } });
    assert.equal((await browser.get(`/dashboard/language?lang=ka&back=${encodeURIComponent(`/dashboard/orders/${loan}`)}`)).status, 303);
    const georgian = (await browser.get(`/dashboard/orders/${loan}`)).text;
    assert.match(georgian, /<dt>მეთოდი<\/dt><dd>განვადება<\/dd>/);
    assert.match(georgian, /<dt>სესხის ვადა<\/dt><dd>12 თვე<\/dd>/);
    assert.match(georgian, /ელოდება ბანკის გადაწყვეტილებას/);
  });

  it("a partial refund follows the API's rules, happens once per confirmation, and shows on the timeline", async () => {
    const { shop, browser } = await merchantWithDashboard("Shop Refund");
    const id = await paidOrder(shop);
    const { confirm, answer, form } = await act(browser, id, "refund", "5");
    assert.match(confirm.text, /Refund 5\.00 GEL of order shop-1\?/);
    assert.equal(answer.status, 303);
    const location = answer.headers.get("location") ?? "";
    assert.match(location, new RegExp(`^/dashboard/orders/${id}\\?done=[0-9a-f-]{36}$`));
    const page = await browser.get(location);
    assert.match(page.text, /role="status">Refund 5\.00 GEL: Done\.</);
    assert.match(page.text, /<strong>Refund<\/strong> 5\.00 GEL: completed · by the dashboard/);
    assert.match(page.text, /Left to refund<\/dt><dd>20\.50 GEL/);

    // The same confirmation posted again (a double click, a reload) refunds nothing more.
    const again = await browser.post(`/dashboard/orders/${id}/actions`, form);
    assert.equal(again.headers.get("location"), location);
    const receipt = await shop.receipt(id);
    assert.equal(receipt.purchase_units.refund_amount, "5.0");
    assert.equal(receipt.order_status.key, "refunded_partially");
    assert.deepEqual(receipt.actions.map((a: any) => [a.action, a.request_channel, a.amount]), [["partial_refund", "business_manager", "5.0"]]);

    const tooMuch = await act(browser, id, "refund", "21");
    assert.equal(tooMuch.answer.status, 400);
    assert.match(tooMuch.answer.text, /The refund is more than is left to refund\./);
    const badAmount = await act(browser, id, "refund", "1.234");
    assert.equal(badAmount.answer.status, 400);
    assert.match(badAmount.answer.text, /more decimal places than the currency allows/);
    assert.equal((await shop.receipt(id)).purchase_units.refund_amount, "5.0");

    // Everything that is left, with an empty amount.
    const rest = await act(browser, id, "refund");
    assert.match(rest.confirm.text, /Refund everything that is left \(20\.50 GEL\) of order shop-1\?/);
    assert.equal(rest.answer.status, 303);
    assert.equal((await shop.receipt(id)).order_status.key, "refunded");
    const done = await browser.get(`/dashboard/orders/${id}`);
    assert.doesNotMatch(done.text, /Refund \(GEL\)/, "nothing is left to refund");
  });

  it("the order's bank's own rules hold on the dashboard too: TBC's one partial refund on the payment's day", async () => {
    const { shop, browser } = await merchantWithDashboard("Shop TBC Rules");
    const created = await shop.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody() });
    const payId = created.json.payId as string;
    assert.equal((await shop.tbcRequest("POST", `/_test/orders/${payId}/pay`, { body: CARD })).status, 200);
    const id = listed((await browser.get("/dashboard/orders?api=tbc")).text)[0] ?? "";
    assert.equal((await act(browser, id, "refund", "1")).answer.status, 303);
    const second = await act(browser, id, "refund", "1");
    assert.equal(second.answer.status, 400);
    assert.match(second.answer.text, /only one partial refund on the day of the payment/);
    assert.equal((await act(browser, id, "refund")).answer.status, 303, "the rest, in full, is allowed");
    assert.equal((await shop.tbcRequest("GET", `/v1/tpay/payments/${payId}`)).json.status, "Returned");
  });

  it("a pre-authorization is captured in part, or cancelled, from its page", async () => {
    const { shop, browser } = await merchantWithDashboard("Shop Preauth");
    const held = await paidOrder(shop, orderBody({ capture: "manual" }));
    const page = await browser.get(`/dashboard/orders/${held}`);
    assert.match(page.text, /Capture \(GEL\)/);
    assert.match(page.text, /Cancel pre-authorization/);
    assert.doesNotMatch(page.text, /Refund \(GEL\)/);
    const captured = await act(browser, held, "capture", "10");
    assert.equal(captured.answer.status, 303);
    const receipt = await shop.receipt(held);
    assert.equal(receipt.order_status.key, "partial_completed");
    assert.equal(receipt.purchase_units.transfer_amount, "10.0");
    assert.equal(receipt.actions[0].request_channel, "business_manager");

    const released = await paidOrder(shop, orderBody({ capture: "manual" }));
    const cancel = await act(browser, released, "cancel");
    assert.match(cancel.confirm.text, /Cancel the pre-authorization of order shop-1 and release 25\.50 GEL to the buyer\?/);
    assert.equal(cancel.answer.status, 303);
    assert.equal((await shop.receipt(released)).order_status.key, "rejected");
    const capturedTwice = await act(browser, released, "capture", "1");
    assert.equal(capturedTwice.answer.status, 400);
    assert.match(capturedTwice.answer.text, /no pre-authorization to capture or cancel/);
  });

  it("a callback is resent as the order is now, delivered like any other; the timeline shows each attempt with its answer", async () => {
    const { shop, browser } = await merchantWithDashboard("Shop Resend");
    const id = await paidOrder(shop, orderBody({}, receiver.url));
    const forOrder = () => receiver.received.filter((c) => c.body.includes(id));
    await eventually(() => (forOrder().length === 1 ? true : undefined), { what: "the first callback" });
    const { answer } = await act(browser, id, "resend");
    assert.equal(answer.status, 303);
    assert.equal(answer.headers.get("location"), `/dashboard/orders/${id}?done=callback`);
    await eventually(() => (forOrder().length === 2 ? true : undefined), { what: "the resent callback" });
    const [first, second] = forOrder().map((c) => JSON.parse(c.body));
    assert.deepEqual(second.body, first.body);
    const page = await eventually(async () => {
      const text = (await browser.get(`/dashboard/orders/${id}`)).text;
      return (text.match(/HTTP 200/g) ?? []).length === 2 ? text : undefined;
    });
    assert.equal((page.match(/<strong>Callback queued<\/strong>/g) ?? []).length, 2);
    assert.match(page, /<strong>Callback attempt<\/strong>: <span class="good-text">HTTP 200<\/span> · latency \d+ ms/);
    assert.match(page, /Response:<\/span> <code class="excerpt">ok<\/code>/);

    const unpaid = await shop.createOrder(orderBody({}, receiver.url));
    const nothing = await act(browser, unpaid, "resend");
    assert.equal(nothing.answer.status, 400);
    assert.match(nothing.answer.text, /has not reached a status a callback reports/);
  });

  it("a merchant never reaches another merchant's order: its page, actions and search answer as for an order that does not exist", async () => {
    const victimShop = server.as(addMerchant(server, "Shop Victim"));
    const theirs = await paidOrder(victimShop, orderBody({ external_order_id: "victim-1" }));
    const { browser } = await merchantWithDashboard("Shop Intruder");
    const unknown = "00000000-0000-4000-8000-000000000000";
    for (const path of [`/dashboard/orders/${theirs}`, `/dashboard/orders/${theirs}/confirm?action=refund&amount=1`]) {
      const answer = await browser.get(path);
      const missing = await browser.get(path.replace(theirs, unknown));
      assert.equal(answer.status, 404, path);
      // The same page, but for the address it was asked at (the language switch comes back to it).
      assert.equal(withoutTokens(answer.text).replaceAll(theirs, unknown), withoutTokens(missing.text), path);
      assert.equal(answer.text.includes("victim-1"), false);
    }
    const token = pageCsrf(await browser.get("/dashboard/orders"));
    for (const action of ["refund", "resend"]) {
      const answer = await browser.post(`/dashboard/orders/${theirs}/actions`, { csrf: token, action, amount: "1", nonce: "B".repeat(22) });
      assert.equal(answer.status, 404, action);
    }
    assert.equal((await victimShop.receipt(theirs)).purchase_units.refund_amount, "0.0");
    assert.deepEqual(listed((await browser.get(`/dashboard/orders?q=${theirs}`)).text), []);
    assert.deepEqual(listed((await browser.get("/dashboard/orders?q=victim-1")).text), []);
  });

  it("the operator sees every merchant's orders, can choose one merchant, and acts for it as support", async () => {
    const first = await merchantWithDashboard("Shop Ops-1");
    const second = await merchantWithDashboard("Shop Ops-2");
    const one = await paidOrder(first.shop, orderBody({ external_order_id: "ops-1" }));
    const two = await paidOrder(second.shop, orderBody({ external_order_id: "ops-2" }));
    const operator = await signedIn(operatorSignIn);
    const all = await operator.get("/dashboard/orders");
    assert.ok(listed(all.text).includes(one) && listed(all.text).includes(two));
    assert.match(all.text, /<th scope="col">Merchant<\/th>/);
    const merchantId = new RegExp(`<option value="(mer_[0-9a-f]+)">Shop Ops-1</option>`).exec(all.text)?.[1];
    assert.ok(merchantId);
    assert.deepEqual(listed((await operator.get(`/dashboard/orders?merchant=${merchantId}`)).text), [one]);
    const refund = await act(operator, two, "refund", "2");
    assert.equal(refund.answer.status, 303);
    const receipt = await second.shop.receipt(two);
    assert.deepEqual(receipt.actions.map((a: any) => [a.request_channel, a.amount]), [["support", "2.0"]]);
    const page = await operator.get(`/dashboard/orders/${two}`);
    assert.match(page.text, /by the operator/);
  });
});
