// Configuration is environment variables, validated at start: a bad value stops the process
// at once with one line that names the variable, before anything touches the data directory.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { freePort, tempDir } from "../helpers/fixtures.ts";
import { run, stopAll, TetriProcess } from "./tetri-process.ts";

const KEY = Buffer.alloc(32, 7).toString("base64");

describe("loadConfig", () => {
  it("has documented defaults", () => {
    const config = loadConfig({});
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.port, 8080);
    assert.equal(config.dataDir, resolve("data"));
    assert.equal(config.mode, "test");
    assert.equal(config.logLevel, "info");
    assert.equal(config.publicUrl, "http://127.0.0.1:8080");
    assert.deepEqual(config.demo, { clientId: undefined, clientSecret: undefined, credentials: {} });
    assert.deepEqual(config.database, { kind: "sqlite", path: resolve("data", "tetri.sqlite") });
    assert.equal(config.cardKey, undefined);
    assert.equal(config.tokenTtlSeconds, undefined, "each dialect's own token lifetime");
    assert.equal(config.qrTtlSeconds, 180);
    assert.deepEqual(config.dashboard, { operator: undefined, sessionIdleMinutes: 30, sessionMaxHours: 12, signInFailureLimit: 10, timeZone: "Asia/Tbilisi" });
  });

  it("reads the dashboard's operator account, sessions, sign-in limit and time zone", () => {
    const config = loadConfig({
      TETRI_OPERATOR_USER: "ops",
      TETRI_OPERATOR_PASSWORD: "a-long-password",
      TETRI_DASHBOARD_SESSION_IDLE_MINUTES: "5",
      TETRI_DASHBOARD_SESSION_MAX_HOURS: "2",
      TETRI_DASHBOARD_SIGN_IN_LIMIT: "3",
      TETRI_DASHBOARD_TIME_ZONE: "UTC",
    });
    assert.deepEqual(config.dashboard, {
      operator: { name: "ops", password: "a-long-password" },
      sessionIdleMinutes: 5,
      sessionMaxHours: 2,
      signInFailureLimit: 3,
      timeZone: "UTC",
    });
  });

  it("reads the mail server of payment links, with a sender; none by default", () => {
    assert.equal(loadConfig({}).smtp, undefined);
    assert.deepEqual(loadConfig({ TETRI_SMTP_URL: "smtps://user:pw@mail.example:465", TETRI_SMTP_FROM: "Shop <pay@shop.example>" }).smtp, {
      url: "smtps://user:pw@mail.example:465",
      from: "Shop <pay@shop.example>",
    });
    assert.equal(loadConfig({ TETRI_SMTP_URL: "smtp://127.0.0.1:2525" }).smtp?.from, "tetri <no-reply@localhost>");
  });

  it("treats an empty variable as unset", () => {
    assert.deepEqual(loadConfig({ PORT: "", HOST: "", TETRI_MODE: "", TETRI_LOG_LEVEL: "", TETRI_DATA_DIR: "" }), loadConfig({}));
  });

  it("derives the public URL from HOST and PORT, or takes TETRI_PUBLIC_URL", () => {
    assert.equal(loadConfig({ HOST: "0.0.0.0", PORT: "9000" }).publicUrl, "http://127.0.0.1:9000");
    assert.equal(loadConfig({ HOST: "::1" }).publicUrl, "http://[::1]:8080");
    assert.equal(loadConfig({ TETRI_PUBLIC_URL: "https://pay.example.com/tetri/" }).publicUrl, "https://pay.example.com/tetri");
  });

  it("reads live mode with a card key", () => {
    const config = loadConfig({ TETRI_MODE: "live", TETRI_CARD_KEY: KEY, TETRI_DATA_DIR: "/srv/tetri" });
    assert.equal(config.mode, "live");
    assert.equal(config.cardKey, KEY);
    assert.equal(config.dataDir, "/srv/tetri");
  });

  it("keeps the dialects' demo credentials by variable name, and takes a sqlite: database URL", () => {
    const config = loadConfig({ TETRI_DEMO_TBC_API_KEY: "key-1", TETRI_DEMO_CLIENT_ID: "a", TETRI_DEMO_CLIENT_SECRET: "b", TETRI_DEMO_EMPTY: "" });
    assert.deepEqual(config.demo.credentials, { TETRI_DEMO_TBC_API_KEY: "key-1" });
    assert.deepEqual(loadConfig({ TETRI_DATABASE_URL: "sqlite:///srv/tetri/db.sqlite" }).database, { kind: "sqlite", path: "/srv/tetri/db.sqlite" });
    assert.deepEqual(loadConfig({ TETRI_DATABASE_URL: "sqlite:db/x.sqlite" }).database, { kind: "sqlite", path: resolve("db/x.sqlite") });
  });

  it("takes a postgres:// database URL with a pool size, and then needs the card key every node shares", () => {
    const url = "postgres://tetri:pw@db.internal:5432/tetri";
    assert.deepEqual(loadConfig({ TETRI_DATABASE_URL: url, TETRI_CARD_KEY: KEY }).database, { kind: "postgres", url, poolSize: 10 });
    assert.deepEqual(loadConfig({ TETRI_DATABASE_URL: "postgresql://h/db", TETRI_DATABASE_POOL_SIZE: "25", TETRI_CARD_KEY: KEY }).database, {
      kind: "postgres",
      url: "postgresql://h/db",
      poolSize: 25,
    });
    assert.throws(() => loadConfig({ TETRI_DATABASE_URL: url }), /TETRI_CARD_KEY is required with a PostgreSQL database/);
    assert.throws(() => loadConfig({ TETRI_DATABASE_URL: url, TETRI_CARD_KEY: KEY, TETRI_DATABASE_POOL_SIZE: "0" }), /TETRI_DATABASE_POOL_SIZE must be between/);
    assert.throws(
      () => loadConfig({ TETRI_DATABASE_URL: "postgres:/secret-password@h" }),
      (error: unknown) => error instanceof ConfigError && /^TETRI_DATABASE_URL /.test(error.message) && !error.message.includes("secret-password"),
    );
  });

  it("rejects bad values with a ConfigError naming the variable", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: "abc" }, /^PORT /],
      [{ PORT: "0" }, /^PORT /],
      [{ PORT: "65536" }, /^PORT /],
      [{ PORT: "80.5" }, /^PORT /],
      [{ TETRI_MODE: "prod" }, /^TETRI_MODE /],
      [{ TETRI_QR_TTL_SECONDS: "4" }, /^TETRI_QR_TTL_SECONDS /],
      [{ TETRI_LOG_LEVEL: "loud" }, /^TETRI_LOG_LEVEL /],
      [{ TETRI_CARD_KEY: "short" }, /^TETRI_CARD_KEY /],
      [{ TETRI_MODE: "live" }, /TETRI_CARD_KEY is required/],
      [{ TETRI_CARD_KEYS_RETIRED: "short" }, /^TETRI_CARD_KEYS_RETIRED: key 1 /],
      [{ TETRI_CARD_KEY: KEY, TETRI_CARD_KEYS_RETIRED: `${Buffer.alloc(32, 1).toString("base64")}, ${KEY}` }, /^TETRI_CARD_KEYS_RETIRED: key 2 is TETRI_CARD_KEY itself/],
      [{ TETRI_DEMO_CLIENT_ID: "x" }, /TETRI_DEMO_CLIENT_SECRET/],
      [{ TETRI_PUBLIC_URL: "ftp://example.com" }, /^TETRI_PUBLIC_URL /],
      [{ TETRI_PUBLIC_URL: "https://example.com/?a=1" }, /^TETRI_PUBLIC_URL /],
      [{ TETRI_CALLBACK_BACKOFF_BASE_MS: "100", TETRI_CALLBACK_BACKOFF_MAX_MS: "10" }, /TETRI_CALLBACK_BACKOFF_MAX_MS/],
      [{ TETRI_DATABASE_URL: "mysql://db/tetri" }, /^TETRI_DATABASE_URL /],
      [{ TETRI_OPERATOR_USER: "ops" }, /TETRI_OPERATOR_PASSWORD/],
      [{ TETRI_OPERATOR_PASSWORD: "a-long-password" }, /TETRI_OPERATOR_USER/],
      [{ TETRI_OPERATOR_USER: "ops", TETRI_OPERATOR_PASSWORD: "short" }, /^TETRI_OPERATOR_PASSWORD must be at least 12/],
      [{ TETRI_OPERATOR_USER: "o p s", TETRI_OPERATOR_PASSWORD: "a-long-password" }, /^TETRI_OPERATOR_USER /],
      [{ TETRI_DASHBOARD_TIME_ZONE: "Mars/Olympus" }, /^TETRI_DASHBOARD_TIME_ZONE /],
      [{ TETRI_DASHBOARD_SESSION_IDLE_MINUTES: "0" }, /^TETRI_DASHBOARD_SESSION_IDLE_MINUTES /],
      [{ TETRI_DASHBOARD_SIGN_IN_LIMIT: "many" }, /^TETRI_DASHBOARD_SIGN_IN_LIMIT /],
      [{ TETRI_SMTP_URL: "http://mail.example" }, /^TETRI_SMTP_URL /],
      [{ TETRI_SMTP_URL: "not a url" }, /^TETRI_SMTP_URL /],
      [{ TETRI_SMTP_URL: "smtp://mail.example", TETRI_SMTP_FROM: "nobody" }, /^TETRI_SMTP_FROM /],
    ];
    for (const [env, message] of cases) {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && message.test(error.message), JSON.stringify(env));
    }
  });
});

