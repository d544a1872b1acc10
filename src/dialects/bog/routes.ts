// Bank of Georgia Online Payments v1, wire-compatible: the OAuth2 token endpoint of the
// bank's Keycloak realm and the /payments/v1 API. Routes only translate: parse the bank's
// request, call core, render the bank's response.

import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import formbody from "@fastify/formbody";
import { cardProblemsAsFields, validateWalletCard } from "../../core/cards.ts";
import type { CardProblem } from "../../core/cards.ts";
import { payOrderWithWallet } from "../../core/checkout.ts";
import { TetriError, validationError } from "../../core/errors.ts";
import type { OrderId } from "../../core/ids.ts";
import { createOrder, getOrderView } from "../../core/orders.ts";
import { capturePreauthorization, refundOrder, voidPreauthorization } from "../../core/operations.ts";
import { chargeSavedCard, createSavedCardOrder, deleteSavedCard, requestCardSaving } from "../../core/saved-cards.ts";
import type { OperationRequest } from "../../core/operations.ts";
import type { DialectId } from "../../core/types.ts";
import { idempotencyOf } from "../../http/request-context.ts";
import type { DialectDeps } from "../dialect.ts";
import { requestedAmount } from "../shared/fields.ts";
import { applePayCardOf, googlePayCardOf } from "../shared/wallet-tokens.ts";
import { acceptScalarText } from "../shared/lenient.ts";
import { emptyBodyIsEmptyObject, orderIdParam, requireMerchant, useErrorShape } from "../shared/routing.ts";
import { bearerMerchant, issueClientToken, tokenRateLimit } from "../shared/tokens.ts";
import { renderBogError, renderOAuthError, sendOAuthFailure } from "./errors.ts";
import { BOG_REFUNDABLE_METHODS, BOG_SAVED_CARD_USAGE } from "./codes.ts";
import { approveSplit, bogPageOf, parseBogOrder, parseBogSubscription } from "./parse.ts";
import { applePayPaymentRequest, isApplePayFromMerchantPage, renderBogReceipt } from "./render.ts";
import {
  AcceptedResponse,
  ActionResponse,
  ApplePayTokenBody,
  WalletPaymentResponse,
  ApproveBody,
  CancelBody,
  CREATE_ORDER_TEXT_SCALARS,
  CreateOrderBody,
  CreateOrderResponse,
  ErrorResponse,
  OAuthError,
  OrderIdParams,
  ParentOrderIdParams,
  RefundBody,
  SubscribeBody,
  SubscribeResponse,
  TokenResponse,
} from "./schemas.ts";

export const BOG_TOKEN_PATH = "/auth/realms/bog/protocol/openid-connect/token";
export const BOG_API_PREFIX = "/payments/v1";

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

