// The hosted payment page a shop sends its buyer to (/?order_id=…), the 3-D Secure
// challenge and the result page. Card data arrives only in POST bodies, never in a URL,
// and is never logged or echoed back.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import formbody from "@fastify/formbody";
import { completeChallenge, payOrder } from "../core/checkout.ts";
import type { PaymentResult } from "../core/checkout.ts";
import { TetriError } from "../core/errors.ts";
import { parseAttemptId, parseOrderId } from "../core/ids.ts";
import type { OrderId } from "../core/ids.ts";
import { getCheckoutView } from "../core/orders.ts";
import { payWithSavedCard } from "../core/saved-cards.ts";
import type { CoreContext } from "../core/context.ts";
import { LANGUAGES } from "../core/types.ts";
import type { Language, Order, OrderView } from "../core/types.ts";
import type { CsrfGuard } from "../web/csrf.ts";
import { formOf, languageParam, sendPage as sendAnyPage, stylesheetRoute } from "../web/pages.ts";
import { checkoutPaths } from "./links.ts";
import type { ShopReturn } from "./links.ts";
import { declineMessage, TEXTS } from "./i18n.ts";
import { loanDecisionForm } from "./method-pages.ts";
import { simulatedMethodRoutes } from "./method-routes.ts";
import { CHECKOUT_STYLESHEET, SEND_FORM_SCRIPT, challengePage, messagePage, paymentPage, resultPage } from "./pages.ts";
import type { ResultKind } from "./pages.ts";

/** Form actions may redirect to the shop, so its redirect origins join 'self' in form-action. */
function shopOrigins(view?: OrderView): string[] {
  const origins = new Set<string>();
  for (const url of [view?.order.successUrl, view?.order.failUrl]) {
    if (url) origins.add(new URL(url).origin);
  }
  return [...origins];
}

// Sends the shop-return form as soon as the page is read; the form's button does it without scripts.
const SEND_FORM_JS = 'document.getElementById("shop-return")?.submit();\n';

/** The page's language: the one the buyer chose (lang=…), else the order's. */
const pageLanguage = (value: unknown, fallback: Language) => languageParam(value, LANGUAGES, fallback);

export type CheckoutDeps = {
  ctx: CoreContext;
  csrf: CsrfGuard;
  testMode: boolean;
  /** How long a simulated QR payment's code stays valid. */
  qrTtlMs: number;
  /** The form POST back to the shop that the order's bank API makes after a settled payment (with the order then), if it makes one. */
  shopReturn: (order: Pick<Order, "id" | "dialect" | "merchantId">) => Promise<{ view: OrderView; form: ShopReturn } | undefined>;
};

