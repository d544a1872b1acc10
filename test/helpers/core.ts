// A core context on a real SQLite file, for unit and property tests of core without HTTP.

import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { TestAcquirer } from "../../src/acquirers/test-acquirer.ts";
import { CardVault, vaultKeyFrom } from "../../src/core/card-vault.ts";
import type { CoreContext } from "../../src/core/context.ts";
import { createMerchant } from "../../src/core/merchants.ts";
import { renderBogCallback } from "../../src/dialects/bog/receipt.ts";
import { renderTbcCallback } from "../../src/dialects/tbc/payment.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { TestClock, tempDir } from "./harness.ts";

export async function coreFixture() {
  const dir = tempDir("tetri-core-");
  const store = await openSqliteStore(join(dir.path, "core.sqlite"));
  const clock = new TestClock();
  const ctx: CoreContext = {
    store,
    acquirer: new TestAcquirer(store, clock),
    vault: new CardVault(vaultKeyFrom(randomBytes(32))),
    clock,
    callbackRenderers: { bog: (view, now) => renderBogCallback(view, now, "http://tetri.test"), tbc: renderTbcCallback },
    acquirerTimeoutMs: 1000,
    reconcileAfterMs: 0,
  };
  const { merchant } = await createMerchant(store, { name: "Core shop", now: clock.now() });
  return {
    ctx,
    clock,
    merchant,
    async close() {
      await store.close();
      dir.remove();
    },
  };
}
