// The keys a store's nodes share live in the store, sealed with the card key; a data directory
// of an earlier version, which kept them as files, keeps its keys: shops go on verifying
// callbacks with the key they know, and tokens go on verifying.

import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { testDatabase } from "../helpers/database.ts";
import { tempDir } from "../helpers/fixtures.ts";
import { startTestServer } from "../helpers/harness.ts";

const pem = () => generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const publicPemOf = (privatePem: string) => createPublicKey(privatePem).export({ type: "spki", format: "pem" }).toString();

describe("shared keys", () => {
  it("keys an earlier version left in the data directory are the ones the store keeps, sealed", async () => {
    const dir = tempDir();
    const [callbackPem, tokenPem] = [pem(), pem()];
    mkdirSync(join(dir.path, "keys"), { mode: 0o700 });
    writeFileSync(join(dir.path, "keys", "callback-signing.pem"), callbackPem, { mode: 0o600 });
    writeFileSync(join(dir.path, "keys", "token-signing.pem"), tokenPem, { mode: 0o600 });
    const server = await startTestServer({}, { dataDir: dir.path });
    try {
      assert.equal(await server.callbackPublicKey(), publicPemOf(callbackPem));
      const jwks = await server.request("GET", "/auth/realms/bog/protocol/openid-connect/certs", { token: null });
      const published = createPublicKey({ key: jwks.json.keys[0], format: "jwk" }).export({ type: "spki", format: "pem" }).toString();
      assert.equal(published, publicPemOf(tokenPem));
      const stored = await server.services.ctx.store.read(async (tx) =>
        Promise.all(["key:callback-signing.pem", "key:token-signing.pem", "key:csrf.key"].map((name) => tx.settings.find(name))),
      );
      for (const value of stored) {
        assert.ok(value, "every shared key is in the store");
        assert.doesNotMatch(value, /PRIVATE KEY/, "sealed, not in clear");
        // Not the PEMs' base64 either (a line of it; any short text could turn up in a ciphertext by chance).
        for (const key of [callbackPem, tokenPem]) assert.ok(!value.includes(key.split("\n")[1] ?? "?"), "sealed, not in clear");
        assert.deepEqual(Object.keys(JSON.parse(value)).sort(), ["ciphertext", "keyId"]);
      }
    } finally {
      await server.close();
      dir.remove();
    }
  });

  it("a restart on the same store keeps every key", async () => {
    const dir = tempDir();
    const database = await testDatabase();
    // The same public URL: a token names it as its issuer.
    const env = { ...database.env, TETRI_PUBLIC_URL: "http://pay.tetri.test" };
    const first = await startTestServer(env, { dataDir: dir.path });
    const before = [await first.callbackPublicKey(), await first.token()];
    await first.stop();
    const second = await startTestServer(env, { dataDir: dir.path });
    try {
      assert.equal(await second.callbackPublicKey(), before[0]);
      const receipt = await second.request("GET", "/payments/v1/receipt/00000000-0000-4000-8000-000000000000", { token: before[1] });
      assert.equal(receipt.status, 404, "the token from before the restart still authenticates");
    } finally {
      await second.close();
      dir.remove();
      await database.remove();
    }
  });
});
