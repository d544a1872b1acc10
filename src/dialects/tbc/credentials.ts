// TBC's `apikey`: a random key every merchant gets beside its client credentials, sent on
// every call. Stored only as its SHA-256 (a random 256-bit value needs no slow hash).

import type { FastifyRequest } from "fastify";
import { TetriError } from "../../core/errors.ts";
import { hashRandomKey, merchantByCredential, randomKey } from "../../core/merchants.ts";
import type { CredentialIssuer } from "../../core/merchants.ts";
import type { Store } from "../../core/ports.ts";
import type { DialectId, Merchant } from "../../core/types.ts";

export function apiKeyIssuer(dialect: DialectId): CredentialIssuer {
  return {
    dialect,
    name: "tbc_api_key",
    async issue(fixed) {
      const apiKey = fixed ?? randomKey();
      return { credential: { lookup: hashRandomKey(apiKey), sealedSecret: null, details: {} }, shown: apiKey };
    },
  };
}

/** The merchant named by the request's apikey header; every TBC call starts here. */
export async function merchantOfApiKey(store: Store, dialect: DialectId, request: FastifyRequest): Promise<Merchant> {
  const header = request.headers.apikey;
  const apiKey = Array.isArray(header) ? header[0] : header;
  const found = apiKey ? await merchantByCredential(store, dialect, hashRandomKey(apiKey)) : undefined;
  if (!found) throw new TetriError("TETRI_ERR_INVALID_API_KEY");
  return found.merchant;
}
