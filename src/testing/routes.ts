// Test-mode helper for CI without a browser: pays an order through exactly the path the
// hosted page takes (3-D Secure answered "Complete"), with a card or with any other method the
// order offers (the fields its simulated page posts), and decides a pending loan application.
// Registered only when TETRI_MODE=test. Orders are named by any dialect's id, with that
// dialect's credentials.

import type { FastifyInstance } from "fastify";
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import { completeChallenge, payOrder } from "../core/checkout.ts";
import type { PaymentResult } from "../core/checkout.ts";
import { decideLoanApplication, issueQrCode, payWithSimulatedMethod } from "../core/simulated-methods.ts";
import type { ChoiceProblem } from "../core/simulated-methods.ts";
import { PAYMENT_METHODS } from "../core/types.ts";
import type { Order } from "../core/types.ts";
import type { OrderOwner } from "../core/orders.ts";
import { choiceOf, isSimulatedMethod } from "../checkout/method-forms.ts";
import type { SimulatedMethod } from "../checkout/method-forms.ts";
import { CHOICE_PROBLEMS } from "../checkout/method-texts.ts";
import { cardProblemsAsFields } from "../core/cards.ts";
import type { CoreContext } from "../core/context.ts";
import { TetriError, validationError } from "../core/errors.ts";
import { getOrder } from "../core/orders.ts";
import { payWithSavedCard } from "../core/saved-cards.ts";
import type { DialectDeps, DialectModule } from "../dialects/dialect.ts";
import { ownerOfAnyDialect } from "../dialects/shared/any-dialect.ts";
import { emptyBodyIsEmptyObject, orderIdParam } from "../dialects/shared/routing.ts";
import { sendJsonError } from "../http/errors.ts";

const field = (description: string) => Type.Optional(Type.String({ maxLength: 128, description }));

/**
 * The card the buyer types (an order paid with a saved card needs none: what is sent is
 * ignored), or another method the order offers with what its simulated page would post.
 */
const PayBody = Type.Object({
  card_number: Type.Optional(Type.String({ maxLength: 64 })),
  expiry: Type.Optional(Type.String({ maxLength: 16, description: "MM/YY" })),
  cvc: Type.Optional(Type.String({ maxLength: 8 })),
  cardholder: Type.Optional(Type.String({ maxLength: 128 })),
  method: Type.Optional(Type.Union(PAYMENT_METHODS.map((method) => Type.Literal(method)), { description: "tetri's name of the method; card when absent" })),
  result: field("approve or decline (internet bank, QR); approve, decline or pending (loans)"),
  wallet_card: field("the wallet sheet's test card (Google Pay, Apple Pay)"),
  account_holder: field("internet bank, loyalty points"),
  points: field("loyalty points to use, in major units; the card fields pay the rest"),
  applicant: field("loans"),
  months: field("a loan's term"),
  gift_code: field("gift card"),
});

const DecisionBody = Type.Object({ result: Type.Union([Type.Literal("approve"), Type.Literal("decline")]) });

/** A payment's result as the helper answers it. */
function outcomeOf(orderId: string, result: PaymentResult) {
  if (result.kind === "not_payable") throw new TetriError("TETRI_ERR_ORDER_NOT_PAYABLE");
  if (result.kind === "method_not_offered") throw new TetriError("TETRI_ERR_METHOD_UNAVAILABLE", { message: "The order does not offer this payment method" });
  if (result.kind === "card_invalid") throw new TetriError("TETRI_ERR_CARD_INVALID", { fields: cardProblemsAsFields(result.problems) });
  return {
    order_id: orderId,
    outcome: result.kind,
    decline_reason: result.kind === "declined" ? result.reason : null,
    status: result.kind === "approved" ? result.status : result.kind === "declined" ? "declined" : "processing",
  };
}

export type TestHelperDeps = { ctx: CoreContext; dialectDeps: DialectDeps; dialects: readonly DialectModule[] };

export async function testHelperRoutes(app: FastifyInstance, { ctx, dialectDeps, dialects }: TestHelperDeps) {
  app.setErrorHandler(sendJsonError);


  app.post(
    "/_test/orders/:order_id/pay",
    {
      schema: {
        tags: ["test"],
        summary: "Test mode only: pay an order with a card, as the hosted page would",
        params: Type.Object({ order_id: Type.String({ maxLength: 64 }) }),
        body: PayBody,
      },
      preValidation: emptyBodyIsEmptyObject,
    },
    async (request) => {
      // The helper pays orders of the bank API whose credentials the request carries, of that merchant.
      const owner = await ownerOfAnyDialect(request, dialectDeps, dialects);
      const orderId = orderIdParam((request.params as { order_id: string }).order_id);
      const body = request.body as Static<typeof PayBody>;
      const order = await getOrder(ctx, owner, orderId);
      const method = body.method ?? "card";
      if (isSimulatedMethod(method)) return outcomeOf(orderId, await payWithMethod(order, method, body, owner));
      const card = { number: body.card_number ?? "", expiry: body.expiry ?? "", cvc: body.cvc ?? "", holder: body.cardholder ?? "" };
      let result = order.savedCardId ? await payWithSavedCard(ctx, orderId, owner) : await payOrder(ctx, orderId, card, owner);
      if (result.kind === "challenge") result = await completeChallenge(ctx, orderId, result.attemptId, true);
      return outcomeOf(orderId, result);
    },
  );

  /** A simulated method's payment, as its page would post it (a QR code is issued and scanned at once). */
  async function payWithMethod(order: Order, method: SimulatedMethod, body: Static<typeof PayBody>, owner: Required<OrderOwner>): Promise<PaymentResult> {
    const form = { ...body, qr_code: method === "qr" ? issueQrCode(ctx, order.id, 60_000).code : undefined };
    const choice = choiceOf(method, form, order.currency);
    if (!choice) throw validationError([{ field: "points", message: "must be an amount in the order's currency" }]);
    const result = await payWithSimulatedMethod(ctx, order.id, choice, owner);
    if (result.kind === "choice_invalid") throw validationError([{ field: choiceField(result.problem, method), message: CHOICE_PROBLEMS.en[result.problem] }]);
    if (result.kind === "qr_expired") throw new Error("a QR code issued now has expired");
    return result;
  }

  app.post(
    "/_test/orders/:order_id/decide",
    {
      schema: {
        tags: ["test"],
        summary: "Test mode only: the bank's decision of a loan application left pending",
        params: Type.Object({ order_id: Type.String({ maxLength: 64 }) }),
        body: DecisionBody,
      },
    },
    async (request) => {
      const owner = await ownerOfAnyDialect(request, dialectDeps, dialects);
      const orderId = orderIdParam((request.params as { order_id: string }).order_id);
      const { result } = request.body as Static<typeof DecisionBody>;
      return outcomeOf(orderId, await decideLoanApplication(ctx, orderId, result === "approve", owner));
    },
  );
}

/** The field a problem of a simulated method's choice is about. */
function choiceField(problem: ChoiceProblem, method: SimulatedMethod): string {
  switch (problem) {
    case "not_a_wallet_card":
      return "wallet_card";
    case "name_invalid":
      return method === "bnpl" || method === "installment" ? "applicant" : "account_holder";
    case "points_over_amount":
      return "points";
    case "term_not_offered":
      return "months";
    case "code_required":
      return "gift_code";
  }
}
