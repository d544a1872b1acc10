// TBC's error shape: RFC 7807 problem+json with TBC's keys (status as a string, as TBC sends it).

import type { FastifyReply, FastifyRequest } from "fastify";
import type { ErrorCode } from "../../core/errors.ts";
import { toTetriError } from "../../http/errors.ts";

// TBC's own wording where its docs show it; every other error reads from its tetri code.
const PROBLEMS: Partial<Record<ErrorCode, { title: string; systemCode: string }>> = {
  TETRI_ERR_VALIDATION: { title: "Invalid Parameter", systemCode: "InvalidParameter" },
  TETRI_ERR_INVALID_API_KEY: { title: "Invalid Api Key", systemCode: "InvalidApiKey" },
  TETRI_ERR_UNAUTHENTICATED: { title: "Unauthorized", systemCode: "Unauthorized" },
  TETRI_ERR_ORDER_NOT_FOUND: { title: "Payment Not Found", systemCode: "PaymentNotFound" },
  TETRI_ERR_SAVED_CARD_NOT_FOUND: { title: "Recurring Payment Not Found", systemCode: "RecurringPaymentNotFound" },
};

function problemOf(code: ErrorCode): { title: string; systemCode: string } {
  const known = PROBLEMS[code];
  if (known) return known;
  const words = code.replace(/^TETRI_ERR_/, "").toLowerCase().split("_");
  const title = words.join(" ");
  return {
    title: title.charAt(0).toUpperCase() + title.slice(1),
    systemCode: words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(""),
  };
}

export function renderTbcError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const tetri = toTetriError(error);
  if (tetri.status >= 500) request.log.error({ err: error }, "request failed");
  const { title, systemCode } = problemOf(tetri.code);
  const fields = tetri.fields.map((f) => `${f.field}: ${f.message}`).join("; ");
  return reply
    .status(tetri.status)
    .type("application/problem+json")
    .send({
      type: `https://developers.tbcbank.ge/docs/error-type-${tetri.status}`,
      title,
      status: String(tetri.status),
      detail: fields ? `${tetri.message}: ${fields}` : tetri.message,
      systemCode,
      ...(tetri.fields.length > 0 ? { invalidParams: tetri.fields.map((f) => ({ name: f.field, reason: f.message })) } : {}),
    });
}
