// One HTTP exchange with retries: every attempt has a timeout, network errors, 429 and 5xx are
// retried with exponential backoff and jitter (honouring Retry-After), anything else is final.
// A mutating call carries one Idempotency-Key for all its attempts, so a retry of a request
// the server did process is answered with the first response instead of doing it again.

import { TetriApiError, TetriConnectionError } from "./errors.ts";

export type Clock = { now(): number };

export type RetryPolicy = {
  /** Attempts after the first; 0 turns retries off. Default 2. */
  maxRetries: number;
  /** The delay before retry n is a random value between half and all of base·2^(n-1), capped. Default 200 ms. */
  baseDelayMs: number;
  /** Default 5000 ms; also caps a Retry-After. */
  maxDelayMs: number;
};

export type TransportOptions = {
  /** Per attempt, in milliseconds. Default 30 000. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Replaces the global fetch (a proxy agent, a test's counter). */
  fetch?: typeof fetch;
  /** Makes idempotency keys; default crypto.randomUUID(). */
  idempotencyKey?: () => string;
};

/** What one call may add. */
export type CallOptions = {
  /** Aborts the call, retries included; an aborted call is not retried. */
  signal?: AbortSignal;
  /** This call's Idempotency-Key (default: a new one per call, the same on each of its retries). */
  idempotencyKey?: string;
  /** Overrides the client's per-attempt timeout. */
  timeoutMs?: number;
};

export type HttpRequest = {
  method: "GET" | "POST" | "PUT" | "DELETE";
  url: string;
  headers?: Record<string, string>;
  /** Sent as is; a JSON body is serialized by the caller. */
  body?: string;
};

export type HttpResponse = { status: number; headers: Headers; text: string };

/**
 * Errors a server answers that mean "the same request may succeed later": 429 and 5xx, and
 * tetri's 409 for a request whose Idempotency-Key another node is still processing.
 */
function isRetriableAnswer(status: number, body: unknown): boolean {
  if (status === 429 || status >= 500) return true;
  return status === 409 && typeof body === "object" && body !== null && (body as { key?: unknown }).key === "idempotency_key_in_flight";
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from now. */
function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export class Transport {
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #newKey: () => string;

  constructor(options: TransportOptions = {}) {
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#retry = { maxRetries: 2, baseDelayMs: 200, maxDelayMs: 5000, ...options.retry };
    this.#newKey = options.idempotencyKey ?? (() => crypto.randomUUID());
  }

  /** A key for a mutating call: the caller's, or a new one. */
  idempotencyKeyFor(options: CallOptions): string {
    return options.idempotencyKey ?? this.#newKey();
  }

  /** Sends until a success, a final error, or the retries are used up. Resolves only on 2xx. */
  async send(request: HttpRequest, options: CallOptions = {}): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      let failure: Error;
      let retriable: boolean;
      let wait: number | undefined;
      try {
        const response = await this.#attempt(request, options);
        if (response.status >= 200 && response.status < 300) return response;
        const body = parseBody(response.text);
        failure = new TetriApiError(response.status, body);
        retriable = isRetriableAnswer(response.status, body);
        wait = retryAfterMs(response.headers);
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        failure = error as Error;
        retriable = error instanceof TetriConnectionError;
      }
      if (!retriable || attempt >= this.#retry.maxRetries) throw failure;
      await sleep(Math.min(wait ?? this.#backoffMs(attempt + 1), this.#retry.maxDelayMs), options.signal);
    }
  }

  async #attempt(request: HttpRequest, options: CallOptions): Promise<HttpResponse> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.#timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      // The body is read under the same signal: a server that stalls mid-answer times out too.
      const response = await this.#fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal, redirect: "manual" });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const timedOut = timeout.aborted;
      const reason = timedOut ? `no answer within ${options.timeoutMs ?? this.#timeoutMs} ms` : ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
      throw new TetriConnectionError(`${request.method} ${request.url}: ${reason}`, { cause: error, timedOut });
    }
  }

  #backoffMs(retry: number): number {
    const ceiling = Math.min(this.#retry.baseDelayMs * 2 ** (retry - 1), this.#retry.maxDelayMs);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}
