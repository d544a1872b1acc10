// The built-in test acquirer: a simulated bank whose test card numbers choose the outcome
// (see the README's table). It keeps its own journal, as a real acquirer keeps its own
// books, so that reconciliation can ask it about a call it "answered too late".

import { randomInt } from "node:crypto";
import { isExpired } from "../core/cards.ts";
import type { AttemptId } from "../core/ids.ts";
import type { Currency, MinorUnits } from "../core/money.ts";
import type {
  Acquirer,
  AuthorizationOutcome,
  AuthorizationRequest,
  Clock,
  FollowUpOutcome,
  FollowUpRequest,
  LookupOutcome,
  PayoutRequest,
  SimulatedAuthorizationRequest,
} from "../core/ports.ts";
import type { DeclineReason, FollowUpDeclineReason, PaymentMethod } from "../core/types.ts";
import type { AcquirerJournal, AcquirerJournalEntry, CardBehaviour } from "./journal.ts";

export const TEST_CARD_BEHAVIOURS: Readonly<Record<string, CardBehaviour>> = {
  "4242424242424242": "approve",
  "5555555555554444": "approve",
  "4000000000003220": "challenge",
  "4000000000000002": "issuer_declined",
  "4000000000000036": "acquirer_declined",
  "4000000000009995": "insufficient_funds",
  "4000000000000069": "expired_card",
  "4000000000000127": "invalid_card",
  "4000000000009987": "card_restricted",
  "4000000000009979": "transaction_limit",
  "4000000000009961": "amount_limit",
  "4000000000000119": "technical_error",
  "4000000000000101": "authentication_timeout",
  "4000000000000085": "late_approve",
  "4000000000000168": "refunds_declined",
  "4000000000000051": "saved_charges_insufficient_funds",
  "4000000000000259": "saved_charges_restricted",
};

/** What the cards that decline only once saved answer to a charge of the saved card. */
const SAVED_CHARGE_DECLINES: Partial<Record<CardBehaviour, DeclineReason>> = {
  saved_charges_insufficient_funds: "insufficient_funds",
  saved_charges_restricted: "card_restricted",
};

/**
 * What this acquirer provides outside test mode: cards typed on the page or saved. Every other
 * method is simulated in test mode only (a wallet's real token needs an upstream that can open it).
 */
export const TEST_ACQUIRER_LIVE_METHODS: readonly PaymentMethod[] = ["card"];

/** The terminal an approval goes through when the order names none. */
export const DEFAULT_TERMINAL = "default";

export class AcquirerTimeoutError extends Error {
  constructor() {
    super("the test acquirer answered too late");
    this.name = "AcquirerTimeoutError";
  }
}

const APPROVING: ReadonlySet<CardBehaviour> = new Set(["approve", "late_approve", "refunds_declined"]);

export class TestAcquirer implements Acquirer {
  readonly #journal: AcquirerJournal;
  readonly #clock: Clock;

  constructor(journal: AcquirerJournal, clock: Clock) {
    this.#journal = journal;
    this.#clock = clock;
  }

