// npm start: one tetri node on the embedded SQLite database.

import { loadConfig, ConfigError } from "./config.ts";
import type { Config } from "./config.ts";
import type { DemoCredentials, RunningServer } from "./server.ts";

/** One line on stderr, exit 1 (stderr writes to files, and to pipes on Linux, are synchronous). */
function fail(reason: string): never {
  process.stderr.write(`tetri: ${reason.replace(/\s*\n\s*/g, " ")}\n`);
  process.exit(1);
}

function banner(config: Config, demo: DemoCredentials | undefined): string {
  const lines = [`tetri is listening on ${config.publicUrl} (${config.mode} mode, data in ${config.dataDir})`];
  if (demo?.created) {
    const secret = demo.clientSecret ?? "<TETRI_DEMO_CLIENT_SECRET>";
    lines.push(
      "",
      "Demo merchant created. Keep the secrets: they are stored only as hashes and cannot be shown again.",
      `  client_id:     ${demo.clientId}`,
      `  client_secret: ${secret}`,
      `  tbc apikey:    ${demo.tbcApiKey ?? "<TETRI_DEMO_TBC_API_KEY>"}`,
      "",
      "Get an access token (Bank of Georgia API):",
      `  curl -s -u '${demo.clientId}:${secret}' -d grant_type=client_credentials ${config.publicUrl}/auth/realms/bog/protocol/openid-connect/token`,
      "",
      "Then create an order (put the access_token in TOKEN):",
      `  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ${config.publicUrl}/payments/v1/ecommerce/orders \\`,
      `    -d '{"callback_url":"http://127.0.0.1:3000/callback","purchase_units":{"total_amount":10.5,"basket":[{"product_id":"sku-1","quantity":1,"unit_price":10.5}]}}'`,
      "",
      "TBC TPay API token:",
      `  curl -s -H 'apikey: ${demo.tbcApiKey ?? "<TETRI_DEMO_TBC_API_KEY>"}' -d 'client_id=${demo.clientId}&client_secret=${secret}' ${config.publicUrl}/v1/tpay/access-token`,
    );
  }
  return `${lines.join("\n")}\n`;
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}

let server: RunningServer;
try {
  // Imported only now: a bad configuration is reported at once, not after loading the whole server.
  const { startServer } = await import("./server.ts");
  server = await startServer(config);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  fail(code === "EADDRINUSE" ? `port ${config.port} on ${config.host} is already in use (set PORT)` : `could not start: ${(error as Error).message}`);
}
process.stdout.write(banner(config, server.demo));

// The first SIGTERM/SIGINT stops gracefully: no new requests, in-flight requests and callback
// attempts finish, the database closes, exit 0. A second signal, or TETRI_SHUTDOWN_TIMEOUT_MS,
// exits 1 at once; the outbox is in the database, so nothing is lost (at worst a callback
// whose answer was not recorded is sent again).
let exiting = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (exiting) fail(`${signal} again: exiting without finishing the shutdown`);
    exiting = true;
    server.app.log.info({ signal }, "shutting down: finishing in-flight requests and callbacks");
    const deadline = config.shutdownTimeoutMs;
    setTimeout(() => fail(`shutdown did not finish within ${deadline} ms (TETRI_SHUTDOWN_TIMEOUT_MS): exiting anyway`), deadline).unref();
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => fail(`shutdown failed: ${(error as Error).message}`),
    );
  });
}
