// tetri merchants settings: a merchant's settings of one bank API, as the banks keep them in
// their merchant dashboards (default callback URL, enabled payment methods, token lifetime).
// Shown as they are after the change; with no change asked, only shown.

import type { Config } from "../config.ts";
import type { MerchantSettingsChange } from "../core/merchant-settings.ts";
import type { MerchantDialectSettings, PaymentMethod } from "../core/types.ts";
import type { DialectModule } from "../dialects/dialect.ts";
import type { Command, ParsedInput } from "./command.ts";
import { JSON_OPTION, UsageError, print, text, usageOf } from "./command.ts";
import { merchantOf, withGateway } from "./gateway.ts";

/** The change the options ask for, checked against what the API offers. */
function changeOf(input: ParsedInput, dialect: DialectModule): MerchantSettingsChange {
  const change: MerchantSettingsChange = {};
  const callbackUrl = text(input, "callback-url");
  if (callbackUrl !== undefined) change.callbackUrl = callbackUrl;
  const methods = text(input, "methods");
  if (methods === "all") change.enabledMethods = null;
  else if (methods !== undefined) {
    const names = methods.split(",").map((name) => name.trim()).filter(Boolean);
    const unknown = names.filter((name) => !dialect.paymentMethods.includes(name as PaymentMethod));
    if (names.length === 0 || unknown.length > 0) {
      throw new UsageError(`--methods: ${dialect.id} offers ${dialect.paymentMethods.join(", ")} (or all)${unknown.length > 0 ? `, not ${unknown.join(", ")}` : ""}`);
    }
    change.enabledMethods = names as PaymentMethod[];
  }
  const lifetime = text(input, "token-lifetime");
  if (lifetime === "default") change.tokenTtlSeconds = null;
  else if (lifetime !== undefined) {
    if (!/^\d{1,6}$/.test(lifetime)) throw new UsageError(`--token-lifetime must be a number of seconds or "default" (usage: ${usageOf(merchantSettings)})`);
    change.tokenTtlSeconds = Number(lifetime);
  }
  return change;
}

function describe(settings: MerchantDialectSettings | undefined, dialect: DialectModule, config: Config): string {
  const lifetime = settings?.tokenTtlSeconds ?? config.tokenTtlSeconds ?? dialect.tokenTtlSeconds;
  return [
    `Settings of the ${dialect.title} API:`,
    `  callback URL:   ${settings?.callbackUrl ?? "(none: orders must name their own)"}`,
    `  methods:        ${settings?.enabledMethods?.join(", ") ?? `all (${dialect.paymentMethods.join(", ")})`}`,
    `  token lifetime: ${lifetime} s${settings?.tokenTtlSeconds == null ? " (default)" : ""}`,
  ].join("\n");
}

export const merchantSettings: Command = {
  name: "merchants settings",
  synopsis: "CLIENT_ID --api API [--callback-url URL|''] [--methods M,M|all] [--token-lifetime SECONDS|default] [--json]",
  summary: "Shows, or changes, a merchant's settings of one bank API.",
  help: [
    "--callback-url  where callbacks of orders that name none go ('' clears)",
    "--methods       the payment methods the API's orders may offer (tetri's names), or all",
    "--token-lifetime  the access tokens' expires_in, 60-86400 seconds, or default",
  ],
  options: { api: { type: "string" }, "callback-url": { type: "string" }, methods: { type: "string" }, "token-lifetime": { type: "string" }, ...JSON_OPTION },
  positionals: ["CLIENT_ID"],
  async run(input) {
    const { DIALECTS } = await import("../dialects/registry.ts");
    const dialect = DIALECTS.find((d) => d.id === text(input, "api"));
    if (!dialect) throw new UsageError(`--api must be one of ${DIALECTS.map((d) => d.id).join(", ")} (usage: ${usageOf(merchantSettings)})`);
    const change = changeOf(input, dialect);
    await withGateway(async ({ config, ctx }) => {
      const merchant = await merchantOf(ctx, input.positionals[0]);
      const { isTetriError } = await import("../core/errors.ts");
      const { merchantSettingsFor, updateMerchantSettings } = await import("../core/merchant-settings.ts");
      const target = { merchantId: merchant.id, dialect: dialect.id, live: config.mode === "live", now: ctx.clock.now() };
      const settings =
        Object.keys(change).length > 0
          ? await updateMerchantSettings(ctx.store, target, change).catch((error: unknown) => {
              // A value core refuses (a callback URL into tetri's own network, a lifetime out of range) is the command line's fault.
              if (isTetriError(error) && error.code === "TETRI_ERR_VALIDATION") throw new UsageError(error.fields.map((f) => `${f.field}: ${f.message}`).join("; "));
              throw error;
            })
          : await merchantSettingsFor(ctx.store, merchant.id, dialect.id);
      print(
        input,
        { api: dialect.id, callback_url: settings?.callbackUrl ?? null, methods: settings?.enabledMethods ?? null, token_lifetime_seconds: settings?.tokenTtlSeconds ?? null },
        () => describe(settings, dialect, config),
      );
    });
  },
};
