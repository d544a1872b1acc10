// tetri merchants create|list|rotate-secret: the gateway's merchants and their credentials.

import type { Command, CommandGroup } from "./command.ts";
import { JSON_OPTION, UsageError, print, table, text, usageOf, utc } from "./command.ts";
import { merchantOf, withGateway } from "./gateway.ts";
import { merchantSettings } from "./merchant-settings.ts";

const create: Command = {
  name: "merchants create",
  synopsis: "--name NAME [--json]",
  summary: "Creates a merchant and prints its credentials (the secrets only this once).",
  options: { name: { type: "string" }, ...JSON_OPTION },
  async run(input) {
    const name = text(input, "name");
    if (!name) throw new UsageError(`--name is required (usage: ${usageOf(create)})`);
    if (name.length > 200) throw new UsageError("--name must be at most 200 characters");
    await withGateway(async ({ config, ctx }) => {
      const [{ createMerchant }, { CREDENTIAL_ISSUERS, cardVault }, { DIALECTS }] = await Promise.all([import("../core/merchants.ts"), import("../services.ts"), import("../dialects/registry.ts")]);
      const vault = cardVault(config);
      const { merchant, clientSecret, credentials } = await createMerchant(ctx.store, CREDENTIAL_ISSUERS, { name, seal: (secret) => vault.seal(secret), now: ctx.clock.now() });
      print(input, { client_id: merchant.clientId, client_secret: clientSecret, ...credentials }, () => {
        const lines = [`Merchant "${merchant.name}" created.`, `  client_id:     ${merchant.clientId}`, `  client_secret: ${clientSecret}`];
        for (const { credential } of DIALECTS) {
          if (credential) lines.push(`  ${`${credential.label}:`.padEnd(15)}${credentials[credential.name]}`);
        }
        return lines.join("\n");
      });
    });
  },
};

export const merchantCommands: CommandGroup = {
  name: "merchants",
  commands: [
    create,
    {
      name: "merchants list",
      synopsis: "[--json]",
      summary: "Lists every merchant by name, with its client id.",
      options: JSON_OPTION,
      async run(input) {
        await withGateway(async ({ ctx }) => {
          const merchants = await ctx.store.read((tx) => tx.merchants.list());
          print(
            input,
            merchants.map((m) => ({ client_id: m.clientId, name: m.name, created_at: new Date(m.createdAt).toISOString() })),
            () =>
              merchants.length === 0
                ? "No merchants yet (tetri merchants create --name NAME)."
                : table([["CLIENT ID", "NAME", "CREATED"], ...merchants.map((m) => [m.clientId, m.name, utc(m.createdAt)])]),
          );
        });
      },
    },
    {
      name: "merchants rotate-secret",
      synopsis: "CLIENT_ID [--json]",
      summary: "Gives the merchant a new client secret, printed only this once.",
      help: [
        "The old secret stops working at once for new tokens and dashboard sign-ins, and the merchant's",
        "dashboard sessions end. Access tokens already issued stay valid until they expire.",
      ],
      options: JSON_OPTION,
      positionals: ["CLIENT_ID"],
      async run(input) {
        await withGateway(async ({ ctx }) => {
          const merchant = await merchantOf(ctx, input.positionals[0]);
          const { rotateClientSecret } = await import("../core/merchants.ts");
          const secret = await rotateClientSecret(ctx.store, merchant.id, undefined);
          print(input, { client_id: merchant.clientId, client_secret: secret }, () =>
            [`New client secret of "${merchant.name}" (the old one no longer works):`, `  client_id:     ${merchant.clientId}`, `  client_secret: ${secret}`].join("\n"),
          );
        });
      },
    },
    merchantSettings,
  ],
};
