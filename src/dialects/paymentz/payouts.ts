// /payout: money out of the merchant's balance to the card of one of its captured payments
// (paymentId) or to a card it names (card.*). The answer carries the balance before the payout
// (totalBalance) and what is left after it (currentPayoutBalance).

import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import { TetriError, validationError } from "../../core/errors.ts";
import type { FieldProblem } from "../../core/errors.ts";
import { formatMajorAmountFixed } from "../../core/money.ts";
import { makePayout } from "../../core/payouts.ts";
import type { PayoutTarget } from "../../core/payouts.ts";
import type { Payout } from "../../core/types.ts";
import { orderIdParam } from "../shared/routing.ts";
import { CHECKSUMS, requireChecksum } from "./checksums.ts";
import { PAID_OUT, PENDING, followUpDeclineResultOf } from "./codes.ts";
import type { ResultCode } from "./codes.ts";
import { amountOf, cardOf, currencyOf, merchantTransactionIdOf } from "./parse.ts";
import { paymentzTimestamp } from "./render.ts";
import type { ERROR_RESPONSES, PaymentzApi } from "./api.ts";
import { PayoutBody } from "./schemas.ts";

const STATUSES: Readonly<Record<Payout["status"], { long: string; short: string }>> = {
  completed: { long: "payoutsuccessful", short: "Y" },
  failed: { long: "payoutfailed", short: "N" },
  pending: { long: "payoutstarted", short: "P" },
};

export async function payoutRoutes(app: FastifyInstance, api: PaymentzApi, errors: typeof ERROR_RESPONSES) {
  const { dialect, deps, memberOf, now } = api;
  const { ctx } = deps;

  app.post(
    "/payout",
    { schema: { tags: [dialect], summary: "Pay out of the balance to a captured payment's card (paymentId) or to a card (card.*)", body: PayoutBody, response: errors } },
    async (request) => {
      const body = request.body as Static<typeof PayoutBody>;
      const problems: FieldProblem[] = [];
      const reference = merchantTransactionIdOf(body.merchantTransactionId, problems);
      const currency = currencyOf(body.currency, problems);
      const amount = amountOf(body.amount, currency, "amount", problems);
      const type = (body.paymentType ?? body.payoutType)?.toUpperCase();
      if (type !== undefined && type !== "PO") problems.push({ field: "paymentType", message: "must be PO" });
      let to: PayoutTarget | undefined;
      if (body.paymentId) {
        to = { kind: "payment", orderId: orderIdParam(body.paymentId) };
      } else if (body.card?.number !== undefined) {
        // A payout to a card needs no CVV (none is ever kept); the card check asks for one.
        to = { kind: "card", card: cardOf({ ...body, card: { ...body.card, cvv: body.card.cvv ?? "000" } }, problems) };
      } else if (body.bankAccount !== undefined) {
        throw new TetriError("TETRI_ERR_NOT_SUPPORTED", { message: "Payouts to bank accounts are not supported by tetri; pay out to a card or to a paymentId" });
      } else {
        problems.push({ field: "paymentId", message: "is required (or card.number)" });
      }
      if (problems.length > 0 || amount === undefined || to === undefined) throw validationError(problems);
      const member = await memberOf(request, body.authentication);
      requireChecksum(body.authentication?.checksum, CHECKSUMS.payout(member.memberId, reference, body.amount ?? "", member.secureKey));
      const outcome = await makePayout(ctx, { merchantId: request.merchantId, dialect, externalId: reference, currency, amount, to });
      if (outcome.kind === "card_invalid") throw validationError([{ field: "card", message: "is not valid" }]);
      const { payout, balanceBefore, balanceAfter } = outcome;
      const answer = renderPayout(payout, now(), payoutResultOf(payout));
      return {
        ...answer,
        result: {
          ...answer.result,
          totalBalance: formatMajorAmountFixed(balanceBefore, payout.currency),
          currentPayoutBalance: formatMajorAmountFixed(balanceAfter, payout.currency),
        },
      };
    },
  );
}

function payoutResultOf(payout: Payout): ResultCode {
  if (payout.status === "completed") return PAID_OUT;
  return payout.status === "failed" ? followUpDeclineResultOf(payout.failureReason ?? "technical_error") : PENDING;
}

/** A payout as the API shows it: in the /payout answer, and to an inquiry (with the inquiry's result). */
export function renderPayout(payout: Payout, now: number, result: ResultCode) {
  const status = STATUSES[payout.status];
  return {
    paymentId: payout.id,
    merchantTransactionId: payout.externalId,
    paymentType: "PO",
    amount: formatMajorAmountFixed(payout.amount, payout.currency),
    currency: payout.currency,
    status: status.long,
    transactionStatus: status.short,
    result,
    card: { bin: payout.card.mask.slice(0, 6), last4Digits: payout.card.mask.slice(-4) },
    timestamp: paymentzTimestamp(now),
  };
}
