// JSON schemas of BOG's request and response shapes. Fastify validates requests against
// them and @fastify/swagger publishes them. Unknown fields are accepted and ignored, as
// the bank does (shops send fields from older APIs; see the README).

import { Type } from "@sinclair/typebox";
import type { LenientFields } from "../shared/lenient.ts";
import { BOG_METHOD_NAMES } from "./codes.ts";

const text = (maxLength: number) => Type.String({ maxLength });
/** Amounts arrive as JSON numbers, and from some clients as numeric strings; core parses both exactly. */
const Amount = Type.Union([Type.Number(), Type.String({ maxLength: 32 })], {
  description: "Amount in major units, e.g. 10.5 for 10.50 GEL. Number or numeric string.",
});


const BasketItem = Type.Object({
  product_id: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(text(1000)),
  quantity: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }),
  unit_price: Amount,
  unit_discount_price: Type.Optional(Amount),
  vat: Type.Optional(Amount),
  vat_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  total_price: Type.Optional(Amount),
  image: Type.Optional(text(2048)),
  package_code: Type.Optional(text(255)),
  tin: Type.Optional(text(255)),
  pinfl: Type.Optional(text(255)),
  product_discount_id: Type.Optional(text(255)),
});

const SplitPart = Type.Object({
  iban: Type.String({ minLength: 1, maxLength: 64 }),
  amount: Type.Optional(Amount),
  percent: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
  external_order_id: Type.Optional(text(255)),
});

export const SplitInstructions = Type.Object({
  split_payments: Type.Optional(Type.Array(SplitPart, { maxItems: 10 })),
  transfers: Type.Optional(Type.Array(SplitPart, { maxItems: 10 })),
});

export const CreateOrderBody = Type.Object({
  callback_url: Type.String({ minLength: 1, maxLength: 2048 }),
  external_order_id: Type.Optional(text(255)),
  capture: Type.Optional(Type.Union([Type.Literal("automatic"), Type.Literal("manual")])),
  purchase_units: Type.Object({
    currency: Type.Optional(text(8)),
    total_amount: Amount,
    total_discount_amount: Type.Optional(Amount),
    basket: Type.Array(BasketItem, { minItems: 1, maxItems: 500 }),
    delivery: Type.Optional(Type.Object({ amount: Type.Optional(Amount) })),
  }),
  /** Tolerated: one PHP library sends the currency at the top level. */
  currency: Type.Optional(text(8)),
  redirect_urls: Type.Optional(
    Type.Object({ success: Type.Optional(text(2048)), fail: Type.Optional(text(2048)) }),
  ),
  /** Tolerated: one PHP library sends a single redirect URL. */
  redirect_url: Type.Optional(text(2048)),
  ttl: Type.Optional(Type.Integer({ minimum: 2, maximum: 1440, description: "Minutes; default 15" })),
  payment_method: Type.Optional(
    Type.Array(Type.Union(BOG_METHOD_NAMES.map((m) => Type.Literal(m))), { maxItems: BOG_METHOD_NAMES.length }),
  ),
  config: Type.Optional(
    Type.Object({
      loan: Type.Optional(Type.Object({ type: Type.Optional(text(255)), month: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })) })),
      campaign: Type.Optional(
        Type.Object({
          card: Type.Optional(Type.Union([Type.Literal("visa"), Type.Literal("mc"), Type.Literal("solo"), Type.Literal("amex")])),
          type: Type.Optional(Type.Union([Type.Literal("restrict"), Type.Literal("client_discount")])),
        }),
      ),
      google_pay: Type.Optional(Type.Object({ external: Type.Optional(Type.Boolean()), google_pay_token: Type.Optional(text(65536)) })),
      apple_pay: Type.Optional(Type.Object({ external: Type.Optional(Type.Boolean()) })),
      account: Type.Optional(Type.Object({ tag: Type.Optional(text(255)) })),
      split: Type.Optional(SplitInstructions),
    }),
  ),
  buyer: Type.Optional(
    Type.Object({
      full_name: Type.Optional(text(255)),
      masked_email: Type.Optional(text(255)),
      masked_phone: Type.Optional(text(64)),
    }),
  ),
  application_type: Type.Optional(Type.Union([Type.Literal("web"), Type.Literal("mobile")])),
});

