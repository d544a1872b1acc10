import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CardVault, vaultKeyFrom } from "../../src/core/card-vault.ts";
import { cardBrand, isExpired, luhnValid, maskPan, validateCard } from "../../src/core/cards.ts";

const valid = { number: "4242 4242 4242 4242", expiry: "12/39", cvc: "123", holder: "Nino Beridze" };

describe("cards", () => {
  it("checks the Luhn digit", () => {
    assert.equal(luhnValid("4242424242424242"), true);
    assert.equal(luhnValid("4242424242424241"), false);
    assert.equal(luhnValid("5555555555554444"), true);
    assert.equal(luhnValid("4000000000003220"), true);
  });

  it("a single changed digit always breaks the Luhn check", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 9 }), (position, delta) => {
        const digits = "4242424242424242".split("").map(Number);
        digits[position] = ((digits[position] ?? 0) + delta) % 10;
        assert.equal(luhnValid(digits.join("")), false);
      }),
    );
  });

  it("names the brand and masks all but the first six and last four digits", () => {
    assert.equal(cardBrand("4242424242424242"), "visa");
    assert.equal(cardBrand("5555555555554444"), "mc");
    assert.equal(cardBrand("378282246310005"), "amex");
    assert.equal(maskPan("4242424242424242"), "424242******4242");
  });

  it("accepts a valid card and reports each bad field", () => {
    const ok = validateCard(valid);
    assert.ok(ok.ok);
    assert.equal(ok.card.pan, "4242424242424242");
    assert.equal(ok.card.expiryYear, 2039);

    const bad = validateCard({ number: "4242 4242 4242 4241", expiry: "13/30", cvc: "12", holder: " " });
    assert.ok(!bad.ok);
    assert.deepEqual(
      bad.problems.map((p) => `${p.field}:${p.problem}`),
      ["card_number:luhn", "expiry:format", "cvc:format", "cardholder:required"],
    );
    const letters = validateCard({ ...valid, number: "4242abcd" });
    assert.ok(!letters.ok && letters.problems[0]?.problem === "format");
  });

  it("knows an expired card by month", () => {
    const now = Date.UTC(2026, 10, 24);
    assert.equal(isExpired({ expiryMonth: 10, expiryYear: 2026 }, now), true);
    assert.equal(isExpired({ expiryMonth: 11, expiryYear: 2026 }, now), false);
  });

  it("seals a PAN so that only the key opens it, and old keys still open old cards", () => {
    const oldKey = vaultKeyFrom(randomBytes(32));
    const newKey = vaultKeyFrom(randomBytes(32));
    const sealed = new CardVault(oldKey).seal("4242424242424242");
    assert.ok(!sealed.ciphertext.includes("4242"));
    assert.equal(Buffer.from(sealed.ciphertext, "base64").includes(Buffer.from("4242424242424242")), false);
    const rotated = new CardVault(newKey, [oldKey]);
    assert.equal(rotated.open(sealed.ciphertext, sealed.keyId), "4242424242424242");
    assert.throws(() => new CardVault(newKey).open(sealed.ciphertext, sealed.keyId));
    const tampered = Buffer.from(sealed.ciphertext, "base64");
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    assert.throws(() => rotated.open(tampered.toString("base64"), sealed.keyId));
  });
});
