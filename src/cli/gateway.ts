// What the commands that act on the gateway's data open: the configured store and core over
// it, exactly as a server builds them, so a command keeps the API's rules (and can run while
// a server works on the same database). Callbacks the command causes go to the outbox; the
// running server's callback worker sends them.

import { loadConfig } from "../config.ts";
import type { Config } from "../config.ts";
import type { CoreContext } from "../core/context.ts";
import type { Merchant } from "../core/types.ts";
import type { OpenedStore } from "../store/index.ts";
import { CommandFailed, UsageError } from "./command.ts";

export type Gateway = { config: Config; opened: OpenedStore; ctx: CoreContext };

/** Opens the gateway's data for `work`, and closes it after. */
export async function withGateway<T>(work: (gateway: Gateway) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Loaded only now, so that a usage error answers at once instead of after the whole server's imports.
  const [{ cardVault, coreContext, openConfiguredStore, systemClock }, { checkoutLinks }] = await Promise.all([
    import("../services.ts"),
    import("../checkout/links.ts"),
  ]);
  const opened = await openConfiguredStore(config);
  try {
    const ctx = coreContext(opened, {
      vault: cardVault(config),
      clock: systemClock,
      links: checkoutLinks(config.publicUrl),
      acquirerTimeoutMs: config.acquirerTimeoutMs,
      reconcileAfterMs: config.reconcileAfterMs,
      onCallbacksCommitted: () => {},
      live: config.mode === "live",
    });
    return await work({ config, opened, ctx });
  } finally {
    await opened.close();
  }
}

/**
 * The merchant a command acts for: the one with this client id, or, when none is named, the
 * only merchant there is (a fresh data directory has just the demo merchant).
 */
export async function merchantOf(ctx: CoreContext, clientId: string | undefined): Promise<Merchant> {
  if (clientId !== undefined) {
    const merchant = await ctx.store.read((tx) => tx.merchants.findByClientId(clientId));
    if (!merchant) throw new CommandFailed(`no merchant has client_id "${clientId}" (tetri merchants list)`);
    return merchant;
  }
  const merchants = await ctx.store.read((tx) => tx.merchants.list());
  const [only] = merchants;
  if (merchants.length === 1 && only) return only;
  throw new UsageError(merchants.length === 0 ? "there is no merchant yet (tetri merchants create --name NAME)" : `--merchant CLIENT_ID is required: there are ${merchants.length} merchants (tetri merchants list)`);
}
