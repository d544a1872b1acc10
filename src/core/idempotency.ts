import type { CoreContext } from "./context.ts";
import { TetriError } from "./errors.ts";
import type { MerchantId } from "./ids.ts";
import type { StoreTx } from "./ports.ts";

/**
 * What a dialect passes when the request carried an Idempotency-Key. A key is unique within
 * its operation's scope, unless the dialect names a scope that several operations share (a
 * reference every payment call of an API takes once, whichever call made it).
 */
export type IdempotencyInput = { key: string; fingerprint: string; sharedScope?: string };

/**
 * Runs `first` unless this merchant already sent this key for this scope. The record is
 * written in the same transaction as the change it guards, so a crash can never leave a
 * change without its record (and a retry that makes it twice). The key is held for that
 * transaction: the same request arriving meanwhile (on this node or another) is told it is
 * in flight, and once it committed, is answered with its result.
 */
export async function onceForKey<T>(
  tx: StoreTx,
  merchantId: MerchantId,
  scope: string,
  idempotency: IdempotencyInput | undefined,
  now: number,
  first: () => Promise<T>,
): Promise<{ replayed: boolean; result: T }> {
  if (!idempotency) return { replayed: false, result: await first() };
  const within = idempotency.sharedScope ?? scope;
  if (!(await tx.idempotency.lock(merchantId, within, idempotency.key))) throw new TetriError("TETRI_ERR_IDEMPOTENCY_KEY_IN_FLIGHT");
  const existing = await tx.idempotency.find(merchantId, within, idempotency.key);
  if (existing) {
    if (existing.fingerprint !== idempotency.fingerprint) throw new TetriError("TETRI_ERR_IDEMPOTENCY_KEY_REUSED");
    return { replayed: true, result: JSON.parse(existing.result) as T };
  }
  const result = await first();
  await tx.idempotency.insert({
    merchantId,
    scope: within,
    key: idempotency.key,
    fingerprint: idempotency.fingerprint,
    result: JSON.stringify(result),
    createdAt: now,
  });
  return { replayed: false, result };
}

/**
 * Whether this exact request (its key and fingerprint) was recorded in `scope`: a retry of a
 * change already made, which a dialect that refuses a reused reference lets through to be
 * answered as the first was.
 */
export async function isRecordedRequest(ctx: CoreContext, merchantId: MerchantId, scope: string, idempotency: IdempotencyInput): Promise<boolean> {
  const record = await ctx.store.read((tx) => tx.idempotency.find(merchantId, scope, idempotency.key));
  return record?.fingerprint === idempotency.fingerprint;
}
