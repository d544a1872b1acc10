// Card data and secrets never reach the logs or the database in clear (design: "Logs never
// contain a PAN or CVC: a test greps"). Everything the process writes is captured, at debug
// and at info level, while payments go through every path a card number can take: the
// hosted page form (with a 3-D Secure challenge), the test-mode helper, a Luhn-invalid
// number, a declined card, a malformed JSON body, a saved card (saved on the page, paid
// with again on the page and charged without the buyer), and Paymentz server-to-server payments.
//
// What is fair to check, and why:
// - PANs: the full number must not appear in any form (digits only, grouped by spaces or
//   dashes), nor (for the distinctive numbers chosen here) its first 12 digits, which is more
//   than the allowed mask (first 6, last 4) shows. A match must not be part of a longer number:
//   pino writes float timings such as "responseTime":1.4000000000000002.
// - CVC: "987" may turn up by chance inside a timestamp, a port or a hash, so grepping for
//   the three digits alone would be flaky and prove nothing. We check that 987 never follows
//   "cvc" closely (cvc=987, "cvc":"987", cvc: 987) and never appears as a string value ("987").
// - Client secret: the demo banner prints it once on purpose, at first start (the secret is
//   stored only as a hash, so this is the newcomer's one chance to read it). So it may
//   appear exactly in the banner's two lines (client_secret and the curl example) and
//   nowhere else; a wrong secret tried at the token endpoint and the access tokens issued
//   must appear nowhere; nor may the dashboard's session tokens or the operator's password.
// - The database: the SQLite file and its WAL are read as bytes, while the server runs (the
//   recent pages are only in the WAL) and after it stopped (checkpointed into the main file).

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { dashboardClient, hiddenFields, merchantSignIn, OPERATOR, OPERATOR_ENV, operatorSignIn, pageCsrf } from "../helpers/dashboard.ts";
import { DEMO, orderBody, purchaseOf, tempDir } from "../helpers/fixtures.ts";
import { csrfCookieOf } from "../helpers/hosted-page.ts";
import { paymentzClient } from "../helpers/paymentz.ts";
import { fetchTransport } from "../helpers/shop.ts";
import { startReceiver } from "../helpers/receiver.ts";
import { eventually } from "../helpers/wait.ts";
import { stopAll, TetriProcess } from "./tetri-process.ts";

const CVC = "987";
const HOSTED_PAN = "4539578123640150"; // Luhn-valid, no special meaning: approved
const HELPER_PAN = "5182637491028377"; // Luhn-valid Mastercard: approved
const THREE_DS_PAN = "4000000000003220"; // approved after a 3-D Secure challenge
const DECLINED_PAN = "4000000000000002";
const LUHN_INVALID_PAN = "4539578123640151";
const BRIEF_PAN = "4242424242424242";
const SAVED_PAN = "4916338506082832"; // Luhn-valid, approved: saved for later charges
const PANS = [HOSTED_PAN, HELPER_PAN, THREE_DS_PAN, DECLINED_PAN, LUHN_INVALID_PAN, BRIEF_PAN, SAVED_PAN];
const WRONG_SECRET = "Wr0ng-secret-9f8e7d6c5b4a";

const spaced = (pan: string) => pan.replace(/(\d{4})(?=\d)/g, "$1 ");
const dashed = (pan: string) => pan.replace(/(\d{4})(?=\d)/g, "$1-");
const DISTINCTIVE = new Set([HOSTED_PAN, HELPER_PAN, LUHN_INVALID_PAN, SAVED_PAN]);
/** How a PAN could show up. The 12-digit prefix only for distinctive numbers: "400000000000" is not. */
const panForms = (pan: string) => [pan, spaced(pan), dashed(pan), ...(DISTINCTIVE.has(pan) ? [pan.slice(0, 12)] : [])];
/** Not inside a longer number: pino's float timings such as 1.4000000000000002 are no leak. */
const standalone = (text: string) => new RegExp(`(?<![\\d.])${text}(?!\\d)`);

