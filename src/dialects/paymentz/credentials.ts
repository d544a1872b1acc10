// What a merchant is to the Paymentz API: a memberId (public, the credential's lookup), a
// terminal id, and a secure key. The platform's checksums are keyed with the secure key, so
// tetri must read it back: it is sealed with the card vault's key, never stored in clear.
// Shown (and fixed by configuration) as one value "memberId:terminalId:secureKey".

import { randomInt } from "node:crypto";
import { credentialOfMerchant, merchantByCredential, randomKey } from "../../core/merchants.ts";
import type { CredentialIssuer } from "../../core/merchants.ts";
import type { MerchantId } from "../../core/ids.ts";
import type { CardVault } from "../../core/card-vault.ts";
import type { Store } from "../../core/ports.ts";
import type { DialectCredential, DialectId } from "../../core/types.ts";

export type PaymentzMember = { memberId: string; terminalId: string; secureKey: string };

const FIXED = /^(\d{1,12}):(\d{1,12}):([\x21-\x7e]{8,128})$/;

/** The value a merchant is shown; also what TETRI_DEMO_PAYMENTZ_MEMBER fixes. */
export function formatMember(member: PaymentzMember): string {
  return `${member.memberId}:${member.terminalId}:${member.secureKey}`;
}

export function parseMember(text: string): PaymentzMember | undefined {
  const match = FIXED.exec(text);
  return match ? { memberId: match[1] ?? "", terminalId: match[2] ?? "", secureKey: match[3] ?? "" } : undefined;
}

export function memberIssuer(dialect: DialectId): CredentialIssuer {
  return {
    dialect,
    name: "paymentz_member",
    problemWithFixed: (fixed) => (parseMember(fixed) ? undefined : "must be memberId:terminalId:secureKey (digits, digits, 8 to 128 visible characters)"),
    async issue(fixed, seal) {
      const member = fixed === undefined ? undefined : parseMember(fixed);
      if (fixed !== undefined && !member) throw new Error("a fixed Paymentz member is checked at start");
      const issued = member ?? { memberId: String(randomInt(10_000_000, 99_999_999)), terminalId: String(randomInt(100_000, 999_999)), secureKey: randomKey() };
      return {
        credential: { lookup: issued.memberId, sealedSecret: seal(issued.secureKey), details: { terminalId: issued.terminalId } },
        shown: formatMember(issued),
      };
    },
  };
}

/** A merchant's member id, terminal id and secure key (opened from its seal). */
export type OpenedMember = PaymentzMember & { merchantId: MerchantId };

function opened(credential: DialectCredential, vault: CardVault): OpenedMember {
  const sealed = credential.sealedSecret;
  if (!sealed) throw new Error(`the Paymentz credential of ${credential.merchantId} has no secure key`);
  return {
    merchantId: credential.merchantId,
    memberId: credential.lookup,
    terminalId: credential.details.terminalId ?? "",
    secureKey: vault.open(sealed.ciphertext, sealed.keyId),
  };
}

export async function memberByMemberId(store: Store, vault: CardVault, dialect: DialectId, memberId: string): Promise<OpenedMember | undefined> {
  const found = await merchantByCredential(store, dialect, memberId);
  return found && opened(found.credential, vault);
}

export async function memberOfMerchant(store: Store, vault: CardVault, dialect: DialectId, merchantId: MerchantId): Promise<OpenedMember> {
  const credential = await credentialOfMerchant(store, dialect, merchantId);
  if (!credential) throw new Error(`merchant ${merchantId} has no Paymentz credential`);
  return opened(credential, vault);
}
