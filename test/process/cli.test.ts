// `node src/cli.ts` administers a data directory, also while a server runs on it.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { tempDir } from "../helpers/fixtures.ts";
import { run, stopAll, TetriProcess } from "./tetri-process.ts";

const cli = (args: string[], env: Record<string, string>) => run(["src/cli.ts", ...args], env);

/** stderr is exactly one line, starting "tetri: ". */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  assert.match(lines[0] ?? "", /^tetri: /);
  return lines[0] ?? "";
}

describe("tetri CLI", { timeout: 60_000 }, () => {
  const dir = tempDir();
  let server: TetriProcess;
  const env = () => ({ TETRI_DATA_DIR: dir.path });

  before(async () => {
    server = await TetriProcess.start({ dataDir: dir.path });
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
      assert.match(oneLine(result.stderr), /usage: npm run tetri -- merchants create --name NAME/);
      assert.equal(result.stdout, "");
    }
    const help = await cli(["--help"], env());
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: /);
  });

  it("a bad configuration exits 1 with the variable named", async () => {
    const result = await cli(["merchants", "create", "--name", "Shop D"], { ...env(), TETRI_MODE: "prod" });
    assert.equal(result.code, 1);
    assert.match(oneLine(result.stderr), /TETRI_MODE/);
  });
});
