// A subscription as tetri's API shows it: amounts in major units as text, times ISO 8601 UTC.

import { formatMajorAmountFixed } from "../core/money.ts";
import type { SubscriptionView } from "../core/subscriptions.ts";

const iso = (instant: number) => new Date(instant).toISOString();

export function renderSubscription({ subscription: s, card, charges }: SubscriptionView) {
  return {
    id: s.id,
    status: s.status,
    order_id: s.parentOrderId,
    card: { mask: card.card.mask, expiry: card.card.expiry },
    amount: formatMajorAmountFixed(s.amount, s.currency),
    currency: s.currency,
    interval: s.interval,
    day_of_month: s.dayOfMonth,
    start_date: s.startDate,
    next_charge_at: s.nextAttemptAt === null ? null : iso(s.nextAttemptAt),
    retry: s.retry,
    failure_reason: s.failureReason,
    callback_url: s.callbackUrl,
    external_id: s.externalId,
    charges: charges.map((c) => ({ order_id: c.orderId, period: c.period, retry: c.retry, created_at: iso(c.createdAt) })),
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}
