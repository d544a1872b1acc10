// Runs tetri as the operator does: a real child process (`node src/main.ts`, `node src/cli.ts`)
// configured only through environment variables, talked to over real sockets (a process's
// `shop` is the demo merchant's client, over fetch). Every child has a hard time limit and is
// tracked, so a failing test never leaves a process behind: call stopAll() in an `after` hook.

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_ENV, FAST_ENV, freePort } from "../helpers/fixtures.ts";
import { fetchTransport, shopClient } from "../helpers/shop.ts";
import type { ShopClient } from "../helpers/shop.ts";
import { eventually } from "../helpers/wait.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The Node that runs tetri. The test runner itself already runs on Node 24 (npm scripts put the
 * pinned `node@24` first on PATH), so process.execPath is right and needs neither npm nor a
 * shell; on an older runner fall back to the pinned binary in node_modules.
 */
export const NODE =
  Number(process.versions.node.split(".")[0]) >= 24 ? process.execPath : join(ROOT, "node_modules", "node", "bin", "node");

/** Only what a child needs from ours: no TETRI_* from the developer's shell, no NODE_TEST_CONTEXT. */
function childEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env };
}

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

const running = new Set<ChildProcess>();
// Last resort if the test runner itself dies: a synchronous kill of whatever is left.
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

function track(child: ChildProcess, hardTimeoutMs: number): Promise<Exit> {
  running.add(child);
  const timer = setTimeout(() => child.kill("SIGKILL"), hardTimeoutMs);
  timer.unref();
  return new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal });
    });
    // spawn failures (no such binary) come as 'error' without 'exit'.
    child.once("error", () => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code: null, signal: null });
    });
  });
}

/** Kills every child still running (SIGKILL, by pid) and waits for them to go. */
export async function stopAll(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
}

/**
 * How long a suite of CLI runs beside one server may take: each run starts a Node process of
 * its own, which on a busy two-core machine takes seconds, not the fraction of one it takes idle.
 */
export const SUITE_TIMEOUT_MS = 240_000;

export type RunResult = Exit & { stdout: string; stderr: string; durationMs: number };