/** Fields BOG's notes say clients send as numeric text too ("2", "18"). */
export const CREATE_ORDER_TEXT_SCALARS: LenientFields = {
  numbers: ["ttl", "purchase_units.basket.*.quantity", "purchase_units.basket.*.vat_percent", "config.loan.month"],
  booleans: ["config.google_pay.external", "config.apple_pay.external"],
};

export const RefundBody = Type.Object({ amount: Type.Optional(Amount) });
export const ApproveBody = Type.Object({
  amount: Type.Optional(Amount),
  description: Type.Optional(text(1000)),
  // BOG's notes say split instructions may come with the approve too; in create order's place for them.
  config: Type.Optional(Type.Object({ split: Type.Optional(SplitInstructions) })),
});
export const CancelBody = Type.Object({ description: Type.Optional(text(1000)) });

export const OrderIdParams = Type.Object({ order_id: Type.String({ maxLength: 64 }) });
/**
 * BOG's {parent_order_id}: the paid order that saved the card. Named order_id in the path, as
 * on the other routes under /ecommerce/orders/, so that OpenAPI sees one path there.
 */
export const ParentOrderIdParams = Type.Object({ order_id: Type.String({ maxLength: 64, description: "The parent order: the paid order that saved the card" }) });

/**
 * An automatic charge of a saved card: everything but these two is the parent order's (its
 * fixed amount, currency, basket and buyer). Other fields are ignored, as on create order;
 * `purchase_units` is refused (see parseBogSubscription).
 */
export const SubscribeBody = Type.Object({
  callback_url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  external_order_id: Type.Optional(text(255)),
  purchase_units: Type.Optional(Type.Unknown()),
});

const Link = Type.Object({ href: Type.String() });
export const WalletPaymentResponse = Type.Object({
  id: Type.String({ format: "uuid" }),
  status: Type.String(),
  order_details: Type.Record(Type.String(), Type.Unknown()),
  // redirect: the 3-D Secure page, while a Google Pay card (PAN_ONLY) waits for the buyer there.
  _links: Type.Object({ details: Link, redirect: Type.Optional(Link) }),
});
// Serialized as the first variant that fits: the one with the most required fields comes first.
export const CreateOrderResponse = Type.Union([
  // Google Pay from the merchant's own page: the order paid at once with the token it came with.
  WalletPaymentResponse,
  Type.Object({
    id: Type.String({ format: "uuid" }),
    _links: Type.Object({ details: Link, redirect: Link }),
  }),
  // Apple Pay from the merchant's own page: what its button needs, and where to send the token.
  Type.Object({
    id: Type.String({ format: "uuid" }),
    result: Type.Record(Type.String(), Type.Unknown()),
    _links: Type.Object({ accept: Link }),
  }),
]);
/** 202 Accepted with an empty body, as BOG answers the saved-card calls. */
export const AcceptedResponse = Type.Null({ description: "Accepted; no body" });
export const SubscribeResponse = Type.Object({
  id: Type.String({ format: "uuid" }),
  _links: Type.Object({ details: Link }),
});
export const ApplePayTokenBody = Type.Object({ apple_pay_token: Type.String({ minLength: 1, maxLength: 65_536 }) });
export const ActionResponse = Type.Object({
  key: Type.String(),
  message: Type.String(),
  action_id: Type.String({ format: "uuid" }),
});
export const ErrorResponse = Type.Object({
  key: Type.String({ description: "Stable snake_case error key" }),
  message: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
});
export const TokenResponse = Type.Object({
  access_token: Type.String(),
  expires_in: Type.Integer(),
  refresh_expires_in: Type.Integer(),
  token_type: Type.Literal("Bearer"),
  "not-before-policy": Type.Integer(),
  scope: Type.String(),
});
export const OAuthError = Type.Object({ error: Type.String(), error_description: Type.String() });
