// tetri's own subscriptions API under /tetri/v1: scheduled charges of a saved card, which no
// bank offers. A merchant calls it with the tokens of the bank API it already uses; a
// subscription belongs to that merchant and that API, like the card it charges. Routes only
// translate; core decides. Errors are tetri's own JSON shape: { key, message, errors? }.

import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import { TetriError, validationError } from "../core/errors.ts";
import type { FieldProblem } from "../core/errors.ts";
import { parseOrderId, parseSubscriptionId } from "../core/ids.ts";
import type { SubscriptionId } from "../core/ids.ts";
import { CURRENCIES, isCurrency } from "../core/money.ts";
import { cancelSubscription, createSubscription, getSubscription, listSubscriptions, pauseSubscription, resumeSubscription } from "../core/subscriptions.ts";
import type { DialectDeps, DialectModule } from "../dialects/dialect.ts";
import { ownerOfAnyDialect } from "../dialects/shared/any-dialect.ts";
import { amountReader, urlReader } from "../dialects/shared/fields.ts";
import { emptyBodyIsEmptyObject, useErrorShape } from "../dialects/shared/routing.ts";
import { sendJsonError } from "../http/errors.ts";
import { idempotencyOf } from "../http/request-context.ts";
import { renderSubscription } from "./render.ts";
import { CreateSubscriptionBody, ErrorResponse, ListQuery, SubscriptionIdParams, SubscriptionListResponse, SubscriptionResponse } from "./schemas.ts";

export const SUBSCRIPTIONS_PREFIX = "/tetri/v1";
/** The tag of its routes, which its OpenAPI document gathers. */
export const SUBSCRIPTIONS_TAG = "tetri";

export type SubscriptionDeps = { dialectDeps: DialectDeps; dialects: readonly DialectModule[] };

function subscriptionIdParam(value: string): SubscriptionId {
  const id = parseSubscriptionId(value);
  if (!id) throw new TetriError("TETRI_ERR_SUBSCRIPTION_NOT_FOUND");
  return id;
}

function parseCreate(body: Static<typeof CreateSubscriptionBody>, live: boolean) {
  const problems: FieldProblem[] = [];
  const currencyText = body.currency ?? "GEL";
  if (!isCurrency(currencyText)) problems.push({ field: "currency", message: `must be one of ${CURRENCIES.join(", ")}` });
  const currency = isCurrency(currencyText) ? currencyText : "GEL";
  const amount = amountReader(currency, problems)("amount", body.amount);
  const callbackUrl = urlReader(live, problems)("callback_url", body.callback_url);
  // An id that cannot name an order names no saved card: the same 404 as an unknown one.
  const parentOrderId = parseOrderId(body.order_id);
  if (problems.length > 0 || amount === undefined) throw validationError(problems);
  if (!parentOrderId) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
  return {
    parentOrderId,
    amount,
    currency,
    interval: body.interval,
    dayOfMonth: body.day_of_month ?? null,
    startDate: body.start_date,
    callbackUrl,
    externalId: body.external_id ?? null,
  };
}

export async function subscriptionRoutes(app: FastifyInstance, { dialectDeps, dialects }: SubscriptionDeps) {
  const { ctx, settings } = dialectDeps;
  useErrorShape(app, sendJsonError);
  const ownerOf = (request: FastifyRequest) => ownerOfAnyDialect(request, dialectDeps, dialects);
  const idOf = (request: FastifyRequest) => subscriptionIdParam((request.params as { subscription_id: string }).subscription_id);
  const errors = { 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse };
  const tags = [SUBSCRIPTIONS_TAG];

  app.post(
    "/subscriptions",
    { schema: { tags, summary: "Create a subscription on a saved card", body: CreateSubscriptionBody, response: { 201: SubscriptionResponse, ...errors } } },
    async (request, reply) => {
      const owner = await ownerOf(request);
      const input = parseCreate(request.body as Static<typeof CreateSubscriptionBody>, settings.live);
      const view = await createSubscription(ctx, owner, input, idempotencyOf(request));
      return reply.status(201).send(renderSubscription(view));
    },
  );

  app.get(
    "/subscriptions",
    { schema: { tags, summary: "The merchant's subscriptions, newest first", querystring: ListQuery, response: { 200: SubscriptionListResponse, ...errors } } },
    async (request) => {
      const owner = await ownerOf(request);
      const query = request.query as Static<typeof ListQuery>;
      const limit = query.limit === undefined ? 50 : Number(query.limit);
      if (!/^\d+$/.test(query.limit ?? "50") || limit < 1 || limit > 100) throw validationError([{ field: "limit", message: "must be a whole number from 1 to 100" }]);
      const after = query.after === undefined ? undefined : subscriptionIdParam(query.after);
      const views = await listSubscriptions(ctx, owner, { after, limit });
      return { subscriptions: views.map(renderSubscription), next_after: views.length === limit ? (views.at(-1)?.subscription.id ?? null) : null };
    },
  );

  app.get(
    "/subscriptions/:subscription_id",
    { schema: { tags, summary: "A subscription and the charges it made", params: SubscriptionIdParams, response: { 200: SubscriptionResponse, ...errors } } },
    async (request) => renderSubscription(await getSubscription(ctx, await ownerOf(request), idOf(request))),
  );

  const action = (name: string, summary: string, run: typeof pauseSubscription) =>
    app.post(
      `/subscriptions/:subscription_id/${name}`,
      { schema: { tags, summary, params: SubscriptionIdParams, response: { 200: SubscriptionResponse, ...errors } }, preValidation: emptyBodyIsEmptyObject },
      async (request) => renderSubscription(await run(ctx, await ownerOf(request), idOf(request))),
    );
  action("pause", "Pause charging (a charge in flight still settles)", pauseSubscription);
  action("resume", "Resume charging: a paused subscription from today on, a past-due one with its declined charge at once", resumeSubscription);
  action("cancel", "Cancel for good", cancelSubscription);
}
