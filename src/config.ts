// All configuration, read and validated in one place. Nothing else reads process.env.
// A bad value stops the process with a one-line reason (see main.ts).

import { isAbsolute, join, resolve } from "node:path";
import { isTimeZone } from "./core/calendar.ts";

export type Mode = "test" | "live";

/**
 * Where the data lives: SQLite, one file (by default in the data directory) for one node; or
 * PostgreSQL, shared by any number of nodes, through a pool of `poolSize` connections per node.
 */
export type DatabaseConfig = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string; poolSize: number };

export type Config = {
  host: string;
  port: number;
  /** The URL shops and buyers reach tetri at; used in links (_links, redirects). */
  publicUrl: string;
  dataDir: string;
  database: DatabaseConfig;
  mode: Mode;
  logLevel: string;
  demo: {
    clientId: string | undefined;
    clientSecret: string | undefined;
    /**
     * Every other TETRI_DEMO_* variable, by name: the dialects' own demo credentials (such as
     * an API key). The dialect registry says which names exist; an unknown one stops the start.
     */
    credentials: Readonly<Record<string, string>>;
  };
  /** base64 of 32 bytes; in test mode a key is generated into the data directory when unset. */
  cardKey: string | undefined;
  /** Earlier card keys (base64 of 32 bytes each): they open what they sealed until `cards rotate-key` re-sealed it; they seal nothing. */
  cardKeysRetired: string[];
  /** Access-token lifetime for every dialect; unset: each dialect's own default (as its bank documents). */
  tokenTtlSeconds: number | undefined;
  bodyLimitBytes: number;
  callbacks: {
    timeoutMs: number;
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    pollMs: number;
    concurrency: number;
  };
  acquirerTimeoutMs: number;
  reconcileAfterMs: number;
  /** How long a simulated QR payment's code stays valid on the page (test mode). */
  qrTtlSeconds: number;
  sweepIntervalMs: number;
  tokenRateLimitPerMinute: number;
  /** The most entries each in-memory cache holds (merchants by id; verified access tokens). */
  cacheSizes: { merchants: number; verifiedTokens: number };
  /** The operator's SMTP server that e-mails go through (payment links); none: nothing is e-mailed. */
  smtp: { url: string; from: string } | undefined;
  /** After SIGTERM/SIGINT, how long in-flight requests and callback attempts may take before the process exits anyway. */
  shutdownTimeoutMs: number;
  dashboard: {
    /** The account that signs in to see every merchant; none when unset. */
    operator: { name: string; password: string } | undefined;
    sessionIdleMinutes: number;
    sessionMaxHours: number;
    /** Failed sign-ins allowed per account, and per client address, in 15 minutes. */
    signInFailureLimit: number;
    /** The IANA time zone the dashboard shows times and counts days in. */
    timeZone: string;
  };
};

export class ConfigError extends Error {}

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(", ")}, got "${raw}"`);
  }
  return raw as T;
}

function url(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL, got "${raw}"`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ConfigError(`${name} must be an absolute http(s) URL, got "${raw}"`);
  }
  if (parsed.search !== "" || parsed.hash !== "" || parsed.username !== "" || parsed.password !== "") {
    // Links are built by appending paths, which a query, a fragment or credentials would break.
    throw new ConfigError(`${name} must be a plain base URL without query, fragment or credentials, got "${parsed.origin}${parsed.pathname}…"`);
  }
  return raw.replace(/\/+$/, "");
}

const DEMO_CLIENT = new Set(["TETRI_DEMO_CLIENT_ID", "TETRI_DEMO_CLIENT_SECRET"]);

function demoCredentials(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[0].startsWith("TETRI_DEMO_") && !DEMO_CLIENT.has(entry[0]) && !!entry[1]),
  );
}

function database(env: Env, dataDir: string): DatabaseConfig {
  const raw = env.TETRI_DATABASE_URL;
  if (raw === undefined || raw === "") return { kind: "sqlite", path: join(dataDir, "tetri.sqlite") };
  if (/^postgres(?:ql)?:\/\/[^/]/.test(raw)) {
    return { kind: "postgres", url: raw, poolSize: integer(env, "TETRI_DATABASE_POOL_SIZE", 10, 1, 1000) };
  }
  const match = /^sqlite:(?:\/\/)?(.+)$/.exec(raw);
  // The URL may carry a password: it is never repeated in the message.
  if (!match?.[1]) throw new ConfigError(`TETRI_DATABASE_URL must be sqlite:PATH or postgres://USER@HOST:PORT/DATABASE, got one starting "${raw.slice(0, 9)}"`);
  const path = match[1];
  return { kind: "sqlite", path: isAbsolute(path) ? path : resolve(path) };
}

