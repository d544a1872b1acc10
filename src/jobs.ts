// Background sweeper: expires unpaid orders past their ttl, and reconciles payment
// attempts and operations whose acquirer outcome is unknown.

import { reconcileAttempts } from "./core/checkout.ts";
import type { CoreContext } from "./core/context.ts";
import { reconcileOperations, releaseExpiredHolds } from "./core/operations.ts";
import { expireDueOrders } from "./core/orders.ts";

type Logger = { error(obj: object, msg: string): void };

export class Sweeper {
  readonly #ctx: CoreContext;
  readonly #intervalMs: number;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(ctx: CoreContext, intervalMs: number, log: Logger) {
    this.#ctx = ctx;
    this.#intervalMs = intervalMs;
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
      await releaseExpiredHolds(this.#ctx);
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
