// Tokenised cards: /registrations stores a card without a charge (a zero-amount payment that
// saves it), createRegistration=true stores the card of a payment, and /paywithtoken/{id}
// charges a stored card without the buyer (INITIAL/REPEATED recurring) or deletes it; a
// payment made with recurringType=INITIAL is repeated by its id (/payments/{id}).

import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import { payOrder } from "../../core/checkout.ts";
import { TetriError, validationError } from "../../core/errors.ts";
import type { FieldProblem } from "../../core/errors.ts";
import { parseSavedCardId } from "../../core/ids.ts";
import type { OrderId, SavedCardId } from "../../core/ids.ts";
import { minor } from "../../core/money.ts";
import { createOrder, getOrderView } from "../../core/orders.ts";
import { chargeSavedCard, deleteSavedCard } from "../../core/saved-cards.ts";
import { CHECKSUMS, requireChecksum } from "./checksums.ts";
import { DEREGISTERED, REGISTERED, paymentResultOf } from "./codes.ts";
import { cardOf, currencyOf, merchantTransactionIdOf, parsePayment } from "./parse.ts";
import type { PaymentzDetails } from "./parse.ts";
import { paymentzTimestamp, renderPayment, renderRegistration } from "./render.ts";
import type { ERROR_RESPONSES, PaymentzApi } from "./api.ts";
import { PaymentBody, PaymentResponse, RegistrationIdParams } from "./schemas.ts";

function registrationIdParam(value: string): SavedCardId {
  const id = parseSavedCardId(value);
  if (!id) throw new TetriError("TETRI_ERR_SAVED_CARD_NOT_FOUND");
  return id;
}

/**
 * A repeated recurring charge by trackingId (POST /payments/{id} with paymentType DB or PA, or
 * RB, taken as DB): a new payment of the card that payment {id} stored (recurringType=INITIAL
 * or createRegistration=true), without the buyer, checked as a payment is.
 */
export async function repeatRecurring(api: PaymentzApi, request: FastifyRequest, body: Static<typeof PaymentBody>, parentOrderId: OrderId) {
  const { dialect, deps, owner, memberOf, now } = api;
  const asked = { ...body, paymentType: body.paymentType?.toUpperCase() === "RB" ? "DB" : body.paymentType };
  const parsed = parsePayment(dialect, asked, deps.settings.live, { requireCard: false });
  if (body.recurringType?.toUpperCase() === "INITIAL") throw validationError([{ field: "recurringType", message: "must be REPEATED on a repeated payment" }]);
  const member = await memberOf(request, body.authentication);
  requireChecksum(body.authentication?.checksum, CHECKSUMS.payment(member.memberId, member.secureKey, parsed.merchantTransactionId, parsed.amountText));
  const { orderId } = await api.onceForReference(owner(request), request, parsed.merchantTransactionId, (idempotency) =>
    chargeSavedCard(deps.ctx, { owner: owner(request), source: { parentOrderId }, idempotency, order: () => parsed.order }),
  );
  return renderPayment(await getOrderView(deps.ctx, owner(request), orderId), now());
}

