// The pieces every dialect's routes are built from: its error shape on every error and
// unknown path of its scope, an authentication hook, the order id in a path, and bodies
// that may be empty.

import type { FastifyInstance, FastifyRequest } from "fastify";
import { TetriError } from "../../core/errors.ts";
import { parseOrderId } from "../../core/ids.ts";
import type { MerchantId, OrderId } from "../../core/ids.ts";
import type { DialectModule } from "../dialect.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The merchant the request authenticated as (set by the dialect's authentication hook). */
    merchantId: MerchantId;
  }
  interface FastifyContextConfig {
    /** The route needs no authentication (published keys, OpenAPI documents). */
    public?: boolean;
  }
}

/** Every error and unknown path in this scope answers in the dialect's own shape. */
export function useErrorShape(app: FastifyInstance, renderError: DialectModule["renderError"]): void {
  app.setErrorHandler(renderError);
  app.setNotFoundHandler((request, reply) => renderError(new TetriError("TETRI_ERR_NOT_FOUND"), request, reply));
}

/** Every non-public route of this scope needs a merchant `authenticate` accepts; it becomes request.merchantId. */
export function requireMerchant(app: FastifyInstance, authenticate: (request: FastifyRequest) => Promise<MerchantId | undefined>): void {
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config.public) return;
    const merchantId = await authenticate(request);
    if (!merchantId) throw new TetriError("TETRI_ERR_UNAUTHENTICATED");
    request.merchantId = merchantId;
  });
}

/** An order id from a path (a UUID, or its 32 hex digits); anything else names no order. */
export function orderIdParam(value: string): OrderId {
  const id = parseOrderId(value);
  if (!id) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
  return id;
}

/** Shops send {} or no body at all to mean "everything" (a full refund, capture or cancel). */
export async function emptyBodyIsEmptyObject(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}
