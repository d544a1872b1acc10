// The platform's MD5 checksums (section 3 of the notes): lower-case hex of the fields joined
// with "|", each formula its own field order. Amounts enter as the exact text sent.

import { createHash, timingSafeEqual } from "node:crypto";
import { TetriError } from "../../core/errors.ts";

export function md5Of(...fields: readonly string[]): string {
  return createHash("md5").update(fields.join("|"), "utf8").digest("hex");
}

/** The formulas, by operation, with the merchant's member id and secure key. */
export const CHECKSUMS = {
  payment: (memberId: string, key: string, merchantTransactionId: string, amount: string) => md5Of(memberId, key, merchantTransactionId, amount),
  captureOrRefund: (memberId: string, key: string, paymentId: string, amount: string) => md5Of(memberId, key, paymentId, amount),
  byPaymentId: (memberId: string, key: string, paymentId: string) => md5Of(memberId, key, paymentId),
  byMerchantTransactionId: (memberId: string, key: string, merchantTransactionId: string) => md5Of(memberId, key, merchantTransactionId),
  memberOnly: (memberId: string, key: string) => md5Of(memberId, key),
  payout: (memberId: string, merchantTransactionId: string, amount: string, key: string) => md5Of(memberId, merchantTransactionId, amount, key),
  hostedCheckout: (memberId: string, totype: string, amount: string, merchantTransactionId: string, redirectUrl: string, key: string) =>
    md5Of(memberId, totype, amount, merchantTransactionId, redirectUrl, key),
  notification: (paymentId: string, merchantTransactionId: string, amount: string, status: string, key: string) =>
    md5Of(paymentId, merchantTransactionId, amount, status, key),
} as const;

/** Accepts the request when its checksum is one of the expected ones (a formula the notes say clients differ on has two). */
export function requireChecksum(sent: string | undefined, ...expected: readonly string[]): void {
  const given = Buffer.from((sent ?? "").trim().toLowerCase(), "utf8");
  const matches = expected.some((one) => {
    const wanted = Buffer.from(one, "utf8");
    return wanted.length === given.length && timingSafeEqual(wanted, given);
  });
  if (!matches) throw new TetriError("TETRI_ERR_CHECKSUM_MISMATCH");
}
