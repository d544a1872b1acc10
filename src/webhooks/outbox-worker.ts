// Delivers callbacks from the outbox: signs each in its dialect's scheme, POSTs it, records
// every attempt, and retries with exponential backoff and jitter. State lives in the
// database, so a restart resumes where the last process stopped; leases keep two workers
// (or two nodes) from sending the same message at once.

import { randomUUID } from "node:crypto";
import type { CallbackDelivery, CallbackSender, Clock, Store } from "../core/ports.ts";
import type { Config } from "../config.ts";
import type { DialectId, OutboxMessage } from "../core/types.ts";

/** Headers that sign one callback body, in the scheme of the callback's dialect. */
export type CallbackSigner = (body: string) => Promise<Record<string, string>>;

/** How callbacks are delivered and retried: the configuration's TETRI_CALLBACK_* settings. */
export type RetryPolicy = Config["callbacks"];

type Logger = { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
export type AttemptResult = "delivered" | "failed" | "dead";

/** Delay before attempt n+1 after n failures: base·2^(n-1), capped, with the upper half jittered. */
export function backoffDelay(failures: number, policy: Pick<RetryPolicy, "backoffBaseMs" | "backoffMaxMs">, random = Math.random): number {
  const exponential = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.min(failures - 1, 40));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

export class OutboxWorker {
  readonly #store: Store;
  readonly #policy: RetryPolicy;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #onAttempt: (result: AttemptResult) => void;
  readonly #inFlight = new Set<Promise<void>>();
  #running = false;
  #wake: (() => void) | undefined;
  #pokes = 0;
  #loop: Promise<void> | undefined;

  constructor(options: {
    store: Store;
    signerFor: (dialect: DialectId) => CallbackSigner;
    policy: RetryPolicy;
    clock: Clock;
    log: Logger;
    onAttempt?: (result: AttemptResult) => void;
  }) {
    this.#store = options.store;
    this.#policy = options.policy;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#onAttempt = options.onAttempt ?? (() => {});
    this.send = callbackSender(options.signerFor, options.policy.timeoutMs, options.clock);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** New messages were committed: look now instead of at the next poll. */
  poke(): void {
    this.#pokes++;
    this.#wake?.();
  }

  /** Stops taking new messages and waits for the ones in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    await Promise.all(this.#inFlight);
  }

  // Keeps up to `concurrency` deliveries in flight; a slow shop holds one slot, not the batch.
  async #run(): Promise<void> {
    while (this.#running) {
      const pokesBefore = this.#pokes;
      let started = 0;
      let free = this.#policy.concurrency - this.#inFlight.size;
      try {
        if (free > 0) started = this.#startDeliveries(await this.#claim(free));
      } catch (error) {
        this.#log.error({ err: error }, "callback worker pass failed");
        free = 0;
      }
      const mayHaveMore = free > 0 && started === free;
      if (!mayHaveMore && this.#pokes === pokesBefore && this.#running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#policy.pollMs);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
      }
    }
  }

  async #claim(limit: number): Promise<Array<{ message: OutboxMessage; leaseToken: string }>> {
    const now = this.#clock.now();
    const lease = { until: now + this.#policy.timeoutMs * 2 + 1000, token: randomUUID() };
    const due = await this.#store.transaction((tx) => tx.outbox.claimDue(now, limit, lease));
    return due.map((message) => ({ message, leaseToken: lease.token }));
  }

  #startDeliveries(claimed: Array<{ message: OutboxMessage; leaseToken: string }>): number {
    for (const { message, leaseToken } of claimed) {
      const delivery: Promise<void> = this.#deliver(message, leaseToken)
        .catch((error: unknown) => this.#log.error({ err: error, outboxId: message.id }, "callback delivery failed"))
        .finally(() => {
          this.#inFlight.delete(delivery);
          this.#wake?.();
        });
      this.#inFlight.add(delivery);
    }
    return claimed.length;
  }

  /** One pass for tests and tools: claims what is due and waits until those deliveries end. */
  async deliverDue(): Promise<number> {
    const claimed = await this.#claim(this.#policy.concurrency);
    await Promise.all(claimed.map(({ message, leaseToken }) => this.#deliver(message, leaseToken)));
    return claimed.length;
  }

  /** Signs and POSTs one callback now, and says what the shop answered. The outbox's deliveries and test callbacks both go here. */
  readonly send: CallbackSender;

  async #deliver(message: OutboxMessage, leaseToken: string): Promise<void> {
    const started = this.#clock.now();
    const { statusCode, error, durationMs, responseExcerpt }: CallbackDelivery = await this.send(message);
    const finished = started + durationMs;
    const attempts = message.attempts + 1;
    const delivered = error === null;
    const dead = !delivered && attempts >= this.#policy.maxAttempts;
    const recorded = await this.#store.transaction((tx) =>
      tx.outbox.finishAttempt(
        {
          id: message.id,
          status: delivered ? "delivered" : dead ? "dead" : "pending",
          nextAttemptAt: delivered || dead ? finished : finished + backoffDelay(attempts, this.#policy),
          deliveredAt: delivered ? finished : null,
          lastError: error,
        },
        leaseToken,
        { outboxId: message.id, attemptedAt: started, durationMs, statusCode, error, responseExcerpt },
      ),
    );
    if (!recorded) {
      this.#log.warn({ outboxId: message.id }, "callback lease expired during delivery; another worker owns it now");
      return;
    }
    this.#onAttempt(delivered ? "delivered" : dead ? "dead" : "failed");
    if (dead) this.#log.warn({ outboxId: message.id, orderId: message.orderId, attempts, error }, "callback given up");
  }
}

/**
 * Signs a callback in its dialect's scheme and POSTs it to a URL, once, saying what the
 * receiver answered: what the outbox worker sends, and what `tetri listen` forwards.
 */
export function callbackSender(signerFor: (dialect: DialectId) => CallbackSigner, timeoutMs: number, clock: Clock): CallbackSender {
  return async ({ url, dialect, body }) => {
    const started = clock.now();
    const signature = await signerFor(dialect)(body);
    let statusCode: number | null = null;
    let error: string | null = null;
    let responseExcerpt: string | null = null;
    // A deadline cleared as soon as the attempt ends (AbortSignal.timeout's timer would live on
    // for the whole timeout after every delivery: thousands of them under load).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException("the callback attempt timed out", "TimeoutError")), timeoutMs);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "tetri-callbacks/1", ...signature },
        body,
        redirect: "manual",
        signal: deadline.signal,
      });
      statusCode = response.status;
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
      responseExcerpt = await excerptOf(response);
    } catch (failure) {
      error = describeFailure(failure);
    } finally {
      clearTimeout(timer);
    }
    return { statusCode, error, durationMs: clock.now() - started, responseExcerpt };
  };
}

const EXCERPT_BYTES = 1024;
const EXCERPT_CHARACTERS = 300;

/**
 * The start of the shop's answer as text, read no further than needed; null when it sent none.
 * A body that breaks off or is too slow changes nothing: the status decided the outcome.
 */
async function excerptOf(response: Response): Promise<string | null> {
  const reader = response.body?.getReader();
  if (!reader) return null;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // what arrived is the excerpt
  } finally {
    await reader.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString("utf8").slice(0, EXCERPT_CHARACTERS).trim();
  return text === "" ? null : text;
}

function describeFailure(failure: unknown): string {
  if (failure instanceof Error) {
    if (failure.name === "TimeoutError") return "timeout";
    const cause = (failure as Error & { cause?: { code?: string; message?: string } }).cause;
    return `network: ${cause?.code ?? cause?.message ?? failure.message}`;
  }
  return "network: unknown";
}
