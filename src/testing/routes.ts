// Test-mode helper for CI without a browser: pays an order through exactly the path the
// hosted page takes (3-D Secure answered "Complete"). Registered only when TETRI_MODE=test.
// Orders are named by any dialect's id, with that dialect's credentials.

import type { FastifyInstance } from "fastify";
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import { completeChallenge, payOrder } from "../core/checkout.ts";
import { cardProblemsAsFields } from "../core/cards.ts";
import type { CoreContext } from "../core/context.ts";
import { TetriError } from "../core/errors.ts";
import { getOrder } from "../core/orders.ts";
import { payWithSavedCard } from "../core/saved-cards.ts";
import type { DialectDeps, DialectModule } from "../dialects/dialect.ts";
import { ownerOfAnyDialect } from "../dialects/shared/any-dialect.ts";
import { emptyBodyIsEmptyObject, orderIdParam } from "../dialects/shared/routing.ts";
import { sendJsonError } from "../http/errors.ts";

/** The card the buyer types; an order paid with a saved card needs none (what is sent is ignored). */
const PayBody = Type.Object({
  card_number: Type.Optional(Type.String({ maxLength: 64 })),
  expiry: Type.Optional(Type.String({ maxLength: 16, description: "MM/YY" })),
  cvc: Type.Optional(Type.String({ maxLength: 8 })),
  cardholder: Type.Optional(Type.String({ maxLength: 128 })),
});

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
      const card = { number: body.card_number ?? "", expiry: body.expiry ?? "", cvc: body.cvc ?? "", holder: body.cardholder ?? "" };
      let result = order.savedCardId ? await payWithSavedCard(ctx, orderId, owner) : await payOrder(ctx, orderId, card, owner);
      if (result.kind === "challenge") result = await completeChallenge(ctx, orderId, result.attemptId, true);
      if (result.kind === "card_invalid") {
        throw new TetriError("TETRI_ERR_CARD_INVALID", { fields: cardProblemsAsFields(result.problems) });
      }
      if (result.kind === "not_payable") throw new TetriError("TETRI_ERR_ORDER_NOT_PAYABLE");
      return {
        order_id: orderId,
        outcome: result.kind,
        decline_reason: result.kind === "declined" ? result.reason : null,
        status: result.kind === "approved" ? result.status : result.kind === "declined" ? "declined" : "processing",
      };
    },
  );
}
