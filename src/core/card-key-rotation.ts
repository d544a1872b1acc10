// Card-key rotation: every value sealed under a retired card key (card numbers, dialect
// secrets, the shared signing keys) is opened with it and sealed again under the current key,
// in small batches, each one transaction. A batch commits whole or not at all, so a kill at
// any moment loses nothing, and running again carries on with what is left. Servers keep
// running meanwhile: they are configured with the same current and retired keys, so they
// open either and seal new values under the current one.

import type { CardVault } from "./card-vault.ts";
import { RetryableStoreError } from "./ports.ts";
import type { Store } from "./ports.ts";

const CONFLICT_RETRIES = 5;

/** How many sealed values each key id seals, split into the vault's current key, its retired keys, and keys it does not have. */
export type SealedValueCounts = { current: number; retired: Record<string, number>; unknown: Record<string, number> };

export async function sealedValueCounts(store: Store, vault: CardVault): Promise<SealedValueCounts> {
  const counts = await store.read((tx) => tx.sealedValues.countByKey());
  const retired = new Set(vault.retiredKeyIds);
  const result: SealedValueCounts = { current: 0, retired: {}, unknown: {} };
  for (const [keyId, n] of Object.entries(counts)) {
    if (keyId === vault.currentKeyId) result.current += n;
    else if (retired.has(keyId)) result.retired[keyId] = n;
    else result.unknown[keyId] = n;
  }
  return result;
}

/**
 * Re-seals everything under the vault's retired keys with its current key, `batchSize` values
 * a transaction, until none is left; returns how many it re-sealed. `onBatch` hears the
 * running total after each committed batch, and the next batch waits for it (a pause that
 * keeps the load on a live database low). A value changed by someone else meanwhile is left
 * to the next batch, which reads it again.
 */
export async function resealUnderCurrentKey(
  store: Store,
  vault: CardVault,
  options: { batchSize: number; onBatch?: (resealed: number) => void | Promise<void> },
): Promise<number> {
  const retired = vault.retiredKeyIds;
  let resealed = 0;
  for (;;) {
    const batch = await withRetries(() =>
      store.transaction(async (tx) => {
        const values = await tx.sealedValues.under(retired, options.batchSize);
        let done = 0;
        for (const value of values) {
          const sealed = vault.seal(vault.open(value.ciphertext, value.keyId));
          if (await tx.sealedValues.reseal(value, sealed)) done++;
        }
        return { seen: values.length, done };
      }),
    );
    if (batch.seen === 0) return resealed;
    resealed += batch.done;
    await options.onBatch?.(resealed);
  }
}

async function withRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof RetryableStoreError) || attempt >= CONFLICT_RETRIES) throw error;
    }
  }
}
