// What the API's route files share: one reading of who asks (the token in any of its three
// places, the member credentials behind it), one payment per merchant reference, and the
// scope every JSON call of the API runs in.

import { randomUUID, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import formbody from "@fastify/formbody";
import { TetriError, validationError } from "../../core/errors.ts";
import type { FieldProblem } from "../../core/errors.ts";
import { isRecordedRequest } from "../../core/idempotency.ts";
import type { IdempotencyInput } from "../../core/idempotency.ts";
import type { MerchantId } from "../../core/ids.ts";
import { findOrderByExternalId } from "../../core/orders.ts";
import type { DialectId } from "../../core/types.ts";
import { idempotencyOf } from "../../http/request-context.ts";
import type { DialectDeps } from "../dialect.ts";
import { useErrorShape } from "../shared/routing.ts";
import { memberOfMerchant } from "./credentials.ts";
import type { OpenedMember } from "./credentials.ts";
import { renderPaymentzError } from "./errors.ts";
import { nestDottedKeys, requireText } from "./parse.ts";
import { ErrorResponse } from "./schemas.ts";
import type { PaymentBody } from "./schemas.ts";

type Authentication = NonNullable<Static<typeof PaymentBody>["authentication"]>;

/** The error answers every route documents. */
export const ERROR_RESPONSES = { 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

/** What the API's route files share: who asks, their member credentials, the time. */
export type PaymentzApi = {
  readonly dialect: DialectId;
  readonly deps: DialectDeps;
  owner(request: FastifyRequest): { merchantId: MerchantId; dialect: DialectId };
  memberOf(request: FastifyRequest, authentication: Authentication | undefined): Promise<OpenedMember>;
  onceForReference<T>(
    owner: { merchantId: MerchantId; dialect: DialectId },
    request: FastifyRequest,
    merchantTransactionId: string,
    make: (idempotency: IdempotencyInput) => Promise<T>,
  ): Promise<T>;
  now(): number;
};

/** The token of a request: the AuthToken header, `X-Authorization: AuthToken :<t>`, or authentication.authToken. */
function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authtoken;
  if (typeof header === "string" && header.trim() !== "") return header.trim();
  const prefixed = request.headers["x-authorization"];
  const match = typeof prefixed === "string" ? /^\s*AuthToken\s*:?\s*(\S+)\s*$/i.exec(prefixed) : null;
  if (match?.[1]) return match[1];
  const body = request.body as { authentication?: { authToken?: unknown }; authToken?: unknown } | undefined;
  const inBody = body?.authentication?.authToken ?? body?.authToken;
  return typeof inBody === "string" && inBody.trim() !== "" ? inBody.trim() : undefined;
}

/** The merchant of the request's token, if it is a valid token of this API. */
export async function authenticatePaymentz(request: FastifyRequest, deps: DialectDeps, dialect: DialectId): Promise<MerchantId | undefined> {
  const token = tokenOf(request);
  return token ? deps.tokens.verify(token, dialect) : undefined;
}

export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

export function paymentzApi(dialect: DialectId, deps: DialectDeps): PaymentzApi {
  const { ctx } = deps;
  return {
    dialect,
    deps,
    owner: (request) => ({ merchantId: request.merchantId, dialect }),
    now: () => ctx.clock.now(),

    /** The caller's member credentials, after checking the memberId (and terminal) the body names are its own. */
    async memberOf(request, authentication) {
      const problems: FieldProblem[] = [];
      const memberId = requireText(authentication?.memberId, "authentication.memberId", problems);
      requireText(authentication?.checksum, "authentication.checksum", problems);
      if (problems.length > 0) throw validationError(problems);
      const member = await memberOfMerchant(ctx.store, ctx.vault, dialect, request.merchantId);
      if (!sameText(memberId, member.memberId)) throw new TetriError("TETRI_ERR_UNAUTHENTICATED");
      const terminal = authentication?.terminalId;
      if (terminal !== undefined && terminal !== "" && terminal !== member.terminalId) {
        throw validationError([{ field: "authentication.terminalId", message: "is not a terminal of this member" }]);
      }
      return member;
    },

    /**
     * Makes one payment per merchantTransactionId: a reference the merchant already used (on any
     * of the API's payment calls) is refused, and records nothing. Every call holds the reference
     * as an idempotency key in one scope they share, in the transaction that makes the payment,
     * so two requests racing with one reference (on one call or two) make one payment. The
     * platform has no Idempotency-Key; tetri takes one as an extension: the same request sent
     * again with it (a client's retry) is answered as the first was, instead of refused.
     */
    async onceForReference(who, request, merchantTransactionId, make) {
      const retry = idempotencyOf(request);
      const scope = `${dialect}:merchantTransactionId`;
      const idempotency: IdempotencyInput = { key: merchantTransactionId, fingerprint: retry ? `${retry.key}\n${retry.fingerprint}` : randomUUID(), sharedScope: scope };
      const used = await findOrderByExternalId(ctx, who, merchantTransactionId).then(
        () => true,
        (error: unknown) => {
          if (error instanceof TetriError && error.code === "TETRI_ERR_ORDER_NOT_FOUND") return false;
          throw error;
        },
      );
      if (used && !(retry && (await isRecordedRequest(ctx, who.merchantId, scope, idempotency)))) {
        throw new TetriError("TETRI_ERR_DUPLICATE_REFERENCE");
      }
      try {
        return await make(idempotency);
      } catch (error) {
        if (error instanceof TetriError && error.code === "TETRI_ERR_IDEMPOTENCY_KEY_REUSED") throw new TetriError("TETRI_ERR_DUPLICATE_REFERENCE");
        throw error;
      }
    },
  };
}

/**
 * What every scope of the API's JSON calls has: form bodies, its error shape, one reader for
 * the three encodings (before validation, and before the token is looked for in the body), and
 * the token on every call but the public ones.
 */
export async function restScope(app: FastifyInstance, api: PaymentzApi): Promise<void> {
  await app.register(formbody);
  useErrorShape(app, renderPaymentzError);
  app.addHook("preValidation", async (request) => {
    request.body = nestDottedKeys(request.body ?? {});
  });
  app.addHook("preValidation", async (request) => {
    if (request.routeOptions.config.public) return;
    const merchantId = await authenticatePaymentz(request, api.deps, api.dialect);
    if (!merchantId) throw new TetriError("TETRI_ERR_UNAUTHENTICATED");
    request.merchantId = merchantId;
  });
}

