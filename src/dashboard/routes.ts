// The merchant dashboard at /dashboard: sign-in, overview, orders, an order with its actions
// and timeline, settings. Pages are rendered on the server and work without script; every
// form carries a CSRF token; every change is a POST that redirects (or answers a page that
// says what happened). Routes only translate: core decides what is allowed and does it.

import { createHash, randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import formbody from "@fastify/formbody";
import { addDays, localDateOf, parseLocalDate, startOfLocalDate } from "../core/calendar.ts";
import type { LocalDate } from "../core/calendar.ts";
import { resendCallback, sendTestCallback } from "../core/callbacks.ts";
import type { CoreContext } from "../core/context.ts";
import { TetriError, isTetriError } from "../core/errors.ts";
import { parseOrderId } from "../core/ids.ts";
import type { MerchantId, OrderId } from "../core/ids.ts";
import { rotateClientSecret } from "../core/merchants.ts";
import { merchantSettingsOf, updateMerchantSettings } from "../core/merchant-settings.ts";
import { isCurrency, parseMajorAmount } from "../core/money.ts";
import type { MinorUnits } from "../core/money.ts";
import { operateFromDashboard } from "../core/operations.ts";
import { listOrders } from "../core/order-listing.ts";
import type { OrderFilter } from "../core/order-listing.ts";
import { ORDER_STATUSES } from "../core/order-state.ts";
import type { OrderStatus } from "../core/order-state.ts";
import { orderDetail } from "../core/order-timeline.ts";
import type { OrderDetail } from "../core/order-timeline.ts";
import { overviewOf } from "../core/overview.ts";
import type { CallbackSender } from "../core/ports.ts";
import { signIn, signOut } from "../core/sessions.ts";
import type { OperatorAccount, SessionPolicy } from "../core/sessions.ts";
import type { DashboardSession, Merchant } from "../core/types.ts";
import type { DialectModule } from "../dialects/dialect.ts";
import { toTetriError } from "../http/errors.ts";
import type { CsrfGuard } from "../web/csrf.ts";
import { formOf, languageParam, sendPage, stylesheetRoute } from "../web/pages.ts";
import { AMOUNT_PROBLEMS, actionErrorText, DASHBOARD_LANGUAGES, TEXTS } from "./i18n.ts";
import { DASHBOARD_STYLESHEET, messagePage, pageContext } from "./layout.ts";
import type { PageContext } from "./layout.ts";
import { confirmPage, DASHBOARD_ACTIONS, operationOutcome, orderPage } from "./order-page.ts";
import type { DashboardAction, OrderPageInput } from "./order-page.ts";
import { ORDERS_QUERY_FIELDS, ordersPage } from "./orders-page.ts";
import type { OrdersQuery } from "./orders-page.ts";
import { overviewPage } from "./overview-page.ts";
import { DASHBOARD_PREFIX, dashboardPaths, localDashboardPath } from "./paths.ts";
import { endSession, languageOfRequest, rememberLanguage, sessionCsrfScope, sessionHook, SIGN_IN_CSRF_SCOPE, startSession } from "./session.ts";
import type { SessionDeps } from "./session.ts";
import { merchantsPage, newSecretPage, rotateConfirmPage, settingsPage } from "./settings-page.ts";
import type { SettingsInput } from "./settings-page.ts";
import { signInPage } from "./sign-in-page.ts";
import type { SignInForm } from "./sign-in-page.ts";

export type DashboardDeps = {
  ctx: CoreContext;
  csrf: CsrfGuard;
  policy: SessionPolicy;
  operator: OperatorAccount | undefined;
  sendCallback: CallbackSender;
  callbackPublicKeyPem: string;
  /** Every registered bank API. */
  dialects: readonly DialectModule[];
  timeZone: string;
  testMode: boolean;
  live: boolean;
  secureCookies: boolean;
};

type Query = Record<string, unknown>;

/** A query or form value as one string: a repeated parameter counts by its first value. */
function text(source: Query, name: string): string {
  const value = source[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" ? first : "";
}

const OVERVIEW_DEFAULT_DAYS = 30;
const NONCE = /^[A-Za-z0-9_-]{22}$/;

export async function dashboardRoutes(app: FastifyInstance, deps: DashboardDeps) {
  const { ctx, csrf } = deps;
  const sessions: SessionDeps = { ctx, policy: deps.policy, operator: deps.operator, secureCookies: deps.secureCookies };
  await app.register(formbody);
  app.addHook("onRequest", sessionHook(sessions));

  const apis = deps.dialects.map((d) => ({ id: d.id as string, title: d.title, credentialLabel: d.credential?.label }));
  const dialectById = new Map(deps.dialects.map((d) => [d.id as string, d]));

  /** The page's context; signed-in pages get the frame's navigation, name and sign-out token. */
  async function pageOf(request: FastifyRequest, reply: FastifyReply): Promise<PageContext> {
    const { language, session } = request.dashboard;
    const base = { testMode: deps.testMode, timeZone: deps.timeZone, path: request.url };
    if (!session) return pageContext(language, base);
    const { principal } = session;
    const label =
      principal.kind === "operator"
        ? `${TEXTS[language].operator} (${principal.name})`
        : ((await ctx.store.read((tx) => tx.merchants.find(principal.merchantId)))?.name ?? "");
    return pageContext(language, { ...base, signedIn: { label, operator: session.principal.kind === "operator", csrf: csrf.issue(request, reply, sessionCsrfScope(session)) } });
  }

  const sessionOfRequest = (request: FastifyRequest): DashboardSession => {
    const session = request.dashboard.session;
    if (!session) throw new Error("a signed-in route ran without a session");
    return session;
  };

  const notFound = async (request: FastifyRequest, reply: FastifyReply) => {
    const page = await pageOf(request, reply);
    return sendPage(reply, 404, messagePage(page, page.t.not_found, page.t.not_found_text));
  };

  /** A form posted without its token (from another site, or after the session changed): nothing is done. */
  const formExpired = async (request: FastifyRequest, reply: FastifyReply) => {
    const page = await pageOf(request, reply);
    return sendPage(reply, 403, messagePage(page, page.t.form_expired, page.t.form_expired));
  };

  const checkCsrf = (request: FastifyRequest, token: string | undefined) => {
    const session = request.dashboard.session;
    return csrf.verify(request, session ? sessionCsrfScope(session) : SIGN_IN_CSRF_SCOPE, token);
  };

  app.setNotFoundHandler(notFound);
  // Anything a request can throw (a body too large, of the wrong type) as a page; a bug as a 500 page without details.
  app.setErrorHandler(async (error, request, reply) => {
    const tetri = toTetriError(error);
    if (tetri.status === 404) return notFound(request, reply);
    if (tetri.status >= 500) request.log.error({ err: error }, "dashboard request failed");
    request.dashboard ??= { language: languageOfRequest(request), session: undefined };
    const page = await pageOf(request, reply);
    const message = tetri.status >= 500 ? page.t.failed_request : (actionErrorText(page.language, tetri.code) ?? tetri.message);
    return sendPage(reply, tetri.status, messagePage(page, page.t.error, message));
  });

  // The sign-in page needs its stylesheet too.
  stylesheetRoute(app, DASHBOARD_STYLESHEET.slice(DASHBOARD_PREFIX.length), new URL("./dashboard.css", import.meta.url), { signedOut: true });

  app.get("/", { config: { signedOut: true }, schema: { hide: true } }, async (request, reply) =>
    reply.redirect(request.dashboard.session ? dashboardPaths.overview() : dashboardPaths.signIn(), 303),
  );

  app.get("/language", { config: { signedOut: true }, schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Query;
    rememberLanguage(reply, languageParam(text(query, "lang"), DASHBOARD_LANGUAGES, request.dashboard.language), deps.secureCookies);
    return reply.redirect(localDashboardPath(text(query, "back")) ?? dashboardPaths.overview(), 303);
  });

  // --- signing in and out

  async function sendSignIn(request: FastifyRequest, reply: FastifyReply, status: number, form: Omit<SignInForm, "csrf" | "operator">) {
    const page = await pageOf(request, reply);
    const token = csrf.issue(request, reply, SIGN_IN_CSRF_SCOPE);
    return sendPage(reply, status, signInPage(page, { ...form, csrf: token, operator: deps.operator !== undefined }));
  }

  app.get("/sign-in", { config: { signedOut: true }, schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Query;
    const next = localDashboardPath(text(query, "next"));
    if (request.dashboard.session) return reply.redirect(next ?? dashboardPaths.overview(), 303);
    const t = TEXTS[request.dashboard.language];
    const message = text(query, "expired")
      ? { kind: "error" as const, text: t.session_expired }
      : text(query, "signed_out")
        ? { kind: "ok" as const, text: t.signed_out }
        : undefined;
    return sendSignIn(request, reply, 200, { next, kind: "merchant", account: "", message });
  });

  app.post("/sign-in", { config: { signedOut: true }, schema: { hide: true } }, async (request, reply) => {
    const form = formOf(request);
    const t = TEXTS[request.dashboard.language];
    const next = localDashboardPath(form.next);
    const kind = form.kind === "operator" && deps.operator ? "operator" : "merchant";
    const account = (form.account ?? "").trim().slice(0, 200);
    const retry = { next, kind, account } as const;
    if (!csrf.verify(request, SIGN_IN_CSRF_SCOPE, form.csrf)) {
      return sendSignIn(request, reply, 403, { ...retry, message: { kind: "error", text: t.form_expired } });
    }
    const result = await signIn(ctx, deps.policy, deps.operator, { kind, account, secret: form.secret ?? "", address: request.ip });
    if (result.kind === "throttled") return sendSignIn(request, reply, 429, { ...retry, message: { kind: "error", text: t.sign_in_throttled } });
    if (result.kind === "refused") return sendSignIn(request, reply, 401, { ...retry, message: { kind: "error", text: t.sign_in_refused } });
    startSession(reply, sessions, result.token);
    return reply.redirect(next ?? dashboardPaths.overview(), 303);
  });

  app.post("/sign-out", { schema: { hide: true } }, async (request, reply) => {
    if (!checkCsrf(request, formOf(request).csrf)) return formExpired(request, reply);
    await signOut(ctx, sessionOfRequest(request));
    endSession(reply, sessions);
    return reply.redirect(dashboardPaths.signIn({ signed_out: "1" }), 303);
  });

  // --- whose data: a merchant sees its own; the operator every merchant's, or one it names

  const principalOf = (request: FastifyRequest) => sessionOfRequest(request).principal;

  /** The merchant a settings page is about; a merchant naming another is told there is none. */
  async function merchantOfPage(request: FastifyRequest, param: string): Promise<{ merchant: Merchant; param: string | undefined } | undefined> {
    const principal = principalOf(request);
    const id = principal.kind === "merchant" ? principal.merchantId : param;
    if (principal.kind === "merchant" && param !== "" && param !== principal.merchantId) return undefined;
    const merchant = id ? await ctx.store.read((tx) => tx.merchants.find(id as MerchantId)) : undefined;
    return merchant && { merchant, param: principal.kind === "operator" ? merchant.id : undefined };
  }

  const merchantsForOperator = (request: FastifyRequest) =>
    principalOf(request).kind === "operator" ? ctx.store.read((tx) => tx.merchants.list()) : Promise.resolve(undefined);

  // --- overview

  app.get("/overview", { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Query;
    const page = await pageOf(request, reply);
    const today = localDateOf(ctx.clock.now(), deps.timeZone);
    const to = parseLocalDate(text(query, "to")) ?? today;
    const from = parseLocalDate(text(query, "from")) ?? addDays(to, 1 - OVERVIEW_DEFAULT_DAYS);
    const merchants = await merchantsForOperator(request);
    const merchantId = merchants?.find((m) => m.id === text(query, "merchant"))?.id;
    const form = { from, to, merchantId, merchants };
    try {
      const overview = await overviewOf(ctx, principalOf(request), { from, to, timeZone: deps.timeZone, merchantId });
      return sendPage(reply, 200, overviewPage(page, form, overview));
    } catch (error) {
      if (!isTetriError(error) || error.code !== "TETRI_ERR_VALIDATION") throw error;
      return sendPage(reply, 400, overviewPage(page, { ...form, problem: error.fields[0]?.message ?? error.message }, undefined));
    }
  });

  // --- orders

  app.get("/orders", { schema: { hide: true } }, async (request, reply) => {
    const source = request.query as Query;
    const query = Object.fromEntries(ORDERS_QUERY_FIELDS.map((name) => [name, text(source, name).trim()])) as OrdersQuery;
    const page = await pageOf(request, reply);
    const t = page.t;
    const merchants = await merchantsForOperator(request);
    const problems: Partial<Record<keyof OrdersQuery, string>> = {};
    const day = (name: "from" | "to"): LocalDate | undefined => {
      if (query[name] === "") return undefined;
      const date = parseLocalDate(query[name]);
      if (!date) problems[name] = t.date_format;
      return date;
    };
    const from = day("from");
    const to = day("to");
    const status = ORDER_STATUSES.find((s) => s === query.status);
    const filter: OrderFilter = {
      merchantId: merchants?.find((m) => m.id === query.merchant)?.id,
      statuses: status ? [status as OrderStatus] : undefined,
      dialect: dialectById.get(query.api)?.id,
      currency: isCurrency(query.currency) ? query.currency : undefined,
      createdFrom: from && startOfLocalDate(from, deps.timeZone),
      createdBefore: to && startOfLocalDate(addDays(to, 1), deps.timeZone),
      amountMin: query.amount_min || undefined,
      amountMax: query.amount_max || undefined,
      text: query.q.slice(0, 255) || undefined,
      cursor: query.cursor || undefined,
    };
    let listing;
    if (Object.keys(problems).length === 0) {
      try {
        listing = await listOrders(ctx, principalOf(request), filter);
      } catch (error) {
        if (!isTetriError(error) || error.code !== "TETRI_ERR_VALIDATION") throw error;
        for (const problem of error.fields) {
          const name = problem.field as keyof OrdersQuery;
          problems[name] = name === "amount_min" || name === "amount_max" ? AMOUNT_PROBLEMS[page.language].not_a_number : problem.message;
        }
      }
    }
    const input = { query, problems, apis, merchants, listing };
    return sendPage(reply, listing ? 200 : 400, ordersPage(page, input));
  });

  const orderIdOf = (request: FastifyRequest): OrderId => {
    const id = parseOrderId((request.params as { id: string }).id);
    if (!id) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
    return id;
  };

  async function sendOrder(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    detail: OrderDetail,
    extra: Pick<OrderPageInput, "message" | "typed"> = {},
  ) {
    const page = await pageOf(request, reply);
    const dialect = dialectById.get(detail.view.order.dialect);
    const input: OrderPageInput = {
      detail,
      apiTitle: dialect?.title ?? detail.view.order.dialect,
      showMerchant: principalOf(request).kind === "operator",
      buyer: dialect?.buyer?.(detail.view.order),
      ...extra,
    };
    return sendPage(reply, status, orderPage(page, input));
  }

  app.get("/orders/:id", { schema: { hide: true } }, async (request, reply) => {
    const detail = await orderDetail(ctx, principalOf(request), orderIdOf(request));
    const done = text(request.query as Query, "done");
    const page = await pageOf(request, reply);
    const operation = detail.view.operations.find((op) => op.id === done);
    const message = operation ? operationOutcome(page, operation) : done === "callback" ? { kind: "ok" as const, text: page.t.done_resend } : undefined;
    return sendOrder(request, reply, 200, detail, { message });
  });

  /** What an action asks for, read in the order's currency; a refusal is rendered on the order's page. */
  function amountOf(
    page: PageContext,
    detail: OrderDetail,
    action: DashboardAction,
    typed: string,
  ): { amount: MinorUnits | undefined; whole: number } | { problem: string } {
    const { actions: can, view } = detail;
    const whole = { refund: can.refundable, capture: can.capturable, cancel: view.order.authorizedAmount, resend: 0 }[action];
    if (typed === "" || action === "cancel" || action === "resend") return { amount: undefined, whole };
    const parsed = parseMajorAmount(typed, view.order.currency);
    return parsed.ok ? { amount: parsed.minor, whole: parsed.minor } : { problem: AMOUNT_PROBLEMS[page.language][parsed.problem] };
  }

  const actionOf = (value: string) => DASHBOARD_ACTIONS.find((a) => a === value);

  app.get("/orders/:id/confirm", { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Query;
    const detail = await orderDetail(ctx, principalOf(request), orderIdOf(request));
    const page = await pageOf(request, reply);
    const action = actionOf(text(query, "action"));
    if (!action) return sendOrder(request, reply, 400, detail, { message: { kind: "error", text: page.t.no_actions } });
    const typed = text(query, "amount").trim().slice(0, 20);
    const read = amountOf(page, detail, action, typed);
    if ("problem" in read) return sendOrder(request, reply, 400, detail, { typed: { action, amount: typed, problem: read.problem } });
    const session = sessionOfRequest(request);
    const nonce = randomBytes(16).toString("base64url");
    const token = csrf.issue(request, reply, sessionCsrfScope(session));
    return sendPage(reply, 200, confirmPage(page, { detail, action, amountText: typed, amount: read.whole, csrf: token, nonce }));
  });

  app.post("/orders/:id/actions", { schema: { hide: true } }, async (request, reply) => {
    const form = formOf(request);
    if (!checkCsrf(request, form.csrf)) return formExpired(request, reply);
    const principal = principalOf(request);
    const orderId = orderIdOf(request);
    const detail = await orderDetail(ctx, principal, orderId);
    const page = await pageOf(request, reply);
    const action = actionOf(form.action ?? "");
    const typed = (form.amount ?? "").trim().slice(0, 20);
    if (!action || !NONCE.test(form.nonce ?? "")) {
      return sendOrder(request, reply, 400, detail, { message: { kind: "error", text: page.t.form_expired } });
    }
    const read = amountOf(page, detail, action, typed);
    if ("problem" in read) return sendOrder(request, reply, 400, detail, { typed: { action, amount: typed, problem: read.problem } });
    try {
      if (action === "resend") {
        await resendCallback(ctx, principal, orderId);
        return reply.redirect(dashboardPaths.order(orderId, { done: "callback" }), 303);
      }
      const operationId = await operateFromDashboard(ctx, principal, {
        orderId,
        kind: action === "cancel" ? "void" : action,
        amount: read.amount,
        ...dialectById.get(detail.view.order.dialect)?.operationRules,
        // The confirmation form's one-time nonce: submitting it twice refunds once.
        idempotency: { key: `dashboard:${form.nonce}`, fingerprint: createHash("sha256").update(`${action}:${typed}`).digest("hex") },
      });
      return reply.redirect(dashboardPaths.order(orderId, { done: operationId }), 303);
    } catch (error) {
      if (!isTetriError(error) || error.status >= 500 || error.status === 404) throw error;
      const text = actionErrorText(page.language, error.code) ?? error.message;
      const fresh = await orderDetail(ctx, principal, orderId);
      return sendOrder(request, reply, error.status, fresh, { message: { kind: "error", text }, typed: { action, amount: typed } });
    }
  });

  // --- settings

  async function sendSettings(request: FastifyRequest, reply: FastifyReply, status: number, of: { merchant: Merchant; param: string | undefined }, extra: Pick<SettingsInput, "message" | "typed" | "test"> = {}) {
    const page = await pageOf(request, reply);
    const input: SettingsInput = {
      merchant: of.merchant,
      merchantParam: of.param,
      apis,
      settings: await merchantSettingsOf(ctx.store, of.merchant.id),
      publicKeyPem: deps.callbackPublicKeyPem,
      csrf: csrf.issue(request, reply, sessionCsrfScope(sessionOfRequest(request))),
      ...extra,
    };
    return sendPage(reply, status, settingsPage(page, input));
  }

  app.get("/settings", { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Query;
    const param = text(query, "merchant");
    if (principalOf(request).kind === "operator" && param === "") {
      const page = await pageOf(request, reply);
      return sendPage(reply, 200, merchantsPage(page, (await merchantsForOperator(request)) ?? []));
    }
    const of = await merchantOfPage(request, param);
    if (!of) return notFound(request, reply);
    const saved = text(query, "saved") ? { kind: "ok" as const, text: TEXTS[request.dashboard.language].saved } : undefined;
    return sendSettings(request, reply, 200, of, { message: saved });
  });

  /** A settings form: its merchant and bank API, once its token is checked; undefined when it was answered already. */
  async function settingsForm(request: FastifyRequest, reply: FastifyReply) {
    const form = formOf(request);
    if (!checkCsrf(request, form.csrf)) {
      await formExpired(request, reply);
      return undefined;
    }
    const of = await merchantOfPage(request, form.merchant ?? "");
    const dialect = dialectById.get(form.api ?? "");
    if (!of || !dialect) {
      await notFound(request, reply);
      return undefined;
    }
    return { form, of, dialect };
  }

  app.post("/settings/callback-url", { schema: { hide: true } }, async (request, reply) => {
    const found = await settingsForm(request, reply);
    if (!found) return reply;
    const { form, of, dialect } = found;
    const url = (form.callback_url ?? "").slice(0, 2048);
    try {
      await updateMerchantSettings(ctx.store, { merchantId: of.merchant.id, dialect: dialect.id, live: deps.live, now: ctx.clock.now() }, { callbackUrl: url });
    } catch (error) {
      if (!isTetriError(error) || error.code !== "TETRI_ERR_VALIDATION") throw error;
      return sendSettings(request, reply, 400, of, { typed: { api: dialect.id, url, problem: error.fields[0]?.message ?? error.message } });
    }
    return reply.redirect(dashboardPaths.settings({ merchant: of.param, saved: "1" }), 303);
  });

  app.post("/settings/test-callback", { schema: { hide: true } }, async (request, reply) => {
    const found = await settingsForm(request, reply);
    if (!found) return reply;
    const { of, dialect } = found;
    try {
      const { url, delivery } = await sendTestCallback(ctx, deps.sendCallback, of.merchant.id, dialect.id);
      return sendSettings(request, reply, 200, of, { test: { api: dialect.id, url, delivery } });
    } catch (error) {
      if (!isTetriError(error) || error.code !== "TETRI_ERR_NO_CALLBACK_URL") throw error;
      return sendSettings(request, reply, 400, of, { message: { kind: "error", text: actionErrorText(request.dashboard.language, error.code) ?? error.message } });
    }
  });

  app.get("/settings/rotate-secret", { schema: { hide: true } }, async (request, reply) => {
    const of = await merchantOfPage(request, text(request.query as Query, "merchant"));
    if (!of) return notFound(request, reply);
    const page = await pageOf(request, reply);
    const token = csrf.issue(request, reply, sessionCsrfScope(sessionOfRequest(request)));
    return sendPage(reply, 200, rotateConfirmPage(page, { merchant: of.merchant, merchantParam: of.param, csrf: token }));
  });

  app.post("/settings/rotate-secret", { schema: { hide: true } }, async (request, reply) => {
    const form = formOf(request);
    if (!checkCsrf(request, form.csrf)) return formExpired(request, reply);
    const of = await merchantOfPage(request, form.merchant ?? "");
    if (!of) return notFound(request, reply);
    const session = sessionOfRequest(request);
    const secret = await rotateClientSecret(ctx.store, of.merchant.id, session.principal.kind === "merchant" ? session.id : undefined);
    const page = await pageOf(request, reply);
    return sendPage(reply, 200, newSecretPage(page, { merchant: of.merchant, merchantParam: of.param, secret }));
  });
}