/** A buyer's browser on the hosted page: keeps the cookie, posts the forms it is given. */
class Browser {
  cookie = "";
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }

  async get(path: string): Promise<{ status: number; location: string | null; html: string }> {
    const response = await fetch(`${this.base}${path}`, { headers: this.cookie ? { cookie: this.cookie } : {}, redirect: "manual" });
    this.remember(response);
    return { status: response.status, location: response.headers.get("location"), html: await response.text() };
  }

  async post(path: string, form: Record<string, string>): Promise<{ status: number; location: string | null; html: string }> {
    const response = await fetch(`${this.base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: this.cookie },
      body: new URLSearchParams(form).toString(),
      redirect: "manual",
    });
    this.remember(response);
    return { status: response.status, location: response.headers.get("location"), html: await response.text() };
  }

  private remember(response: Response) {
    this.cookie = csrfCookieOf(response.headers) ?? this.cookie;
  }
}

/** The hidden inputs of the first form in `html`. */
function hiddenInputs(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [input] of html.matchAll(/<input\b[^>]*>/g)) {
    if (!/type="hidden"/.test(input)) continue;
    const name = /name="([^"]*)"/.exec(input)?.[1];
    const value = /value="([^"]*)"/.exec(input)?.[1];
    if (name !== undefined && !(name in fields)) fields[name] = value ?? "";
  }
  return fields;
}

function databaseBytes(dataDir: string): Buffer {
  const files = ["tetri.sqlite", "tetri.sqlite-wal"].map((f) => join(dataDir, f)).filter((f) => existsSync(f));
  assert.ok(files.length > 0, "the database file exists");
  return Buffer.concat(files.map((f) => readFileSync(f)));
}

/** No PAN in clear, and no CVC at all (as a text value, or next to "cvc"). */
function assertNoCardDataIn(bytes: Buffer, where: string) {
  for (const pan of PANS) {
    for (const form of [pan, spaced(pan)]) {
      assert.equal(bytes.indexOf(Buffer.from(form, "utf8")), -1, `${where} contains ${form}`);
      assert.equal(bytes.indexOf(Buffer.from(form, "utf16le")), -1, `${where} contains ${form} (UTF-16)`);
    }
  }
  assert.equal(bytes.indexOf(Buffer.from(`"${CVC}"`, "utf8")), -1, `${where} contains the CVC as a value`);
  assert.doesNotMatch(bytes.toString("latin1"), new RegExp(`cvc\\W{0,8}${CVC}(?!\\d)`, "i"), `${where} contains the CVC`);
}

async function payEverywhere(tetri: TetriProcess, callbackUrl: string): Promise<string[]> {
  // Token requests: HTTP Basic (the shop client's own, used for everything below), client_secret
  // in the form, and a wrong secret.
  const { shop } = tetri;
  const token = await shop.token();
  const post = await shop.request("POST", "/auth/realms/bog/protocol/openid-connect/token", {
    token: null,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: DEMO.clientId, client_secret: DEMO.clientSecret }).toString(),
  });
  const postToken = post.json?.access_token as string | undefined;
  await assert.rejects(shop.tokenFor(DEMO.clientId, WRONG_SECRET), /no token \(401\)/);
  const order = (amount: number) => shop.createOrder(orderBody({ purchase_units: purchaseOf(amount) }, callbackUrl));

  // The hosted page: GET sets the cookie and renders the form; a Luhn-invalid number is
  // turned back without an attempt, then the buyer corrects it.
  const hosted = await order(12.3);
  const browser = new Browser(tetri.url);
  const page = await browser.get(`/?order_id=${hosted}&lang=en`);
  assert.equal(page.status, 200);
  assert.ok(browser.cookie, "the page sets the CSRF cookie");
  const hidden = hiddenInputs(page.html);
  for (const name of ["csrf", "lang", "order_id"]) assert.ok(hidden[name], `hidden input ${name}`);
  const card = { expiry: "12/39", cvc: CVC, cardholder: "Nino Beridze" };
  const rejected = await browser.post("/checkout/pay", { ...hidden, ...card, card_number: spaced(LUHN_INVALID_PAN) });
  assert.equal(rejected.status, 422);
  for (const text of [...panForms(LUHN_INVALID_PAN), `value="${CVC}"`]) {
    assert.ok(!rejected.html.includes(text), `the re-rendered form echoes ${text}`);
  }
  const paid = await browser.post("/checkout/pay", { ...hidden, ...card, card_number: spaced(HOSTED_PAN) });
  assert.equal(paid.status, 303, paid.html);
  assert.equal(((await shop.receipt(hosted)).order_status as { key: string }).key, "completed");

  // The hosted page with a 3-D Secure challenge.
  const challenged = await order(7);
  const threeDsBrowser = new Browser(tetri.url);
  const form3 = hiddenInputs((await threeDsBrowser.get(`/?order_id=${challenged}&lang=en`)).html);
  const toChallenge = await threeDsBrowser.post("/checkout/pay", { ...form3, ...card, card_number: THREE_DS_PAN });
  assert.equal(toChallenge.status, 303);
  assert.match(toChallenge.location ?? "", /^\/checkout\/3ds\?/);
  const challenge = await threeDsBrowser.get(toChallenge.location ?? "");
  assert.equal(challenge.status, 200);
  const done = await threeDsBrowser.post("/checkout/3ds", { ...hiddenInputs(challenge.html), result: "complete" });
  assert.equal(done.status, 303, done.html);
  assert.equal(((await shop.receipt(challenged)).order_status as { key: string }).key, "completed");

  // The test-mode helper: approved, declined, Luhn-invalid, and a malformed JSON body.
  const helper = await order(3.2);
  const helperPaid = await shop.pay(helper, { card_number: HELPER_PAN, cvc: CVC });
  assert.equal(helperPaid.json.outcome, "approved", helperPaid.text);
  const declinedOrder = await order(4);
  const declined = await shop.pay(declinedOrder, { card_number: DECLINED_PAN, cvc: CVC });
  assert.equal(declined.json.outcome, "declined", declined.text);
  const invalidOrder = await order(5);
  const invalid = await shop.pay(invalidOrder, { card_number: LUHN_INVALID_PAN, cvc: CVC });
  assert.ok(invalid.status >= 400 && invalid.status < 500, invalid.text);
  const malformed = await shop.request("POST", `/_test/orders/${invalidOrder}/pay`, { body: `{"card_number":"${BRIEF_PAN}","cvc":"${CVC}",` });
  assert.equal(malformed.status, 400, malformed.text);
  assert.ok(!malformed.text.includes(BRIEF_PAN), "the error response echoes the PAN");
  const briefOrder = await order(6);
  assert.equal((await shop.pay(briefOrder, { card_number: spaced(BRIEF_PAN), cvc: CVC })).json.outcome, "approved");

  // A saved card: saved on the page (BOG PUT .../cards and .../subscriptions), paid with again
  // on the page without typing it, and charged without the buyer.
  for (const [path, amount] of [["cards", 8], ["subscriptions", 9]] as const) {
    const parent = await order(amount);
    assert.equal((await shop.request("PUT", `/payments/v1/orders/${parent}/${path}`)).status, 202);
    const saving = new Browser(tetri.url);
    const savingForm = hiddenInputs((await saving.get(`/?order_id=${parent}&lang=en`)).html);
    assert.equal((await saving.post("/checkout/pay", { ...savingForm, ...card, card_number: spaced(SAVED_PAN) })).status, 303);
    if (path === "cards") {
      const repeat = await shop.request("POST", `/payments/v1/ecommerce/orders/${parent}`, { body: orderBody({ purchase_units: purchaseOf(2) }, callbackUrl) });
      assert.equal(repeat.status, 200, repeat.text);
      const repeatPage = await saving.get(`/?order_id=${repeat.json.id}&lang=en`);
      assert.ok(repeatPage.html.includes("491633******2832"), "the saved-card page shows the mask");
      assert.equal((await saving.post("/checkout/pay", hiddenInputs(repeatPage.html))).status, 303);
      assert.equal(((await shop.receipt(repeat.json.id)).order_status as { key: string }).key, "completed");
    } else {
      const charge = await shop.request("POST", `/payments/v1/ecommerce/orders/${parent}/subscribe`, { body: {} });
      assert.equal(((await shop.receipt(charge.json.id)).order_status as { key: string }).key, "completed");
    }
  }

  // Paymentz: a server-to-server card payment in a form body and in JSON, and a Luhn-invalid one.
  const pz = paymentzClient(shop);
  const pzPaid = await pz.pay("logs-pz-1", "3.30", { "card.number": HOSTED_PAN, "card.cvv": CVC });
  assert.equal(pzPaid.json.transactionStatus, "Y", pzPaid.text);
  assert.equal((await pz.pay("logs-pz-2", "3.40", { "card.number": HELPER_PAN, "card.cvv": CVC }, { encoding: "nested" })).json.transactionStatus, "Y");
  const pzInvalid = await pz.pay("logs-pz-3", "3.50", { "card.number": LUHN_INVALID_PAN, "card.cvv": CVC }, { encoding: "flat" });
  assert.equal(pzInvalid.status, 400, pzInvalid.text);
  assert.ok(!pzInvalid.text.includes(LUHN_INVALID_PAN), "the error response echoes the PAN");

  // The dashboard: a merchant signs in (once with a wrong secret), opens the paid order (its
  // card masked) and refunds part of it; the operator signs in too.
  const dashboard = dashboardClient(fetchTransport(tetri.url));
  assert.equal((await dashboard.signIn({ ...merchantSignIn(DEMO), secret: WRONG_SECRET })).status, 401);
  assert.equal((await dashboard.signIn(merchantSignIn(DEMO))).status, 303);
  const orderPage = await dashboard.get(`/dashboard/orders/${hosted}`);
  assert.equal(orderPage.status, 200);
  assert.ok(orderPage.text.includes("453957******0150"));
  for (const form of panForms(HOSTED_PAN)) assert.ok(!orderPage.text.includes(form), `the order page shows ${form}`);
  const confirm = await dashboard.get(`/dashboard/orders/${hosted}/confirm?action=refund&amount=1`);
  const action = `/dashboard/orders/${hosted}/actions`;
  assert.equal((await dashboard.post(action, { csrf: pageCsrf(confirm), ...hiddenFields(confirm.text, action) })).status, 303);
  const operator = dashboardClient(fetchTransport(tetri.url));
  assert.equal((await operator.signIn(operatorSignIn)).status, 303);
  const sessions = [dashboard, operator].map((d) => d.cookies.get("tetri_session") ?? "");

  return [token, postToken ?? "", ...sessions, OPERATOR.password, await pz.token()].filter(Boolean);
}

function assertCleanOutput(output: string, secrets: string[]) {
  const lines = output.split("\n");
  for (const pan of PANS) {
    for (const form of panForms(pan)) {
      const pattern = standalone(form);
      const line = lines.find((l) => pattern.test(l));
      assert.equal(line, undefined, `output contains ${form}: ${line}`);
    }
  }
  const nearCvc = new RegExp(`cvc\\D{0,8}${CVC}(?!\\d)`, "i");
  const cvcLine = lines.find((l) => nearCvc.test(l) || l.includes(`"${CVC}"`));
  assert.equal(cvcLine, undefined, `output contains the CVC: ${cvcLine}`);

  const secretLines = lines.filter((l) => l.includes(DEMO.clientSecret));
  // The banner shows it three times: the credentials, and the BOG and TBC token commands.
  assert.equal(secretLines.length, 3, `the secret appears only in the banner:\n${secretLines.join("\n")}`);
  assert.equal(secretLines[0], `  client_secret: ${DEMO.clientSecret}`);
  assert.match(secretLines[1] ?? "", /^ {2}curl -s -u '/);
  // The Paymentz secure key likewise: the member line and the authToken example of the banner.
  const keyLines = lines.filter((l) => l.includes(DEMO.paymentz.secureKey));
  assert.equal(keyLines.length, 2, `the secure key appears only in the banner:\n${keyLines.join("\n")}`);
  assert.match(keyLines[0] ?? "", /^ {2}paymentz member:/);
  for (const secret of [WRONG_SECRET, ...secrets]) {
    assert.ok(!output.includes(secret), `output contains ${secret.slice(0, 12)}…`);
  }
}

for (const level of ["debug", "info"]) {
  describe(`logs at TETRI_LOG_LEVEL=${level}`, { timeout: 60_000 }, () => {
    const dir = tempDir();
    after(async () => {
      await stopAll();
      dir.remove();
    });

    it("never contain a PAN, a CVC or a secret; the database holds no PAN in clear", async () => {
      const receiver = await startReceiver();
      try {
        const tetri = await TetriProcess.start({ dataDir: dir.path, env: { TETRI_LOG_LEVEL: level, ...OPERATOR_ENV } });
        const tokens = await payEverywhere(tetri, receiver.url);
        await eventually(() => (receiver.received.length > 0 ? true : undefined), { what: "a callback" });
        assertNoCardDataIn(databaseBytes(dir.path), "the database (running)");
        const stopped = await tetri.kill("SIGTERM");
        assert.equal(stopped.code, 0, tetri.output);

        // The check is not vacuous: request logs were written, card paths included.
        assert.match(tetri.stdout, /"url":"\/checkout\/pay"/);
        assert.match(tetri.stdout, /"url":"\/_test\/orders\/[^"]+\/pay"/);
        assert.match(tetri.stdout, /"url":"\/dashboard\/sign-in"/);
        assertCleanOutput(tetri.output, tokens);
        assertNoCardDataIn(databaseBytes(dir.path), "the database (stopped)");
      } finally {
        await receiver.close();
      }
    });
  });
}
