// What every suite starts from, in-process or child process: the demo merchant, the fast
// environment, request bodies and cards, a movable clock, temporary directories and ports,
// and other merchants made with the CLI.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** A merchant's Paymentz credentials: memberId, terminal id and secure key. */
export type PaymentzMember = { memberId: string; terminalId: string; secureKey: string };

export type MerchantCredentials = { clientId: string; clientSecret: string; tbcApiKey: string; paymentz: PaymentzMember };

/**
 * The demo merchant of every test server. The secret is distinctive on purpose: the log tests
 * grep a process's output for it.
 */
export const DEMO: MerchantCredentials = {
  clientId: "demo-shop",
  clientSecret: "Zq7-demo-secret-Xv3k9w",
  tbcApiKey: "demo-tbc-api-key",
  paymentz: { memberId: "11344", terminalId: "2101", secureKey: "Pz9-demo-secure-key-Kw4" },
};

/** The environment that makes a server's demo merchant DEMO. */
export const DEMO_ENV: Record<string, string> = {
  TETRI_DEMO_CLIENT_ID: DEMO.clientId,
  TETRI_DEMO_CLIENT_SECRET: DEMO.clientSecret,
  TETRI_DEMO_TBC_API_KEY: DEMO.tbcApiKey,
  TETRI_DEMO_PAYMENTZ_MEMBER: `${DEMO.paymentz.memberId}:${DEMO.paymentz.terminalId}:${DEMO.paymentz.secureKey}`,
};

/**
 * Fast retries and sweeps so delivery tests take milliseconds, not the production
 * quarter-minute; a payment the acquirer answers late is reconciled at the next sweep. Each
 * runner adds what is its own (the log level; a child process more attempts).
 */
export const FAST_ENV: Record<string, string> = {
  TETRI_CALLBACK_BACKOFF_BASE_MS: "20",
  TETRI_CALLBACK_BACKOFF_MAX_MS: "200",
  TETRI_CALLBACK_TIMEOUT_MS: "1000",
  TETRI_CALLBACK_POLL_MS: "50",
  TETRI_RECONCILE_AFTER_MS: "0",
  TETRI_ACQUIRER_TIMEOUT_MS: "2000",
  TETRI_SWEEP_INTERVAL_MS: "100",
};

export type TestCard = { card_number: string; expiry: string; cvc: string; cardholder: string };

export const CARD: TestCard = { card_number: "4242424242424242", expiry: "12/39", cvc: "123", cardholder: "Nino Beridze" };

/** A BOG create-order body (25.50 GEL, three basket items); overrides replace top-level keys. */
export function orderBody(overrides: Record<string, unknown> = {}, callbackUrl = "http://127.0.0.1:9/callback"): Record<string, unknown> {
  return {
    callback_url: callbackUrl,
    external_order_id: "shop-1",
    purchase_units: {
      currency: "GEL",
      total_amount: 25.5,
      basket: [{ product_id: "sku-1", description: "Churchkhela", quantity: 3, unit_price: 8.5 }],
    },
    ...overrides,
  };
}

/** BOG purchase_units of one basket line of `amount` GEL, for orderBody({ purchase_units: … }). */
export function purchaseOf(amount: number): Record<string, unknown> {
  return { currency: "GEL", total_amount: amount, basket: [{ product_id: "sku-1", quantity: 1, unit_price: amount }] };
}

/** A TBC create-payment body (12.50 GEL, card only); overrides replace top-level keys. */
export function tbcPaymentBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    amount: { currency: "GEL", total: 12.5 },
    returnurl: "https://shop.example/return",
    methods: [5],
    language: "EN",
    merchantPaymentId: "shop-order-1",
    ...overrides,
  };
}

/** Every operation of TBC TPay v1 tetri serves, as "METHOD path" in its OpenAPI document's spelling. */
export const TBC_OPERATIONS = [
  "POST /v1/tpay/access-token",
  "POST /v1/tpay/payments",
  "GET /v1/tpay/payments/{payId}",
  "POST /v1/tpay/payments/{payId}/cancel",
  "POST /v1/tpay/payments/{payId}/completion",
  "POST /v1/tpay/payments/execution",
  "POST /v1/tpay/payments/{recId}/delete",
];

