// A client of the Paymentz-family REST v1 API (/transactionServices/REST/v1), against tetri or
// the platform: the AuthToken fetched with the member's secure key and kept for its hour, and
// each call's MD5 checksum computed from the member's credentials. Amounts are the platform's
// text with two decimals ("10.00"): the checksum is computed over exactly that text.

import { createHash, timingSafeEqual } from "node:crypto";
import { AuthorizedApi } from "./authorized-api.ts";
import { TokenCache } from "./token-cache.ts";
import { Transport } from "./transport.ts";
import type { CallOptions, Clock, TransportOptions } from "./transport.ts";

export const PAYMENTZ_API_PATH = "/transactionServices/REST/v1";
/** The invoice (payment link) API sits beside the REST prefix, with the same AuthToken. */
export const PAYMENTZ_INVOICE_PATH = "/invoice/REST/v1";
/** The platform documents no lifetime in its token answer; its tokens (and tetri's) live an hour. */
const TOKEN_LIFETIME_SECONDS = 3600;

export type PaymentzClientOptions = TransportOptions & {
  memberId: string;
  terminalId: string;
  secureKey: string;
  /** tetri's (or the platform's) address, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  clock?: Clock;
};

export type PaymentzCard = { number: string; expiryMonth: string; expiryYear: string; cvv: string; holder?: string };

export type PaymentzPayment = {
  merchantTransactionId: string;
  /** Two decimals, as text: "10.00". */
  amount: string;
  currency: string;
  /** DB: captured at once; PA: held for a later capture. */
  paymentType: "DB" | "PA";
  /** Server to server with the card; without it the answer redirects the buyer to the hosted page. */
  card?: PaymentzCard;
  paymentBrand?: string;
  merchantRedirectUrl?: string;
  notificationUrl?: string;
  orderDescriptor?: string;
  createRegistration?: boolean;
  recurringType?: "INITIAL" | "REPEATED";
  customer?: Record<string, string>;
};

/** The call's result; a payout's also carries the balance before it and what is left. */
export type PaymentzResult = { code: string; description: string; totalBalance?: string; currentPayoutBalance?: string };

/** The platform's answer to a payment call; `transactionStatus` Y, N, P, 3D or C. */
export type PaymentzTransaction = {
  paymentId: string;
  status: string;
  transactionStatus: string;
  result: PaymentzResult;
  merchantTransactionId?: string;
  amount?: string;
  currency?: string;
  paymentType?: string;
  paymentBrand?: string;
  registrationId?: string;
  redirect?: { url: string; method: string; parameters: { name: string; value: string }[] };
  timestamp?: string;
  [field: string]: unknown;
};

/** Money out of the balance: to the card of a captured payment (`paymentId`), or to a card. */
export type PaymentzPayout = {
  merchantTransactionId: string;
  /** Two decimals, as text: "10.00". */
  amount: string;
  currency: string;
} & ({ paymentId: string } | { card: Omit<PaymentzCard, "cvv"> & { cvv?: string } });

/** A payment link the buyer pays on the hosted page; `isemail` has the platform e-mail it to `customer.email`. */
export type PaymentzInvoice = {
  merchantInvoiceId: string;
  amount: string;
  currency: string;
  merchantOrderDescription?: string;
  /** Hours the link stays open. */
  invoiceExpirationPeriod?: number;
  merchantRedirectUrl?: string;
  notificationUrl?: string;
  customer?: Record<string, string>;
  isemail?: boolean;
};

/** The JSON the platform posts to `notificationUrl`. */
export type PaymentzNotification = { paymentId: string; merchantTransactionId: string; amount: string; status: string; checksum: string; [field: string]: unknown };

const md5 = (...parts: string[]) => createHash("md5").update(parts.join("|"), "utf8").digest("hex");

export class PaymentzClient {
  readonly apiUrl: string;
  readonly #invoiceUrl: string;
  readonly #api: AuthorizedApi;
  readonly #tokens: TokenCache;
  readonly #member: { memberId: string; terminalId: string; secureKey: string };

