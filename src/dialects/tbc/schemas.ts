// JSON schemas of TBC TPay's request and response shapes. Unknown fields are ignored.
// Some keys arrive in another case from real clients (callbackurl, Name/Price/Quantity,
// subtotal, client_Id); routes fold them to the documented spelling before validation.

import { Type } from "@sinclair/typebox";
import type { TSchema } from "@sinclair/typebox";
import type { LenientFields } from "../shared/lenient.ts";
import { TBC_METHOD_IDS } from "./codes.ts";

const text = (maxLength: number) => Type.String({ maxLength });
/** Extra fields go on bank statements: printable ASCII only. */
const ascii = (maxLength: number) => Type.String({ maxLength, pattern: "^[\\x20-\\x7E]*$" });
const Amount = Type.Union([Type.Number(), Type.String({ maxLength: 32 })], {
  description: "Amount in major units with up to 2 decimals, e.g. 12.5",
});

export const CreatePaymentBody = Type.Object({
  amount: Type.Object({
    currency: Type.String({ maxLength: 8 }),
    total: Amount,
    subTotal: Type.Optional(Amount),
    tax: Type.Optional(Amount),
    shipping: Type.Optional(Amount),
  }),
  returnurl: Type.String({ minLength: 1, maxLength: 2048 }),
  extra: Type.Optional(ascii(25)),
  extra2: Type.Optional(ascii(52)),
  userIpAddress: Type.Optional(text(64)),
  expirationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, description: "Default 12" })),
  methods: Type.Optional(
    Type.Array(Type.Union(TBC_METHOD_IDS.map((id) => Type.Literal(id))), { uniqueItems: true, maxItems: TBC_METHOD_IDS.length }),
  ),
  installmentProducts: Type.Optional(
    Type.Array(
      Type.Object({
        name: Type.Optional(text(255)),
        price: Amount,
        quantity: Type.Integer({ minimum: 1, maximum: 100_000 }),
      }),
      { minItems: 1, maxItems: 100 },
    ),
  ),
  callbackUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  preAuth: Type.Optional(Type.Boolean()),
  language: Type.Optional(Type.String({ maxLength: 8, description: "KA, EN or RU" })),
  merchantPaymentId: Type.Optional(text(255)),
  skipInfoMessage: Type.Optional(Type.Boolean()),
  saveCard: Type.Optional(Type.Boolean()),
  saveCardToDate: Type.Optional(Type.String({ pattern: "^(0[1-9]|1[0-2])[0-9]{2}$", description: "MMYY" })),
  description: Type.Optional(text(30)),
});

/** Fields TBC also takes as text ("5", "true"), as its own samples send them. */
export const CREATE_PAYMENT_TEXT_SCALARS: LenientFields = {
  numbers: ["expirationMinutes", "methods.*", "installmentProducts.*.quantity"],
  booleans: ["preAuth", "saveCard", "skipInfoMessage"],
};
export const EXECUTION_TEXT_SCALARS: LenientFields = { booleans: ["preAuth"] };

/** Where each object of a create-payment body keeps its keys, for case-insensitive reading. */
export const CREATE_PAYMENT_KEYS = {
  top: Object.keys(CreatePaymentBody.properties),
  amount: ["currency", "total", "subTotal", "tax", "shipping"],
  installmentProduct: ["name", "price", "quantity"],
};

export const CancelBody = Type.Object({
  amount: Type.Optional(Amount),
  extra: Type.Optional(ascii(25)),
  extra2: Type.Optional(ascii(52)),
});
export const CompletionBody = Type.Object({ amount: Type.Optional(Amount) });
export const ExecutionBody = Type.Object({
  recId: Type.String({ minLength: 1, maxLength: 64 }),
  money: Type.Object({ amount: Amount, currency: Type.String({ maxLength: 8 }) }),
  preAuth: Type.Optional(Type.Boolean()),
  initiator: Type.Optional(Type.String({ maxLength: 32 })),
  merchantPaymentId: Type.Optional(text(255)),
  extra: Type.Optional(ascii(25)),
  extra2: Type.Optional(ascii(52)),
});
export const PayIdParams = Type.Object({ payId: Type.String({ maxLength: 64 }) });
export const RecIdParams = Type.Object({ recId: Type.String({ maxLength: 64 }) });

const Link = Type.Object({ uri: Type.String(), method: Type.String(), rel: Type.String() });
const Envelope = {
  httpStatusCode: Type.Integer(),
  developerMessage: Type.Union([Type.String(), Type.Null()]),
  userMessage: Type.Union([Type.String(), Type.Null()]),
};
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const PaymentResponse = Type.Object({
  payId: Type.String(),
  status: Type.String(),
  currency: Type.String(),
  amount: Type.Number(),
  confirmedAmount: Type.Number(),
  returnedAmount: Type.Number(),
  links: Type.Array(Link),
  transactionId: Nullable(Type.String()),
  paymentMethod: Nullable(Type.Integer()),
  recurringCard: Nullable(Type.Object({ recId: Type.String(), cardMask: Type.String(), expiryDate: Type.String() })),
  recId: Nullable(Type.String()),
  RRN: Nullable(Type.String()),
  PaymentCardNumber: Nullable(Type.String()),
  extra: Nullable(Type.String()),
  extra2: Nullable(Type.String()),
  merchantPaymentId: Nullable(Type.String()),
  preAuth: Type.Boolean(),
  Initiator: Type.String(),
  resultCode: Nullable(Type.String()),
  operationType: Nullable(Type.Integer()),
  ...Envelope,
});
/** The create-payment answer: exactly the keys TBC documents for it, in its order. */
export const CreatedPaymentResponse = Type.Object({
  payId: Type.String(),
  status: Type.String(),
  currency: Type.String(),
  amount: Type.Number(),
  links: Type.Array(Link),
  transactionId: Nullable(Type.String()),
  preAuth: Type.Boolean(),
  recId: Nullable(Type.String()),
  ...Envelope,
});
export const StatusResponse = Type.Object(Envelope);
export const CompletionResponse = Type.Object({
  status: Type.String(),
  amount: Type.Number(),
  confirmedAmount: Type.Number(),
  ...Envelope,
});
export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal("Bearer"),
  expires_in: Type.Integer(),
});
export const ProblemResponse = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.String(),
    detail: Type.String(),
    systemCode: Type.String(),
  },
  { additionalProperties: true },
);