export async function checkoutRoutes(app: FastifyInstance, { ctx, csrf, testMode, qrTtlMs, shopReturn }: CheckoutDeps) {
  await app.register(formbody);

  const sendPage = (reply: FastifyReply, status: number, page: string, view?: OrderView) =>
    sendAnyPage(reply, status, page, { formActionOrigins: shopOrigins(view) });

  const notFound = (reply: FastifyReply, language: Language) =>
    sendPage(reply, 404, messagePage(language, TEXTS[language].not_found, TEXTS[language].not_found_text, testMode));

  async function loadView(orderId: OrderId | undefined): Promise<OrderView | undefined> {
    if (!orderId) return undefined;
    try {
      return await getCheckoutView(ctx, orderId);
    } catch (error) {
      if (error instanceof TetriError && error.code === "TETRI_ERR_ORDER_NOT_FOUND") return undefined;
      throw error;
    }
  }

  function resultOf(view: OrderView, language: Language): { kind: ResultKind; message?: string } {
    const { order, attempt } = view;
    switch (order.status) {
      case "created":
      case "processing":
        return { kind: "processing" };
      case "expired":
        return { kind: "expired" };
      case "declined":
      case "voided":
        return {
          kind: "declined",
          message: attempt?.declineReason ? declineMessage(language, attempt.declineReason) : undefined,
        };
      default:
        return { kind: "success" };
    }
  }

  /** Where "Back to the shop" leads: the shop's own success or fail page, none while still processing. */
  function backHrefOf(view: OrderView, kind: ResultKind): string | undefined {
    if (kind === "processing") return undefined;
    const url = kind === "success" || kind === "paid" ? view.order.successUrl : view.order.failUrl;
    return url ?? undefined;
  }

  async function redirectAfter(reply: FastifyReply, view: OrderView, result: PaymentResult, language: Language) {
    const id = view.order.id;
    const tetriResult = checkoutPaths.result(id, language);
    const back = result.kind === "approved" || result.kind === "declined" ? await shopReturn(view.order) : undefined;
    if (back) {
      const page = resultPage(back.view, { ...resultOf(back.view, language), language, testMode, backForm: back.form });
      return sendAnyPage(reply, 200, page, { formActionOrigins: [new URL(back.form.url).origin], scripts: true });
    }
    switch (result.kind) {
      case "approved":
        return reply.redirect(view.order.successUrl ?? tetriResult, 303);
      case "declined":
        return reply.redirect(view.order.failUrl ?? tetriResult, 303);
      case "challenge":
        return reply.redirect(checkoutPaths.challenge(id, result.attemptId, language), 303);
      case "pending":
        return reply.redirect(tetriResult, 303);
      case "card_invalid":
      case "not_payable":
      case "method_not_offered":
        return reply.redirect(checkoutPaths.payment(id, language), 303);
    }
  }

  /** The result page of an order; one whose loan application waits for the bank offers its decision (test mode). */
  function sendResult(request: FastifyRequest, reply: FastifyReply, view: OrderView, language: Language, kind?: ResultKind) {
    const result = resultOf(view, language);
    const shown = kind ?? result.kind;
    const actions = testMode && view.attempt?.status === "awaiting_decision" ? loanDecisionForm(view, csrf.issue(request, reply, view.order.id), language) : undefined;
    return sendPage(reply, 200, resultPage(view, { ...result, kind: shown, language, testMode, backHref: backHrefOf(view, shown), actions }), view);
  }

  stylesheetRoute(app, CHECKOUT_STYLESHEET, new URL("./checkout.css", import.meta.url));
  app.get(SEND_FORM_SCRIPT, { schema: { hide: true } }, async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").header("cache-control", "public, max-age=3600").send(SEND_FORM_JS),
  );

  app.get("/", { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const orderText = typeof query.order_id === "string" ? query.order_id : undefined;
    if (orderText === undefined) {
      return sendPage(reply, 200, messagePage("en", "tetri", "tetri payment gateway is running. See the README to get started.", testMode));
    }
    const view = await loadView(parseOrderId(orderText));
    if (!view) return notFound(reply, pageLanguage(query.lang, "ka"));
    const language = pageLanguage(query.lang, view.order.language);
    if (view.order.status === "created") {
      const token = csrf.issue(request, reply, view.order.id);
      return sendPage(reply, 200, paymentPage(view, { csrf: token, problems: [], values: { expiry: "", cardholder: "" } }, { testMode, language }), view);
    }
    if (view.order.status === "processing" && view.attempt?.status === "challenge") {
      return reply.redirect(checkoutPaths.challenge(view.order.id, view.attempt.id, language), 303);
    }
    const kind = resultOf(view, language).kind;
    return sendResult(request, reply, view, language, kind === "success" ? "paid" : kind);
  });

  app.post("/checkout/pay", { schema: { hide: true } }, async (request, reply) => {
    const form = formOf(request);
    const language = pageLanguage(form.lang, "ka");
    const view = await loadView(parseOrderId(form.order_id ?? ""));
    if (!view) return notFound(reply, language);
    // A form left open in another tab, or a second click: the order is no longer payable, so
    // show what happened to it (the same public page a GET shows) instead of the card form.
    if (view.order.status !== "created") return reply.redirect(checkoutPaths.payment(view.order.id, language), 303);
    if (!csrf.verify(request, view.order.id, form.csrf)) {
      // Nothing is paid. The buyer (whose cookie expired, or was replaced by a second tab opened
      // at the same moment) gets a fresh form instead of a dead end; nothing typed is echoed.
      const token = csrf.issue(request, reply, view.order.id);
      const state = { csrf: token, problems: [], values: { expiry: "", cardholder: "" }, notice: TEXTS[language].session_expired };
      return sendPage(reply, 403, paymentPage(view, state, { testMode, language }), view);
    }
    if (view.order.savedCardId) return redirectAfter(reply, view, await payWithSavedCard(ctx, view.order.id), language);
    const values = { expiry: form.expiry ?? "", cardholder: form.cardholder ?? "" };
    const result = await payOrder(ctx, view.order.id, {
      number: form.card_number ?? "",
      expiry: values.expiry,
      cvc: form.cvc ?? "",
      holder: values.cardholder,
    });
    if (result.kind === "card_invalid") {
      const page = paymentPage(view, { csrf: form.csrf ?? "", problems: result.problems, values }, { testMode, language });
      return sendPage(reply, 422, page, view);
    }
    return redirectAfter(reply, view, result, language);
  });

  app.get("/checkout/3ds", { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const view = await loadView(parseOrderId(String(query.order_id ?? "")));
    const language = pageLanguage(query.lang, view?.order.language ?? "ka");
    const attemptId = parseAttemptId(String(query.attempt_id ?? ""));
    if (!view || !attemptId || view.attempt?.id !== attemptId) return notFound(reply, language);
    if (view.attempt.status !== "challenge") return reply.redirect(checkoutPaths.result(view.order.id, language), 303);
    const token = csrf.issue(request, reply, view.order.id);
    return sendPage(reply, 200, challengePage(view, { csrf: token, attemptId, language, testMode }), view);
  });

  app.post("/checkout/3ds", { schema: { hide: true } }, async (request, reply) => {
    const form = formOf(request);
    const language = pageLanguage(form.lang, "ka");
    const view = await loadView(parseOrderId(form.order_id ?? ""));
    const attemptId = parseAttemptId(form.attempt_id ?? "");
    if (!view || !attemptId || view.attempt?.id !== attemptId) return notFound(reply, language);
    if (!csrf.verify(request, view.order.id, form.csrf)) {
      if (view.attempt.status !== "challenge") return reply.redirect(checkoutPaths.result(view.order.id, language), 303);
      const token = csrf.issue(request, reply, view.order.id);
      const page = challengePage(view, { csrf: token, attemptId, language, testMode, notice: TEXTS[language].session_expired });
      return sendPage(reply, 403, page, view);
    }
    const result = await completeChallenge(ctx, view.order.id, attemptId, form.result === "complete");
    return redirectAfter(reply, view, result, language);
  });

  app.get("/receipt", { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const view = await loadView(parseOrderId(String(query.order_id ?? "")));
    const language = pageLanguage(query.lang, view?.order.language ?? "ka");
    if (!view) return notFound(reply, language);
    return sendResult(request, reply, view, language);
  });

  simulatedMethodRoutes(app, { ctx, csrf, testMode, qrTtlMs, loadView, notFound, sendPage, redirectAfter });
}
