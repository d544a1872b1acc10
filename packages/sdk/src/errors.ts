// What a call can fail with. An answer of the API that is not a success is a TetriApiError
// carrying the status and the API's own error body; no answer at all is a TetriConnectionError.

/**
 * The API answered with an error. `code` is the API's machine-readable reason: BOG's `key`,
 * TBC's `systemCode`, OAuth2's `error`, Paymentz's `result.code`; `body` is the whole error body
 * (parsed JSON, or the text).
 */
export class TetriApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
    const result = typeof fields.result === "object" && fields.result !== null ? (fields.result as Record<string, unknown>) : {};
    const code = firstText(fields.key, fields.systemCode, fields.error, result.code);
    const detail = firstText(fields.message, fields.detail, fields.error_description, result.description, typeof body === "string" ? body.slice(0, 200) : undefined);
    super(`HTTP ${status}${code ? ` ${code}` : ""}${detail ? `: ${detail}` : ""}`);
    this.name = "TetriApiError";
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** No answer: the connection failed, or the attempt ran out of time (`timedOut`). */
export class TetriConnectionError extends Error {
  readonly timedOut: boolean;

  constructor(message: string, options: { cause: unknown; timedOut: boolean }) {
    super(message, { cause: options.cause });
    this.name = "TetriConnectionError";
    this.timedOut = options.timedOut;
  }
}

function firstText(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === "string" && value !== "") return value;
  return undefined;
}
