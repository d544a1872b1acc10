// BOG's error shapes. The API documents none; tetri answers { key, message, errors? } (the
// shape of its action responses). The token endpoint answers as OAuth2 (Keycloak) does.

import type { FastifyReply, FastifyRequest } from "fastify";
import { sendJsonError, toTetriError } from "../../http/errors.ts";

/** Every error on the BOG API, in one shape: { key, message, errors? }. */
export const renderBogError = sendJsonError;

export type OAuthFailure = { status: 400 | 401; error: string; description: string };

export function sendOAuthFailure(reply: FastifyReply, failure: OAuthFailure) {
  if (failure.status === 401) reply.header("www-authenticate", 'Basic realm="bog"');
  return reply.status(failure.status).send({ error: failure.error, error_description: failure.description });
}

/** Any error on the token endpoint, as Keycloak words it. */
export function renderOAuthError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const tetri = toTetriError(error);
  if (tetri.code === "TETRI_ERR_UNAVAILABLE") {
    request.log.error({ err: error }, "token request failed");
    return reply.status(503).send({ error: "temporarily_unavailable", error_description: tetri.message });
  }
  if (tetri.status >= 500) {
    request.log.error({ err: error }, "token request failed");
    return reply.status(500).send({ error: "server_error", error_description: "Internal error" });
  }
  if (tetri.code === "TETRI_ERR_RATE_LIMITED") {
    return reply.status(429).send({ error: "slow_down", error_description: "Too many token requests" });
  }
  return sendOAuthFailure(reply, { status: 400, error: "invalid_request", description: tetri.message });
}
