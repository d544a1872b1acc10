// tetri merchants settings: a merchant's settings of one bank API, as the banks keep them in
// their merchant dashboards (default callback URL, enabled payment methods, token lifetime).
// Shown as they are after the change; with no change asked, only shown.

import type { Config } from "../config.ts";
import type { MerchantDialectSettings, PaymentMethod } from "../core/types.ts";
import type { MerchantSettingsChange } from "../core/merchant-settings.ts";
import type { DialectModule } from "../dialects/dialect.ts";
import { parseOptions, UsageError } from "./usage.ts";

export const SETTINGS_USAGE =
  "usage: npm run tetri -- merchants settings --client-id ID --api API [--callback-url URL|''] [--methods M,M|all] [--token-lifetime SECONDS|default] [--json]";

const OPTIONS = {
  "client-id": { type: "string" },
  api: { type: "string" },
  "callback-url": { type: "string" },
  methods: { type: "string" },
  "token-lifetime": { type: "string" },
  json: { type: "boolean" },
} as const;

/** The change the options ask for, checked against what the API offers. */
function changeOf(values: ReturnType<typeof parseOptions<typeof OPTIONS>>, dialect: DialectModule): MerchantSettingsChange {
  const change: MerchantSettingsChange = {};
  if (values["callback-url"] !== undefined) change.callbackUrl = values["callback-url"];
  if (values.methods !== undefined) {
    const names = values.methods.split(",").map((name) => name.trim()).filter(Boolean);
    if (values.methods.trim() === "all") change.enabledMethods = null;
    else {
      const unknown = names.filter((name) => !dialect.paymentMethods.includes(name as PaymentMethod));
      if (names.length === 0 || unknown.length > 0) {
        throw new UsageError(`--methods: ${dialect.id} offers ${dialect.paymentMethods.join(", ")} (or all)${unknown.length > 0 ? `, not ${unknown.join(", ")}` : ""}`);
      }
      change.enabledMethods = names as PaymentMethod[];
    }
  }
  const lifetime = values["token-lifetime"];
  if (lifetime !== undefined) {
    if (lifetime === "default") change.tokenTtlSeconds = null;
    else if (/^\d{1,6}$/.test(lifetime)) change.tokenTtlSeconds = Number(lifetime);
    else throw new UsageError(`--token-lifetime must be a number of seconds or "default" (${SETTINGS_USAGE})`);
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

export async function merchantsSettings(args: string[]): Promise<void> {
  const values = parseOptions(args, OPTIONS, SETTINGS_USAGE);
  const clientId = values["client-id"];
  if (!clientId) throw new UsageError(`--client-id is required (${SETTINGS_USAGE})`);
  const [{ loadConfig }, { DIALECTS }] = await Promise.all([import("../config.ts"), import("../dialects/registry.ts")]);
  const dialect = DIALECTS.find((d) => d.id === values.api);
  if (!dialect) throw new UsageError(`--api must be one of ${DIALECTS.map((d) => d.id).join(", ")} (${SETTINGS_USAGE})`);
  const change = changeOf(values, dialect);
  const config = loadConfig();
  // Loaded only now, so that a usage error answers at once instead of after the whole server's imports.
  const [{ isTetriError }, { merchantByClientId }, { merchantSettingsFor, updateMerchantSettings }, { openConfiguredStore, systemClock }] = await Promise.all([
    import("../core/errors.ts"),
    import("../core/merchants.ts"),
    import("../core/merchant-settings.ts"),
    import("../services.ts"),
  ]);
  const opened = await openConfiguredStore(config);
  try {
    const merchant = await merchantByClientId(opened.store, clientId);
    if (!merchant) throw new Error(`no merchant has client id ${clientId}`);
    const target = { merchantId: merchant.id, dialect: dialect.id, live: config.mode === "live", now: systemClock.now() };
    const settings =
      Object.keys(change).length > 0
        ? await updateMerchantSettings(opened.store, target, change).catch((error: unknown) => {
            // A value core refuses (a callback URL into tetri's own network, a lifetime out of range) is the command line's fault.
            if (isTetriError(error) && error.code === "TETRI_ERR_VALIDATION") {
              throw new UsageError(error.fields.map((f) => `${f.field}: ${f.message}`).join("; "));
            }
            throw error;
          })
        : await merchantSettingsFor(opened.store, merchant.id, dialect.id);
    if (values.json) {
      console.log(
        JSON.stringify({
          api: dialect.id,
          callback_url: settings?.callbackUrl ?? null,
          methods: settings?.enabledMethods ?? null,
          token_lifetime_seconds: settings?.tokenTtlSeconds ?? null,
        }),
      );
    } else console.log(describe(settings, dialect, config));
  } finally {
    await opened.close();
  }
}
