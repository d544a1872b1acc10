// TBC TPay v1 (TBC Checkout), wire-compatible: /v1/tpay/access-token and /v1/tpay/payments.
// Every call carries the merchant's `apikey`; every call but the token call a Bearer token.
// Errors are problem+json as TBC sends them. Routes only translate; core decides.

import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import formbody from "@fastify/formbody";
import { TetriError } from "../../core/errors.ts";
import { parseSavedCardId } from "../../core/ids.ts";
import type { MerchantId, SavedCardId } from "../../core/ids.ts";
import { cancelPayment, capturePreauthorization } from "../../core/operations.ts";
import { createOrder, getOrderView } from "../../core/orders.ts";
import { chargeSavedCard, deleteSavedCard } from "../../core/saved-cards.ts";
import type { DialectId, OrderView } from "../../core/types.ts";
import { idempotencyOf } from "../../http/request-context.ts";
import type { DialectDeps } from "../dialect.ts";
import { requestedAmount } from "../shared/fields.ts";
import { acceptScalarText, lenientScalars } from "../shared/lenient.ts";
import { emptyBodyIsEmptyObject, orderIdParam, requireMerchant, useErrorShape } from "../shared/routing.ts";
import { bearerMerchant, issueClientToken, tokenRateLimit } from "../shared/tokens.ts";
import { tbcPayId } from "./codes.ts";
import { merchantOfApiKey } from "./credentials.ts";
import { renderTbcError } from "./errors.ts";
import { foldKeyCase, parseTbcExecution, parseTbcPayment } from "./parse.ts";
import { OK_ENVELOPE, renderTbcPayment } from "./render.ts";
import {
  CREATE_PAYMENT_KEYS,
  CREATE_PAYMENT_TEXT_SCALARS,
  EXECUTION_TEXT_SCALARS,
  CancelBody,
  CompletionBody,
  CreatePaymentBody,
  ExecutionBody,
  PayIdParams,
  PaymentResponse,
  ProblemResponse,
  RecIdParams,
  StatusResponse,
  CompletionResponse,
  CreatedPaymentResponse,
  TokenResponse,
} from "./schemas.ts";

export const TBC_PREFIX = "/v1/tpay";

const FORM = "application/x-www-form-urlencoded";

/** TBC: "on the day of the transaction a partial amount can be cancelled only once" (Georgian time, UTC+4). */
export const ONE_PARTIAL_CANCEL_ON_PAYMENT_DAY = { max: 1, utcOffsetMinutes: 240 } as const;

/**
 * The merchant a TBC call authenticates as: its apikey names the merchant (a wrong one is
 * InvalidApiKey), and its Bearer token must be a TBC token of that same merchant.
 */
export async function authenticateTbc(request: FastifyRequest, deps: DialectDeps, dialect: DialectId): Promise<MerchantId | undefined> {
  const merchant = await merchantOfApiKey(deps.ctx.store, dialect, request);
  const merchantId = await bearerMerchant(request, deps, dialect);
  return merchantId === merchant.id ? merchantId : undefined;
}

function savedCardParam(value: string): SavedCardId {
  const id = parseSavedCardId(value);
  if (!id) throw new TetriError("TETRI_ERR_SAVED_CARD_NOT_FOUND");
  return id;
}

export async function tbcRoutes(app: FastifyInstance, dialect: DialectId, deps: DialectDeps) {
  await app.register(async (scope) => paymentRoutes(scope, dialect, deps), { prefix: TBC_PREFIX });
  // Some TBC overview pages write these two paths without /tpay; clients copied them.
  await app.register(async (scope) => paymentRoutes(scope, dialect, deps, { aliasesOnly: true }), { prefix: "/v1" });
}