describe("node src/main.ts with a bad configuration", { timeout: 60_000 }, () => {
  const dir = tempDir();
  after(async () => {
    await stopAll();
    dir.remove();
  });

  const cases: { env: Record<string, string>; names: string; secret?: string }[] = [
    { env: { PORT: "abc" }, names: "PORT" },
    { env: { TETRI_MODE: "prod" }, names: "TETRI_MODE" },
    { env: { TETRI_CARD_KEY: "short-and-secret" }, names: "TETRI_CARD_KEY", secret: "short-and-secret" },
    { env: { TETRI_MODE: "live" }, names: "TETRI_CARD_KEY" },
    { env: { TETRI_CARD_KEYS_RETIRED: "retired-but-short" }, names: "TETRI_CARD_KEYS_RETIRED", secret: "retired-but-short" },
    { env: { TETRI_DEMO_CLIENT_ID: "shop" }, names: "TETRI_DEMO_CLIENT_SECRET" },
    { env: { TETRI_DEMO_CLIENT_SECRET: "only-the-s3cret" }, names: "TETRI_DEMO_CLIENT_ID", secret: "only-the-s3cret" },
    { env: { TETRI_LOG_LEVEL: "verbose" }, names: "TETRI_LOG_LEVEL" },
    { env: { TETRI_CALLBACK_TIMEOUT_MS: "1.5" }, names: "TETRI_CALLBACK_TIMEOUT_MS" },
    // A dialect's demo variable misspelt: the registry knows TETRI_DEMO_TBC_API_KEY.
    { env: { TETRI_DEMO_TBC_APIKEY: "k3y-typo" }, names: "TETRI_DEMO_TBC_APIKEY", secret: "k3y-typo" },
    { env: { TETRI_OPERATOR_USER: "ops", TETRI_OPERATOR_PASSWORD: "sh0rt-pw" }, names: "TETRI_OPERATOR_PASSWORD", secret: "sh0rt-pw" },
    { env: { TETRI_SMTP_URL: "ftp://mailer:p4ss-w0rd@mail.example" }, names: "TETRI_SMTP_URL", secret: "p4ss-w0rd" },
    // The Paymentz demo member is memberId:terminalId:secureKey; a malformed one is named, its key never repeated.
    { env: { TETRI_DEMO_PAYMENTZ_MEMBER: "11344:x:s3cret-secure-key" }, names: "TETRI_DEMO_PAYMENTZ_MEMBER", secret: "s3cret-secure-key" },
  ];

  for (const { env, names, secret } of cases) {
    it(`${JSON.stringify(env)} exits non-zero at once with one line naming ${names}`, async () => {
      const dataDir = join(dir.path, `never-created-${names}-${Object.keys(env).length}`);
      const result = await run(["src/main.ts"], { ...env, TETRI_DATA_DIR: dataDir, PORT: env.PORT ?? String(await freePort()) });
      assert.equal(result.code, 1, result.stderr);
      const lines = result.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, `exactly one line on stderr:\n${result.stderr}`);
      assert.match(lines[0] ?? "", new RegExp(`^tetri: .*\\b${names}\\b`));
      if (secret) assert.ok(!result.stderr.includes(secret), "the secret value is not echoed");
      assert.equal(result.stdout, "", "no banner, no log");
      assert.equal(existsSync(dataDir), false, "the data directory is not touched");
      // Loaded only after validation, so a config error does not wait for the whole server.
      assert.ok(result.durationMs < 5000, `took ${result.durationMs} ms`);
    });
  }

  it("a port already in use exits non-zero with one line naming PORT", async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", r));
    try {
      const result = await run(["src/main.ts"], { PORT: String(port), TETRI_DATA_DIR: join(dir.path, "in-use"), TETRI_LOG_LEVEL: "silent" });
      assert.equal(result.code, 1);
      assert.equal(result.stderr, `tetri: port ${port} on 127.0.0.1 is already in use (set PORT)\n`);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  it(
    "a first start that fails (port in use) does not swallow the demo merchant's one-time secret",
    async () => {
      const dataDir = join(dir.path, "demo-after-failure");
      const blocker = createServer();
      const port = await freePort();
      await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", r));
      const failed = await run(["src/main.ts"], { PORT: String(port), TETRI_DATA_DIR: dataDir, TETRI_LOG_LEVEL: "silent" });
      await new Promise<void>((r) => blocker.close(() => r()));
      assert.equal(failed.code, 1);
      const second = await TetriProcess.start({ dataDir, env: { TETRI_DEMO_CLIENT_ID: "", TETRI_DEMO_CLIENT_SECRET: "" } });
      assert.match(second.stdout, /client_secret: \S+/, "the second start prints the demo credentials");
      await second.kill("SIGTERM");
    },
  );
});
