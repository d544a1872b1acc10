// Starts and stops a whole tetri node: services, HTTP server, callback worker, sweeper.
// main.ts runs one; tests run several in one process, each on its own data directory.

import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.ts";
import type { Config } from "./config.ts";
import { createMerchant } from "./core/merchants.ts";
import type { Clock } from "./core/ports.ts";
import { Sweeper } from "./jobs.ts";
import { createMetrics } from "./metrics.ts";
import { startServices, systemClock } from "./services.ts";
import type { Services } from "./services.ts";
import { OutboxWorker } from "./webhooks/outbox-worker.ts";
import { bogCallbackSigner, tbcCallbackSigner } from "./webhooks/signing.ts";

export type DemoCredentials = {
  clientId: string;
  clientSecret: string | undefined;
  tbcApiKey: string | undefined;
  created: boolean;
};

export type RunningServer = {
  url: string;
  app: FastifyInstance;
  services: Services;
  worker: OutboxWorker;
  sweeper: Sweeper;
  demo: DemoCredentials | undefined;
  stop(): Promise<void>;
};

/**
 * The demo merchant: created on the first start of an empty data directory (or with the
 * credentials TETRI_DEMO_CLIENT_ID/SECRET and TETRI_DEMO_TBC_API_KEY fix). Its secrets are
 * known only at creation.
 */
async function ensureDemoMerchant(services: Services): Promise<DemoCredentials | undefined> {
  const { config, ctx } = services;
  const fixed = config.demo;
  if (fixed.clientId !== undefined) {
    const existing = await ctx.store.read((tx) => tx.findMerchantByClientId(fixed.clientId ?? ""));
    if (existing) return { clientId: existing.clientId, clientSecret: fixed.clientSecret, tbcApiKey: fixed.tbcApiKey, created: false };
  } else if ((await ctx.store.read((tx) => tx.countMerchants())) > 0) {
    return undefined;
  }
  const created = await createMerchant(ctx.store, {
    name: "Demo shop",
    clientId: fixed.clientId,
    clientSecret: fixed.clientSecret,
    tbcApiKey: fixed.tbcApiKey,
    now: ctx.clock.now(),
  });
  return { clientId: created.merchant.clientId, clientSecret: created.clientSecret, tbcApiKey: created.tbcApiKey, created: true };
}

export async function startServer(config: Config, clock: Clock = systemClock): Promise<RunningServer> {
  const services = await startServices(config, clock);
  const metrics = createMetrics(services.ctx.store);
  const app = await buildApp(services, metrics);
  const worker = new OutboxWorker({
    store: services.ctx.store,
    signers: { bog: bogCallbackSigner(services.callbackKeys.privateKey), tbc: tbcCallbackSigner },
    policy: config.callbacks,
    clock,
    log: app.log,
    onAttempt: (result) => metrics.callbackAttempts.inc({ result }),
  });
  services.ctx.onCommit = () => worker.poke();
  const sweeper = new Sweeper(services.ctx, config.sweepIntervalMs, app.log);
  // Listen first, so that a start that fails (port taken) creates no demo merchant whose
  // one-time secret nobody saw; requests wait the few milliseconds until it exists.
  let demoSettled = false;
  let settleDemo: () => void = () => {};
  const demoReady = new Promise<void>((resolve) => (settleDemo = resolve));
  app.addHook("onRequest", async () => {
    if (!demoSettled) await demoReady;
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await services.close();
    throw error;
  }
  const demo = await ensureDemoMerchant(services).finally(() => {
    demoSettled = true;
    settleDemo();
  });
  worker.start();
  sweeper.start();

  let stopping: Promise<void> | undefined;
  return {
    url: config.publicUrl,
    app,
    services,
    worker,
    sweeper,
    demo,
    stop() {
      stopping ??= (async () => {
        await app.close();
        await sweeper.stop();
        await worker.stop();
        await services.close();
      })();
      return stopping;
    },
  };
}
