// tetri cards rotate-key: the card vault of a data directory.
//
// rotate-key re-seals every card number and secret sealed under a retired key
// (TETRI_CARD_KEYS_RETIRED) with the current one (TETRI_CARD_KEY), in batches, while the
// servers run (configured with the same keys). It can be killed at any moment and run again;
// it says when the retired keys seal nothing any more and may be removed.

import { setTimeout } from "node:timers/promises";
import type { CommandGroup } from "./command.ts";
import { CommandFailed, integer } from "./command.ts";

const listed = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([keyId, n]) => `${n} under key ${keyId}`)
    .join(", ");

const say = (line: string) => process.stdout.write(`${line}\n`);

export const cardCommands: CommandGroup = {
  name: "cards",
  commands: [
    {
      name: "cards rotate-key",
      synopsis: "[--batch-size N] [--pause-ms MS]",
      summary: "Re-seals every card and secret under TETRI_CARD_KEY, and says when the retired keys may go.",
      help: [
        "Values sealed under a key of TETRI_CARD_KEYS_RETIRED are re-sealed in batches (--batch-size, default 100),",
        "while servers with the same keys run; --pause-ms waits between batches (default 0) to keep the load on a",
        "busy database low. A killed run is resumed by running it again.",
      ],
      options: { "batch-size": { type: "string" }, "pause-ms": { type: "string" } },
      async run(input) {
        const batchSize = integer(input, "batch-size", { min: 1, max: 10_000, fallback: 100 });
        const pauseMs = integer(input, "pause-ms", { min: 0, max: 60_000, fallback: 0 });
        const [{ loadConfig }, { cardVault, openConfiguredStore }, { resealUnderCurrentKey, sealedValueCounts }] = await Promise.all([
          import("../config.ts"),
          import("../services.ts"),
          import("../core/card-key-rotation.ts"),
        ]);
        const config = loadConfig();
        const vault = cardVault(config);
        const opened = await openConfiguredStore(config);
        try {
          const before = await sealedValueCounts(opened.store, vault);
          const waiting = Object.values(before.retired).reduce((a, b) => a + b, 0);
          say(`current card key ${vault.currentKeyId}; ${waiting} value(s) to re-seal${waiting > 0 ? ` (${listed(before.retired)})` : ""}`);
          const resealed = await resealUnderCurrentKey(opened.store, vault, {
            batchSize,
            onBatch: async (total) => {
              say(`re-sealed ${total} of ${waiting}`);
              if (pauseMs > 0) await setTimeout(pauseMs);
            },
          });
          const after = await sealedValueCounts(opened.store, vault);
          if (Object.keys(after.unknown).length > 0) {
            throw new CommandFailed(
              `${listed(after.unknown)}: sealed under a key that is neither TETRI_CARD_KEY nor in TETRI_CARD_KEYS_RETIRED; add it to TETRI_CARD_KEYS_RETIRED and run again`,
            );
          }
          const left = Object.values(after.retired).reduce((a, b) => a + b, 0);
          if (left > 0) throw new CommandFailed(`${listed(after.retired)} still (written meanwhile by a server with an older configuration?): run again`);
          const retired = vault.retiredKeyIds;
          say(
            retired.length > 0
              ? `done: re-sealed ${resealed}; all ${after.current} value(s) are under key ${vault.currentKeyId}. Nothing remains under the retired key(s) ${retired.join(", ")}: they may now be removed from TETRI_CARD_KEYS_RETIRED.`
              : `done: nothing to re-seal; all ${after.current} value(s) are under key ${vault.currentKeyId} (TETRI_CARD_KEYS_RETIRED names no key).`,
          );
        } finally {
          await opened.close();
        }
      },
    },
  ],
};
