// Bank of Georgia Online Payments v1, wire-compatible: the OAuth2 token endpoint of the
// bank's Keycloak realm and the /payments/v1 API. Routes only translate: parse the bank's
// request, call core, render the bank's response.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import formbody from "@fastify/formbody";
import { authenticateMerchant } from "../../core/merchants.ts";
import { TetriError } from "../../core/errors.ts";
import { parseOrderId } from "../../core/ids.ts";
import type { MerchantId, OrderId } from "../../core/ids.ts";
import { createOrder, getOrderView } from "../../core/orders.ts";
import { capturePreauthorization, refundOrder, voidPreauthorization } from "../../core/operations.ts";
import type { OperationRequest } from "../../core/operations.ts";
import { sendJsonError, toTetriError } from "../../http/errors.ts";
import { openApiFor } from "../../http/openapi.ts";
import { bearerTokenOf, idempotencyOf, languageOf } from "../../http/request-context.ts";
import type { Services } from "../../services.ts";
import { readOrderAmount } from "../../http/field-readers.ts";
import { parseBogOrder } from "./order-request.ts";
import { renderBogReceipt } from "./receipt.ts";
import {
  ActionResponse,
  ApproveBody,
  CancelBody,
  CreateOrderBody,
  CreateOrderResponse,
  ErrorResponse,
  OAuthError,
  OrderIdParams,
  RefundBody,
  TokenResponse,
} from "./schemas.ts";

export const BOG_TOKEN_PATH = "/auth/realms/bog/protocol/openid-connect/token";
export const BOG_API_PREFIX = "/payments/v1";

declare module "fastify" {
  interface FastifyRequest {
    merchantId: MerchantId;
  }
}

/** Every error on the BOG API, in one shape: { key, message, errors? }. */
export const renderBogError = sendJsonError;

type OAuthFailure = { status: 400 | 401; error: string; description: string };

function oauthFailure(reply: FastifyReply, failure: OAuthFailure) {
  if (failure.status === 401) reply.header("www-authenticate", 'Basic realm="bog"');
  return reply.status(failure.status).send({ error: failure.error, error_description: failure.description });
}

function clientCredentialsOf(request: FastifyRequest): { id: string; secret: string } | undefined {
  const header = request.headers.authorization;
  const basic = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      try {
        return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
      } catch {
        return undefined; // a malformed %-escape: no credentials we can read
      }
    }
  }
  const form = (request.body ?? {}) as Record<string, unknown>;
  if (typeof form.client_id === "string" && typeof form.client_secret === "string") {
    return { id: form.client_id, secret: form.client_secret };
  }
  return undefined;
}

