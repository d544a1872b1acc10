// Starts and stops a whole tetri node: services, HTTP server, callback worker, sweeper.
// main.ts runs one; tests run several in one process, each on its own data directory.

import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.ts";
import type { Config } from "./config.ts";
import { ensureDemoMerchant } from "./core/merchants.ts";
import type { DemoMerchant } from "./core/merchants.ts";
import type { Clock } from "./core/ports.ts";
import { CREDENTIAL_ISSUERS, startServices, systemClock } from "./services.ts";
import type { Services } from "./services.ts";

export type RunningServer = {
  url: string;
  app: FastifyInstance;
  services: Services;
  demo: DemoMerchant | undefined;
  stop(): Promise<void>;
};

export async function startServer(config: Config, clock: Clock = systemClock): Promise<RunningServer> {
  const services = await startServices(config, clock);
  const { ctx, worker, sweeper } = services;
  const app = await buildApp(services);
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
  const demo = await ensureDemoMerchant(ctx.store, CREDENTIAL_ISSUERS, services.demo, clock.now(), (secret) => ctx.vault.seal(secret)).finally(() => {
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