  async authorize(request: AuthorizationRequest): Promise<AuthorizationOutcome> {
    const own = TEST_CARD_BEHAVIOURS[request.card.pan] ?? "approve";
    const savedDecline = SAVED_CHARGE_DECLINES[own];
    const listed = savedDecline === undefined ? own : request.storedCredential ? savedDecline : "approve";
    // A merchant-initiated charge has no buyer to challenge, and a wallet has authenticated
    // its buyer already: 3-D Secure is exempt for both.
    const behaviour = isExpired(request.card, this.#clock.now())
      ? "expired_card"
      : listed === "challenge" && (!request.customerPresent || request.authenticatedByWallet)
        ? "approve"
        : listed;
    const approved = APPROVING.has(behaviour);
    const state = behaviour === "challenge" ? "challenge" : approved ? "approved" : "declined";
    const entry = this.#authorizationEntry(request, state, state === "declined" ? (behaviour as DeclineReason) : null, behaviour);
    await this.#journal.record(entry);
    if (behaviour === "late_approve") throw new AcquirerTimeoutError();
    return outcomeOf(entry);
  }

  /** Books a simulated method's payment with the outcome its page chose; it approves later refunds as a card's would. */
  async authorizeSimulated(request: SimulatedAuthorizationRequest): Promise<AuthorizationOutcome> {
    const approved = request.outcome.kind === "approved";
    const entry = this.#authorizationEntry(request, approved ? "approved" : "declined", request.outcome.kind === "declined" ? request.outcome.reason : null, approved ? "approve" : null);
    await this.#journal.record(entry);
    return outcomeOf(entry);
  }

  async completeChallenge(reference: AttemptId, passed: boolean): Promise<AuthorizationOutcome> {
    const entry = await this.#journal.find(reference);
    if (!entry || entry.state !== "challenge") return { kind: "declined", reason: "technical_error" };
    const settled: AcquirerJournalEntry = passed
      ? { ...entry, state: "approved", authCode: authCode(), transactionId: transactionId() }
      : { ...entry, state: "declined", declineReason: "authentication_failed" };
    await this.#journal.record(settled);
    return outcomeOf(settled);
  }

  capture(request: FollowUpRequest): Promise<FollowUpOutcome> {
    return this.#followUp("capture", request);
  }

  void(request: FollowUpRequest): Promise<FollowUpOutcome> {
    return this.#followUp("void", request);
  }

  refund(request: FollowUpRequest): Promise<FollowUpOutcome> {
    return this.#followUp("refund", request);
  }

  /**
   * Sends money to a card: a card that approves payments takes it (3-D Secure plays no part);
   * an expired one, one of the declining test cards, or one that refuses refunds (0168)
   * refuses it. The late-answering card (0085) takes it but the answer comes too late, as for
   * a payment. A reference it already answered gets the same answer again: money goes out once.
   */
  async payout(request: PayoutRequest): Promise<FollowUpOutcome> {
    const known = await this.#journal.find(request.reference);
    if (known) return followUpOutcomeOf(known);
    const behaviour = isExpired(request.card, this.#clock.now()) ? "expired_card" : (TEST_CARD_BEHAVIOURS[request.card.pan] ?? "approve");
    const approved = behaviour === "approve" || behaviour === "challenge" || behaviour === "late_approve";
    const reason = approved ? null : behaviour === "technical_error" || behaviour === "expired_card" ? behaviour : "issuer_declined";
    const entry = this.#followUpEntry(request, "payout", reason, null);
    await this.#journal.record(entry);
    if (behaviour === "late_approve") throw new AcquirerTimeoutError();
    return followUpOutcomeOf(entry);
  }

  async lookup(reference: string): Promise<LookupOutcome> {
    const entry = await this.#journal.find(reference);
    if (!entry) return { kind: "not_found" };
    if (entry.kind === "authorization") return { kind: "authorization", outcome: outcomeOf(entry) };
    return { kind: "follow_up", outcome: followUpOutcomeOf(entry) };
  }

  async #followUp(kind: "capture" | "void" | "refund", request: FollowUpRequest): Promise<FollowUpOutcome> {
    const authorization = await this.#journal.find(request.authorization);
    const reason: FollowUpDeclineReason | null =
      authorization?.state !== "approved"
        ? "authorization_not_found"
        : kind === "refund" && authorization.cardBehaviour === "refunds_declined"
          ? "issuer_declined"
          : null;
    const entry = this.#followUpEntry(request, kind, reason, authorization?.terminal ?? null);
    await this.#journal.record(entry);
    return followUpOutcomeOf(entry);
  }

  /** An authorization's entry: an approval gets an auth code and a transaction id. */
  #authorizationEntry(
    request: Pick<AuthorizationRequest, "reference" | "amount" | "currency" | "capture" | "terminal">,
    state: AcquirerJournalEntry["state"],
    declineReason: DeclineReason | null,
    cardBehaviour: CardBehaviour | null,
  ): AcquirerJournalEntry {
    const approved = state === "approved";
    return {
      reference: request.reference,
      kind: "authorization",
      state,
      amount: request.amount,
      currency: request.currency,
      capture: request.capture,
      declineReason,
      authCode: approved ? authCode() : null,
      transactionId: approved ? transactionId() : null,
      terminal: request.terminal ?? DEFAULT_TERMINAL,
      cardBehaviour,
      createdAt: this.#clock.now(),
    };
  }

  /** A capture's, void's, refund's or payout's entry: approved, or declined for `reason`. */
  #followUpEntry(
    request: { reference: string; amount: MinorUnits; currency: Currency },
    kind: Exclude<AcquirerJournalEntry["kind"], "authorization">,
    reason: FollowUpDeclineReason | null,
    terminal: string | null,
  ): AcquirerJournalEntry {
    return {
      reference: request.reference,
      kind,
      state: reason ? "declined" : "approved",
      amount: request.amount,
      currency: request.currency,
      capture: false,
      declineReason: reason,
      authCode: null,
      transactionId: null,
      terminal,
      cardBehaviour: null,
      createdAt: this.#clock.now(),
    };
  }
}

function outcomeOf(entry: AcquirerJournalEntry): AuthorizationOutcome {
  if (entry.state === "challenge") return { kind: "challenge" };
  if (entry.state === "declined") return { kind: "declined", reason: (entry.declineReason as DeclineReason | null) ?? "unknown" };
  return { kind: "approved", authCode: entry.authCode ?? "", transactionId: entry.transactionId ?? "", terminal: entry.terminal ?? DEFAULT_TERMINAL };
}

function followUpOutcomeOf(entry: AcquirerJournalEntry): FollowUpOutcome {
  return entry.state === "approved" ? { kind: "approved" } : { kind: "declined", reason: (entry.declineReason as FollowUpDeclineReason | null) ?? "technical_error" };
}

const authCode = () => String(randomInt(0, 1_000_000)).padStart(6, "0");
const transactionId = () => String(randomInt(100_000_000_000, 999_999_999_999));
