// The built-in test acquirer: a simulated bank whose test card numbers choose the outcome
// (see the README's table). It keeps its own journal in the database, as a real acquirer
// keeps its own books, so that reconciliation can ask it about a call it "answered too late".

import { randomInt } from "node:crypto";
import { isExpired } from "../core/cards.ts";
import type { AttemptId } from "../core/ids.ts";
import type {
  Acquirer,
  AcquirerJournalEntry,
  AuthorizationOutcome,
  AuthorizationRequest,
  Clock,
  FollowUpOutcome,
  FollowUpRequest,
  LookupOutcome,
  Store,
} from "../core/ports.ts";
import type { DeclineReason } from "../core/types.ts";

type CardBehaviour = DeclineReason | "approve" | "challenge" | "late_approve";

export const TEST_CARD_BEHAVIOURS: Readonly<Record<string, CardBehaviour>> = {
  "4242424242424242": "approve",
  "5555555555554444": "approve",
  "4000000000003220": "challenge",
  "4000000000000002": "issuer_declined",
  "4000000000009995": "insufficient_funds",
  "4000000000000069": "expired_card",
  "4000000000000127": "invalid_card",
  "4000000000009987": "card_restricted",
  "4000000000009979": "transaction_limit",
  "4000000000009961": "amount_limit",
  "4000000000000119": "technical_error",
  "4000000000000101": "authentication_timeout",
  "4000000000000085": "late_approve",
};

export class AcquirerTimeoutError extends Error {
  constructor() {
    super("the test acquirer answered too late");
    this.name = "AcquirerTimeoutError";
  }
}

export class TestAcquirer implements Acquirer {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  async authorize(request: AuthorizationRequest): Promise<AuthorizationOutcome> {
    const listed = TEST_CARD_BEHAVIOURS[request.card.pan] ?? "approve";
    // A merchant-initiated charge has no buyer to challenge: 3-D Secure is exempt.
    const behaviour = isExpired(request.card, this.#clock.now())
      ? "expired_card"
      : listed === "challenge" && !request.customerPresent
        ? "approve"
        : listed;
    const entry = this.#entry(request.reference, "authorization", request, behaviour);
    await this.#store.transaction((tx) => tx.putJournalEntry(entry));
    if (behaviour === "late_approve") throw new AcquirerTimeoutError();
    return outcomeOf(entry);
  }

  async completeChallenge(reference: AttemptId, passed: boolean): Promise<AuthorizationOutcome> {
    const entry = await this.#store.read((tx) => tx.findJournalEntry(reference));
    if (!entry || entry.state !== "challenge") return { kind: "declined", reason: "technical_error" };
    const settled: AcquirerJournalEntry = passed
      ? { ...entry, state: "approved", authCode: authCode(), transactionId: transactionId() }
      : { ...entry, state: "declined", declineReason: "authentication_failed" };
    await this.#store.transaction((tx) => tx.putJournalEntry(settled));
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

  async lookup(reference: string): Promise<LookupOutcome> {
    const entry = await this.#store.read((tx) => tx.findJournalEntry(reference));
    if (!entry) return { kind: "not_found" };
    if (entry.kind === "authorization") return { kind: "authorization", outcome: outcomeOf(entry) };
    return { kind: "follow_up", outcome: entry.state === "approved" ? { kind: "approved" } : { kind: "declined", reason: "declined" } };
  }

  async #followUp(kind: AcquirerJournalEntry["kind"], request: FollowUpRequest): Promise<FollowUpOutcome> {
    const authorization = await this.#store.read((tx) => tx.findJournalEntry(request.authorization));
    const approved = authorization?.state === "approved";
    const entry = this.#entry(request.reference, kind, { ...request, capture: false }, approved ? "approve" : "technical_error");
    await this.#store.transaction((tx) => tx.putJournalEntry(entry));
    return approved ? { kind: "approved" } : { kind: "declined", reason: "authorization_not_found" };
  }

  #entry(
    reference: string,
    kind: AcquirerJournalEntry["kind"],
    request: Pick<AuthorizationRequest, "amount" | "currency" | "capture">,
    behaviour: CardBehaviour,
  ): AcquirerJournalEntry {
    const approved = behaviour === "approve" || behaviour === "late_approve";
    return {
      reference,
      kind,
      state: behaviour === "challenge" ? "challenge" : approved ? "approved" : "declined",
      amount: request.amount,
      currency: request.currency,
      capture: request.capture,
      declineReason: approved || behaviour === "challenge" ? null : behaviour,
      authCode: approved ? authCode() : null,
      transactionId: approved ? transactionId() : null,
      createdAt: this.#clock.now(),
    };
  }
}

function outcomeOf(entry: AcquirerJournalEntry): AuthorizationOutcome {
  if (entry.state === "challenge") return { kind: "challenge" };
  if (entry.state === "declined") return { kind: "declined", reason: entry.declineReason ?? "unknown" };
  return { kind: "approved", authCode: entry.authCode ?? "", transactionId: entry.transactionId ?? "" };
}

const authCode = () => String(randomInt(0, 1_000_000)).padStart(6, "0");
const transactionId = () => String(randomInt(100_000_000_000, 999_999_999_999));
