// The shapes of TBC TPay v1 (TBC Checkout), as tetri serves them (and the bank documents).

import type { Amount } from "./bog-types.ts";

export type TbcCreatePayment = {
  amount: { currency: string; total: Amount; subTotal?: Amount; tax?: Amount; shipping?: Amount };
  returnurl: string;
  callbackUrl?: string;
  extra?: string;
  extra2?: string;
  userIpAddress?: string;
  /** Default 12. */
  expirationMinutes?: number;
  /** TBC's method ids (5 card, …). */
  methods?: number[];
  installmentProducts?: { name?: string; price: Amount; quantity: number }[];
  preAuth?: boolean;
  language?: "KA" | "EN" | "RU";
  merchantPaymentId?: string;
  skipInfoMessage?: boolean;
  saveCard?: boolean;
  /** MMYY. */
  saveCardToDate?: string;
  description?: string;
};

export type TbcLink = { uri: string; method: string; rel: string };

export type TbcEnvelope = { httpStatusCode: number; developerMessage: string | null; userMessage: string | null };

export type TbcPaymentStatus =
  | "Created"
  | "Processing"
  | "Succeeded"
  | "Failed"
  | "Expired"
  | "WaitingConfirm"
  | "PaymentCompletionProcessing"
  | "CancelPaymentProcessing"
  | "Returned"
  | "PartialReturned";

export type TbcCreatedPayment = TbcEnvelope & {
  payId: string;
  status: TbcPaymentStatus;
  currency: string;
  amount: number;
  /** links[1] (rel approval_url) is the payment page to send the buyer to. */
  links: TbcLink[];
  transactionId: string | null;
  preAuth: boolean;
  recId: string | null;
};

export type TbcPayment = TbcEnvelope & {
  payId: string;
  status: TbcPaymentStatus;
  currency: string;
  amount: number;
  confirmedAmount: number;
  returnedAmount: number;
  links: TbcLink[];
  transactionId: string | null;
  paymentMethod: number | null;
  recurringCard: { recId: string; cardMask: string; expiryDate: string } | null;
  recId: string | null;
  RRN: string | null;
  PaymentCardNumber: string | null;
  extra: string | null;
  extra2: string | null;
  merchantPaymentId: string | null;
  preAuth: boolean;
  Initiator: string;
  resultCode: string | null;
  operationType: number | null;
};

export type TbcCompletion = TbcEnvelope & { status: TbcPaymentStatus; amount: number; confirmedAmount: number };

export type TbcExecution = {
  recId: string;
  money: { amount: Amount; currency: string };
  preAuth?: boolean;
  /** "merchant" for a charge without the buyer present. */
  initiator?: string;
  merchantPaymentId?: string;
  extra?: string;
  extra2?: string;
};

/** The body of a TBC callback: only the id; read the payment back to learn what happened. */
export type TbcCallback = { PaymentId: string };
