// Test-mode helper for CI without a browser: pays an order through exactly the path the
// hosted page takes (3-D Secure answered "Complete"). Registered only when TETRI_MODE=test.
// Orders are named by BOG order_id or TBC payId, with that API's credentials.

import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "@sinclair/typebox";
import type { Static } from "@sinclair/typebox";
import { completeChallenge, payOrder } from "../core/checkout.ts";
import { cardProblemsAsFields } from "../core/cards.ts";
import { TetriError } from "../core/errors.ts";
import { parseOrderId } from "../core/ids.ts";
import type { MerchantId } from "../core/ids.ts";
import type { Dialect } from "../core/types.ts";
import { merchantOfApiKey } from "../dialects/tbc/routes.ts";
import { getOwnOrder } from "../core/orders.ts";
import { sendJsonError } from "../http/errors.ts";
import { bearerTokenOf } from "../http/request-context.ts";
import type { Services } from "../services.ts";

const PayBody = Type.Object({
  card_number: Type.String({ maxLength: 64 }),
  expiry: Type.String({ maxLength: 16, description: "MM/YY" }),
  cvc: Type.String({ maxLength: 8 }),
  cardholder: Type.String({ maxLength: 128 }),
});

export async function testHelperRoutes(app: FastifyInstance, services: Services) {
  const { ctx } = services;
  app.setErrorHandler(sendJsonError);

  /** A BOG token, or a TBC token with its apikey: the helper pays that API's orders of that merchant. */
  async function ownerOf(request: FastifyRequest): Promise<{ merchantId: MerchantId; dialect: Dialect }> {
    const token = bearerTokenOf(request);
    if (token) {
      const bog = await services.tokens.verify(token, "bog");
      if (bog) return { merchantId: bog, dialect: "bog" };
      const tbc = await services.tokens.verify(token, "tbc");
      if (tbc && (await merchantOfApiKey(services, request)).id === tbc) return { merchantId: tbc, dialect: "tbc" };
    }
    throw new TetriError("TETRI_ERR_UNAUTHENTICATED");
  }

  app.post(
    "/_test/orders/:order_id/pay",
    {
      schema: {
        tags: ["test"],
        summary: "Test mode only: pay an order with a card, as the hosted page would",
        params: Type.Object({ order_id: Type.String({ maxLength: 64 }) }),
        body: PayBody,
      },
    },
    async (request) => {
      const owner = await ownerOf(request);
      const orderId = parseOrderId((request.params as { order_id: string }).order_id);
      if (!orderId) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
      await getOwnOrder(ctx, owner, orderId);

      const body = request.body as Static<typeof PayBody>;
      let result = await payOrder(ctx, orderId, {
        number: body.card_number,
        expiry: body.expiry,
        cvc: body.cvc,
        holder: body.cardholder,
      });
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
