// JSON schemas of tetri's own subscriptions API, validated by Fastify and published in its
// OpenAPI document. Unknown fields are dropped, as on the bank APIs.

import { Type } from "@sinclair/typebox";

const Interval = Type.Union([Type.Literal("daily"), Type.Literal("weekly"), Type.Literal("monthly")]);

export const CreateSubscriptionBody = Type.Object({
  order_id: Type.String({ minLength: 1, maxLength: 64, description: "The paid order that saved the card for charges without the buyer (its id in the bank API the token is of)" }),
  amount: Type.Union([Type.Number(), Type.String({ maxLength: 32 })], { description: "Each charge, in major units: 9.99 or \"9.99\"" }),
  currency: Type.Optional(Type.String({ maxLength: 8, description: "GEL (default), USD, EUR or GBP" })),
  interval: Interval,
  day_of_month: Type.Optional(Type.Integer({ minimum: 1, maximum: 31, description: "Monthly only: the day of the month (a shorter month's last day); default the start date's" })),
  start_date: Type.Optional(Type.String({ maxLength: 10, description: "YYYY-MM-DD (UTC), today or later; default today" })),
  callback_url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: "Where each charge calls back; default the saving order's" })),
  external_id: Type.Optional(Type.String({ maxLength: 255, description: "The shop's own id: each charge's external order id" })),
});

export const SubscriptionIdParams = Type.Object({ subscription_id: Type.String({ maxLength: 64 }) });

export const ListQuery = Type.Object({
  /** Query values are text (no type coercion anywhere in tetri): read in the route. */
  limit: Type.Optional(Type.String({ maxLength: 8, description: "1 to 100; default 50" })),
  after: Type.Optional(Type.String({ maxLength: 64, description: "The last id of the previous page" })),
});

const Charge = Type.Object({
  order_id: Type.String(),
  period: Type.Integer(),
  retry: Type.Integer(),
  created_at: Type.String(),
});

export const SubscriptionResponse = Type.Object({
  id: Type.String(),
  status: Type.Union(["active", "paused", "past_due", "stopped", "cancelled"].map((s) => Type.Literal(s))),
  order_id: Type.String(),
  card: Type.Object({ mask: Type.String(), expiry: Type.String() }),
  amount: Type.String(),
  currency: Type.String(),
  interval: Interval,
  day_of_month: Type.Union([Type.Integer(), Type.Null()]),
  start_date: Type.String(),
  next_charge_at: Type.Union([Type.String(), Type.Null()]),
  retry: Type.Integer(),
  failure_reason: Type.Union([Type.String(), Type.Null()]),
  callback_url: Type.Union([Type.String(), Type.Null()]),
  external_id: Type.Union([Type.String(), Type.Null()]),
  charges: Type.Array(Charge),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const SubscriptionListResponse = Type.Object({
  subscriptions: Type.Array(SubscriptionResponse),
  next_after: Type.Union([Type.String(), Type.Null()], { description: "Pass as `after` for the next page; null on the last" }),
});

export const ErrorResponse = Type.Object({
  key: Type.String({ description: "Stable snake_case error key" }),
  message: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
});