async function paymentRoutes(app: FastifyInstance, dialect: DialectId, deps: DialectDeps, options: { aliasesOnly?: boolean } = {}) {
  const { ctx, links, settings } = deps;
  useErrorShape(app, renderTbcError);

  const errors = { 400: ProblemResponse, 401: ProblemResponse, 404: ProblemResponse, 409: ProblemResponse, 422: ProblemResponse };
  const owner = (request: FastifyRequest) => ({ merchantId: request.merchantId, dialect });
  const render = (view: OrderView) => {
    const payId = tbcPayId(view.order.id);
    const approval = view.order.status === "created" && !view.order.savedCardId ? links.payment(view.order.id) : undefined;
    return renderTbcPayment(view, { self: `${settings.publicUrl}${TBC_PREFIX}/payments/${payId}`, approval });
  };

  // Only the token call takes a form body (TBC documents it so), and only the apikey: it is
  // registered in a scope of its own, before the scope that requires a token.
  if (!options.aliasesOnly) {
    await app.register(async (tokenScope) => {
      await tokenScope.register(formbody);
      tokenScope.post(
        "/access-token",
        {
          config: tokenRateLimit(deps),
          schema: { tags: [dialect], summary: "Access token (form client_id, client_secret; apikey header)", response: { 200: TokenResponse, 400: ProblemResponse, 401: ProblemResponse } },
        },
        async (request) => {
          const apiKeyMerchant = await merchantOfApiKey(ctx.store, dialect, request);
          const contentType = String(request.headers["content-type"] ?? "");
          if (!contentType.startsWith(FORM) && !contentType.startsWith("application/json")) {
            throw new TetriError("TETRI_ERR_VALIDATION", { fields: [{ field: "body", message: `must be ${FORM}` }] });
          }
          const form = foldKeyCase(request.body ?? {}, { top: ["client_id", "client_secret"], amount: [], installmentProduct: [] }) as Record<string, unknown>;
          const clientId = form.client_id;
          const clientSecret = form.client_secret;
          if (typeof clientId !== "string" || typeof clientSecret !== "string") {
            throw new TetriError("TETRI_ERR_VALIDATION", { fields: [{ field: "client_id", message: "client_id and client_secret are required" }] });
          }
          const token = await issueClientToken(deps, dialect, { id: clientId, secret: clientSecret }, apiKeyMerchant.id);
          if (!token) throw new TetriError("TETRI_ERR_UNAUTHENTICATED");
          return { access_token: token.accessToken, token_type: "Bearer", expires_in: token.expiresIn };
        },
      );
    });
  }

  await app.register(async (api) => {
    requireMerchant(api, (request) => authenticateTbc(request, deps, dialect));

    // Completion and execution, the two paths some clients call without /tpay.
    api.post(
      "/payments/:payId/completion",
      {
        schema: { tags: [dialect], summary: "Complete (capture) a pre-authorization", params: PayIdParams, body: CompletionBody, response: { 200: CompletionResponse, ...errors } },
        preValidation: emptyBodyIsEmptyObject,
      },
      async (request) => {
        const orderId = orderIdParam((request.params as { payId: string }).payId);
        const body = request.body as Static<typeof CompletionBody>;
        await capturePreauthorization(ctx, { ...owner(request), orderId, amount: requestedAmount(body.amount), idempotency: idempotencyOf(request) });
        const payment = render(await getOrderView(ctx, owner(request), orderId));
        return { status: payment.status, amount: payment.amount, confirmedAmount: payment.confirmedAmount, ...OK_ENVELOPE };
      },
    );

    api.post(
      "/payments/execution",
      {
        schema: { tags: [dialect], summary: "Charge a saved card (recurring payment)", body: ExecutionBody, response: { 200: PaymentResponse, ...errors } },
        preValidation: acceptScalarText(EXECUTION_TEXT_SCALARS),
      },
      async (request) => {
        const body = request.body as Static<typeof ExecutionBody>;
        const idempotency = idempotencyOf(request);
        const cardId = savedCardParam(body.recId);
        const { orderId } = await chargeSavedCard(ctx, { merchantId: request.merchantId, cardId, idempotency, order: parseTbcExecution(dialect, body) });
        return render(await getOrderView(ctx, owner(request), orderId));
      },
    );
    if (options.aliasesOnly) return;

    api.post(
      "/payments",
      {
        schema: { tags: [dialect], summary: "Create a payment", body: CreatePaymentBody, response: { 200: CreatedPaymentResponse, ...errors } },
        preValidation: async (request) => {
          request.body = lenientScalars(foldKeyCase(request.body, CREATE_PAYMENT_KEYS), CREATE_PAYMENT_TEXT_SCALARS);
        },
      },
      async (request) => {
        const body = request.body as Static<typeof CreatePaymentBody>;
        const idempotency = idempotencyOf(request);
        const orderId = await createOrder(ctx, request.merchantId, parseTbcPayment(dialect, body, settings.live, ctx.clock.now()), idempotency);
        const payment = render(await getOrderView(ctx, owner(request), orderId));
        // Only the keys TBC documents for this answer (the response schema would drop the rest anyway).
        const { payId, status, currency, amount, links: paymentLinks, transactionId, preAuth, recId } = payment;
        return { payId, status, currency, amount, links: paymentLinks, transactionId, preAuth, recId, ...OK_ENVELOPE };
      },
    );

    api.get(
      "/payments/:payId",
      { schema: { tags: [dialect], summary: "Payment status and details", params: PayIdParams, response: { 200: PaymentResponse, 401: ProblemResponse, 404: ProblemResponse } } },
      async (request) => render(await getOrderView(ctx, owner(request), orderIdParam((request.params as { payId: string }).payId))),
    );

    api.post(
      "/payments/:payId/cancel",
      {
        schema: { tags: [dialect], summary: "Cancel, reverse or refund, fully or partly", params: PayIdParams, body: CancelBody, response: { 200: StatusResponse, ...errors } },
        preValidation: emptyBodyIsEmptyObject,
      },
      async (request) => {
        const orderId = orderIdParam((request.params as { payId: string }).payId);
        const body = request.body as Static<typeof CancelBody>;
        await cancelPayment(ctx, {
          ...owner(request),
          orderId,
          amount: requestedAmount(body.amount),
          idempotency: idempotencyOf(request),
          sameDayPartialRefunds: ONE_PARTIAL_CANCEL_ON_PAYMENT_DAY,
        });
        return OK_ENVELOPE;
      },
    );

    api.post(
      "/payments/:recId/delete",
      {
        schema: { tags: [dialect], summary: "Delete a saved card (recurring payment registration)", params: RecIdParams, response: { 200: StatusResponse, 401: ProblemResponse, 404: ProblemResponse } },
      },
      async (request) => {
        await deleteSavedCard(ctx, owner(request), savedCardParam((request.params as { recId: string }).recId));
        return OK_ENVELOPE;
      },
    );
  });
}
