// Where a bank takes "5" for 5 or "true" for true, so does its dialect: listed fields are turned
// into the JSON type their schema expects before validation, and anything else is left for the
// schema to refuse with its usual message. Amounts are not listed here: they are parsed exactly,
// from the text, wherever they arrive as strings.

import type { FastifyRequest } from "fastify";

/** Dotted paths into a body; `*` stands for every element of an array. */
export type LenientFields = { numbers?: readonly string[]; booleans?: readonly string[] };

const NUMERIC = /^\s*-?\d+(?:\.\d+)?\s*$/;
const BOOLEAN = /^\s*(true|false)\s*$/i;

function toNumber(value: unknown): unknown {
  return typeof value === "string" && NUMERIC.test(value) ? Number(value) : value;
}

function toBoolean(value: unknown): unknown {
  const match = typeof value === "string" ? BOOLEAN.exec(value) : null;
  return match ? match[1]?.toLowerCase() === "true" : value;
}

function convertAt(node: unknown, path: readonly string[], convert: (value: unknown) => unknown): void {
  if (node === null || typeof node !== "object") return;
  const [head, ...rest] = path;
  if (head === undefined) return;
  const keys = head === "*" ? (Array.isArray(node) ? node.keys() : []) : [head];
  for (const key of keys) {
    const container = node as Record<string | number, unknown>;
    if (!Object.hasOwn(container, key)) continue;
    if (rest.length === 0) container[key] = convert(container[key]);
    else convertAt(container[key], rest, convert);
  }
}

/** Turns the listed fields of a parsed body into numbers and booleans where their text says so. */
export function lenientScalars(body: unknown, fields: LenientFields): unknown {
  for (const path of fields.numbers ?? []) convertAt(body, path.split("."), toNumber);
  for (const path of fields.booleans ?? []) convertAt(body, path.split("."), toBoolean);
  return body;
}

/** A preValidation hook doing the same on the request body. */
export function acceptScalarText(fields: LenientFields) {
  return async (request: FastifyRequest): Promise<void> => {
    request.body = lenientScalars(request.body, fields);
  };
}
