// The routes of the payment methods' simulated pages (test mode): GET shows a method's page,
// POST takes the buyer's choice there to core, /checkout/decision takes the bank's later
// decision of a pending loan application. Card data typed for a points payment's rest arrives
// only in the POST body and is never echoed back.

import type { FastifyInstance, FastifyReply } from "fastify";
import type { PaymentResult } from "../core/checkout.ts";
import type { CoreContext } from "../core/context.ts";
import { parseOrderId } from "../core/ids.ts";
import type { OrderId } from "../core/ids.ts";
import { decideLoanApplication, issueQrCode, payWithSimulatedMethod } from "../core/simulated-methods.ts";
import type { SimulatedResult } from "../core/simulated-methods.ts";
import { LANGUAGES } from "../core/types.ts";
import type { Language, OrderView } from "../core/types.ts";
import type { CsrfGuard } from "../web/csrf.ts";
import { formOf, languageParam } from "../web/pages.ts";
import type { Form } from "../web/pages.ts";
import { TEXTS } from "./i18n.ts";
import { checkoutPaths } from "./links.ts";
import { choiceOf, isSimulatedMethod } from "./method-forms.ts";
import type { SimulatedMethod } from "./method-forms.ts";
import { methodPage, qrExpiredPage } from "./method-pages.ts";
import type { MethodPageState } from "./method-pages.ts";
import { CHOICE_PROBLEMS } from "./method-texts.ts";

export type SimulatedMethodDeps = {
  ctx: CoreContext;
  csrf: CsrfGuard;
  testMode: boolean;
  qrTtlMs: number;
  loadView(orderId: OrderId | undefined): Promise<OrderView | undefined>;
  notFound(reply: FastifyReply, language: Language): FastifyReply;
  sendPage(reply: FastifyReply, status: number, page: string, view?: OrderView): FastifyReply;
  redirectAfter(reply: FastifyReply, view: OrderView, result: PaymentResult, language: Language): Promise<FastifyReply>;
};

/** What a page asked again shows as typed: never the card number or CVC. */
const KEPT_FIELDS = ["wallet_card", "account_holder", "points", "expiry", "cardholder", "applicant", "months", "gift_code"] as const;

const keptValues = (form: Form): Form => Object.fromEntries(KEPT_FIELDS.map((name) => [name, form[name]]));

export function simulatedMethodRoutes(app: FastifyInstance, deps: SimulatedMethodDeps): void {
  const { ctx, csrf, testMode, qrTtlMs, loadView, notFound, sendPage, redirectAfter } = deps;
  const pageLanguage = (value: unknown, fallback: Language) => languageParam(value, LANGUAGES, fallback);

  /** Only an order still awaiting payment, in test mode, that offers the method, has its page. */
  const offers = (view: OrderView, method: string): method is SimulatedMethod =>
    testMode && view.order.status === "created" && isSimulatedMethod(method) && view.order.paymentMethods.includes(method);

  const stateOf = (method: SimulatedMethod, orderId: OrderId, token: string, extra: Partial<MethodPageState> = {}): MethodPageState => ({
    csrf: token,
    qr: method === "qr" ? issueQrCode(ctx, orderId, qrTtlMs) : undefined,
    ...extra,
  });

  app.get("/checkout/method", { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const view = await loadView(parseOrderId(String(query.order_id ?? "")));
    const language = pageLanguage(query.lang, view?.order.language ?? "ka");
    if (!view) return notFound(reply, language);
    const method = String(query.method ?? "");
    if (!offers(view, method)) return reply.redirect(checkoutPaths.payment(view.order.id, language), 303);
    const token = csrf.issue(request, reply, view.order.id);
    return sendPage(reply, 200, methodPage(view, method, stateOf(method, view.order.id, token), { testMode, language }), view);
  });

  app.post("/checkout/method", { schema: { hide: true } }, async (request, reply) => {
    const form = formOf(request);
    const language = pageLanguage(form.lang, "ka");
    const view = await loadView(parseOrderId(form.order_id ?? ""));
    if (!view) return notFound(reply, language);
    const method = form.method ?? "";
    if (!offers(view, method)) return reply.redirect(checkoutPaths.payment(view.order.id, language), 303);
    const values = keptValues(form);
    const ask = (status: number, extra: Partial<MethodPageState>) =>
      sendPage(reply, status, methodPage(view, method, stateOf(method, view.order.id, extra.csrf ?? form.csrf ?? "", { values, ...extra }), { testMode, language }), view);
    if (!csrf.verify(request, view.order.id, form.csrf)) {
      return ask(403, { csrf: csrf.issue(request, reply, view.order.id), problem: TEXTS[language].session_expired });
    }
    const choice = choiceOf(method, form, view.order.currency);
    const result: SimulatedResult = choice ? await payWithSimulatedMethod(ctx, view.order.id, choice) : { kind: "choice_invalid", problem: "points_over_amount" };
    switch (result.kind) {
      case "choice_invalid":
        return ask(422, { problem: CHOICE_PROBLEMS[language][result.problem] });
      case "card_invalid":
        return ask(422, { cardProblems: result.problems });
      case "qr_expired":
        return sendPage(reply, 410, qrExpiredPage(view, { testMode, language }), view);
      default:
        return redirectAfter(reply, view, result, language);
    }
  });

  app.post("/checkout/decision", { schema: { hide: true } }, async (request, reply) => {
    const form = formOf(request);
    const language = pageLanguage(form.lang, "ka");
    const view = await loadView(parseOrderId(form.order_id ?? ""));
    if (!view) return notFound(reply, language);
    // A stale form (another tab, an expired cookie): the result page shows where the application stands.
    if (!testMode || view.attempt?.status !== "awaiting_decision" || !csrf.verify(request, view.order.id, form.csrf)) {
      return reply.redirect(checkoutPaths.result(view.order.id, language), 303);
    }
    const result = await decideLoanApplication(ctx, view.order.id, form.result === "approve");
    return redirectAfter(reply, view, result, language);
  });
}
