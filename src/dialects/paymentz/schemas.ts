// JSON schemas of the Paymentz REST v1 request and response shapes, for validation and the
// OpenAPI document. Bodies arrive form-encoded with dotted keys, as flat-dotted JSON or as
// nested JSON; parse.ts nests them first, so these schemas describe the nested shape. Every
// field is text, as the platform's own samples send it; unknown fields are dropped.

import { Type } from "@sinclair/typebox";
import type { TProperties } from "@sinclair/typebox";

const text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const group = <T extends TProperties>(properties: T) => Type.Optional(Type.Object(properties));

const Authentication = group({
  memberId: text(32),
  checksum: text(64),
  terminalId: text(32),
  accountId: text(32),
  partnerId: text(32),
  authToken: text(4096),
  sKey: text(256),
});

const Card = group({ number: text(32), expiryMonth: text(4), expiryYear: text(6), cvv: text(8), holder: text(128) });
const Customer = group({
  givenName: text(128),
  surname: text(128),
  email: text(255),
  telnocc: text(8),
  phone: text(32),
  ip: text(64),
  birthDate: text(16),
  customerId: text(128),
});
const Address = group({
  country: text(8),
  city: text(128),
  state: text(128),
  postcode: text(32),
  street1: text(255),
  givenName: text(128),
  surname: text(128),
});

/** Fields every back-office call may carry: who asks, and which payment. */
const Common = {
  authentication: Authentication,
  paymentType: text(8),
  paymentId: text(64),
  idType: text(8),
  merchantTransactionId: text(255),
  amount: text(32),
  currency: text(8),
};

export const PaymentBody = Type.Object({
  ...Common,
  paymentBrand: text(32),
  paymentMode: text(16),
  orderDescriptor: text(255),
  orderDescription: text(255),
  merchantRedirectUrl: text(2048),
  notificationUrl: text(2048),
  createRegistration: text(8),
  recurringType: text(16),
  /** On /paywithtoken/{id}: "delete" (or paymentType DL) deregisters the card. */
  actionType: text(16),
  attemptThreeD: text(16),
  responseType: text(16),
  redirectMethod: text(8),
  card: Card,
  customer: Customer,
  shipping: Address,
  billingAddress: Address,
  tmpl_amount: text(32),
  tmpl_currency: text(8),
});

/** /payments/{id}: a back-office operation on the payment, or a repeated recurring payment of its card (a payment's fields). */
export const PaymentOperationBody = Type.Object({ ...PaymentBody.properties, cancelReason: text(255) });

export const PayoutBody = Type.Object({
  ...Common,
  payoutType: text(8),
  card: Card,
  customer: Customer,
  bankAccount: group({ iban: text(64), bic: text(16), accountNumber: text(64), holder: text(128) }),
});

export const OperationBody = Type.Object({ ...Common, cancelReason: text(255) });

export const TokenBody = Type.Object({
  authentication: Authentication,
  merchant: group({ username: text(128) }),
  partner: group({ userName: text(128) }),
});

export const ListBody = Type.Object({
  authentication: Authentication,
  pagination: group({ fromdate: text(32), todate: text(32), page: text(8), pageSize: text(8), records: text(8) }),
  paymentId: text(64),
  merchantTransactionId: text(255),
});

export const InvoiceBody = Type.Object({
  authentication: Authentication,
  amount: text(32),
  currency: text(8),
  paymentType: text(8),
  paymentBrand: text(32),
  paymentMode: text(16),
  merchantOrderDescription: text(255),
  merchantTransactionId: text(255),
  merchantInvoiceId: text(255),
  merchantOrderId: text(255),
  invoiceId: text(64),
  invoiceExpirationPeriod: text(8),
  merchantRedirectUrl: text(2048),
  notificationUrl: text(2048),
  cancelReason: text(255),
  isemail: text(8),
  issms: text(8),
  customer: Customer,
});

/** The hosted checkout's form: flat fields, as the platform's shop plugins post them. */
export const CheckoutBody = Type.Object({
  memberId: text(32),
  totype: text(64),
  amount: text(32),
  currency: text(8),
  paymentType: text(8),
  merchantTransactionId: text(255),
  merchantRedirectUrl: text(2048),
  notificationUrl: text(2048),
  checksum: text(64),
  orderDescription: text(255),
  email: text(255),
  firstName: text(128),
  lastName: text(128),
  phone: text(32),
  telnocc: text(8),
  terminalid: text(32),
});

export const PaymentIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const RegistrationIdParams = Type.Object({ registrationId: Type.String({ maxLength: 64 }) });

const Result = Type.Object({ code: Type.String(), description: Type.String() }, { additionalProperties: true });

export const PaymentResponse = Type.Object(
  {
    paymentId: Type.String(),
    status: Type.String(),
    transactionStatus: Type.String(),
    result: Result,
    timestamp: Type.String(),
  },
  { additionalProperties: true },
);

export const TokenResponse = Type.Object(
  { result: Result, timestamp: Type.String(), AuthToken: Type.String() },
  { additionalProperties: true },
);

export const ErrorResponse = Type.Object(
  {
    paymentId: Type.String(),
    status: Type.String(),
    transactionStatus: Type.String(),
    result: Result,
    timestamp: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: true },
);
