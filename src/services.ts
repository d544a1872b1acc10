// Wires the rooms together: store, keys, core context, token service. Both the server and
// the CLI start from here, so they see the same data directory the same way.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { TestAcquirer } from "./acquirers/test-acquirer.ts";
import { loadCardKey, loadRsaKeyPair } from "./auth/keys.ts";
import type { RsaKeyPair } from "./auth/keys.ts";
import { TokenService } from "./auth/tokens.ts";
import { CardVault, vaultKeyFrom } from "./core/card-vault.ts";
import type { CoreContext } from "./core/context.ts";
import type { Clock, Store } from "./core/ports.ts";
import type { Config } from "./config.ts";
import { renderBogCallback } from "./dialects/bog/receipt.ts";
import { renderTbcCallback } from "./dialects/tbc/payment.ts";
import { openSqliteStore } from "./store/sqlite.ts";

export type Services = {
  config: Config;
  ctx: CoreContext;
  tokens: TokenService;
  callbackKeys: RsaKeyPair;
  close(): Promise<void>;
};

export const systemClock: Clock = { now: () => Date.now() };

export async function openStore(config: Config): Promise<Store> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return openSqliteStore(join(config.dataDir, "tetri.sqlite"));
}

export async function startServices(config: Config, clock: Clock = systemClock): Promise<Services> {
  const store = await openStore(config);
  const callbackKeys = loadRsaKeyPair(config.dataDir, "callback-signing");
  const ctx: CoreContext = {
    store,
    acquirer: new TestAcquirer(store, clock),
    vault: new CardVault(vaultKeyFrom(loadCardKey(config.dataDir, config.cardKey))),
    clock,
    callbackRenderers: {
      bog: (view, now) => renderBogCallback(view, now, config.publicUrl),
      tbc: (view) => renderTbcCallback(view),
    },
    acquirerTimeoutMs: config.acquirerTimeoutMs,
    reconcileAfterMs: config.reconcileAfterMs,
  };
  const tokens = new TokenService(
    loadRsaKeyPair(config.dataDir, "token-signing"),
    { bog: `${config.publicUrl}/auth/realms/bog`, tbc: `${config.publicUrl}/v1/tpay` },
    config.tokenTtlSeconds,
    clock,
  );
  return { config, ctx, tokens, callbackKeys, close: () => store.close() };
}