export async function registrationRoutes(app: FastifyInstance, api: PaymentzApi, errors: typeof ERROR_RESPONSES) {
  const { dialect, deps, owner, memberOf, now } = api;
  const { ctx, links } = deps;

  app.post(
    "/registrations",
    { schema: { tags: [dialect], summary: "Store a card without a charge; the answer's registrationId charges it later", body: PaymentBody, response: { 200: PaymentResponse, ...errors } } },
    async (request) => {
      const body = request.body as Static<typeof PaymentBody>;
      const problems: FieldProblem[] = [];
      const reference = body.merchantTransactionId === undefined ? undefined : merchantTransactionIdOf(body.merchantTransactionId, problems);
      const currency = body.currency === undefined ? "EUR" : currencyOf(body.currency, problems);
      const card = cardOf(body, problems);
      if (problems.length > 0) throw validationError(problems);
      const member = await memberOf(request, body.authentication);
      // The notes give no formula for a registration: the member's own, or with the reference when one is sent.
      const withReference = reference === undefined ? [] : [CHECKSUMS.byMerchantTransactionId(member.memberId, member.secureKey, reference)];
      requireChecksum(body.authentication?.checksum, CHECKSUMS.memberOnly(member.memberId, member.secureKey), ...withReference);
      const details: PaymentzDetails = { paymentBrand: body.paymentBrand, paymentMode: body.paymentMode, customer: body.customer };
      const make = (idempotency?: Parameters<typeof createOrder>[3]) =>
        createOrder(
          ctx,
          request.merchantId,
          {
            dialect,
            externalOrderId: reference ?? null,
            captureMode: "automatic",
            currency,
            amount: minor(0),
            language: "en",
            theme: "light",
            callbackUrl: null,
            successUrl: null,
            failUrl: null,
            paymentMethods: ["card"],
            methodsNamed: true,
            basket: [],
            details,
            saveCard: { until: null, usage: "any" },
            terminal: null,
            split: null,
            ttlMinutes: 15,
          },
          idempotency,
        );
      const orderId = reference === undefined ? await make() : await api.onceForReference(owner(request), request, reference, make);
      const paid = await payOrder(ctx, orderId, card, owner(request));
      const view = await getOrderView(ctx, owner(request), orderId);
      const payment = renderPayment(view, now());
      if (paid.kind === "challenge") return { ...payment, redirect: { url: links.challenge(orderId, paid.attemptId), method: "GET", parameters: [] } };
      if (!view.savedCard) return payment;
      return { ...payment, result: paymentResultOf(view).code === "00001" ? REGISTERED : payment.result, registrationId: view.savedCard.id, card: renderRegistration(view.savedCard) };
    },
  );

  app.post(
    "/paywithtoken",
    { schema: { tags: [dialect], summary: "Without a registration id: always 'invalid registration id'", response: errors } },
    async () => {
      throw new TetriError("TETRI_ERR_SAVED_CARD_NOT_FOUND");
    },
  );

  app.post(
    "/paywithtoken/:registrationId",
    {
      schema: {
        tags: [dialect],
        summary: "Charge a stored card (PA or DB, recurringType INITIAL or REPEATED), or delete it (actionType delete, or paymentType DL)",
        params: RegistrationIdParams,
        body: PaymentBody,
        response: { 200: PaymentResponse, ...errors },
      },
    },
    async (request) => {
      const body = request.body as Static<typeof PaymentBody>;
      const registrationText = (request.params as { registrationId: string }).registrationId;
      if (body.actionType?.toLowerCase() === "delete" || body.paymentType?.toUpperCase() === "DL") {
        const member = await memberOf(request, body.authentication);
        requireChecksum(body.authentication?.checksum, CHECKSUMS.byPaymentId(member.memberId, member.secureKey, registrationText));
        const cardId = registrationIdParam(registrationText);
        await deleteSavedCard(ctx, owner(request), { cardId });
        return { paymentId: "-", registrationId: cardId, status: "success", transactionStatus: "Y", result: DEREGISTERED, timestamp: paymentzTimestamp(now()) };
      }
      const parsed = parsePayment(dialect, body, deps.settings.live, { requireCard: false });
      const member = await memberOf(request, body.authentication);
      requireChecksum(body.authentication?.checksum, CHECKSUMS.payment(member.memberId, member.secureKey, parsed.merchantTransactionId, parsed.amountText));
      const cardId = registrationIdParam(registrationText);
      const { orderId } = await api.onceForReference(owner(request), request, parsed.merchantTransactionId, (idempotency) =>
        chargeSavedCard(ctx, { owner: owner(request), source: { cardId }, idempotency, order: () => parsed.order }),
      );
      return { ...renderPayment(await getOrderView(ctx, owner(request), orderId), now()), registrationId: cardId };
    },
  );
}
