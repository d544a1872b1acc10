// The store's cache of merchants by id is bounded: the least recently used goes first.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newMerchantId } from "../../src/core/ids.ts";
import type { Merchant } from "../../src/core/types.ts";
import { merchantCache } from "../../src/store/queries/index.ts";

const merchant = (name: string): Merchant => ({ id: newMerchantId(), name, clientId: name, secretHash: "scrypt$x", createdAt: 0 });

describe("merchant cache", () => {
  it("holds at most its size, forgetting the least recently used first", () => {
    const cache = merchantCache(2);
    const [a, b, c] = [merchant("a"), merchant("b"), merchant("c")];
    cache.set(a);
    cache.set(b);
    assert.equal(cache.get(a.id), a, "a is now the most recently used");
    cache.set(c);
    assert.equal(cache.get(b.id), undefined);
    assert.equal(cache.get(a.id), a);
    assert.equal(cache.get(c.id), c);
    cache.forget(a.id);
    assert.equal(cache.get(a.id), undefined);
  });

  it("of size 0 holds nothing", () => {
    const cache = merchantCache(0);
    const a = merchant("a");
    cache.set(a);
    assert.equal(cache.get(a.id), undefined);
  });
});
