// Turns anything a request can throw into a TetriError, so each dialect renders one kind
// of error in its own shape. Fastify's own errors (bad JSON, body too large, schema
// validation) are translated here, and so is a database out of reach (503); anything else is a
// bug and answers 500 without details.

import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ERRORS, TetriError, isTetriError, validationError } from "../core/errors.ts";
import type { FieldProblem } from "../core/errors.ts";
import { StoreUnavailableError } from "../core/ports.ts";

type AjvIssue = { instancePath?: string; message?: string; keyword?: string; params?: Record<string, unknown> };

function fieldOf(issue: AjvIssue): string {
  const path = (issue.instancePath ?? "").replace(/^\//, "").replaceAll("/", ".");
  const missing = issue.keyword === "required" ? String(issue.params?.missingProperty ?? "") : "";
  return [path, missing].filter(Boolean).join(".") || "body";
}

export function validationProblems(issues: readonly AjvIssue[]): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    const field = fieldOf(issue);
    const message = issue.keyword === "required" ? "is required" : (issue.message ?? "is not valid");
    const key = `${field}\u0000${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push({ field, message });
    }
  }
  return problems;
}

export function toTetriError(error: unknown): TetriError {
  if (isTetriError(error)) return error;
  if (error instanceof StoreUnavailableError) return new TetriError("TETRI_ERR_UNAVAILABLE");
  const fastifyError = error as Partial<FastifyError> & { validation?: AjvIssue[] };
  if (Array.isArray(fastifyError.validation)) return validationError(validationProblems(fastifyError.validation));
  switch (fastifyError.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new TetriError("TETRI_ERR_BODY_TOO_LARGE");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new TetriError("TETRI_ERR_UNSUPPORTED_MEDIA_TYPE");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new TetriError("TETRI_ERR_MALFORMED_BODY");
  }
  if (fastifyError.statusCode === 429) return new TetriError("TETRI_ERR_RATE_LIMITED");
  if (error instanceof SyntaxError) return new TetriError("TETRI_ERR_MALFORMED_BODY");
  const status = fastifyError.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return new TetriError(status === 404 ? "TETRI_ERR_NOT_FOUND" : status === 405 ? "TETRI_ERR_METHOD_NOT_ALLOWED" : "TETRI_ERR_VALIDATION", {
      message: status === 404 || status === 405 ? undefined : ERRORS.TETRI_ERR_VALIDATION.message,
    });
  }
  return new TetriError("TETRI_ERR_INTERNAL");
}

/**
 * tetri's own JSON error shape, { key, message, errors? }: for routes of no dialect (the
 * test helper, unknown paths), and for a dialect whose bank documents no error shape.
 */
export function sendJsonError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const tetri = toTetriError(error);
  if (tetri.status >= 500) request.log.error({ err: error }, "request failed");
  if (tetri.status === 401) reply.header("www-authenticate", 'Bearer error="invalid_token"');
  const key = tetri.code.replace(/^TETRI_ERR_/, "").toLowerCase();
  return reply
    .status(tetri.status)
    .send({ key, message: tetri.message, ...(tetri.fields.length > 0 ? { errors: tetri.fields } : {}) });
}
