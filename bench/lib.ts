// Shared pieces of the benchmarks: child servers, load runs, and the report table.

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import pg from "pg";

export const NODE = process.execPath;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type Child = { url: string; process: ChildProcess; dataDir: string; stop(): Promise<void>; rssMb(): number };

async function waitHealthy(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`server at ${url} not healthy within ${timeoutMs} ms`);
}

/** A server to start: the script Node runs, and Node's own flags. */
export type Server = { entry: string; nodeArgs: string[] };

/** Starts a node process running `server`, returns once /healthz answers, with the time that took. */
export async function startChild(
  server: Server,
  env: Record<string, string> = {},
  dataDir = mkdtempSync(join(tmpdir(), "tetri-bench-")),
): Promise<Child & { readyMs: number }> {
  const port = await freePort();
  const child = spawn(NODE, [...server.nodeArgs, server.entry], {
    env: { PATH: process.env.PATH ?? "", PORT: String(port), TETRI_DATA_DIR: dataDir, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const readyMs = await waitHealthy(url, child);
  return {
    url,
    process: child,
    dataDir,
    readyMs,
    rssMb: () => rssOf(child.pid),
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((resolve) => child.once("exit", resolve));
      }
    },
  };
}

/** tetri on `count` nodes of one new PostgreSQL database (dropped on stop), or on SQLite for 0. */
export type Nodes = { urls: string[]; stop(): Promise<void>; rssMb(): number };

const POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test";

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export async function startNodes(server: Server, count: number, env: Record<string, string>): Promise<Nodes> {
  if (count === 0) {
    const child = await startChild(server, env);
    return { urls: [child.url], rssMb: child.rssMb, stop: async () => (await child.stop(), removeDir(child.dataDir)) };
  }
  const database = `tetri_bench_${Date.now().toString(36)}`;
  await admin(`create database ${database}`);
  const shared = {
    ...env,
    TETRI_DATABASE_URL: POSTGRES_ADMIN_URL.replace(/\/test$/, `/${database}`),
    TETRI_CARD_KEY: Buffer.alloc(32, 5).toString("base64"),
    // One issuer for every node's tokens, as behind a load balancer.
    TETRI_PUBLIC_URL: "http://127.0.0.1:8080",
  };
  const children: Child[] = [];
  for (let i = 0; i < count; i++) children.push(await startChild(server, shared));
  return {
    urls: children.map((c) => c.url),
    rssMb: () => children.reduce((sum, c) => sum + c.rssMb(), 0),
    async stop() {
      for (const child of children) {
        await child.stop();
        removeDir(child.dataDir);
      }
      await admin(`drop database if exists ${database} with (force)`);
    },
  };
}

export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

function rssOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

export type LoadResult = { rps: number; p50: number; p99: number; requests: number; errors: number; non2xx: number };

/** One autocannon run; a list of URLs spreads the connections over them (autocannon takes one, its types say). */
export async function load(options: Omit<autocannon.Options, "url"> & { url: string | string[] }): Promise<LoadResult> {
  const result = await autocannon({ ...options, url: options.url as string, excludeErrorStats: false });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export type Row = { benchmark: string; figure: string; value: string; ratio: string };

export function table(rows: Row[]): string {
  const lines = ["| benchmark | figure | value | vs baseline |", "|---|---|---|---|"];
  for (const row of rows) lines.push(`| ${row.benchmark} | ${row.figure} | ${row.value} | ${row.ratio} |`);
  return lines.join("\n");
}

export const pct = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : "–");
