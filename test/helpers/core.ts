// A core context on a real SQLite file, for unit and property tests of core without HTTP.

import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { checkoutLinks } from "../../src/checkout/links.ts";
import { CardVault, vaultKeyFrom } from "../../src/core/card-vault.ts";
import { createMerchant } from "../../src/core/merchants.ts";
import { CREDENTIAL_ISSUERS, coreContext } from "../../src/services.ts";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import { TestClock, tempDir } from "./harness.ts";

export async function coreFixture() {
  const dir = tempDir("tetri-core-");
  const opened = await openSqliteStore(join(dir.path, "core.sqlite"), { error: () => {} });
  const clock = new TestClock();
  const ctx = coreContext(opened, {
    vault: new CardVault(vaultKeyFrom(randomBytes(32))),
    clock,
    links: checkoutLinks("http://tetri.test"),
    acquirerTimeoutMs: 1000,
    reconcileAfterMs: 0,
    onCommit: () => {},
  });
  const { merchant } = await createMerchant(opened.store, CREDENTIAL_ISSUERS, { name: "Core shop", now: clock.now() });
  return {
    ctx,
    clock,
    merchant,
    async close() {
      await opened.close();
      dir.remove();
    },
  };
}
