// The test acquirer's own books, as a real acquirer keeps its own: what it answered to each
// reference, so that reconciliation can ask about a call whose answer tetri never received.
// store/ keeps it beside tetri's tables; core never sees it.

import type { Currency, MinorUnits } from "../core/money.ts";
import type { DeclineReason, FollowUpDeclineReason } from "../core/types.ts";

export type CardBehaviour =
  | DeclineReason
  | "approve"
  | "challenge"
  | "late_approve"
  | "refunds_declined"
  /** Approved when typed; every later charge of it as a saved card declined (soft: insufficient funds; hard: restricted). */
  | "saved_charges_insufficient_funds"
  | "saved_charges_restricted";

export type AcquirerJournalEntry = {
  reference: string;
  kind: "authorization" | "capture" | "void" | "refund" | "payout";
  state: "challenge" | "approved" | "declined";
  amount: MinorUnits;
  currency: Currency;
  capture: boolean;
  /** An authorization's DeclineReason, or a refund's, capture's or void's FollowUpDeclineReason. */
  declineReason: DeclineReason | FollowUpDeclineReason | null;
  authCode: string | null;
  transactionId: string | null;
  terminal: string | null;
  /** For an authorization: what its card makes this acquirer do later (e.g. decline refunds). */
  cardBehaviour: CardBehaviour | null;
  createdAt: number;
};

export interface AcquirerJournal {
  find(reference: string): Promise<AcquirerJournalEntry | undefined>;
  /**
   * Writes an entry (a new one, or the settled state of one), without a round trip of its own:
   * it commits with, or before, the next store transaction that starts after this returns, so
   * an attempt recorded as answered is never durable without the answer's entry.
   */
  record(entry: AcquirerJournalEntry): Promise<void>;
}
