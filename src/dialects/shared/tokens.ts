// The client-credentials flow every dialect's token endpoint runs, whatever its wire shape:
// check the merchant's client id and secret, issue a token only this dialect accepts, and
// verify such tokens on later calls.

import type { FastifyRequest } from "fastify";
import type { IssuedToken } from "../../auth/tokens.ts";
import type { MerchantId } from "../../core/ids.ts";
import { merchantSettingsFor } from "../../core/merchant-settings.ts";
import { authenticateMerchant } from "../../core/merchants.ts";
import type { DialectId } from "../../core/types.ts";
import { bearerTokenOf } from "../../http/request-context.ts";
import type { DialectDeps } from "../dialect.ts";

/**
 * A token of this dialect for the merchant whose client credentials these are, or undefined
 * for wrong credentials (or, when the dialect names the merchant otherwise too, another one's).
 */
export async function issueClientToken(
  deps: DialectDeps,
  dialect: DialectId,
  client: { id: string; secret: string },
  mustBe?: MerchantId,
): Promise<IssuedToken | undefined> {
  const merchant = await authenticateMerchant(deps.ctx.store, client.id, client.secret);
  if (!merchant || (mustBe !== undefined && merchant.id !== mustBe)) return undefined;
  const settings = await merchantSettingsFor(deps.ctx.store, merchant.id, dialect);
  return deps.tokens.issue(merchant, dialect, settings?.tokenTtlSeconds ?? undefined);
}

/** The merchant of the request's Bearer token, if it is a valid token of this dialect. */
export async function bearerMerchant(request: FastifyRequest, deps: DialectDeps, dialect: DialectId): Promise<MerchantId | undefined> {
  const token = bearerTokenOf(request);
  return token ? deps.tokens.verify(token, dialect) : undefined;
}

/** Token endpoints are rate-limited per client IP. */
export function tokenRateLimit(deps: DialectDeps) {
  return { rateLimit: { max: deps.settings.tokenRateLimitPerMinute, timeWindow: 60_000 } };
}
