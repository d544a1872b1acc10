// npm start: one tetri node on the embedded SQLite database.

import { enableCompileCache } from "node:module";
import { loadConfig, ConfigError } from "./config.ts";
import type { Config } from "./config.ts";
import type { DemoMerchant } from "./core/merchants.ts";
import type { DialectModule } from "./dialects/dialect.ts";
import type { RunningServer } from "./server.ts";

/** One line on stderr, exit 1 (stderr writes to files, and to pipes on Linux, are synchronous). */
function fail(reason: string): never {
  process.stderr.write(`tetri: ${reason.replace(/\s*\n\s*/g, " ")}\n`);
  process.exit(1);
}

function banner(config: Config, demo: DemoMerchant | undefined, dialects: readonly DialectModule[]): string {
  const lines = [`tetri is listening on ${config.publicUrl} (${config.mode} mode, data in ${config.dataDir})`];
  if (demo?.created) {
    lines.push(
      "",
      "Demo merchant created. Keep the secrets: they are stored only as hashes and cannot be shown again.",
      `  client_id:     ${demo.clientId}`,
      `  client_secret: ${demo.clientSecret ?? "<TETRI_DEMO_CLIENT_SECRET>"}`,
    );
    for (const { credential } of dialects) {
      if (credential) lines.push(`  ${`${credential.label}:`.padEnd(15)}${demo.credentials[credential.name] ?? `<${credential.demoEnv}>`}`);
    }
    for (const dialect of dialects) lines.push("", ...dialect.banner(config.publicUrl, demo));
  }
  return `${lines.join("\n")}\n`;
}

// V8 keeps the code it compiled for the server's modules on disk (the OS's temporary
// directory, or NODE_COMPILE_CACHE), so that a restart does not compile them again.
enableCompileCache();

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}

let server: RunningServer;
let dialects: readonly DialectModule[];
try {
  // Imported only now: a bad configuration is reported at once, not after loading the whole
  // server; the dialects' demo credentials are checked before it is loaded, too.
  const [{ demoCredentials }, registry] = await Promise.all([import("./demo-credentials.ts"), import("./dialects/registry.ts")]);
  demoCredentials(config);
  const { startServer } = await import("./server.ts");
  dialects = registry.DIALECTS;
  server = await startServer(config);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (error instanceof ConfigError) fail(error.message);
  fail(code === "EADDRINUSE" ? `port ${config.port} on ${config.host} is already in use (set PORT)` : `could not start: ${(error as Error).message}`);
}
process.stdout.write(banner(config, server.demo, dialects));

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