/** Runs a short-lived command (`node src/cli.ts …`, a main.ts that should refuse to start). */
export async function run(args: string[], env: Record<string, string>, timeoutMs = 10_000): Promise<RunResult> {
  const started = Date.now();
  const child = spawn(NODE, args, { cwd: ROOT, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  // 'close' comes after 'exit' and after both pipes are drained.
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const exit = await track(child, timeoutMs);
  await closed;
  return { ...exit, stdout, stderr, durationMs: Date.now() - started };
}

type StartOptions = { dataDir: string; port?: number; env?: Record<string, string>; hardTimeoutMs?: number; command?: string[] };

/** A long-running command (`tetri listen`), its output collected as it comes; stopped by stop() or stopAll(). */
export type RunningCommand = {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
  /** Waits until stdout matches, or fails with what the command wrote. */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends `signal` (by pid) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
};

/** `executable` runs `args` (default our Node; an executable script runs by its #! line). */
export function startCommand(args: string[], env: Record<string, string>, hardTimeoutMs = 60_000, executable = NODE): RunningCommand {
  const child = spawn(executable, args, { cwd: ROOT, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = track(child, hardTimeoutMs);
  return {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    async waitForStdout(pattern, timeoutMs = 10_000) {
      await eventually(
        () => {
          if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited ${child.exitCode}:\n${stdout}${stderr}`);
          return pattern.test(stdout) ? true : undefined;
        },
        { what: `${args.join(" ")} to print ${pattern}`, timeoutMs },
      );
    },
    async stop(signal = "SIGINT") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Runs a command like `run`, and SIGKILLs it as soon as its stdout so far satisfies `killWhen`
 * (a kill in the middle of its work); a command that finishes first exits by itself.
 */
export async function runKilledWhen(args: string[], env: Record<string, string>, killWhen: (stdout: string) => boolean, timeoutMs = 30_000): Promise<RunResult> {
  const started = Date.now();
  const command = startCommand(args, env, timeoutMs);
  const closed = new Promise<void>((resolve) => command.child.once("close", () => resolve()));
  // Registered after startCommand's own listener, so stdout() already holds the chunk.
  command.child.stdout?.on("data", () => {
    if (killWhen(command.stdout())) command.child.kill("SIGKILL");
  });
  const exit = await command.exited;
  await closed;
  return { ...exit, stdout: command.stdout(), stderr: command.stderr(), durationMs: Date.now() - started };
}

export class TetriProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  readonly exited: Promise<Exit>;
  /** The demo merchant's client, over this process's socket. */
  readonly shop: ShopClient;
  stdout = "";
  stderr = "";

  private constructor(child: ChildProcess, port: number, exited: Promise<Exit>) {
    this.child = child;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.exited = exited;
    this.shop = shopClient(fetchTransport(this.url));
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (this.stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
  }

  /**
   * Starts `node src/main.ts` (or `node ...command`) and waits until GET /healthz answers 200. The
   * demo merchant is fixed to DEMO unless `env` says otherwise. `hardTimeoutMs` bounds the whole
   * life of the process.
   */
  static async start(options: StartOptions): Promise<TetriProcess> {
    // A port found free can be taken by someone else before tetri binds it: then try another.
    for (let attempt = 1; ; attempt++) {
      try {
        return await TetriProcess.#start(options, options.port ?? (await freePort()));
      } catch (error) {
        if (options.port !== undefined || attempt >= 3 || !/already in use/.test(String(error))) throw error;
      }
    }
  }

  static async #start(options: StartOptions, port: number): Promise<TetriProcess> {
    const env = childEnv({
      TETRI_LOG_LEVEL: "warn",
      ...DEMO_ENV,
      ...FAST_ENV,
      // Enough attempts that a test's pending callbacks outlive a restart; a short timeout keeps
      // the lease on a killed process's in-flight callbacks (2·timeout + 1 s) short.
      TETRI_CALLBACK_MAX_ATTEMPTS: "100",
      TETRI_CALLBACK_TIMEOUT_MS: "500",
      ...options.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      TETRI_DATA_DIR: options.dataDir,
    });
    const child = spawn(NODE, options.command ?? ["src/main.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    const tetri = new TetriProcess(child, port, track(child, options.hardTimeoutMs ?? 60_000));
    let exit: Exit | undefined;
    void tetri.exited.then((e) => (exit = e));
    await eventually(
      async () => {
        if (exit) throw new Error(`tetri exited early (${JSON.stringify(exit)}):\n${tetri.output}`);
        try {
          const response = await fetch(`${tetri.url}/healthz`);
          await response.body?.cancel();
          return response.status === 200 ? true : undefined;
        } catch {
          return undefined;
        }
      },
      { what: "tetri to answer /healthz", timeoutMs: 15_000 },
    );
    return tetri;
  }

  /** Everything the process wrote, stdout then stderr. */
  get output(): string {
    return `${this.stdout}${this.stderr}`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 5000): Promise<void> {
    await eventually(() => (pattern.test(this.output) ? true : undefined), { what: `output matching ${pattern}`, timeoutMs });
  }

  /** The value of a Prometheus sample line such as `tetri_callbacks_pending 3`, or 0 when absent. */
  async metric(sample: string): Promise<number> {
    const { text } = await this.shop.request("GET", "/metrics", { token: null });
    for (const line of text.split("\n")) {
      if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
    }
    return 0;
  }

  /** Sends `signal` (by pid) and waits for the process to exit. */
  async kill(signal: NodeJS.Signals): Promise<Exit & { durationMs: number }> {
    const started = Date.now();
    if (this.running) this.child.kill(signal);
    const exit = await this.exited;
    return { ...exit, durationMs: Date.now() - started };
  }
}
