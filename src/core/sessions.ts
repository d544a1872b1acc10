// Signing in to the dashboard: a merchant with its client id and secret (checked as the token
// endpoints check them), or the gateway's operator with the account configuration names.
// Sessions live in the store, named by the hash of a random token only the browser holds:
// a restart signs nobody out, signing out ends the session for good, and a session ends after
// a while unused (and after a longer while in any case). Failed sign-ins are counted per
// account and per address; past the limit, sign-in is refused without even checking.

import { createHash, randomBytes } from "node:crypto";
import { inTransaction } from "./context.ts";
import type { CoreContext } from "./context.ts";
import { authenticateMerchant, hashSecret, verifySecret } from "./merchants.ts";
import type { DashboardPrincipal, DashboardSession } from "./types.ts";

export type SessionPolicy = {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in however much it is used. */
  maxMs: number;
  /** Failed sign-ins allowed per account, and per client address, within `failureWindowMs`. */
  failureLimit: number;
  failureWindowMs: number;
};

/** The operator account configuration names, with its password's scrypt hash. */
export type OperatorAccount = { name: string; passwordHash: string };

export type SignInRequest = {
  kind: DashboardPrincipal["kind"];
  /** The merchant's client id, or the operator's name. */
  account: string;
  /** The merchant's client secret, or the operator's password. */
  secret: string;
  /** Where the request came from, for the per-address limit. */
  address: string;
};

export type SignInResult =
  | { kind: "signed_in"; token: string; session: DashboardSession }
  | { kind: "refused" }
  /** Too many failures lately: not checked at all. */
  | { kind: "throttled" };

// A real hash of a random password, so that a sign-in as an operator nobody configured costs one scrypt too.
// Made at start on the thread pool, not awaited there: loading this module does not wait for it.
const NO_OPERATOR_HASH = hashSecret(randomBytes(16).toString("hex"));

const sessionIdOf = (token: string) => createHash("sha256").update(token).digest("hex");

async function principalOf(ctx: CoreContext, request: SignInRequest, operator: OperatorAccount | undefined): Promise<DashboardPrincipal | undefined> {
  if (request.kind === "merchant") {
    const merchant = await authenticateMerchant(ctx.store, request.account, request.secret);
    return merchant && { kind: "merchant", merchantId: merchant.id };
  }
  const named = operator !== undefined && request.account === operator.name;
  const ok = await verifySecret(request.secret, named ? operator.passwordHash : await NO_OPERATOR_HASH);
  return ok && named ? { kind: "operator", name: operator.name } : undefined;
}

export async function signIn(
  ctx: CoreContext,
  policy: SessionPolicy,
  operator: OperatorAccount | undefined,
  request: SignInRequest,
): Promise<SignInResult> {
  const now = ctx.clock.now();
  const keys = [`${request.kind}:${request.account}`, `address:${request.address}`];
  const since = now - policy.failureWindowMs;
  const failures = await ctx.store.read((tx) => Promise.all(keys.map((key) => tx.signInFailures.countSince(key, since))));
  if (failures.some((count) => count >= policy.failureLimit)) return { kind: "throttled" };

  const principal = await principalOf(ctx, request, operator);
  if (!principal) {
    await inTransaction(ctx, (tx) => tx.signInFailures.record(keys, now));
    return { kind: "refused" };
  }
  const token = randomBytes(32).toString("base64url");
  const session: DashboardSession = {
    id: sessionIdOf(token),
    principal,
    createdAt: now,
    expiresAt: Math.min(now + policy.idleMs, now + policy.maxMs),
    endsAt: now + policy.maxMs,
  };
  await inTransaction(ctx, async (tx) => {
    await tx.sessions.insert(session);
    // The account's own failures are forgiven; the address's stay until they age out.
    await tx.signInFailures.clear(keys[0] ?? "");
  });
  return { kind: "signed_in", token, session };
}

/**
 * The live session a token names, moved on by this use, or undefined when there is none (never
 * was, signed out, expired). An operator session ends when configuration no longer names that
 * operator.
 */
export async function sessionOf(
  ctx: CoreContext,
  policy: SessionPolicy,
  operator: OperatorAccount | undefined,
  token: string,
): Promise<DashboardSession | undefined> {
  const now = ctx.clock.now();
  const id = sessionIdOf(token);
  const session = await ctx.store.read((tx) => tx.sessions.find(id));
  if (!session) return undefined;
  const operatorGone = session.principal.kind === "operator" && session.principal.name !== operator?.name;
  if (now >= session.expiresAt || now >= session.endsAt || operatorGone) {
    await inTransaction(ctx, (tx) => tx.sessions.delete(id));
    return undefined;
  }
  const expiresAt = Math.min(now + policy.idleMs, session.endsAt);
  // Written at most once a minute: a page view is a read, not a write.
  if (expiresAt - session.expiresAt < 60_000) return session;
  await inTransaction(ctx, (tx) => tx.sessions.extend(id, expiresAt));
  return { ...session, expiresAt };
}

export async function signOut(ctx: CoreContext, session: DashboardSession): Promise<void> {
  await inTransaction(ctx, (tx) => tx.sessions.delete(session.id));
}

/** Forgets ended sessions and failed sign-ins too old to count. Run by the sweeper. */
export async function forgetExpiredSessions(ctx: CoreContext, policy: SessionPolicy): Promise<void> {
  const now = ctx.clock.now();
  await inTransaction(ctx, async (tx) => {
    await tx.sessions.deleteExpired(now);
    await tx.signInFailures.deleteBefore(now - policy.failureWindowMs);
  });
}
