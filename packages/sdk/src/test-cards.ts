// The test acquirer's cards (tetri in test mode): each number chooses an outcome.

export type TestCard = { number: string; expiry: string; cvc: string; holder: string };

const card = (number: string): TestCard => ({ number, expiry: "12/39", cvc: "123", holder: "Test Buyer" });

export const TEST_CARDS = {
  approved: card("4242424242424242"),
  approvedMastercard: card("5555555555554444"),
  threeDSecure: card("4000000000003220"),
  declined: card("4000000000000002"),
  declinedByAcquirer: card("4000000000000036"),
  insufficientFunds: card("4000000000009995"),
  expired: card("4000000000000069"),
  invalid: card("4000000000000127"),
  usageLimited: card("4000000000009987"),
  transactionLimitExceeded: card("4000000000009979"),
  amountLimitExceeded: card("4000000000009961"),
  technicalError: card("4000000000000119"),
  authorizationTimeout: card("4000000000000101"),
  lateAnswer: card("4000000000000085"),
  refundsDeclined: card("4000000000000168"),
  /** Approved when typed; every later charge of the card it saves declines (insufficient funds). */
  savedChargesInsufficientFunds: card("4000000000000051"),
  /** Approved when typed; every later charge of the card it saves declines (card restricted). */
  savedChargesRestricted: card("4000000000000259"),
} as const satisfies Record<string, TestCard>;

/** tetri's answer to paying an order with a test card (`/_test/orders/{id}/pay`). */
export type TestPayment = {
  order_id: string;
  outcome: "approved" | "declined" | "pending";
  decline_reason: string | null;
  status: string;
};

/** The wire body of tetri's test payment. */
export function testPaymentBody(card: TestCard): Record<string, string> {
  return { card_number: card.number, expiry: card.expiry, cvc: card.cvc, cardholder: card.holder };
}
