// The Paymentz-style REST v1 API (/transactionServices/REST/v1), wire-compatible: tokens,
// payments (server-to-server with the card, 3-D Secure on tetri's page, or the whole payment
// on tetri's hosted page), back-office operations, inquiry. Every body may come form-encoded
// with dotted keys, as flat-dotted JSON or as nested JSON; every operation is guarded by the
// platform's MD5 checksum. Routes only translate; core decides.

import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import { payOrder } from "../../core/checkout.ts";
import { TetriError, validationError } from "../../core/errors.ts";
import type { FieldProblem } from "../../core/errors.ts";
import { parsePayoutId } from "../../core/ids.ts";
import type { OperationId, OrderId } from "../../core/ids.ts";
import { findMerchant } from "../../core/merchants.ts";
import { capturePreauthorization, refundOrder, voidPreauthorization } from "../../core/operations.ts";
import { createOrder, findOrderByExternalId, getOrderView } from "../../core/orders.ts";
import { findPayout } from "../../core/payouts.ts";
import type { DialectId, Merchant, OrderView, Payout } from "../../core/types.ts";
import type { DialectDeps } from "../dialect.ts";
import { orderIdParam } from "../shared/routing.ts";
import { tokenRateLimit } from "../shared/tokens.ts";
import { ERROR_RESPONSES, paymentzApi, restScope, sameText } from "./api.ts";
import type { PaymentzApi } from "./api.ts";
import { CHECKSUMS, requireChecksum } from "./checksums.ts";
import { CAPTURED, FOUND, PENDING, REFUNDED, REVERSED, TOKEN_GENERATED, followUpDeclineResultOf } from "./codes.ts";
import type { ResultCode } from "./codes.ts";
import { memberByMemberId, memberOfMerchant } from "./credentials.ts";
import type { OpenedMember } from "./credentials.ts";
import { HOSTED_CHECKOUT_PREFIX, hostedCheckoutRoutes } from "./hosted-checkout.ts";
import { INVOICE_PREFIX, invoiceRoutes } from "./invoices.ts";
import { payoutRoutes, renderPayout } from "./payouts.ts";
import { registrationRoutes, repeatRecurring } from "./registrations.ts";
import { transactionRoutes } from "./transactions.ts";
import { merchantTransactionIdOf, operationAmount, parsePayment, requireAmountText, requireText } from "./parse.ts";
import { PAYMENTZ_PREFIX, paymentzTimestamp, renderPayment } from "./render.ts";
import { OperationBody, PaymentBody, PaymentIdParams, PaymentOperationBody, PaymentResponse, TokenBody, TokenResponse } from "./schemas.ts";

/** The niche extras of the platform's endpoint map: each answers "not supported", never a 404. */
export const UNSUPPORTED_PATHS = [
  "/getCardsAndAccounts",
  "/QRCheckout",
  "/QRPayments",
  "/QRPayments/:id",
  "/inquiryStatus/:id",
  "/initiateAuthentication",
  "/authenticate",
  "/sendSMSCode",
  "/generateTransactionOTP",
  "/verifyTransactionOTP",
  "/getInstallmentWithToken/:id",
  "/getPaymentAndCardType",
  "/saveTransactionReceipt",
  "/customerCardWhitelisting",
  "/getSalesReport",
  "/exchangerDeposit",
  "/customerValidation",
  "/paymentUpdate",
  "/customerValidateAndUpdate",
  "/validateWalletDetails",
  "/checkConfirmation",
] as const;

const errors = ERROR_RESPONSES;

export async function paymentzRoutes(app: FastifyInstance, dialect: DialectId, deps: DialectDeps) {
  const api = paymentzApi(dialect, deps);
  await app.register(async (scope) => restRoutes(scope, api), { prefix: PAYMENTZ_PREFIX });
  await app.register(async (scope) => hostedCheckoutRoutes(scope, api), { prefix: HOSTED_CHECKOUT_PREFIX });
  await app.register(async (scope) => invoiceRoutes(scope, api, ERROR_RESPONSES), { prefix: INVOICE_PREFIX });
}

