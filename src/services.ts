// The composition root: store, keys, callback worker, core context, tokens, the dialects'
// dependencies, all built once here and never changed afterwards. The server and the CLI
// both start from here, so they see the same data the same way.

import type { KeyObject } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import pino from "pino";
import { TEST_ACQUIRER_LIVE_METHODS, TestAcquirer } from "./acquirers/test-acquirer.ts";
import { loadCardKey, loadSharedKeys } from "./auth/keys.ts";
import { TokenService } from "./auth/tokens.ts";
import { checkoutLinks } from "./checkout/links.ts";
import type { CheckoutLinks, ShopReturn } from "./checkout/links.ts";
import { CardVault, vaultKeyFrom } from "./core/card-vault.ts";
import type { CoreContext } from "./core/context.ts";
import { credentialOfMerchant, hashSecret } from "./core/merchants.ts";
import type { CredentialIssuer } from "./core/merchants.ts";
import type { OperatorAccount, SessionPolicy } from "./core/sessions.ts";
import type { Clock } from "./core/ports.ts";
import { getCheckoutView } from "./core/orders.ts";
import type { DialectCredential, DialectId, Order, OrderView } from "./core/types.ts";
import type { Config } from "./config.ts";
import type { CallbackRenderContext, DialectDeps } from "./dialects/dialect.ts";
import { DIALECTS, dialectOf } from "./dialects/registry.ts";
import { demoCredentials } from "./demo-credentials.ts";
import { Sweeper } from "./jobs.ts";
import { createMetrics } from "./metrics.ts";
import type { Metrics } from "./metrics.ts";
import { openStore } from "./store/index.ts";
import type { OpenedStore } from "./store/index.ts";
import type { CallbackSigner } from "./webhooks/outbox-worker.ts";
import { OutboxWorker } from "./webhooks/outbox-worker.ts";

export const systemClock: Clock = { now: () => Date.now() };

export const REDACTED_PATHS = ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'];

/** The credential every registered dialect gives each merchant, if it has one. */
export const CREDENTIAL_ISSUERS: readonly CredentialIssuer[] = DIALECTS.flatMap((d) => (d.credential ? [d.credential] : []));

/**
 * The vault that seals card numbers and dialect secrets, with the configured key (generated
 * into the data directory in test mode); the retired keys open what they sealed before.
 */
export function cardVault(config: Config): CardVault {
  const retired = config.cardKeysRetired.map((key) => vaultKeyFrom(Buffer.from(key, "base64")));
  return new CardVault(vaultKeyFrom(loadCardKey(config.dataDir, config.cardKey)), retired);
}

/** Opens the configured store, as the CLI does to administer it. */
export function openConfiguredStore(config: Config): Promise<OpenedStore> {
  return openStore(config.database);
}

/** Core's context over an opened store: the test acquirer on its journal, callbacks in each order's dialect. */
export function coreContext(
  opened: Pick<OpenedStore, "store" | "acquirerJournal">,
  parts: Pick<CoreContext, "vault" | "clock" | "acquirerTimeoutMs" | "reconcileAfterMs" | "onCallbacksCommitted"> & { links: CheckoutLinks; live?: boolean },
): CoreContext {
  const { links, vault, live, ...rest } = parts;
  return {
    ...rest,
    vault,
    liveMethods: live ? TEST_ACQUIRER_LIVE_METHODS : null,
    store: opened.store,
    acquirer: new TestAcquirer(opened.acquirerJournal, parts.clock),
    async renderCallback(view, now, readCredential) {
      return dialectOf(view.order.dialect).renderCallback(view, now, renderContext(links, vault, readCredential));
    },
  };
}

/** What a dialect renders callbacks and shop returns with: the links, and the merchant's credential with its secret opened. */
function renderContext(links: CheckoutLinks, vault: CardVault, readCredential: () => Promise<DialectCredential | undefined>): CallbackRenderContext {
  return {
    links,
    async credential() {
      const credential = await readCredential();
      const sealed = credential?.sealedSecret;
      return credential && { credential, secret: sealed ? vault.open(sealed.ciphertext, sealed.keyId) : undefined };
    },
  };
}

/**
 * The form POST back to the shop that the order's dialect asks for once its payment is settled
 * (with the order as it is then), if it asks for one; a dialect that redirects costs no read.
 */
export function shopReturnOf(ctx: CoreContext, links: CheckoutLinks): (order: Pick<Order, "id" | "dialect" | "merchantId">) => Promise<{ view: OrderView; form: ShopReturn } | undefined> {
  return async (order) => {
    const dialect = dialectOf(order.dialect);
    if (!dialect.shopReturn) return undefined;
    const view = await getCheckoutView(ctx, order.id);
    const form = await dialect.shopReturn(view, ctx.clock.now(), renderContext(links, ctx.vault, () => credentialOfMerchant(ctx.store, dialect.id, order.merchantId)));
    return form && { view, form };
  };
}

