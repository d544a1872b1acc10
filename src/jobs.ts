// Background sweeper: expires unpaid orders past their ttl, reconciles payment attempts,
// operations and payouts whose acquirer outcome is unknown, charges subscriptions that are
// due (after reconciliation, so that a charge a crash left unsettled is settled first), and
// forgets ended dashboard sessions.

import { reconcileAttempts } from "./core/checkout.ts";
import type { CoreContext } from "./core/context.ts";
import { reconcileOperations, releaseExpiredHolds } from "./core/operations.ts";
import { expireDueOrders } from "./core/orders.ts";
import { reconcilePayouts } from "./core/payouts.ts";
import { forgetExpiredSessions } from "./core/sessions.ts";
import { chargeDueSubscriptions } from "./core/subscriptions.ts";
import type { SessionPolicy } from "./core/sessions.ts";

type Logger = { error(obj: object, msg: string): void };

export class Sweeper {
  readonly #ctx: CoreContext;
  readonly #intervalMs: number;
  readonly #sessions: SessionPolicy;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(ctx: CoreContext, options: { intervalMs: number; sessions: SessionPolicy }, log: Logger) {
    this.#ctx = ctx;
    this.#intervalMs = options.intervalMs;
    this.#sessions = options.sessions;
    this.#log = log;
  }

  start(): void {
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#pass = this.sweep().finally(() => this.#schedule());
    }, this.#intervalMs);
  }

  async sweep(): Promise<void> {
    try {
      await expireDueOrders(this.#ctx);
      await reconcileAttempts(this.#ctx);
      await reconcileOperations(this.#ctx);
      await reconcilePayouts(this.#ctx);
      await releaseExpiredHolds(this.#ctx);
      await chargeDueSubscriptions(this.#ctx);
      await forgetExpiredSessions(this.#ctx, this.#sessions);
    } catch (error) {
      this.#log.error({ err: error }, "sweep failed");
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#pass;
  }
}