async function restRoutes(app: FastifyInstance, api: PaymentzApi) {
  const { dialect, deps, owner, now, memberOf, onceForReference } = api;
  const { ctx, links, settings, tokens } = deps;
  await restScope(app, api);

  async function issueToken(merchant: Merchant) {
    const token = await tokens.issue(merchant, dialect);
    return token.accessToken;
  }

  // --- tokens -------------------------------------------------------------------------------

  const tokenRoute = { config: { ...tokenRateLimit(deps), public: true } };

  /** The member a token request names (its memberId, or its login), if its secure key is right. */
  async function memberOfTokenRequest(name: string | undefined, secureKey: string | undefined): Promise<{ merchant: Merchant; member: OpenedMember } | undefined> {
    if (!name || !secureKey) return undefined;
    const byMemberId = await memberByMemberId(ctx.store, ctx.vault, dialect, name);
    const merchant = byMemberId ? await findMerchant(ctx.store, { id: byMemberId.merchantId }) : await findMerchant(ctx.store, { clientId: name });
    if (!merchant) return undefined;
    const member = byMemberId ?? (await memberOfMerchant(ctx.store, ctx.vault, dialect, merchant.id).catch(() => undefined));
    return member && sameText(secureKey, member.secureKey) ? { merchant, member } : undefined;
  }

  app.post(
    "/authToken",
    { ...tokenRoute, schema: { tags: [dialect], summary: "Merchant auth token (authentication.memberId or merchant.username, authentication.sKey)", body: TokenBody, response: { 200: TokenResponse, ...errors } } },
    async (request) => {
      const body = request.body as Static<typeof TokenBody>;
      const found = await memberOfTokenRequest(body.merchant?.username ?? body.authentication?.memberId, body.authentication?.sKey);
      if (!found) throw new TetriError("TETRI_ERR_UNAUTHENTICATED");
      return {
        ...(body.authentication?.partnerId ? { partnerId: body.authentication.partnerId } : {}),
        memberId: found.member.memberId,
        result: TOKEN_GENERATED,
        timestamp: paymentzTimestamp(now()),
        LoginName: found.merchant.clientId,
        AuthToken: await issueToken(found.merchant),
      };
    },
  );

  app.post(
    "/partnerAuthToken",
    { ...tokenRoute, schema: { tags: [dialect], summary: "Partner auth token (partner.userName, authentication.sKey): tetri has no partners; a merchant's own login and key", body: TokenBody, response: { 200: TokenResponse, ...errors } } },
    async (request) => {
      const body = request.body as Static<typeof TokenBody>;
      const found = await memberOfTokenRequest(body.partner?.userName, body.authentication?.sKey);
      if (!found) throw new TetriError("TETRI_ERR_UNAUTHENTICATED");
      return {
        partnerId: body.authentication?.partnerId ?? found.member.memberId,
        result: TOKEN_GENERATED,
        timestamp: paymentzTimestamp(now()),
        LoginName: found.merchant.clientId,
        AuthToken: await issueToken(found.merchant),
      };
    },
  );

  app.post(
    "/regenerateToken",
    { schema: { tags: [dialect], summary: "A fresh token for a still valid one (AuthToken header or authentication.authToken)", body: TokenBody, response: { 200: TokenResponse, ...errors } } },
    async (request) => {
      const merchant = await findMerchant(ctx.store, { id: request.merchantId });
      if (!merchant) throw new TetriError("TETRI_ERR_UNAUTHENTICATED");
      return { result: TOKEN_GENERATED, timestamp: paymentzTimestamp(now()), LoginName: merchant.clientId, AuthToken: await issueToken(merchant) };
    },
  );

  // --- payments -----------------------------------------------------------------------------

  app.post(
    "/payments",
    { schema: { tags: [dialect], summary: "Initial payment, PA or DB: with card.* server to server (3-D Secure on tetri's page when needed), without it on tetri's hosted page", body: PaymentBody, response: { 200: PaymentResponse, ...errors } } },
    async (request) => {
      const body = request.body as Static<typeof PaymentBody>;
      const parsed = parsePayment(dialect, body, settings.live, { requireCard: false });
      const member = await memberOf(request, body.authentication);
      requireChecksum(body.authentication?.checksum, CHECKSUMS.payment(member.memberId, member.secureKey, parsed.merchantTransactionId, parsed.amountText));
      const orderId = await onceForReference(owner(request), request, parsed.merchantTransactionId, (idempotency) =>
        createOrder(ctx, request.merchantId, parsed.order, idempotency),
      );
      if (!parsed.card) {
        const view = await getOrderView(ctx, owner(request), orderId);
        return { ...renderPayment(view, now()), redirect: { url: links.payment(orderId), method: "GET", parameters: [] } };
      }
      const paid = await payOrder(ctx, orderId, parsed.card, owner(request));
      const view = await getOrderView(ctx, owner(request), orderId);
      if (paid.kind === "challenge") {
        return { ...renderPayment(view, now()), redirect: { url: links.challenge(orderId, paid.attemptId), method: "GET", parameters: [] } };
      }
      return renderPayment(view, now());
    },
  );

  /** The order a back-office call names by its path (and its body's paymentId, which must agree). */
  function pathOrder(request: FastifyRequest): { orderId: OrderId; paymentId: string } {
    const paymentId = (request.params as { id: string }).id;
    const orderId = orderIdParam(paymentId);
    const inBody = (request.body as { paymentId?: string } | undefined)?.paymentId;
    if (inBody !== undefined && inBody !== "" && orderIdParam(inBody) !== orderId) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
    return { orderId, paymentId };
  }

  /** The answer of an operation: the payment as it is now, with the operation's own result. */
  async function operationAnswer(request: FastifyRequest, orderId: OrderId, operationId: OperationId, paymentType: string, success: ResultCode) {
    const view = await getOrderView(ctx, owner(request), orderId);
    const operation = view.operations.find((op) => op.id === operationId);
    const result =
      operation?.status === "completed" ? success : operation?.status === "failed" ? followUpDeclineResultOf(operation.failureReason ?? "technical_error") : PENDING;
    const payment = renderPayment(view, now(), { result, paymentType });
    return operation?.status === "failed" ? { ...payment, status: "failed", transactionStatus: "N" } : payment;
  }

  /**
   * Inquiry by paymentId (the path's or the body's) or, with idType=MID, by merchantTransactionId:
   * of a payment, or else of a payout (whose outcome a merchant told "pending" learns this way).
   */
  async function inquiry(request: FastifyRequest, body: Static<typeof OperationBody>, paymentId: string | undefined) {
    const member = await memberOf(request, body.authentication);
    const problems: FieldProblem[] = [];
    let find: { payment: () => Promise<OrderView>; payout: () => Promise<Payout> };
    if (body.idType?.toUpperCase() === "MID") {
      const reference = merchantTransactionIdOf(body.merchantTransactionId, problems);
      if (problems.length > 0) throw validationError(problems);
      // Clients send memberId|key|merchantTransactionId; the async page's rule adds |amount: both are taken.
      const withAmount = body.amount === undefined ? [] : [CHECKSUMS.payment(member.memberId, member.secureKey, reference, body.amount)];
      requireChecksum(body.authentication?.checksum, CHECKSUMS.byMerchantTransactionId(member.memberId, member.secureKey, reference), ...withAmount);
      find = { payment: () => findOrderByExternalId(ctx, owner(request), reference), payout: () => findPayout(ctx, owner(request), { externalId: reference }) };
    } else {
      const id = requireText(paymentId ?? body.paymentId, "paymentId", problems);
      if (problems.length > 0) throw validationError(problems);
      requireChecksum(body.authentication?.checksum, CHECKSUMS.byPaymentId(member.memberId, member.secureKey, id));
      const payoutId = parsePayoutId(id);
      find = {
        payment: () => getOrderView(ctx, owner(request), orderIdParam(id)),
        payout: async () => {
          if (!payoutId) throw new TetriError("TETRI_ERR_PAYOUT_NOT_FOUND");
          return findPayout(ctx, owner(request), { id: payoutId });
        },
      };
    }
    try {
      return renderPayment(await find.payment(), now(), { result: FOUND });
    } catch (error) {
      if (!(error instanceof TetriError && error.code === "TETRI_ERR_ORDER_NOT_FOUND")) throw error;
      // Neither a payment nor a payout: the answer an unknown payment gets.
      const payout = await find.payout().catch(() => {
        throw error;
      });
      return renderPayout(payout, now(), FOUND);
    }
  }

  app.post(
    "/payments/:id",
    {
      schema: {
        tags: [dialect],
        summary: "Back-office operation on a payment: paymentType CP (capture), RF (refund), RV (reversal), IN (inquiry); or DB, PA or RB: a repeated recurring payment of its stored card",
        params: PaymentIdParams,
        body: PaymentOperationBody,
        response: { 200: PaymentResponse, ...errors },
      },
    },
    async (request) => {
      const body = request.body as Static<typeof PaymentOperationBody>;
      const problems: FieldProblem[] = [];
      const paymentType = requireText(body.paymentType, "paymentType", problems).toUpperCase();
      if (problems.length > 0) throw validationError(problems);
      if (paymentType === "IN") return inquiry(request, body, (request.params as { id: string }).id);
      const { orderId, paymentId } = pathOrder(request);
      if (paymentType === "DB" || paymentType === "PA" || paymentType === "RB") return repeatRecurring(api, request, body, orderId);
      if (paymentType !== "CP" && paymentType !== "RF" && paymentType !== "RV") {
        throw validationError([{ field: "paymentType", message: "must be CP, RF, RV, IN, or DB, PA or RB (a repeated recurring payment)" }]);
      }
      const base = { merchantId: request.merchantId, dialect, orderId };
      if (paymentType === "RV") {
        const member = await memberOf(request, body.authentication);
        requireChecksum(body.authentication?.checksum, CHECKSUMS.byPaymentId(member.memberId, member.secureKey, paymentId));
        const operationId = await voidPreauthorization(ctx, { ...base, amount: body.amount === undefined ? undefined : operationAmount(body.amount), description: body.cancelReason });
        return operationAnswer(request, orderId, operationId, "RV", REVERSED);
      }
      // Without an amount: all that was authorized (capture) or is left (refund), checked as an inquiry's checksum is.
      const amount = body.amount === undefined ? undefined : requireAmountText(body.amount);
      const member = await memberOf(request, body.authentication);
      requireChecksum(
        body.authentication?.checksum,
        amount === undefined
          ? CHECKSUMS.byPaymentId(member.memberId, member.secureKey, paymentId)
          : CHECKSUMS.captureOrRefund(member.memberId, member.secureKey, paymentId, amount),
      );
      const requested = amount === undefined ? undefined : operationAmount(amount);
      if (paymentType === "CP") {
        const operationId = await capturePreauthorization(ctx, { ...base, amount: requested });
        return operationAnswer(request, orderId, operationId, "CP", CAPTURED);
      }
      const operationId = await refundOrder(ctx, { ...base, amount: requested });
      return operationAnswer(request, orderId, operationId, "RF", REFUNDED);
    },
  );

  app.get(
    "/payments/:id",
    { schema: { tags: [dialect], summary: "Inquiry alias for the resourcePath a payment's return names (AuthToken only, no checksum)", params: PaymentIdParams, response: { 200: PaymentResponse, ...errors } } },
    async (request) => {
      const view = await getOrderView(ctx, owner(request), orderIdParam((request.params as { id: string }).id));
      return renderPayment(view, now(), { result: FOUND });
    },
  );

  app.post(
    "/inquiry",
    { schema: { tags: [dialect], summary: "Status inquiry of a payment, or else a payout, by paymentId (idType PID) or merchantTransactionId (idType MID)", body: OperationBody, response: { 200: PaymentResponse, ...errors } } },
    async (request) => inquiry(request, request.body as Static<typeof OperationBody>, undefined),
  );

  await registrationRoutes(app, api, errors);
  await transactionRoutes(app, api, errors);
  await payoutRoutes(app, api, errors);

  for (const path of UNSUPPORTED_PATHS) {
    app.all(path, { config: { public: true }, schema: { tags: [dialect], summary: "Not supported by tetri: answers result 10018", hide: true } }, async () => {
      throw new TetriError("TETRI_ERR_NOT_SUPPORTED");
    });
  }
}