  constructor(options: PaymentzClientOptions) {
    const base = options.baseUrl.replace(/\/+$/, "");
    this.apiUrl = `${base}${PAYMENTZ_API_PATH}`;
    this.#invoiceUrl = `${base}${PAYMENTZ_INVOICE_PATH}`;
    this.#member = { memberId: options.memberId, terminalId: options.terminalId, secureKey: options.secureKey };
    const transport = new Transport(options);
    this.#tokens = new TokenCache(async () => {
      const response = await transport.send({
        method: "POST",
        url: `${this.apiUrl}/authToken`,
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ authentication: { memberId: options.memberId, sKey: options.secureKey } }),
      });
      const token = JSON.parse(response.text) as { AuthToken: string };
      return { accessToken: token.AuthToken, expiresInSeconds: TOKEN_LIFETIME_SECONDS };
    }, options.clock ?? { now: () => Date.now() });
    this.#api = new AuthorizedApi(transport, this.#tokens, {}, (token) => ({ authtoken: token }));
  }

  /** A valid AuthToken (cached; fetched again shortly before its hour is up). */
  accessToken(): Promise<string> {
    return this.#tokens.get();
  }

  /** A payment (`POST /payments`); a decline is an answer with transactionStatus N, not an error. */
  pay(payment: PaymentzPayment, options: CallOptions = {}): Promise<PaymentzTransaction> {
    const { createRegistration, ...rest } = payment;
    return this.#post("/payments", {
      ...rest,
      ...(createRegistration === undefined ? {} : { createRegistration: String(createRegistration) }),
      authentication: this.#authentication(payment.merchantTransactionId, payment.amount),
    }, options);
  }

  /** Captures a held payment: all of it, or `amount`. */
  capture(paymentId: string, amount?: string, options: CallOptions = {}): Promise<PaymentzTransaction> {
    return this.#operation(paymentId, "CP", amount, options);
  }

  /** Refunds a captured payment: all that is left, or `amount`. */
  refund(paymentId: string, amount?: string, options: CallOptions = {}): Promise<PaymentzTransaction> {
    return this.#operation(paymentId, "RF", amount, options);
  }

  /** Releases a held payment (always all of it). */
  reverse(paymentId: string, options: CallOptions = {}): Promise<PaymentzTransaction> {
    return this.#operation(paymentId, "RV", undefined, options);
  }

  /** The payment as it stands, by the platform's id. */
  inquire(paymentId: string, options: CallOptions = {}): Promise<PaymentzTransaction> {
    return this.#operation(paymentId, "IN", undefined, options);
  }

  /** The payment as it stands, by the shop's own merchantTransactionId. */
  inquireByMerchantTransactionId(merchantTransactionId: string, options: CallOptions = {}): Promise<PaymentzTransaction> {
    return this.#post("/inquiry", { idType: "MID", merchantTransactionId, authentication: this.#authentication(merchantTransactionId) }, options);
  }

  /**
   * Repeats a payment made with recurringType INITIAL (or createRegistration): a new payment of
   * the card it stored, without the buyer (`POST /payments/{paymentId}`).
   */
  repeat(paymentId: string, payment: Omit<PaymentzPayment, "card" | "createRegistration" | "recurringType">, options: CallOptions = {}): Promise<PaymentzTransaction> {
    return this.#post(`/payments/${encodeURIComponent(paymentId)}`, {
      ...payment,
      recurringType: "REPEATED",
      authentication: this.#authentication(payment.merchantTransactionId, payment.amount),
    }, options);
  }

  /**
   * Pays out of the merchant's balance (`POST /payout`): `result.totalBalance` is the balance
   * before, `result.currentPayoutBalance` what is left. A payout answered `P` (started) is read
   * later with `inquire(paymentId)`.
   */
  payout(payout: PaymentzPayout, options: CallOptions = {}): Promise<PaymentzTransaction> {
    const { memberId, terminalId, secureKey } = this.#member;
    // The payout checksum is the one with the key last.
    const checksum = md5(memberId, payout.merchantTransactionId, payout.amount, secureKey);
    return this.#post("/payout", { ...payout, paymentType: "PO", authentication: { memberId, terminalId, checksum } }, options);
  }

  /** Generates an invoice; the answer's `invoiceDetails.transactionUrl` is the link and `invoiceDetails.systemInvoiceId` names it. */
  generateInvoice(invoice: PaymentzInvoice, options: CallOptions = {}): Promise<Record<string, unknown>> {
    const { isemail, invoiceExpirationPeriod, ...rest } = invoice;
    return this.#invoiceCall("/generate", {
      ...rest,
      ...(isemail === undefined ? {} : { isemail: isemail ? "Y" : "N" }),
      ...(invoiceExpirationPeriod === undefined ? {} : { invoiceExpirationPeriod: String(invoiceExpirationPeriod) }),
      authentication: this.#authentication(invoice.merchantInvoiceId, invoice.amount),
    }, options);
  }

  /** An invoice's details and status (`Pending`, `Paid`, `Cancelled`, `Expired`). */
  inquireInvoice(invoiceId: string, options: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.#invoiceCall("/inquiry", { invoiceId, authentication: this.#authentication(invoiceId) }, options);
  }

  /** Cancels a pending invoice: its link can no longer be paid. */
  cancelInvoice(invoiceId: string, cancelReason?: string, options: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.#invoiceCall("/cancel", { invoiceId, ...(cancelReason === undefined ? {} : { cancelReason }), authentication: this.#authentication(invoiceId) }, options);
  }

  /** E-mails a pending invoice's link again. */
  remindInvoice(invoiceId: string, options: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.#invoiceCall("/remind", { invoiceId, authentication: this.#authentication(invoiceId) }, options);
  }

  /** A new link for an invoice that was not paid (a pending old one is cancelled). */
  regenerateInvoice(invoiceId: string, options: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.#invoiceCall("/regenerate", { invoiceId, authentication: this.#authentication(invoiceId) }, options);
  }

  /** Stores a card without a charge (`POST /registrations`); the answer's `registrationId` charges it later. */
  registerCard(card: PaymentzCard, registration: { merchantTransactionId?: string; currency?: string } = {}, options: CallOptions = {}): Promise<PaymentzTransaction> {
    return this.#post("/registrations", { ...registration, card, authentication: this.#authentication(registration.merchantTransactionId) }, options);
  }

  /** Charges a stored card (the `registrationId` of a payment made with createRegistration) without the buyer. */
  payWithToken(registrationId: string, payment: Omit<PaymentzPayment, "card" | "createRegistration">, options: CallOptions = {}): Promise<PaymentzTransaction> {
    return this.#post(`/paywithtoken/${encodeURIComponent(registrationId)}`, { ...payment, authentication: this.#authentication(payment.merchantTransactionId, payment.amount) }, options);
  }

  /** Deletes a stored card. */
  deleteRegistration(registrationId: string, options: CallOptions = {}): Promise<PaymentzTransaction> {
    return this.#post(`/paywithtoken/${encodeURIComponent(registrationId)}`, { actionType: "delete", authentication: this.#authentication(registrationId) }, options);
  }

  /** The member's transactions, newest first: dates as `yyyy-MM-dd` (a whole day) or `yyyy-MM-dd HH:mm:ss`, UTC. */
  transactionList(query: { fromdate?: string; todate?: string; page?: number; pageSize?: number } = {}, options: CallOptions = {}): Promise<Record<string, unknown>> {
    const pagination = Object.fromEntries(Object.entries(query).map(([name, value]) => [name, String(value)]));
    return this.#post("/getTransactionList", { pagination, authentication: this.#authentication() }, options);
  }

  /** One payment with each of its operations. */
  transactionDetails(paymentId: string, options: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.#post("/getTransactionDetails", { paymentId, authentication: this.#authentication(paymentId) }, options);
  }

  /**
   * Whether a notification (or the form posted back to `merchantRedirectUrl`) is genuine: its
   * checksum is md5(paymentId|merchantTransactionId|amount|status|secureKey).
   */
  verifyNotification(notification: Pick<PaymentzNotification, "paymentId" | "merchantTransactionId" | "amount" | "status" | "checksum">): boolean {
    const { paymentId, merchantTransactionId, amount, status, checksum } = notification;
    const expected = Buffer.from(md5(paymentId, merchantTransactionId, amount, status, this.#member.secureKey));
    const given = Buffer.from(String(checksum ?? "").toLowerCase());
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** The member's authentication with the checksum of `fields` (md5 of memberId, secure key and them). */
  #authentication(...fields: (string | undefined)[]) {
    const { memberId, terminalId, secureKey } = this.#member;
    return { memberId, terminalId, checksum: md5(memberId, secureKey, ...fields.filter((f): f is string => f !== undefined)) };
  }

  #operation(paymentId: string, paymentType: "CP" | "RF" | "RV" | "IN", amount: string | undefined, options: CallOptions): Promise<PaymentzTransaction> {
    return this.#post(`/payments/${encodeURIComponent(paymentId)}`, { paymentType, ...(amount === undefined ? {} : { amount }), authentication: this.#authentication(paymentId, amount) }, options);
  }

  #post<T>(path: string, body: object, options: CallOptions): Promise<T> {
    return this.#api.call({ method: "POST", url: `${this.apiUrl}${path}`, mutating: true, json: body }, options);
  }

  #invoiceCall<T>(path: string, body: object, options: CallOptions): Promise<T> {
    return this.#api.call({ method: "POST", url: `${this.#invoiceUrl}${path}`, mutating: true, json: body }, options);
  }
}