async function tokenRoutes(app: FastifyInstance, dialect: DialectId, deps: DialectDeps) {
  await app.register(formbody);
  app.setErrorHandler(renderOAuthError);

  app.post(
    BOG_TOKEN_PATH,
    {
      config: tokenRateLimit(deps),
      schema: {
        tags: [dialect],
        summary: "OAuth2 client-credentials token (HTTP Basic client_id:client_secret)",
        consumes: ["application/x-www-form-urlencoded"],
        response: { 200: TokenResponse, 400: OAuthError, 401: OAuthError },
      },
    },
    async (request, reply) => {
      if (!String(request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
        return sendOAuthFailure(reply, {
          status: 400,
          error: "invalid_request",
          description: "Content-Type must be application/x-www-form-urlencoded",
        });
      }
      const form = (request.body ?? {}) as Record<string, unknown>;
      const grantType = form.grant_type;
      if (grantType === undefined) {
        return sendOAuthFailure(reply, { status: 400, error: "invalid_request", description: "Missing form parameter: grant_type" });
      }
      if (grantType !== "client_credentials") {
        return sendOAuthFailure(reply, { status: 400, error: "unsupported_grant_type", description: "Unsupported grant_type" });
      }
      const credentials = clientCredentialsOf(request);
      const token = credentials && (await issueClientToken(deps, dialect, credentials));
      if (!token) {
        return sendOAuthFailure(reply, { status: 401, error: "invalid_client", description: "Invalid client or Invalid client credentials" });
      }
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
    { schema: { tags: [dialect], summary: "JWKS: the public keys that sign access tokens" } },
    async () => deps.tokens.jwks(),
  );
}

const GOOGLE_PAY_TOKEN_FIELD = "config.google_pay.google_pay_token";

/** The card problems of a wallet's token, each named under the field that carried the token. */
function walletCardError(problems: readonly CardProblem[], field: string) {
  return validationError(cardProblemsAsFields(problems).map((p) => ({ ...p, field: `${field}.${p.field}` })));
}

async function apiRoutes(app: FastifyInstance, dialect: DialectId, deps: DialectDeps) {
  const { ctx, links, settings } = deps;
  useErrorShape(app, renderBogError);
  requireMerchant(app, (request) => bearerMerchant(request, deps, dialect));

  const errors = { 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse };
  const owner = (request: FastifyRequest) => ({ merchantId: request.merchantId, dialect });
  const orderLinks = (id: OrderId) => ({
    details: { href: `${settings.publicUrl}${BOG_API_PREFIX}/receipt/${id}` },
    redirect: { href: links.payment(id) },
  });
  /** How an order a wallet paid stands: its receipt, and the page for 3-D Secure while that waits for the buyer. */
  const walletPaymentAnswer = async (request: FastifyRequest, id: OrderId) => {
    const view = await getOrderView(ctx, owner(request), id);
    const details = renderBogReceipt(view, links);
    const { details: detailsLink, redirect } = orderLinks(id);
    const challenged = view.attempt?.status === "challenge";
    return { id, status: details.order_status.key, order_details: details, _links: { details: detailsLink, ...(challenged ? { redirect } : {}) } };
  };

  app.post(
    "/ecommerce/orders",
    {
      schema: {
        tags: [dialect],
        summary: "Create an order",
        body: CreateOrderBody,
        response: { 200: CreateOrderResponse, ...errors },
      },
      preValidation: acceptScalarText(CREATE_ORDER_TEXT_SCALARS),
    },
    async (request) => {
      const body = request.body as Static<typeof CreateOrderBody>;
      const idempotency = idempotencyOf(request);
      const parsed = parseBogOrder(dialect, body, bogPageOf(request.headers), settings.live);
      const googlePayToken = body.config?.google_pay?.external ? body.config.google_pay.google_pay_token : undefined;
      if (googlePayToken !== undefined) {
        // Google Pay from the merchant's own page: the token comes with the order, which is
        // paid at once. The token is read and its card checked first, so a bad one makes no order.
        const wallet = googlePayCardOf(googlePayToken, GOOGLE_PAY_TOKEN_FIELD, settings.live, ctx.clock.now());
        const checked = validateWalletCard(wallet.card);
        if (!checked.ok) throw walletCardError(checked.problems, GOOGLE_PAY_TOKEN_FIELD);
        const id = await createOrder(ctx, request.merchantId, parsed, idempotency);
        // A replayed request finds its order paid (or in its challenge) already: it answers how it stands.
        await payOrderWithWallet(ctx, id, { method: "google_pay", ...wallet }, owner(request));
        return walletPaymentAnswer(request, id);
      }
      const id = await createOrder(ctx, request.merchantId, parsed, idempotency);
      if (!isApplePayFromMerchantPage(parsed.details)) return { id, _links: orderLinks(id) };
      return {
        id,
        result: applePayPaymentRequest(parsed),
        _links: { accept: { href: `${settings.publicUrl}${BOG_API_PREFIX}/ecommerce/orders/${id}/payment` } },
      };
    },
  );

  // Apple Pay from the merchant's own page: the shop's page got a token from the buyer's
  // device and hands it over here; the order is paid with the card in it, no page visit.
  app.post(
    "/ecommerce/orders/:order_id/payment",
    {
      schema: {
        tags: [dialect],
        summary: "Pay an Apple Pay order from the merchant's page with the Apple Pay token",
        params: OrderIdParams,
        body: ApplePayTokenBody,
        response: { 200: WalletPaymentResponse, ...errors },
      },
    },
    async (request) => {
      const orderId = orderIdParam((request.params as { order_id: string }).order_id);
      const { order } = await getOrderView(ctx, owner(request), orderId);
      if (!isApplePayFromMerchantPage(order.details)) {
        throw validationError([{ field: "apple_pay_token", message: "this order was not created for Apple Pay on the merchant's page (config.apple_pay.external)" }]);
      }
      const { apple_pay_token: token } = request.body as Static<typeof ApplePayTokenBody>;
      const card = applePayCardOf(token, order, "apple_pay_token", settings.live);
      const result = await payOrderWithWallet(ctx, orderId, { method: "apple_pay", card, authenticated: true }, owner(request));
      if (result.kind === "card_invalid") throw walletCardError(result.problems, "apple_pay_token");
      if (result.kind === "not_payable") throw new TetriError("TETRI_ERR_ORDER_NOT_PAYABLE");
      return walletPaymentAnswer(request, orderId);
    },
  );

  // Saved cards. Before the buyer pays, the shop marks the order's card to be saved, for
  // charges with the buyer (cards) or without them (subscriptions); once paid, the order is
  // the parent of those charges.
  const parentOf = (request: FastifyRequest) => orderIdParam((request.params as { order_id: string }).order_id);
  const saveCard = (path: string, type: keyof typeof BOG_SAVED_CARD_USAGE, summary: string) =>
    app.put(
      path,
      { schema: { tags: [dialect], summary, params: OrderIdParams, response: { 202: AcceptedResponse, ...errors } } },
      async (request, reply) => {
        const orderId = orderIdParam((request.params as { order_id: string }).order_id);
        await requestCardSaving(ctx, owner(request), orderId, BOG_SAVED_CARD_USAGE[type], idempotencyOf(request));
        return reply.status(202).send();
      },
    );
  saveCard("/orders/:order_id/cards", "recurrent", "Save the order's card when it is paid, for later payments with the buyer (202)");
  saveCard("/orders/:order_id/subscriptions", "subscription", "Save the order's card when it is paid, for automatic charges without the buyer (202)");

  app.delete(
    "/charges/card/:order_id",
    { schema: { tags: [dialect], summary: "Delete the card a parent order saved (202)", params: OrderIdParams, response: { 202: AcceptedResponse, ...errors } } },
    async (request, reply) => {
      await deleteSavedCard(ctx, owner(request), { parentOrderId: orderIdParam((request.params as { order_id: string }).order_id) });
      return reply.status(202).send();
    },
  );

  app.post(
    "/ecommerce/orders/:order_id",
    {
      schema: {
        tags: [dialect],
        summary: "Create an order the buyer pays with the parent order's saved card, confirming on the page",
        params: ParentOrderIdParams,
        body: CreateOrderBody,
        response: { 200: CreateOrderResponse, ...errors },
      },
      preValidation: acceptScalarText(CREATE_ORDER_TEXT_SCALARS),
    },
    async (request) => {
      const parsed = parseBogOrder(dialect, request.body as Static<typeof CreateOrderBody>, bogPageOf(request.headers), settings.live);
      if (isApplePayFromMerchantPage(parsed.details)) {
        throw validationError([{ field: "config.apple_pay.external", message: "an order paid with a saved card is paid on tetri's page" }]);
      }
      const id = await createSavedCardOrder(ctx, owner(request), parentOf(request), parsed, idempotencyOf(request));
      return { id, _links: orderLinks(id) };
    },
  );

  app.post(
    "/ecommerce/orders/:order_id/subscribe",
    {
      schema: {
        tags: [dialect],
        summary: "Charge the parent order's saved card without the buyer (its fixed amount)",
        params: ParentOrderIdParams,
        body: SubscribeBody,
        response: { 200: SubscribeResponse, ...errors },
      },
      preValidation: emptyBodyIsEmptyObject,
    },
    async (request) => {
      const order = parseBogSubscription(dialect, request.body as Static<typeof SubscribeBody>, settings.live);
      const { orderId } = await chargeSavedCard(ctx, { owner: owner(request), source: { parentOrderId: parentOf(request) }, order, idempotency: idempotencyOf(request) });
      return { id: orderId, _links: { details: orderLinks(orderId).details } };
    },
  );

  const receipt = async (request: FastifyRequest) => {
    const view = await getOrderView(ctx, owner(request), orderIdParam((request.params as { order_id: string }).order_id));
    return renderBogReceipt(view, links);
  };
  const receiptSchema = { tags: [dialect], params: OrderIdParams, response: { 401: ErrorResponse, 404: ErrorResponse } };
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
        schema: { tags: [dialect], summary, params: OrderIdParams, body, response: { 200: ActionResponse, ...errors } },
        preValidation: emptyBodyIsEmptyObject,
      },
      async (request) => {
        const input = request.body as { amount?: number | string; description?: string; config?: Static<typeof ApproveBody>["config"] };
        const actionId = await run({
          ...owner(request),
          orderId: orderIdParam((request.params as { order_id: string }).order_id),
          amount: requestedAmount(input.amount),
          split: approveSplit(input.config?.split),
          description: input.description,
          idempotency: idempotencyOf(request),
        });
        return { key: "request_received", message, action_id: actionId };
      },
    );

  action("/payment/refund/:order_id", "Refund an order, fully or partly", RefundBody, "Refund request received", (r) =>
    refundOrder(ctx, { ...r, refundableMethods: BOG_REFUNDABLE_METHODS }),
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

  app.get(
    "/callback-public-key",
    { config: { public: true }, schema: { tags: [dialect], summary: "PEM public key that verifies Callback-Signature" } },
    async (_request, reply) => reply.type("application/x-pem-file").send(deps.callbackPublicKeyPem),
  );
}

export async function bogRoutes(app: FastifyInstance, dialect: DialectId, deps: DialectDeps) {
  await app.register(async (scope) => tokenRoutes(scope, dialect, deps));
  await app.register(async (scope) => apiRoutes(scope, dialect, deps), { prefix: BOG_API_PREFIX });
}
