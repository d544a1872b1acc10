// The Paymentz error shape: the same envelope a failed payment has (paymentId "-",
// transactionStatus "N", a result code and description), with the HTTP status of the error
// class and the fields at fault. Clients read result.code; 401 tells them to get a new token.

import type { FastifyReply, FastifyRequest } from "fastify";
import { toTetriError } from "../../http/errors.ts";
import { errorResultOf } from "./codes.ts";
import { paymentzTimestamp } from "./render.ts";

export function renderPaymentzError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const tetri = toTetriError(error);
  if (tetri.status >= 500) request.log.error({ err: error }, "request failed");
  const result = errorResultOf(tetri.code, tetri.fields);
  const fields = tetri.fields.map((f) => `${f.field} ${f.message}`).join("; ");
  return reply.status(tetri.status).send({
    paymentId: "-",
    status: "failed",
    transactionStatus: "N",
    result: { code: result.code, description: fields ? `${result.description}: ${fields}` : result.description },
    ...(tetri.fields.length > 0 ? { errors: tetri.fields } : {}),
    timestamp: paymentzTimestamp(Date.now()),
  });
}
