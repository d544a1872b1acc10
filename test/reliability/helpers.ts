// Shared by the reliability suites (crash.reliability.ts, receiver.reliability.ts): a transport
// for the shop client without keep-alive (a killed server leaves no stale pooled socket behind,
// so a connection error always means "this request's fate is unknown"), what they read from a
// BOG callback (for test/helpers/receiver.ts), exact money parsing, and read access to the
// SQLite file.

import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Receiver } from "../helpers/receiver.ts";
import { toHeaders } from "../helpers/shop.ts";
import type { Transport } from "../helpers/shop.ts";

// ---- HTTP ------------------------------------------------------------------------------------

/** A request whose outcome is unknown: refused/reset connection, or no answer in time. */
export class ConnectionFailed extends Error {
  constructor(cause: unknown) {
    super(`connection failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "ConnectionFailed";
  }
}

/**
 * The shop client's transport for these suites: node:http with a connection of its own per
 * request (`agent: false`), so nothing pooled survives a crash, and every connection problem,
 * or no answer within `timeoutMs`, is a ConnectionFailed.
 */
export function noKeepAlive(base: string, options: { timeoutMs?: number } = {}): Transport {
  return ({ method, path, headers, body }) => {
    const payload = body === undefined ? undefined : Buffer.from(body);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        new URL(path, base),
        { method, agent: false, headers: { ...headers, ...(payload ? { "content-length": String(payload.length) } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", (error) => reject(new ConnectionFailed(error)));
          res.on("aborted", () => reject(new ConnectionFailed("response aborted")));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: toHeaders(res.headers), text: Buffer.concat(chunks).toString("utf8") }));
        },
      );
      req.setTimeout(options.timeoutMs ?? 15_000, () => req.destroy(new Error("client timeout")));
      req.on("error", (error) => reject(new ConnectionFailed(error)));
      req.end(payload);
    });
  };
}

// ---- money -----------------------------------------------------------------------------------

/** Minor units (tetri) as the decimal number BOG's JSON carries: 1234 → 12.34. */
export const major = (minor: number): number => minor / 100;

/** A BOG amount string ("12.34", "10.0", "0.0") as exact minor units. */
export function minorOf(text: unknown): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(text));
  if (!match) throw new Error(`not a GEL amount: ${JSON.stringify(text)}`);
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

// ---- randomness --------------------------------------------------------------------------------

export const randInt = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));
export const chance = (p: number): boolean => Math.random() < p;

// ---- the shop's callback endpoint ----------------------------------------------------------

/** What the suites read from a BOG callback: its order, status and amounts (minor units, -1 when absent). */
export type BogCallbackFields = { orderId: string; status: string; transfer: number; refund: number };

/** The receiver's `parse` for BOG callbacks; a body that is not JSON gives empty fields (the checks will say so). */
export function parseBogCallback(body: string): BogCallbackFields {
  let parsed: any = {};
  try {
    parsed = JSON.parse(body);
  } catch {
    // recorded with empty fields
  }
  const units = parsed?.body?.purchase_units ?? {};
  return {
    orderId: String(parsed?.body?.order_id ?? ""),
    status: String(parsed?.body?.order_status?.key ?? ""),
    transfer: units.transfer_amount === undefined ? -1 : minorOf(units.transfer_amount),
    refund: units.refund_amount === undefined ? -1 : minorOf(units.refund_amount),
  };
}
export type CallbackReceiver = Receiver<BogCallbackFields>;

// ---- the database, read directly -------------------------------------------------------------

export const databasePath = (dataDir: string): string => join(dataDir, "tetri.sqlite");

/** Runs `work` on a fresh connection to tetri's SQLite file and closes it. */
export function withDatabase<T>(dataDir: string, work: (db: DatabaseSync) => T, readOnly = true): T {
  const db = new DatabaseSync(databasePath(dataDir), { readOnly });
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    return work(db);
  } finally {
    db.close();
  }
}

export function rows<T = any>(db: DatabaseSync, sql: string, ...params: Array<string | number | null>): T[] {
  return db.prepare(sql).all(...params) as T[];
}

/** BOG statuses whose arrival is a callback (README "Statuses and codes"). */
export const CALLBACK_STATUSES = new Set(["blocked", "completed", "partial_completed", "rejected", "refunded_partially", "refunded"]);

/** Prints a line on the runner's output (stdout of a test file is shown by the spec reporter). */
export function report(line: string): void {
  process.stdout.write(`${line}\n`);
}