/** A clock the test can move forward (order expiry, token expiry, reconciliation delays). */
export class TestClock {
  offset = 0;
  now = (): number => Date.now() + this.offset;
  advance(ms: number): void {
    this.offset += ms;
  }
}

export function tempDir(prefix = "tetri-test-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A port nobody listened on a moment ago (another process may take it before we do: retry then). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function parseJsonOrUndefined(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const REPOSITORY = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Another merchant in a server's store, made with the CLI as an operator would. `storeEnv` is
 * what the server's configuration adds to find its store (a PostgreSQL URL and card key).
 */
export function addMerchant(server: { dataDir: string; storeEnv?: Record<string, string> }, name: string): MerchantCredentials {
  const created = JSON.parse(
    execFileSync(process.execPath, ["src/cli.ts", "merchants", "create", "--name", name, "--json"], {
      cwd: REPOSITORY,
      env: { ...process.env, TETRI_DATA_DIR: server.dataDir, ...server.storeEnv },
    }).toString(),
  ) as { client_id: string; client_secret: string; tbc_api_key: string; paymentz_member: string };
  const [memberId = "", terminalId = "", ...key] = created.paymentz_member.split(":");
  return { clientId: created.client_id, clientSecret: created.client_secret, tbcApiKey: created.tbc_api_key, paymentz: { memberId, terminalId, secureKey: key.join(":") } };
}

/** Sets a merchant's settings of one API with the CLI, as an operator would; answers what they now are. */
export function setMerchantSettings(
  server: { dataDir: string; storeEnv?: Record<string, string> },
  clientId: string,
  api: string,
  changes: string[],
): { api: string; callback_url: string | null; methods: string[] | null; token_lifetime_seconds: number | null } {
  return JSON.parse(
    execFileSync(process.execPath, ["src/cli.ts", "merchants", "settings", clientId, "--api", api, ...changes, "--json"], {
      cwd: REPOSITORY,
      env: { ...process.env, TETRI_DATA_DIR: server.dataDir, ...server.storeEnv },
    }).toString(),
  );
}

/**
 * A Google Pay payment token as a shop's page passes it on, in tetri's test-mode form: the
 * decrypted message in clear (README "Google Pay from the merchant's page").
 */
export function googlePayTestToken(payload: { pan: string; authMethod?: string; expirationMonth?: number; expirationYear?: number; messageExpiration?: string }): string {
  return JSON.stringify({
    protocolVersion: "TEST",
    signature: "TEST",
    signedMessage: JSON.stringify({
      gatewayMerchantId: "BCR2DN4TXKPITITV",
      messageId: "TEST-0001",
      messageExpiration: payload.messageExpiration ?? String(Date.now() + 3_600_000),
      paymentMethod: "CARD",
      paymentMethodDetails: {
        authMethod: payload.authMethod ?? "PAN_ONLY",
        pan: payload.pan,
        expirationMonth: payload.expirationMonth ?? 12,
        expirationYear: payload.expirationYear ?? 2039,
      },
    }),
  });
}

/**
 * An Apple Pay payment JSON as a shop's page passes it on, in tetri's test-mode form: the
 * decrypted payload in clear (README "Apple Pay from the merchant's page").
 */
export function applePayTestToken(payload: { pan: string; expiry?: string; currencyCode?: string; amount: number; holder?: string }): string {
  const data = Buffer.from(
    JSON.stringify({
      applicationPrimaryAccountNumber: payload.pan,
      applicationExpirationDate: payload.expiry ?? "391231",
      currencyCode: payload.currencyCode ?? "981",
      transactionAmount: payload.amount,
      cardholderName: payload.holder ?? "Nino Beridze",
      paymentDataType: "3DSecure",
      paymentData: { onlinePaymentCryptogram: "AAAAAAAAAAAAAAAAAAAAAA==", eciIndicator: "5" },
    }),
  ).toString("base64");
  return JSON.stringify({
    token: {
      paymentData: { version: "TEST", data },
      paymentMethod: { displayName: `Visa ${payload.pan.slice(-4)}`, network: "Visa", type: "debit" },
      transactionIdentifier: "TEST-0001",
    },
  });
}
