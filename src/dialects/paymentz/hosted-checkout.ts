// The platform's standard hosted checkout: the shop's page posts a form (memberId, totype,
// amount, merchantTransactionId, merchantRedirectUrl, checksum, …) to {host}/transaction/Checkout
// and the buyer lands on tetri's hosted page; afterwards the browser is posted back to
// merchantRedirectUrl and the notification goes to notificationUrl, as for /payments.

import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import formbody from "@fastify/formbody";
import { TetriError, validationError } from "../../core/errors.ts";
import type { FieldProblem } from "../../core/errors.ts";
import { createOrder } from "../../core/orders.ts";
import { useErrorShape } from "../shared/routing.ts";
import { CHECKSUMS, requireChecksum } from "./checksums.ts";
import { memberByMemberId } from "./credentials.ts";
import { renderPaymentzError } from "./errors.ts";
import { nestDottedKeys, parsePayment, requireText } from "./parse.ts";
import type { PaymentzApi } from "./api.ts";
import { CheckoutBody } from "./schemas.ts";

/** Where the form is posted (/transaction/Checkout): a scope of its own, so that unknown paths beside it answer in this API's shape too. */
export const HOSTED_CHECKOUT_PREFIX = "/transaction";

export async function hostedCheckoutRoutes(app: FastifyInstance, api: PaymentzApi) {
  const { dialect, deps } = api;
  const { ctx, links, settings } = deps;
  await app.register(formbody);
  useErrorShape(app, renderPaymentzError);
  app.addHook("preValidation", async (request: FastifyRequest) => {
    request.body = nestDottedKeys(request.body ?? {});
  });

  app.post(
    "/Checkout",
    { schema: { tags: [dialect], summary: "Standard hosted checkout: a form the shop's page posts; the buyer is sent on to tetri's hosted page", body: CheckoutBody } },
    async (request, reply) => {
      const body = request.body as Static<typeof CheckoutBody>;
      const problems: FieldProblem[] = [];
      const memberId = requireText(body.memberId, "memberId", problems);
      requireText(body.checksum, "checksum", problems);
      const redirectUrl = requireText(body.merchantRedirectUrl, "merchantRedirectUrl", problems);
      if (problems.length > 0) throw validationError(problems);
      const parsed = parsePayment(
        dialect,
        {
          merchantTransactionId: body.merchantTransactionId,
          amount: body.amount,
          currency: body.currency ?? "EUR",
          paymentType: body.paymentType ?? "DB",
          merchantRedirectUrl: redirectUrl,
          notificationUrl: body.notificationUrl,
          orderDescriptor: body.orderDescription,
          customer: { email: body.email, givenName: body.firstName, surname: body.lastName, phone: body.phone, telnocc: body.telnocc },
        },
        settings.live,
        { requireCard: false },
      );
      const member = await memberByMemberId(ctx.store, ctx.vault, dialect, memberId);
      if (!member) throw new TetriError("TETRI_ERR_UNAUTHENTICATED");
      const totype = body.totype ?? "";
      requireChecksum(body.checksum, CHECKSUMS.hostedCheckout(memberId, totype, parsed.amountText, parsed.merchantTransactionId, redirectUrl, member.secureKey));
      const owner = { merchantId: member.merchantId, dialect };
      const orderId = await api.onceForReference(owner, request, parsed.merchantTransactionId, (idempotency) => createOrder(ctx, member.merchantId, parsed.order, idempotency));
      return reply.redirect(links.payment(orderId), 303);
    },
  );
}
