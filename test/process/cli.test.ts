// The `tetri` command as a user runs it (bin/tetri.js) administers a data directory, also while
// a server runs on it: merchants, help on every command, exit codes, Node 20 on PATH.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { realpathSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DEMO, DEMO_ENV, FAST_ENV, freePort, tempDir } from "../helpers/fixtures.ts";
import { ROOT, run, startCommand, stopAll, SUITE_TIMEOUT_MS, TetriProcess } from "./tetri-process.ts";

const cli = (args: string[], env: Record<string, string>) => run(["bin/tetri.js", ...args], env);

/** npm's own CLI script, run on our Node as `npx` and `npm run` are. */
const NPM_CLI = realpathSync(execFileSync("/bin/sh", ["-c", "command -v npm"]).toString().trim());

/** Every command of the CLI, by the words that name it. */
const COMMANDS = [
  "serve",
  "merchants create",
  "merchants list",
  "merchants rotate-secret",
  "merchants settings",
  "orders list",
  "orders show",
  "orders refund",
  "listen",
  "trigger",
];

/** stderr is exactly one line, starting "tetri: ". */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  assert.match(lines[0] ?? "", /^tetri: /);
  return lines[0] ?? "";
}

describe("tetri CLI", { timeout: SUITE_TIMEOUT_MS }, () => {
  const dir = tempDir();
  let server: TetriProcess;
  const env = () => ({ TETRI_DATA_DIR: dir.path });

  before(async () => {
    // It serves the whole suite: it may live as long as the suite may run.
    server = await TetriProcess.start({ dataDir: dir.path, hardTimeoutMs: SUITE_TIMEOUT_MS });
  });
  after(async () => {
    await stopAll();
    dir.remove();
  });

  it("merchants create --json prints credentials that get a token from the running server", async () => {
    const result = await cli(["merchants", "create", "--name", "Shop B", "--json"], env());
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    const created = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(created).sort(), ["client_id", "client_secret", "paymentz_member", "tbc_api_key"]);
    const [memberId = "", , secureKey = ""] = String(created.paymentz_member).split(":");
    assert.match(String(created.paymentz_member), /^\d+:\d+:\S{8,}$/, "memberId:terminalId:secureKey");
    const paymentzToken = await server.shop.request("POST", "/transactionServices/REST/v1/authToken", {
      token: null,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ "authentication.memberId": memberId, "authentication.sKey": secureKey }).toString(),
    });
    assert.equal(paymentzToken.json?.result?.code, "200", paymentzToken.text);
    assert.equal(typeof created.client_id, "string");
    assert.equal(typeof created.client_secret, "string");
    assert.equal(result.stdout.trimEnd().split("\n").length, 1, "only the JSON on stdout");

    const token = await server.shop.tokenFor(String(created.client_id), String(created.client_secret));
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    await assert.rejects(server.shop.tokenFor(String(created.client_id), "not-the-secret"), /401/);
  });

  it("merchants create without --json prints the credentials for a human", async () => {
    const result = await cli(["merchants", "create", "--name", "Shop C"], env());
    assert.equal(result.code, 0, result.stderr);
    const id = /client_id:\s+(\S+)/.exec(result.stdout)?.[1];
    const secret = /client_secret:\s+(\S+)/.exec(result.stdout)?.[1];
    assert.ok(id && secret, result.stdout);
    assert.match(result.stdout, /Shop C/);
    await server.shop.tokenFor(id, secret);
  });

  it("merchants settings shows a merchant's settings of one API for a human, and an unknown client id exits 1", async () => {
    const created = JSON.parse((await cli(["merchants", "create", "--name", "Shop S", "--json"], env())).stdout) as { client_id: string };
    const changed = await cli(["merchants", "settings", created.client_id, "--api", "tbc", "--methods", "card,qr", "--token-lifetime", "7200"], env());
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout, /TBC TPay v1/);
    assert.match(changed.stdout, /methods:\s+card, qr\n/);
    assert.match(changed.stdout, /token lifetime: 7200 s\n/);
    const shown = await cli(["merchants", "settings", created.client_id, "--api", "bog"], env());
    assert.match(shown.stdout, /methods:\s+all \(card, google_pay/);
    assert.match(shown.stdout, /token lifetime: 900 s \(default\)/);

    const unknown = await cli(["merchants", "settings", "nobody", "--api", "bog"], env());
    assert.equal(unknown.code, 1);
    assert.match(oneLine(unknown.stderr), /no merchant has client_id "nobody"/);
    const noApi = await cli(["merchants", "settings", created.client_id, "--api", "visa"], env());
    assert.equal(noApi.code, 2);
    assert.match(oneLine(noApi.stderr), /--api must be one of bog, tbc/);
  });

  it("a missing --name exits 2 with a one-line reason and creates nothing", async () => {
    const cases = [["merchants", "create"], ["merchants", "create", "--json"], ["merchants", "create", "--name", "  "]];
    const results = await Promise.all(cases.map((args) => cli(args, env())));
    for (const [i, result] of results.entries()) {
      assert.equal(result.code, 2, cases[i]?.join(" "));
      assert.match(oneLine(result.stderr), /--name is required/);
      assert.equal(result.stdout, "");
    }
  });

  it("a wrong option or argument exits 2 with a one-line reason", async () => {
    const cases = [
      ["merchants", "create", "--nme", "x"],
      ["merchants", "create", "--name"],
      ["merchants", "create", "--name", "x", "extra"],
    ];
    const results = await Promise.all(cases.map((args) => cli(args, env())));
    for (const [i, result] of results.entries()) {
      assert.equal(result.code, 2, cases[i]?.join(" "));
      assert.match(oneLine(result.stderr), /usage: /);
    }
  });

  it("an unknown or missing command prints the usage and exits non-zero", async () => {
    const cases = [["frobnicate"], ["merchants", "delete"], []];
    const results = await Promise.all(cases.map((args) => cli(args, env())));
    for (const [i, result] of results.entries()) {
      assert.equal(result.code, 2, cases[i]?.join(" "));
      assert.match(oneLine(result.stderr), /usage: tetri <command>/);
      assert.equal(result.stdout, "");
    }
    const help = await cli(["--help"], env());
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: tetri <command>/);
    for (const command of COMMANDS) assert.match(help.stdout, new RegExp(`^  ${command} `, "m"), `tetri --help lists ${command}`);
  });

  it("--help on every command prints its usage and exits 0, whatever else is on the line", async () => {
    const results = await Promise.all(COMMANDS.map((command) => cli([...command.split(" "), "--help", "--no-such-option"], env())));
    for (const [i, result] of results.entries()) {
      assert.equal(result.code, 0, `${COMMANDS[i]}: ${result.stderr}`);
      assert.match(result.stdout, new RegExp(`^usage: tetri ${COMMANDS[i]}\\b`), String(COMMANDS[i]));
      assert.equal(result.stderr, "");
    }
    for (const group of ["merchants", "orders"]) {
      const result = await cli([group, "-h"], env());
      assert.equal(result.code, 0);
      assert.match(result.stdout, new RegExp(`^usage: tetri ${group} <`));
    }
    const bare = await cli(["orders"], env());
    assert.equal(bare.code, 2);
    assert.match(oneLine(bare.stderr), /tetri orders needs a command: list, show, refund/);
  });

  it("merchants list shows every merchant, for a human and as JSON", async () => {
    const created = await cli(["merchants", "create", "--name", "Listed Shop", "--json"], env());
    const { client_id: clientId } = JSON.parse(created.stdout) as { client_id: string };
    const json = await cli(["merchants", "list", "--json"], env());
    assert.equal(json.code, 0, json.stderr);
    const merchants = JSON.parse(json.stdout) as { client_id: string; name: string; created_at: string }[];
    assert.ok(merchants.some((m) => m.client_id === DEMO.clientId), "the demo merchant");
    const listed = merchants.find((m) => m.client_id === clientId);
    assert.equal(listed?.name, "Listed Shop");
    assert.ok(!Number.isNaN(Date.parse(listed?.created_at ?? "")));
    assert.ok(!json.stdout.includes("secret"), "no secrets, not even their hashes");
    const human = await cli(["merchants", "list"], env());
    assert.match(human.stdout, /^CLIENT ID\s+NAME\s+CREATED$/m);
    assert.match(human.stdout, new RegExp(`^${clientId}\\s+Listed Shop\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC$`, "m"));
  });

  it("merchants rotate-secret prints a new secret the running server takes, and the old one stops working", async () => {
    const created = JSON.parse((await cli(["merchants", "create", "--name", "Rotating Shop", "--json"], env())).stdout) as { client_id: string; client_secret: string };
    await server.shop.tokenFor(created.client_id, created.client_secret);
    const rotated = await cli(["merchants", "rotate-secret", created.client_id, "--json"], env());
    assert.equal(rotated.code, 0, rotated.stderr);
    const { client_id: id, client_secret: secret } = JSON.parse(rotated.stdout) as { client_id: string; client_secret: string };
    assert.equal(id, created.client_id);
    assert.notEqual(secret, created.client_secret);
    await server.shop.tokenFor(id, secret);
    await assert.rejects(server.shop.tokenFor(id, created.client_secret), /401/);

    const unknown = await cli(["merchants", "rotate-secret", "no-such-client"], env());
    assert.equal(unknown.code, 1);
    assert.match(oneLine(unknown.stderr), /no merchant has client_id "no-such-client"/);
    const missing = await cli(["merchants", "rotate-secret"], env());
    assert.equal(missing.code, 2);
    assert.match(oneLine(missing.stderr), /CLIENT_ID is required/);
  });

  it("runs from a shell whose own Node is older than 24 (on the pinned one), as npx tetri and npm run tetri", async () => {
    const shellPath = "/usr/local/bin:/usr/bin:/bin";
    const viaBin = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(join(ROOT, "bin", "tetri.js"), ["merchants", "list", "--json"], { cwd: ROOT, env: { PATH: shellPath, TETRI_DATA_DIR: dir.path } });
      let stdout = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.on("close", (code) => resolve({ code, stdout }));
    });
    assert.equal(viaBin.code, 0);
    assert.ok((JSON.parse(viaBin.stdout) as { client_id: string }[]).some((m) => m.client_id === DEMO.clientId));

    for (const args of [["exec", "--", "tetri", "merchants", "list", "--json"], ["run", "-s", "tetri", "--", "merchants", "list", "--json"]]) {
      const result = await run([NPM_CLI, ...args], { PATH: shellPath, TETRI_DATA_DIR: dir.path, npm_config_update_notifier: "false" }, 30_000);
      assert.equal(result.code, 0, `npm ${args.join(" ")}: ${result.stderr}`);
      assert.ok((JSON.parse(result.stdout) as { client_id: string }[]).some((m) => m.client_id === DEMO.clientId), result.stdout);
    }
  });

  it("serve runs the gateway as npm start does, from a shell on an older Node too, and stops gracefully on SIGTERM", async () => {
    const served = tempDir();
    try {
      const port = await freePort();
      const serving = startCommand(
        ["serve"],
        { PATH: "/usr/local/bin:/usr/bin:/bin", ...DEMO_ENV, ...FAST_ENV, TETRI_LOG_LEVEL: "warn", PORT: String(port), TETRI_DATA_DIR: served.path },
        30_000,
        join(ROOT, "bin", "tetri.js"),
      );
      await serving.waitForStdout(/tetri is listening on http:\/\/127\.0\.0\.1:\d+ \(test mode/, 15_000);
      assert.match(serving.stdout(), /Demo merchant created/);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
      const exit = await serving.stop("SIGTERM");
      assert.deepEqual([exit.code, exit.signal], [0, null], serving.stderr());
    } finally {
      served.remove();
    }
  });

  it("a bad configuration exits 1 with the variable named", async () => {
    const result = await cli(["merchants", "create", "--name", "Shop D"], { ...env(), TETRI_MODE: "prod" });
    assert.equal(result.code, 1);
    assert.match(oneLine(result.stderr), /TETRI_MODE/);
  });
});