function operator(env: Env): Config["dashboard"]["operator"] {
  const name = env.TETRI_OPERATOR_USER || undefined;
  const password = env.TETRI_OPERATOR_PASSWORD || undefined;
  if ((name === undefined) !== (password === undefined)) {
    throw new ConfigError("set both TETRI_OPERATOR_USER and TETRI_OPERATOR_PASSWORD, or neither");
  }
  if (name === undefined || password === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,64}$/.test(name)) throw new ConfigError("TETRI_OPERATOR_USER must be 1 to 64 visible ASCII characters");
  if (password.length < 12) throw new ConfigError("TETRI_OPERATOR_PASSWORD must be at least 12 characters");
  return { name, password };
}

function smtp(env: Env): Config["smtp"] {
  const raw = env.TETRI_SMTP_URL;
  const from = env.TETRI_SMTP_FROM || "tetri <no-reply@localhost>";
  if (raw === undefined || raw === "") return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError("TETRI_SMTP_URL must be smtp://[USER:PASSWORD@]HOST[:PORT] or smtps://…");
  }
  // The URL may carry a password: it is never repeated in the message.
  if (parsed.protocol !== "smtp:" && parsed.protocol !== "smtps:") throw new ConfigError("TETRI_SMTP_URL must be smtp://[USER:PASSWORD@]HOST[:PORT] or smtps://…");
  if (!/^[^<>@\s]+@[^<>@\s]+$|^[^<>]*<[^<>@\s]+@[^<>@\s]+>$/.test(from)) throw new ConfigError(`TETRI_SMTP_FROM must be an address, or "Name <address>", got "${from}"`);
  return { url: raw, from };
}

function timeZone(env: Env): string {
  const raw = env.TETRI_DASHBOARD_TIME_ZONE || "Asia/Tbilisi";
  if (!isTimeZone(raw)) throw new ConfigError(`TETRI_DASHBOARD_TIME_ZONE must be an IANA time zone such as Asia/Tbilisi or UTC, got "${raw}"`);
  return raw;
}

const isCardKey = (text: string) => /^[A-Za-z0-9+/]+={0,2}$/.test(text) && Buffer.from(text, "base64").length === 32;

/** TETRI_CARD_KEYS_RETIRED: card keys, separated by commas (or spaces), none the current one. */
function retiredCardKeys(env: Env, current: string | undefined): string[] {
  const keys = (env.TETRI_CARD_KEYS_RETIRED ?? "").split(/[\s,]+/).filter(Boolean);
  keys.forEach((key, i) => {
    // The key itself is never repeated in the message.
    if (!isCardKey(key)) throw new ConfigError(`TETRI_CARD_KEYS_RETIRED: key ${i + 1} must be 32 bytes in base64 (openssl rand -base64 32)`);
    if (current !== undefined && Buffer.from(key, "base64").equals(Buffer.from(current, "base64"))) {
      throw new ConfigError(`TETRI_CARD_KEYS_RETIRED: key ${i + 1} is TETRI_CARD_KEY itself; a retired key is an earlier one`);
    }
  });
  return keys;
}

