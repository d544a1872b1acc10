// A pool of node-postgres connections dressed as Kysely's PostgresDialect, and what its errors
// mean to core: a serialization failure or a deadlock is a RetryableStoreError (run the
// transaction again), a database that cannot be reached is a StoreUnavailableError (503).

import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { RetryableStoreError, StoreUnavailableError } from "../../core/ports.ts";
import type { Database } from "../schema.ts";
import type { StoreLog } from "../types.ts";

/** SQLSTATEs of a transaction that lost to a concurrent one: serialization_failure, deadlock_detected. */
const RETRYABLE = new Set(["40001", "40P01"]);
/** SQLSTATEs of a server that is going away or not there yet: admin/crash shutdown, cannot connect now, too many connections. */
const UNAVAILABLE = new Set(["57P01", "57P02", "57P03", "53300"]);
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
// node-postgres says these in words only.
const DRIVER_UNAVAILABLE = /Connection terminated|timeout exceeded when trying to connect|connection error and is not queryable|Client was closed/;

export function translated(error: unknown): unknown {
  if (error instanceof RetryableStoreError || error instanceof StoreUnavailableError) return error;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string") {
    if (RETRYABLE.has(code)) return new RetryableStoreError(error);
    if (UNAVAILABLE.has(code) || code.startsWith("08") || NETWORK.has(code)) return new StoreUnavailableError(error);
  }
  if (error instanceof Error && DRIVER_UNAVAILABLE.test(error.message)) return new StoreUnavailableError(error);
  return error;
}

export type PostgresConnection = { pool: pg.Pool; db: Kysely<Database> };

export function openPool(url: string, size: number, log: StoreLog): PostgresConnection {
  const pool = new pg.Pool({
    connectionString: url,
    max: size,
    // Waiting longer than this for a connection (the server is down, or every connection is
    // busy) answers 503 instead of holding the request.
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: "tetri",
    // A node that stops mid-transaction (frozen, cut off) must not hold row locks for long.
    idle_in_transaction_session_timeout: 30_000,
  });
  // A connection the server closed (a restart) is dropped from the pool when it is idle, and
  // fails its next query (503) when it is in use; its error event must have a listener either
  // way, or it would crash the process. pg-pool listens only while a connection is idle.
  pool.on("error", (error) => log.error({ err: error }, "database connection lost"));
  pool.on("connect", (client) => client.on("error", (error) => log.error({ err: error }, "database connection lost while in use")));
  return { pool, db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }) };
}
