// The dashboard as a browser without script uses it, over the shop client's transport: it
// keeps the cookies it is given, reads the CSRF token of the page it got, posts forms, and
// does not follow redirects (tests read where they lead).

import assert from "node:assert/strict";
import { parseJsonOrUndefined } from "./fixtures.ts";
import type { MerchantCredentials } from "./fixtures.ts";
import { csrfTokenOf } from "./hosted-page.ts";
import type { TestResponse, Transport } from "./shop.ts";

/** The operator every dashboard test server configures. */
export const OPERATOR = { name: "ops", password: "operator-password-1" };
export const OPERATOR_ENV: Record<string, string> = { TETRI_OPERATOR_USER: OPERATOR.name, TETRI_OPERATOR_PASSWORD: OPERATOR.password };

export type SignIn = { kind: "merchant" | "operator"; account: string; secret: string };

export const merchantSignIn = (merchant: MerchantCredentials): SignIn => ({ kind: "merchant", account: merchant.clientId, secret: merchant.clientSecret });
export const operatorSignIn: SignIn = { kind: "operator", account: OPERATOR.name, secret: OPERATOR.password };

export type DashboardClient = {
  /** The cookies the browser holds now, by name. */
  cookies: Map<string, string>;
  get(path: string): Promise<TestResponse>;
  /** Posts a urlencoded form, with the cookies. */
  post(path: string, form: Record<string, string>): Promise<TestResponse>;
  /** Opens `path` and posts its form (the first with a CSRF token) to `action` with `fields` added. */
  submit(path: string, action: string, fields?: Record<string, string>): Promise<TestResponse>;
  /** Signs in through the sign-in page; the answer is the form's. */
  signIn(who: SignIn): Promise<TestResponse>;
};

/** A page's form token, failing the test when there is none. */
export function pageCsrf(response: TestResponse): string {
  const token = csrfTokenOf(response.text);
  assert.ok(token, `no CSRF token in the page (${response.status}): ${response.text.slice(0, 300)}`);
  return token;
}

function remember(cookies: Map<string, string>, headers: Headers): void {
  for (const line of headers.getSetCookie()) {
    const [pair = "", ...attributes] = line.split(";");
    const [name = "", ...value] = pair.trim().split("=");
    const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
    if (expired) cookies.delete(name);
    else cookies.set(name, value.join("="));
  }
}

export function dashboardClient(transport: Transport): DashboardClient {
  const cookies = new Map<string, string>();
  const headers = (): Record<string, string> =>
    cookies.size > 0 ? { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; ") } : {};
  const send = async (method: string, path: string, body?: string) => {
    const response = await transport({
      method,
      path,
      headers: { ...headers(), ...(body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }) },
      body,
    });
    remember(cookies, response.headers);
    return { ...response, json: parseJsonOrUndefined(response.text) };
  };
  const client: DashboardClient = {
    cookies,
    get: (path) => send("GET", path),
    post: (path, form) => send("POST", path, new URLSearchParams(form).toString()),
    async submit(path, action, fields = {}) {
      const page = await client.get(path);
      assert.equal(page.status, 200, `${path}: ${page.status} ${page.text.slice(0, 300)}`);
      return client.post(action, { csrf: pageCsrf(page), ...hiddenFields(page.text, action), ...fields });
    },
    async signIn(who) {
      return client.submit("/dashboard/sign-in", "/dashboard/sign-in", { kind: who.kind, account: who.account, secret: who.secret });
    },
  };
  return client;
}

/** The hidden fields of the form that posts to `action` (but its CSRF token, which `submit` reads itself). */
export function hiddenFields(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`action="${action}"`);
  if (start < 0) return {};
  const form = html.slice(start, html.indexOf("</form>", start));
  const fields: Record<string, string> = {};
  for (const match of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    const [, name = "", value = ""] = match;
    if (name !== "csrf") fields[name] = value.replaceAll("&amp;", "&").replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">");
  }
  return fields;
}
