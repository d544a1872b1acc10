// Starts real tetri servers in the test process (a real database of this run's kind, a real
// listening socket) for HTTP-level tests. The shop client on the server talks to it through Fastify's inject(),
// without a socket; the socket is there for what needs one: browsers, callbacks, links fetched.

import { loadConfig } from "../../src/config.ts";
import { startServer } from "../../src/server.ts";
import type { RunningServer } from "../../src/server.ts";
import { testDatabase } from "./database.ts";
import { DEMO_ENV, FAST_ENV, TestClock, addMerchant, freePort, tempDir } from "./fixtures.ts";
import { dashboardClient } from "./dashboard.ts";
import type { DashboardClient } from "./dashboard.ts";
import { injectTransport, shopClient } from "./shop.ts";
import type { ShopClient } from "./shop.ts";

const STORE_VARIABLES = new Set(["TETRI_DATABASE_URL", "TETRI_CARD_KEY"]);

/**
 * A running server and, on it, the demo merchant's shop client (`server.as(other)` for another
 * merchant) and dashboard browsers.
 */
export type TestServer = RunningServer &
  ShopClient & {
    dataDir: string;
    /** What its configuration adds to find its store (empty on SQLite: the data directory). */
    storeEnv: Record<string, string>;
    clock: TestClock;
    /** A new browser (its own cookies) on the server's dashboard. */
    dashboard(): DashboardClient;
    close(): Promise<void>;
  };

export async function startTestServer(env: Record<string, string> = {}, options: { dataDir?: string } = {}): Promise<TestServer> {
  const dir = options.dataDir ? { path: options.dataDir, remove() {} } : tempDir();
  // A server named to a database by its caller keeps it; any other gets one of its own.
  const database = env.TETRI_DATABASE_URL ? { env: {}, remove: async () => {} } : await testDatabase();
  const clock = new TestClock();
  const configOn = (port: number) =>
    loadConfig({
      TETRI_LOG_LEVEL: "silent",
      ...FAST_ENV,
      ...DEMO_ENV,
      PORT: String(port),
      TETRI_DATA_DIR: dir.path,
      ...database.env,
      ...env,
    });
  // freePort() can lose its port to another process before we listen: then take another.
  let server: RunningServer | undefined;
  for (let attempt = 1; !server; attempt++) {
    try {
      server = await startServer(configOn(await freePort()), clock);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 5) throw error;
    }
  }
  const running = server;
  return {
    ...running,
    ...shopClient(injectTransport(running.app)),
    dataDir: dir.path,
    storeEnv: Object.fromEntries(Object.entries({ ...database.env, ...env }).filter(([name]) => STORE_VARIABLES.has(name))),
    clock,
    dashboard: () => dashboardClient(injectTransport(running.app)),
    async close() {
      await running.stop();
      dir.remove();
      await database.remove();
    },
  };
}

/** A test server with a second merchant, "Shop B", beside the demo one; B's client has its TBC token already. */
export async function startTwoMerchantServer(env: Record<string, string> = {}): Promise<{ server: TestServer; shopB: ShopClient }> {
  const server = await startTestServer(env);
  const shopB = server.as(addMerchant(server, "Shop B"));
  await shopB.tbcToken();
  return { server, shopB };
}