export type Services = {
  readonly config: Config;
  /** One logger for the whole node; the HTTP server logs through it too. */
  readonly log: FastifyBaseLogger;
  readonly metrics: Metrics;
  readonly ctx: CoreContext;
  readonly tokens: TokenService;
  readonly worker: OutboxWorker;
  readonly sweeper: Sweeper;
  readonly dialectDeps: DialectDeps;
  /** The key of the hosted page's CSRF tokens, the same on every node of the store. */
  readonly csrfKey: Buffer;
  /** How dashboard sessions last and sign-ins are limited, and the operator account (its password hashed at start). */
  readonly dashboard: { readonly policy: SessionPolicy; readonly operator: OperatorAccount | undefined };
  /** The demo merchant configuration fixes (dialect credentials by issuer name). */
  readonly demo: { clientId: string | undefined; clientSecret: string | undefined; credentials: Record<string, string | undefined> };
  close(): Promise<void>;
};

/** The dashboard's session rules, from configuration. */
export function sessionPolicy(config: Config): SessionPolicy {
  const { dashboard } = config;
  return {
    idleMs: dashboard.sessionIdleMinutes * 60_000,
    maxMs: dashboard.sessionMaxHours * 3_600_000,
    failureLimit: dashboard.signInFailureLimit,
    failureWindowMs: 15 * 60_000,
  };
}

export async function startServices(config: Config, clock: Clock = systemClock): Promise<Services> {
  const fixedDemo = demoCredentials(config);
  const configuredOperator = config.dashboard.operator;
  const operator = configuredOperator && { name: configuredOperator.name, passwordHash: await hashSecret(configuredOperator.password) };
  const policy = sessionPolicy(config);
  const log = pino({ level: config.logLevel, redact: REDACTED_PATHS });
  const opened = await openStore(config.database, log, config.cacheSizes.merchants);
  const vault = cardVault(config);
  let keys: Awaited<ReturnType<typeof loadSharedKeys>>;
  try {
    keys = await loadSharedKeys(opened.store, vault, config.dataDir, clock.now());
  } catch (error) {
    await opened.close();
    throw error;
  }
  const metrics = createMetrics(opened.store, clock, opened.poolStats);
  const worker = new OutboxWorker({
    store: opened.store,
    signerFor: signersOf(keys.callbackSigning.privateKey),
    policy: config.callbacks,
    clock,
    log,
    onAttempt: (result) => metrics.callbackAttempts.inc({ result }),
  });
  const links = checkoutLinks(config.publicUrl);
  // nodemailer is loaded only for an operator who configured a mail server (it costs memory and start-up time).
  const mailer = config.smtp && (await import("./mail/smtp-mailer.ts")).smtpMailer(config.smtp);
  const ctx = coreContext(opened, {
    vault,
    clock,
    links,
    acquirerTimeoutMs: config.acquirerTimeoutMs,
    reconcileAfterMs: config.reconcileAfterMs,
    onCallbacksCommitted: () => worker.poke(),
    live: config.mode === "live",
  });
  const tokens = new TokenService(
    keys.tokenSigning,
    new Map(DIALECTS.map((d) => [d.id, { issuer: d.tokenIssuer(config.publicUrl), ttlSeconds: config.tokenTtlSeconds ?? d.tokenTtlSeconds }])),
    clock,
    config.cacheSizes.verifiedTokens,
  );
  return {
    config,
    log,
    metrics,
    ctx,
    tokens,
    worker,
    sweeper: new Sweeper(ctx, { intervalMs: config.sweepIntervalMs, sessions: policy }, log),
    dialectDeps: {
      ctx,
      tokens,
      links,
      callbackPublicKeyPem: keys.callbackSigning.publicPem,
      mailer,
      settings: { publicUrl: config.publicUrl, live: config.mode === "live", tokenRateLimitPerMinute: config.tokenRateLimitPerMinute },
    },
    csrfKey: keys.csrf,
    dashboard: { policy, operator },
    demo: { clientId: config.demo.clientId, clientSecret: config.demo.clientSecret, credentials: fixedDemo },
    close: async () => {
      mailer?.close();
      await opened.close();
    },
  };
}

/** Each dialect's callback signer over the callback-signing key, by dialect. */
export function signersOf(privateKey: KeyObject): (dialect: DialectId) => CallbackSigner {
  const signers = new Map(DIALECTS.map((d) => [d.id, d.callbackSigner(privateKey)]));
  return (dialect) => {
    const signer = signers.get(dialect);
    if (!signer) throw new Error(`no dialect "${dialect}" signs callbacks`);
    return signer;
  };
}