async function tokenRoutes(app: FastifyInstance, services: Services) {
  await app.register(formbody);
  app.setErrorHandler((error, request, reply) => {
    const tetri = toTetriError(error);
    if (tetri.status >= 500) {
      request.log.error({ err: error }, "token request failed");
      return reply.status(500).send({ error: "server_error", error_description: "Internal error" });
    }
    if (tetri.code === "TETRI_ERR_RATE_LIMITED") {
      return reply.status(429).send({ error: "slow_down", error_description: "Too many token requests" });
    }
    return oauthFailure(reply, { status: 400, error: "invalid_request", description: tetri.message });
  });

  app.post(
    BOG_TOKEN_PATH,
    {
      config: { rateLimit: { max: services.config.tokenRateLimitPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ["bog"],
        summary: "OAuth2 client-credentials token (HTTP Basic client_id:client_secret)",
        consumes: ["application/x-www-form-urlencoded"],
        response: { 200: TokenResponse, 400: OAuthError, 401: OAuthError },
      },
    },
    async (request, reply) => {
      if (!String(request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
        return oauthFailure(reply, {
          status: 400,
          error: "invalid_request",
          description: "Content-Type must be application/x-www-form-urlencoded",
        });
      }
      const form = (request.body ?? {}) as Record<string, unknown>;
      const grantType = form.grant_type;
      if (grantType === undefined) {
        return oauthFailure(reply, { status: 400, error: "invalid_request", description: "Missing form parameter: grant_type" });
      }
      if (grantType !== "client_credentials") {
        return oauthFailure(reply, { status: 400, error: "unsupported_grant_type", description: "Unsupported grant_type" });
      }
      const credentials = clientCredentialsOf(request);
      const merchant = credentials && (await authenticateMerchant(services.ctx.store, credentials.id, credentials.secret));
      if (!merchant) {
        return oauthFailure(reply, { status: 401, error: "invalid_client", description: "Invalid client or Invalid client credentials" });
      }
      const token = await services.tokens.issue(merchant, "bog");
      reply.header("cache-control", "no-store").header("pragma", "no-cache");
      return {
        access_token: token.accessToken,
        expires_in: token.expiresIn,
        refresh_expires_in: 0,
        token_type: "Bearer",
        "not-before-policy": 0,
        scope: "profile email",
      };
    },
  );

  app.get(
    "/auth/realms/bog/protocol/openid-connect/certs",
    { schema: { tags: ["bog"], summary: "JWKS: the public keys that sign access tokens" } },
    async () => services.tokens.jwks(),
  );
}

function orderIdOf(params: { order_id: string }): OrderId {
  const id = parseOrderId(params.order_id);
  if (!id) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
  return id;
}

async function apiRoutes(app: FastifyInstance, services: Services) {
  const { ctx, config } = services;
  app.setErrorHandler(renderBogError);
  app.setNotFoundHandler((request, reply) => renderBogError(new TetriError("TETRI_ERR_NOT_FOUND"), request, reply));

  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config.public) return;
    const token = bearerTokenOf(request);
    const merchantId = token && (await services.tokens.verify(token, "bog"));
    if (!merchantId) throw new TetriError("TETRI_ERR_UNAUTHENTICATED");
    request.merchantId = merchantId;
  });

  const errors = { 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse };
  const links = (id: OrderId) => ({
    details: { href: `${config.publicUrl}${BOG_API_PREFIX}/receipt/${id}` },
    redirect: { href: `${config.publicUrl}/?order_id=${id}` },
  });

  app.post(
    "/ecommerce/orders",
    {
      schema: {
        tags: ["bog"],
        summary: "Create an order",
        body: CreateOrderBody,
        response: { 200: CreateOrderResponse, ...errors },
      },
    },
    async (request) => {
      const body = request.body as Static<typeof CreateOrderBody>;
      const idempotency = idempotencyOf(request);
      const parsed = parseBogOrder(body, languageOf(request.headers["accept-language"], "ka"), config.mode === "live");
      const id = await createOrder(ctx, request.merchantId, parsed, idempotency);
      return { id, _links: links(id) };
    },
  );

  const receipt = async (request: FastifyRequest) => {
    const view = await getOrderView(ctx, { merchantId: request.merchantId, dialect: "bog" }, orderIdOf(request.params as { order_id: string }));
    return renderBogReceipt(view, config.publicUrl);
  };
  const receiptSchema = { tags: ["bog"], params: OrderIdParams, response: { 401: ErrorResponse, 404: ErrorResponse } };
  app.get("/receipt/:order_id", { schema: { ...receiptSchema, summary: "Payment details of an order" } }, receipt);
  // Not documented by the bank but called by some clients; answers the same as /receipt.
  app.get("/ecommerce/orders/:order_id", { schema: { ...receiptSchema, summary: "Alias of /receipt/{order_id}" } }, receipt);

  const action = (
    path: string,
    summary: string,
    body: typeof RefundBody | typeof ApproveBody | typeof CancelBody,
    message: string,
    run: (request: OperationRequest) => Promise<string>,
  ) =>
    app.post(
      path,
      {
        schema: { tags: ["bog"], summary, params: OrderIdParams, body, response: { 200: ActionResponse, ...errors } },
        // Shops send {} or no body at all for a full refund or approval; both mean "everything".
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) => {
        const orderId = orderIdOf(request.params as { order_id: string });
        const input = request.body as { amount?: number | string; description?: string };
        const idempotency = idempotencyOf(request);
        const actionId = await run({
          merchantId: request.merchantId,
          orderId,
          dialect: "bog",
          amount: input.amount === undefined ? undefined : await readOrderAmount(ctx, { merchantId: request.merchantId, dialect: "bog" }, orderId, input.amount),
          description: input.description,
          idempotency,
        });
        return { key: "request_received", message, action_id: actionId };
      },
    );

  action("/payment/refund/:order_id", "Refund an order, fully or partly", RefundBody, "Refund request received", (r) =>
    refundOrder(ctx, r),
  );
  action(
    "/payment/authorization/approve/:order_id",
    "Approve (capture) a pre-authorization, fully or partly",
    ApproveBody,
    "Pre-authorization payment approval request received",
    (r) => capturePreauthorization(ctx, r),
  );
  action(
    "/payment/authorization/cancel/:order_id",
    "Cancel (void) a pre-authorization",
    CancelBody,
    "Pre-authorization payment cancellation request received",
    (r) => voidPreauthorization(ctx, r),
  );

  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () =>
    openApiFor(app, "bog", "tetri: Bank of Georgia Online Payments v1"),
  );

  app.get(
    "/callback-public-key",
    { config: { public: true }, schema: { tags: ["bog"], summary: "PEM public key that verifies Callback-Signature" } },
    async (_request, reply) => reply.type("application/x-pem-file").send(services.callbackKeys.publicPem),
  );
}

export async function bogDialect(app: FastifyInstance, services: Services) {
  await app.register(async (scope) => tokenRoutes(scope, services));
  await app.register(async (scope) => apiRoutes(scope, services), { prefix: BOG_API_PREFIX });
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route needs no Bearer token. */
    public?: boolean;
  }
}
