// SIGTERM stops tetri gracefully: a request already received is answered, then the process
// exits 0. A shutdown that cannot finish is cut short by a second signal or the deadline.
//
// "In flight" is made deterministic without a slow handler: the client sends the headers and
// half of the body, waits until tetri has logged the request as received, signals, and only
// then sends the rest.

import assert from "node:assert/strict";
import { request } from "node:http";
import type { ClientRequest } from "node:http";
import { after, describe, it } from "node:test";
import { DEMO, tempDir } from "../helpers/fixtures.ts";
import { eventually } from "../helpers/wait.ts";
import { stopAll, TetriProcess } from "./tetri-process.ts";

const TOKEN_PATH = "/auth/realms/bog/protocol/openid-connect/token";
const BODY = "grant_type=client_credentials";
/** Fastify logs this when a request's headers are in, before its body is read. */
const TOKEN_REQUEST_RECEIVED = /"url":"\/auth\/realms\/bog\/protocol\/openid-connect\/token".*"msg":"incoming request"/;

type Answer = { status: number; body: string };

/** Starts a token request and sends only the first half of its body. */
function startSlowTokenRequest(tetri: TetriProcess): { req: ClientRequest; answer: Promise<Answer> } {
  const req = request(`${tetri.url}${TOKEN_PATH}`, {
    method: "POST",
    agent: false,
    headers: {
      authorization: `Basic ${Buffer.from(`${DEMO.clientId}:${DEMO.clientSecret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
      "content-length": String(Buffer.byteLength(BODY)),
    },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
  req.flushHeaders();
  req.write(BODY.slice(0, 10));
  return { req, answer };
}

/** Resolves once a new connection is refused or answered 503: the server is closing. */
async function closingStarted(tetri: TetriProcess): Promise<void> {
  await eventually(async () => {
    try {
      const response = await fetch(`${tetri.url}/healthz`, { headers: { connection: "close" } });
      await response.body?.cancel();
      return response.status === 503 ? true : undefined;
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      return code === "ECONNREFUSED" || code === "ECONNRESET" || code === "UND_ERR_SOCKET" ? true : undefined;
    }
  }, { what: "tetri to stop accepting requests" });
}

describe("shutdown", { timeout: 60_000 }, () => {
  const dirs: { remove(): void }[] = [];
  after(async () => {
    await stopAll();
    for (const dir of dirs) dir.remove();
  });
  const start = async (env: Record<string, string> = {}) => {
    const dir = tempDir();
    dirs.push(dir);
    return TetriProcess.start({ dataDir: dir.path, env: { TETRI_LOG_LEVEL: "info", ...env } });
  };

  it("SIGTERM on an idle server exits 0 within a few seconds", async () => {
    const tetri = await start();
    await tetri.shop.token(); // leaves a keep-alive connection open
    const exit = await tetri.kill("SIGTERM");
    assert.equal(exit.code, 0, tetri.output);
    assert.ok(exit.durationMs < 3000, `took ${exit.durationMs} ms`);
    assert.match(tetri.stdout, /"signal":"SIGTERM","msg":"shutting down/);
    assert.equal(tetri.stderr, "");
  });

  it("a request in flight at SIGTERM is answered, then the process exits 0", async () => {
    const tetri = await start();
    const { req, answer } = startSlowTokenRequest(tetri);
    await tetri.waitForOutput(TOKEN_REQUEST_RECEIVED);
    tetri.child.kill("SIGTERM");
    await closingStarted(tetri);
    assert.ok(tetri.running, "still running while the request is open");

    req.end(BODY.slice(10));
    const { status, body } = await answer;
    assert.equal(status, 200, body);
    assert.ok((JSON.parse(body) as { access_token?: string }).access_token);
    // Already signalled: only wait (a second signal would mean "exit at once", code 1).
    const exit = await tetri.exited;
    assert.equal(exit.code, 0, tetri.output);
  });

  it("a second signal exits at once when the shutdown cannot finish", async () => {
    const tetri = await start();
    const { req, answer } = startSlowTokenRequest(tetri);
    answer.catch(() => {}); // the connection dies with the process
    await tetri.waitForOutput(TOKEN_REQUEST_RECEIVED);
    tetri.child.kill("SIGTERM");
    await closingStarted(tetri);
    const exit = await tetri.kill("SIGINT");
    assert.equal(exit.code, 1);
    assert.equal(tetri.stderr, "tetri: SIGINT again: exiting without finishing the shutdown\n");
    req.destroy();
  });

  it("a shutdown that cannot finish ends at TETRI_SHUTDOWN_TIMEOUT_MS", async () => {
    const tetri = await start({ TETRI_SHUTDOWN_TIMEOUT_MS: "500" });
    const { req, answer } = startSlowTokenRequest(tetri);
    answer.catch(() => {});
    await tetri.waitForOutput(TOKEN_REQUEST_RECEIVED);
    const exit = await tetri.kill("SIGTERM");
    assert.equal(exit.code, 1);
    assert.ok(exit.durationMs >= 450 && exit.durationMs < 5000, `took ${exit.durationMs} ms`);
    assert.match(tetri.stderr, /^tetri: shutdown did not finish within 500 ms \(TETRI_SHUTDOWN_TIMEOUT_MS\): exiting anyway\n$/);
    req.destroy();
  });
});
