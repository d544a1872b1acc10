// Small readers of request headers shared by the dialects.

import { createHash } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { TetriError } from "../core/errors.ts";
import type { IdempotencyInput } from "../core/idempotency.ts";
import type { Language } from "../core/types.ts";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Reads Idempotency-Key; the fingerprint ties it to this exact route and body. */
export function idempotencyOf(request: FastifyRequest): IdempotencyInput | undefined {
  const header = request.headers["idempotency-key"];
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined || !IDEMPOTENCY_KEY.test(key)) {
    throw new TetriError("TETRI_ERR_VALIDATION", {
      fields: [{ field: "Idempotency-Key", message: "must be 1 to 255 visible ASCII characters" }],
    });
  }
  const fingerprint = createHash("sha256")
    .update(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`)
    .digest("hex");
  return { key, fingerprint };
}

/** JSON with object keys sorted, so that the same body sent with keys in another order matches. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The first of `languages` named in Accept-Language, else the fallback. */
export function languageOf<L extends Language>(header: string | undefined, languages: readonly L[], fallback: L): L {
  if (!header) return fallback;
  for (const part of header.split(",")) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    const known = languages.find((language) => language === tag);
    if (known) return known;
  }
  return fallback;
}

export function bearerTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header) : null;
  return match?.[1];
}