export function loadConfig(env: Env = process.env): Config {
  const host = env.HOST || "127.0.0.1";
  const port = integer(env, "PORT", 8080, 1, 65535);
  const mode = oneOf(env, "TETRI_MODE", ["test", "live"] as const, "test");
  const cardKey = env.TETRI_CARD_KEY || undefined;
  if (cardKey !== undefined && Buffer.from(cardKey, "base64").length !== 32) {
    throw new ConfigError("TETRI_CARD_KEY must be 32 bytes in base64 (openssl rand -base64 32)");
  }
  if (mode === "live" && cardKey === undefined) {
    throw new ConfigError("TETRI_CARD_KEY is required when TETRI_MODE=live");
  }
  const cardKeysRetired = retiredCardKeys(env, cardKey);
  const displayHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const dataDir = resolve(env.TETRI_DATA_DIR || "data");
  const store = database(env, dataDir);
  if (store.kind === "postgres" && cardKey === undefined) {
    // Every node seals and opens card numbers and the shared signing keys with the same key.
    throw new ConfigError("TETRI_CARD_KEY is required with a PostgreSQL database: every node must have the same one");
  }
  const config: Config = {
    host,
    port,
    publicUrl: url(env, "TETRI_PUBLIC_URL", `http://${displayHost.includes(":") ? `[${displayHost}]` : displayHost}:${port}`),
    dataDir,
    database: store,
    mode,
    logLevel: oneOf(env, "TETRI_LOG_LEVEL", ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
    demo: {
      clientId: env.TETRI_DEMO_CLIENT_ID || undefined,
      clientSecret: env.TETRI_DEMO_CLIENT_SECRET || undefined,
      credentials: demoCredentials(env),
    },
    cardKey,
    cardKeysRetired,
    tokenTtlSeconds: env.TETRI_TOKEN_TTL_SECONDS ? integer(env, "TETRI_TOKEN_TTL_SECONDS", 0, 60, 86_400) : undefined,
    bodyLimitBytes: integer(env, "TETRI_BODY_LIMIT_BYTES", 256 * 1024, 1024, 16 * 1024 * 1024),
    callbacks: {
      timeoutMs: integer(env, "TETRI_CALLBACK_TIMEOUT_MS", 10_000, 100, 120_000),
      maxAttempts: integer(env, "TETRI_CALLBACK_MAX_ATTEMPTS", 12, 1, 100),
      backoffBaseMs: integer(env, "TETRI_CALLBACK_BACKOFF_BASE_MS", 15_000, 1, 86_400_000),
      backoffMaxMs: integer(env, "TETRI_CALLBACK_BACKOFF_MAX_MS", 3_600_000, 1, 604_800_000),
      pollMs: integer(env, "TETRI_CALLBACK_POLL_MS", 1000, 10, 60_000),
      concurrency: integer(env, "TETRI_CALLBACK_CONCURRENCY", 64, 1, 1024),
    },
    acquirerTimeoutMs: integer(env, "TETRI_ACQUIRER_TIMEOUT_MS", 15_000, 10, 300_000),
    reconcileAfterMs: integer(env, "TETRI_RECONCILE_AFTER_MS", 5_000, 0, 3_600_000),
    qrTtlSeconds: integer(env, "TETRI_QR_TTL_SECONDS", 180, 5, 3600),
    sweepIntervalMs: integer(env, "TETRI_SWEEP_INTERVAL_MS", 5_000, 10, 3_600_000),
    tokenRateLimitPerMinute: integer(env, "TETRI_TOKEN_RATE_LIMIT", 600, 1, 1_000_000),
    shutdownTimeoutMs: integer(env, "TETRI_SHUTDOWN_TIMEOUT_MS", 20_000, 100, 600_000),
    cacheSizes: {
      merchants: integer(env, "TETRI_MERCHANT_CACHE_SIZE", 1000, 0, 1_000_000),
      verifiedTokens: integer(env, "TETRI_TOKEN_CACHE_SIZE", 10_000, 0, 1_000_000),
    },
    smtp: smtp(env),
    dashboard: {
      operator: operator(env),
      sessionIdleMinutes: integer(env, "TETRI_DASHBOARD_SESSION_IDLE_MINUTES", 30, 1, 1440),
      sessionMaxHours: integer(env, "TETRI_DASHBOARD_SESSION_MAX_HOURS", 12, 1, 720),
      signInFailureLimit: integer(env, "TETRI_DASHBOARD_SIGN_IN_LIMIT", 10, 1, 1000),
      timeZone: timeZone(env),
    },
  };
  if ((config.demo.clientId === undefined) !== (config.demo.clientSecret === undefined)) {
    throw new ConfigError("set both TETRI_DEMO_CLIENT_ID and TETRI_DEMO_CLIENT_SECRET, or neither");
  }
  if (config.callbacks.backoffMaxMs < config.callbacks.backoffBaseMs) {
    throw new ConfigError("TETRI_CALLBACK_BACKOFF_MAX_MS must not be below TETRI_CALLBACK_BACKOFF_BASE_MS");
  }
  return config;
}
