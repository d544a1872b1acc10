// Merchants by id, remembered across transactions: every callback, receipt and payment reads
// its order's merchant, and a merchant's row hardly ever changes. Only its secret hash can
// change (a rotation, maybe in another process or on another node), and authentication never
// reads it from here: it finds the merchant by client id, from the database. A rotation in this
// process forgets the entry anyway. Bounded: the least recently used entry goes first.

import type { MerchantId } from "../../core/ids.ts";
import type { Merchant } from "../../core/types.ts";

export type MerchantCache = {
  get(id: MerchantId): Merchant | undefined;
  set(merchant: Merchant): void;
  forget(id: MerchantId): void;
};

/** `maxEntries`: TETRI_MERCHANT_CACHE_SIZE (its default here too, for stores that tests open directly). */
export function merchantCache(maxEntries = 1000): MerchantCache {
  const entries = new Map<MerchantId, Merchant>();
  return {
    get(id) {
      const merchant = entries.get(id);
      if (merchant) {
        // A Map iterates in insertion order: re-inserting makes it the most recently used.
        entries.delete(id);
        entries.set(id, merchant);
      }
      return merchant;
    },
    set(merchant) {
      if (maxEntries === 0) return;
      entries.delete(merchant.id);
      entries.set(merchant.id, merchant);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as MerchantId);
    },
    forget: (id) => void entries.delete(id),
  };
}
