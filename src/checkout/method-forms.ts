// What a method's simulated page posted, read into core's SimulatedChoice. The fields are the
// page's own (method-pages.ts); anything missing reads as empty, and core says what is wrong.

import { parseMajorAmount } from "../core/money.ts";
import type { Currency } from "../core/money.ts";
import type { SimulatedChoice } from "../core/simulated-methods.ts";
import { PAYMENT_METHODS } from "../core/types.ts";
import type { PaymentMethod } from "../core/types.ts";
import type { Form } from "../web/pages.ts";

/** The methods with a simulated page of their own (the card is paid on the payment page). */
export type SimulatedMethod = Exclude<PaymentMethod, "card">;

const SIMULATED_METHODS: ReadonlySet<string> = new Set(PAYMENT_METHODS.filter((method) => method !== "card"));

export const isSimulatedMethod = (method: string): method is SimulatedMethod => SIMULATED_METHODS.has(method);

const LOAN_DECISIONS = ["approve", "decline", "pending"] as const;

/** The buyer's choice on the page of `method`, for an order in `currency`; undefined when the points typed are not an amount. */
export function choiceOf(method: SimulatedMethod, form: Form, currency: Currency): SimulatedChoice | undefined {
  const text = (name: string) => form[name] ?? "";
  const approve = text("result") === "approve";
  switch (method) {
    case "google_pay":
    case "apple_pay":
      return { method, pan: text("wallet_card") };
    case "bank_transfer":
      return { method, accountHolder: text("account_holder"), approve };
    case "qr":
      return { method, code: text("qr_code"), approve };
    case "loyalty_points": {
      const points = parseMajorAmount(text("points"), currency);
      if (!points.ok) return undefined;
      const card = text("card_number").trim()
        ? { number: text("card_number"), expiry: text("expiry"), cvc: text("cvc"), holder: text("cardholder") }
        : null;
      return { method, accountHolder: text("account_holder"), points: points.minor, card };
    }
    case "bnpl":
    case "installment": {
      const decision = LOAN_DECISIONS.find((d) => d === text("result")) ?? "decline";
      return { method, applicant: text("applicant"), months: Number(text("months")), decision };
    }
    case "gift_card":
      return { method, code: text("gift_code") };
  }
}
