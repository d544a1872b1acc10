// Dashboard sign-in rules in core: failures count per account and per address, each on its own;
// a success forgives the account's; an operator session lasts only while configuration names
// that operator; ended sessions and old failures are forgotten.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createMerchant, hashSecret } from "../../src/core/merchants.ts";
import { forgetExpiredSessions, sessionOf, signIn } from "../../src/core/sessions.ts";
import type { OperatorAccount, SessionPolicy, SignInRequest } from "../../src/core/sessions.ts";
import { CREDENTIAL_ISSUERS } from "../../src/services.ts";
import { coreFixture } from "../helpers/core.ts";

const POLICY: SessionPolicy = { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000, failureLimit: 3, failureWindowMs: 15 * 60_000 };

describe("dashboard sign-in in core", () => {
  let f: Awaited<ReturnType<typeof coreFixture>>;
  let operator: OperatorAccount;
  const merchants: Array<{ clientId: string; secret: string }> = [];
  before(async () => {
    f = await coreFixture();
    operator = { name: "ops", passwordHash: await hashSecret("operator-password-1") };
    for (const name of ["A", "B", "C"]) {
      const created = await createMerchant(f.ctx.store, CREDENTIAL_ISSUERS, { name, now: f.clock.now(), seal: (secret) => f.ctx.vault.seal(secret) });
      merchants.push({ clientId: created.merchant.clientId, secret: created.clientSecret });
    }
  });
  after(() => f.close());

  const as = (i: number, address: string, secret?: string): SignInRequest => {
    const m = merchants[i] ?? { clientId: "", secret: "" };
    return { kind: "merchant", account: m.clientId, secret: secret ?? m.secret, address };
  };
  const attempt = (request: SignInRequest) => signIn(f.ctx, POLICY, operator, request).then((r) => r.kind);

  it("an account guessed at from many addresses is throttled, and other accounts from those addresses are not", async () => {
    for (const address of ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) assert.equal(await attempt(as(0, address, "guess")), "refused");
    assert.equal(await attempt(as(0, "10.0.0.4")), "throttled");
    assert.equal(await attempt(as(1, "10.0.0.1")), "signed_in");
  });

  it("an address guessing at many accounts is throttled for all of them; a success forgives only the account", async () => {
    assert.equal(await attempt(as(1, "10.9.9.9", "guess")), "refused");
    assert.equal(await attempt(as(1, "10.9.9.9")), "signed_in");
    assert.equal(await attempt(as(2, "10.9.9.9", "guess")), "refused");
    assert.equal(await attempt(as(2, "10.9.9.9", "guess")), "refused");
    assert.equal(await attempt(as(2, "10.1.1.1")), "signed_in", "the account is under its limit from elsewhere");
    assert.equal(await attempt(as(1, "10.9.9.9")), "throttled", "the address has failed three times");
    f.clock.advance(POLICY.failureWindowMs + 1);
    assert.equal(await attempt(as(1, "10.9.9.9")), "signed_in");
  });

  it("an operator session ends when configuration stops naming that operator", async () => {
    const result = await signIn(f.ctx, POLICY, operator, { kind: "operator", account: "ops", secret: "operator-password-1", address: "10.2.2.2" });
    assert.equal(result.kind, "signed_in");
    const token = result.kind === "signed_in" ? result.token : "";
    assert.equal((await sessionOf(f.ctx, POLICY, operator, token))?.principal.kind, "operator");
    assert.equal(await sessionOf(f.ctx, POLICY, { ...operator, name: "someone-else" }, token), undefined);
    assert.equal(await sessionOf(f.ctx, POLICY, operator, token), undefined, "and stays ended");
  });

  it("forgets ended sessions and failures too old to count", async () => {
    const result = await signIn(f.ctx, POLICY, operator, as(0, "10.3.3.3"));
    assert.equal(result.kind, "signed_in");
    const id = result.kind === "signed_in" ? result.session.id : "";
    assert.ok(await f.ctx.store.read((tx) => tx.sessions.find(id)));
    await signIn(f.ctx, POLICY, operator, as(1, "10.3.3.3", "guess"));
    f.clock.advance(POLICY.idleMs + 1);
    await forgetExpiredSessions(f.ctx, POLICY);
    const left = await f.ctx.store.read(async (tx) => ({
      session: await tx.sessions.find(id),
      failures: await tx.signInFailures.countSince("address:10.3.3.3", 0),
    }));
    assert.deepEqual(left, { session: undefined, failures: 0 });
  });
});
