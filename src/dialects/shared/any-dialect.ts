// For tetri's own routes that any bank API's merchant may call (the test helper, the
// subscriptions API): the merchant and the bank API a request authenticates as, by the
// credentials of whichever registered dialect it carries.

import type { FastifyRequest } from "fastify";
import { TetriError, isTetriError } from "../../core/errors.ts";
import type { OrderOwner } from "../../core/orders.ts";
import type { DialectDeps, DialectModule } from "../dialect.ts";

/** The first dialect whose credentials the request carries, with the merchant they name; 401 for none. */
export async function ownerOfAnyDialect(request: FastifyRequest, deps: DialectDeps, dialects: readonly DialectModule[]): Promise<Required<OrderOwner>> {
  for (const dialect of dialects) {
    try {
      const merchantId = await dialect.authenticate(request, deps);
      if (merchantId) return { merchantId, dialect: dialect.id };
    } catch (error) {
      // Credentials of another dialect's shape (a missing API key): try the next dialect.
      if (!isTetriError(error) || error.status !== 401) throw error;
    }
  }
  throw new TetriError("TETRI_ERR_UNAUTHENTICATED");
}
