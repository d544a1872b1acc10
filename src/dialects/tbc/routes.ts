// TBC TPay v1 (TBC Checkout), wire-compatible: /v1/tpay/access-token and /v1/tpay/payments.
// Every call carries the merchant's `apikey`; every call but the token call a Bearer token.
// Errors are problem+json as TBC sends them. Routes only translate; core decides.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import formbody from "@fastify/formbody";
import { TetriError } from "../../core/errors.ts";
import type { ErrorCode } from "../../core/errors.ts";
import { compactOrderId, parseOrderId, parseSavedCardId } from "../../core/ids.ts";
import type { OrderId } from "../../core/ids.ts";
import { authenticateMerchant, merchantByApiKey } from "../../core/merchants.ts";
import { capturePreauthorization, refundOrder, voidPreauthorization } from "../../core/operations.ts";
import { createOrder, getOrderView } from "../../core/orders.ts";
import { chargeSavedCard, deleteSavedCard } from "../../core/saved-cards.ts";
import type { Merchant, OrderView } from "../../core/types.ts";
import { amountReader, readOrderAmount } from "../../http/field-readers.ts";
import { toTetriError } from "../../http/errors.ts";
import { openApiFor } from "../../http/openapi.ts";
import { bearerTokenOf, idempotencyOf } from "../../http/request-context.ts";
import type { Services } from "../../services.ts";
import {
  DEFAULT_EXPIRATION_MINUTES,
  OK_ENVELOPE,
  foldKeyCase,
  parseTbcCurrency,
  parseTbcPayment,
  renderTbcPayment,
} from "./payment.ts";
import {
  CREATE_PAYMENT_KEYS,
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

// TBC's own wording where its docs show it; every other error reads from its tetri code.
const PROBLEMS: Partial<Record<ErrorCode, { title: string; systemCode: string }>> = {
  TETRI_ERR_VALIDATION: { title: "Invalid Parameter", systemCode: "InvalidParameter" },
  TETRI_ERR_INVALID_API_KEY: { title: "Invalid Api Key", systemCode: "InvalidApiKey" },
  TETRI_ERR_UNAUTHENTICATED: { title: "Unauthorized", systemCode: "Unauthorized" },
  TETRI_ERR_ORDER_NOT_FOUND: { title: "Payment Not Found", systemCode: "PaymentNotFound" },
  TETRI_ERR_SAVED_CARD_NOT_FOUND: { title: "Recurring Payment Not Found", systemCode: "RecurringPaymentNotFound" },
};

function problemOf(code: ErrorCode): { title: string; systemCode: string } {
  const known = PROBLEMS[code];
  if (known) return known;
  const words = code.replace(/^TETRI_ERR_/, "").toLowerCase().split("_");
  const title = words.join(" ");
  return {
    title: title.charAt(0).toUpperCase() + title.slice(1),
    systemCode: words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(""),
  };
}

/** Every TBC error: RFC 7807 problem+json with TBC's keys (status as a string, as TBC sends it). */
export function renderTbcError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const tetri = toTetriError(error);
  if (tetri.status >= 500) request.log.error({ err: error }, "request failed");
  const { title, systemCode } = problemOf(tetri.code);
  const fields = tetri.fields.map((f) => `${f.field}: ${f.message}`).join("; ");
  return reply
    .status(tetri.status)
    .type("application/problem+json")
    .send({
      type: `https://developers.tbcbank.ge/docs/error-type-${tetri.status}`,
      title,
      status: String(tetri.status),
      detail: fields ? `${tetri.message}: ${fields}` : tetri.message,
      systemCode,
      ...(tetri.fields.length > 0 ? { invalidParams: tetri.fields.map((f) => ({ name: f.field, reason: f.message })) } : {}),
    });
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The merchant named by the request's apikey header; every TBC call starts here. */
export async function merchantOfApiKey(services: Services, request: FastifyRequest): Promise<Merchant> {
  const apiKey = headerOf(request, "apikey");
  const merchant = apiKey ? await merchantByApiKey(services.ctx.store, apiKey) : undefined;
  if (!merchant) throw new TetriError("TETRI_ERR_INVALID_API_KEY");
  return merchant;
}

function payIdOf(params: { payId: string }): OrderId {
  const id = parseOrderId(params.payId);
  if (!id) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
  return id;
}

const FORM = "application/x-www-form-urlencoded";

export async function tbcDialect(app: FastifyInstance, services: Services) {
  await app.register(async (scope) => tbcRoutes(scope, services), { prefix: TBC_PREFIX });
  // Some TBC overview pages write these two paths without /tpay; clients copied them.
  await app.register(async (scope) => tbcRoutes(scope, services, { aliasesOnly: true }), { prefix: "/v1" });
}

async function tbcRoutes(app: FastifyInstance, services: Services, options: { aliasesOnly?: boolean } = {}) {
  const { ctx, config } = services;
  app.setErrorHandler(renderTbcError);
  app.setNotFoundHandler((request, reply) => renderTbcError(new TetriError("TETRI_ERR_NOT_FOUND"), request, reply));

  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config.public) return;
    const merchant = await merchantOfApiKey(services, request);
    if (request.routeOptions.config.tokenCall) return;
    const token = bearerTokenOf(request);
    const merchantId = token && (await services.tokens.verify(token, "tbc"));
    if (!merchantId || merchantId !== merchant.id) throw new TetriError("TETRI_ERR_UNAUTHENTICATED");
    request.merchantId = merchantId;
  });

  const errors = { 400: ProblemResponse, 401: ProblemResponse, 404: ProblemResponse, 409: ProblemResponse, 422: ProblemResponse };
  const owner = (request: FastifyRequest) => ({ merchantId: request.merchantId, dialect: "tbc" as const });
  const render = (view: OrderView) => {
    const payId = compactOrderId(view.order.id);
    const approval = view.order.status === "created" && !view.order.savedCardId
      ? `${config.publicUrl}/?order_id=${payId}`
      : undefined;
    return renderTbcPayment(view, { self: `${config.publicUrl}${TBC_PREFIX}/payments/${payId}`, approval });
  };
  const emptyBodyIsEmptyObject = async (request: FastifyRequest) => {
    request.body ??= {};
  };

  // Completion and execution, the two paths some clients call without /tpay.
  app.post(
    "/payments/:payId/completion",
    {
      schema: { tags: ["tbc"], summary: "Complete (capture) a pre-authorization", params: PayIdParams, body: CompletionBody, response: { 200: CompletionResponse, ...errors } },
      preValidation: emptyBodyIsEmptyObject,
    },
    async (request) => {
      const orderId = payIdOf(request.params as { payId: string });
      const body = request.body as Static<typeof CompletionBody>;
      const idempotency = idempotencyOf(request);
      const amount = body.amount === undefined ? undefined : await readOrderAmount(ctx, owner(request), orderId, body.amount);
      await capturePreauthorization(ctx, { ...owner(request), orderId, amount, idempotency });
      const view = await getOrderView(ctx, owner(request), orderId);
      const payment = render(view);
      return { status: payment.status, amount: payment.amount, confirmedAmount: payment.confirmedAmount, ...OK_ENVELOPE };
    },
  );

  app.post(
    "/payments/execution",
    {
      schema: { tags: ["tbc"], summary: "Charge a saved card (recurring payment)", body: ExecutionBody, response: { 200: PaymentResponse, ...errors } },
    },
    async (request) => {
      const body = request.body as Static<typeof ExecutionBody>;
      const idempotency = idempotencyOf(request);
      const cardId = parseSavedCardId(body.recId);
      if (!cardId) throw new TetriError("TETRI_ERR_SAVED_CARD_NOT_FOUND");
      const problems: { field: string; message: string }[] = [];
      const currency = parseTbcCurrency(body.money.currency, "money.currency", problems);
      const amount = amountReader(currency, problems)("money.amount", body.money.amount);
      if (amount === undefined || problems.length > 0) throw new TetriError("TETRI_ERR_VALIDATION", { fields: problems });
      const { orderId } = await chargeSavedCard(ctx, {
        merchantId: request.merchantId,
        cardId,
        idempotency,
        order: {
          dialect: "tbc",
          externalOrderId: body.merchantPaymentId ?? null,
          captureMode: body.preAuth ? "manual" : "automatic",
          currency,
          amount,
          language: "ka",
          callbackUrl: null,
          successUrl: null,
          failUrl: null,
          paymentMethods: ["card"],
          basket: [{ productId: body.merchantPaymentId ?? "recurring", description: null, quantity: "1", unitPrice: amount }],
          details: { extra: body.extra, extra2: body.extra2, initiator: body.initiator ?? null },
          saveCard: null,
          ttlMinutes: DEFAULT_EXPIRATION_MINUTES,
        },
      });
      return render(await getOrderView(ctx, owner(request), orderId));
    },
  );
  if (options.aliasesOnly) return;

  // Only the token call takes a form body (TBC documents it so); everything else is JSON.
  await app.register(async (tokenScope) => {
    await tokenScope.register(formbody);
    tokenScope.post(
      "/access-token",
      {
        config: { tokenCall: true, rateLimit: { max: config.tokenRateLimitPerMinute, timeWindow: 60_000 } },
        schema: { tags: ["tbc"], summary: "Access token (form client_id, client_secret; apikey header)", response: { 200: TokenResponse, 400: ProblemResponse, 401: ProblemResponse } },
      },
      async (request) => {
        const apiKeyMerchant = await merchantOfApiKey(services, request);
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
        const merchant = await authenticateMerchant(ctx.store, clientId, clientSecret);
        if (!merchant || merchant.id !== apiKeyMerchant.id) throw new TetriError("TETRI_ERR_UNAUTHENTICATED");
        const token = await services.tokens.issue(merchant, "tbc");
        return { access_token: token.accessToken, token_type: "Bearer", expires_in: token.expiresIn };
      },
    );
  });

  app.post(
    "/payments",
    {
      schema: { tags: ["tbc"], summary: "Create a payment", body: CreatePaymentBody, response: { 200: CreatedPaymentResponse, ...errors } },
      preValidation: async (request) => {
        request.body = foldKeyCase(request.body, CREATE_PAYMENT_KEYS);
      },
    },
    async (request) => {
      const body = request.body as Static<typeof CreatePaymentBody>;
      const idempotency = idempotencyOf(request);
      const orderId = await createOrder(ctx, request.merchantId, parseTbcPayment(body, config.mode === "live", ctx.clock.now()), idempotency);
      const payment = render(await getOrderView(ctx, owner(request), orderId));
      // Only the keys TBC documents for this answer (the response schema would drop the rest anyway).
      const { payId, status, currency, amount, links, transactionId, preAuth, recId } = payment;
      return { payId, status, currency, amount, links, transactionId, preAuth, recId, ...OK_ENVELOPE };
    },
  );

  app.get(
    "/payments/:payId",
    { schema: { tags: ["tbc"], summary: "Payment status and details", params: PayIdParams, response: { 200: PaymentResponse, 401: ProblemResponse, 404: ProblemResponse } } },
    async (request) => render(await getOrderView(ctx, owner(request), payIdOf(request.params as { payId: string }))),
  );

  app.post(
    "/payments/:payId/cancel",
    {
      schema: { tags: ["tbc"], summary: "Cancel, reverse or refund, fully or partly", params: PayIdParams, body: CancelBody, response: { 200: StatusResponse, ...errors } },
      preValidation: emptyBodyIsEmptyObject,
    },
    async (request) => {
      const orderId = payIdOf(request.params as { payId: string });
      const body = request.body as Static<typeof CancelBody>;
      const idempotency = idempotencyOf(request);
      const { order } = await getOrderView(ctx, owner(request), orderId);
      const amount = body.amount === undefined ? undefined : await readOrderAmount(ctx, owner(request), orderId, body.amount);
      const operation = { ...owner(request), orderId, amount, idempotency };
      if (order.status === "authorized") {
        // A hold is released whole; a smaller charge is a completion with a smaller amount.
        if (amount !== undefined && amount !== order.authorizedAmount) {
          throw new TetriError("TETRI_ERR_VALIDATION", {
            fields: [{ field: "amount", message: "a pre-authorization is cancelled in full; complete it with a smaller amount instead" }],
          });
        }
        await voidPreauthorization(ctx, operation);
      } else {
        await refundOrder(ctx, operation);
      }
      return OK_ENVELOPE;
    },
  );

  app.post(
    "/payments/:recId/delete",
    {
      schema: { tags: ["tbc"], summary: "Delete a saved card (recurring payment registration)", params: RecIdParams, response: { 200: StatusResponse, 401: ProblemResponse, 404: ProblemResponse } },
    },
    async (request) => {
      const cardId = parseSavedCardId((request.params as { recId: string }).recId);
      if (!cardId) throw new TetriError("TETRI_ERR_SAVED_CARD_NOT_FOUND");
      await deleteSavedCard(ctx, request.merchantId, cardId);
      return OK_ENVELOPE;
    },
  );

  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () =>
    openApiFor(app, "tbc", "tetri: TBC TPay v1"),
  );
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** The token call: apikey only, no Bearer token yet. */
    tokenCall?: boolean;
  }
}

