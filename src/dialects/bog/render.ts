// Renders an order as BOG's payment-details object (GET /receipt and the callback body).
// Amounts are strings in major units, dates UTC with microseconds, as the bank sends them.

import type { CheckoutLinks } from "../../checkout/links.ts";
import { formatMajorAmount, formatMajorAmountFixed, parseMajorAmount } from "../../core/money.ts";
import { percentText, splitStatusOf, splitTransfersOf } from "../../core/split.ts";
import type { Currency } from "../../core/money.ts";
import type { BuyerSummary, Operation, Order, OrderView } from "../../core/types.ts";
import {
  BOG_ACTION_CODES,
  BOG_PAYMENT_CODES,
  BOG_REQUEST_CHANNELS,
  BOG_STATUS_LABELS,
  bogActionCodeOf,
  bogLanguageOf,
  bogCodeOfRejection,
  bogPayerOf,
  bogPaymentOptionOf,
  bogSavedCardTypeOf,
  bogStatusOf,
  bogTransferMethodOf,
} from "./codes.ts";
import type { BogPaymentCode } from "./codes.ts";

/** BOG writes amounts like Java decimals: "100.5", "10.0", "0.0". */
export function bogAmount(minor: number, currency: Currency): string {
  const text = formatMajorAmount(minor, currency);
  return text.includes(".") ? text : `${text}.0`;
}

/** 2022-11-01T13:19:43.021000Z: UTC with six fractional digits. */
export function bogDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace("Z", "000Z");
}

type Details = {
  purchase_units?: {
    basket?: Array<Record<string, unknown>>;
    total_discount_amount?: unknown;
  };
  buyer?: { full_name?: string; masked_email?: string; masked_phone?: string } | null;
};

const str = (value: unknown): string | null => (value === undefined || value === null ? null : String(value));

function paymentCode(view: OrderView): BogPaymentCode | null {
  const { order, attempt } = view;
  const rejection = order.rejectReason && bogCodeOfRejection(order.rejectReason);
  if (rejection) return rejection;
  if (attempt?.status !== "approved") return null;
  // A pre-authorization that was never captured (held, or cancelled by the merchant) stays 200.
  return order.captureMode === "manual" && order.capturedAmount === 0 ? "200" : "100";
}

function actionName(operation: Operation, view: OrderView): string {
  const { order } = view;
  if (operation.kind === "void") return "cancel_authorize";
  if (operation.kind === "capture") return operation.amount === order.authorizedAmount ? "authorize" : "partial_authorize";
  return operation.amount === order.capturedAmount ? "refund" : "partial_refund";
}

/** The buyer the shop named in its order (BOG takes the e-mail and phone masked). */
export function bogBuyerOf(order: Order): BuyerSummary {
  const buyer = (order.details as Details).buyer ?? null;
  return { name: buyer?.full_name ?? null, email: buyer?.masked_email ?? null, phone: buyer?.masked_phone ?? null, ipAddress: null };
}

export function renderBogReceipt(view: OrderView, links: CheckoutLinks, options: { settledOnly?: boolean } = {}) {
  const { order, merchant, attempt } = view;
  const details = order.details as Details;
  const status = bogStatusOf(order, view.operations, options);
  const code = paymentCode(view);
  const tetriReceipt = links.result(order.id);
  const buyer = bogBuyerOf(order);
  return {
    order_id: order.id,
    industry: "ecommerce",
    capture: order.captureMode,
    external_order_id: order.externalOrderId,
    client: { id: merchant.clientId, brand_ka: merchant.name, brand_en: merchant.name, url: null },
    zoned_create_date: bogDate(order.createdAt),
    zoned_expire_date: bogDate(order.expiresAt),
    order_status: { key: status, value: BOG_STATUS_LABELS[status][bogLanguageOf(order)] },
    buyer: { full_name: buyer.name, email: buyer.email, phone_number: buyer.phone },
    purchase_units: {
      request_amount: bogAmount(order.amount, order.currency),
      transfer_amount: bogAmount(order.capturedAmount, order.currency),
      refund_amount: bogAmount(order.refundedAmount, order.currency),
      currency_code: order.currency,
      items: (details.purchase_units?.basket ?? []).map((item) => ({
        external_item_id: str(item.product_id),
        description: str(item.description),
        quantity: str(item.quantity),
        unit_price: str(item.unit_price),
        unit_discount_price: str(item.unit_discount_price),
        vat: str(item.vat),
        vat_percent: str(item.vat_percent),
        total_price: str(item.total_price),
        package_code: str(item.package_code),
        tin: str(item.tin),
        pinfl: str(item.pinfl),
        product_discount_id: str(item.product_discount_id),
      })),
    },
    redirect_links: { success: order.successUrl ?? tetriReceipt, fail: order.failUrl ?? tetriReceipt },
    payment_detail: {
      transfer_method: attempt ? bogTransferMethodOf(attempt, bogLanguageOf(order)) : null,
      transaction_id: attempt?.transactionId ?? null,
      payer_identifier: attempt ? bogPayerOf(attempt) : null,
      payment_option: attempt ? bogPaymentOptionOf(attempt, order) : null,
      card_type: attempt?.card && attempt.card.brand !== "other" ? attempt.card.brand : null,
      card_expiry_date: attempt?.card?.expiry ?? null,
      request_account_tag: order.terminal,
      transfer_account_tag: attempt?.terminal ?? null,
      ...savedCardOf(view),
      code,
      code_description: code ? BOG_PAYMENT_CODES[code] : null,
      auth_code: attempt?.authCode ?? null,
    },
    discount: discountOf(order),
    ...(order.split ? { split: splitOf(order) } : {}),
    actions: view.operations
      .filter((op) => BOG_REQUEST_CHANNELS[op.channel] !== undefined && op.status !== "pending")
      .map((op) => ({
        action_id: op.id,
        request_channel: BOG_REQUEST_CHANNELS[op.channel],
        action: actionName(op, view),
        status: op.status === "completed" ? "completed" : "rejected",
        zoned_action_date: bogDate(op.updatedAt),
        amount: bogAmount(op.amount, op.currency),
        ...(op.failureReason ? actionCode(op.failureReason) : {}),
      })),
    lang: bogLanguageOf(order),
    reject_reason: rejectReasonText(order.rejectReason, code),
  };
}

/**
 * saved_card_type and parent_order_id: a parent shows what its card was saved for while it
 * keeps the card; a charge of a saved card shows the card's type and the order that saved it.
 */
function savedCardOf(view: OrderView): { saved_card_type: "recurrent" | "subscription" | null; parent_order_id: string | null } {
  if (view.chargedCard) return { saved_card_type: bogSavedCardTypeOf(view.chargedCard), parent_order_id: view.chargedCard.orderId };
  const kept = view.savedCard?.deletedAt === null ? view.savedCard : undefined;
  return { saved_card_type: kept ? bogSavedCardTypeOf(kept) : null, parent_order_id: null };
}

/**
 * BOG's discount block. tetri's acquirer grants no bank (campaign) discount; an order that
 * carried its own discount (`purchase_units.total_discount_amount`) shows it as the system
 * discount, on top of the amount paid. Without one, null, as BOG sends it.
 */
function discountOf(order: OrderView["order"]) {
  const given = (order.details as Details).purchase_units?.total_discount_amount;
  const parsed = given === undefined ? undefined : parseMajorAmount(given, order.currency, { allowZero: true });
  if (!parsed?.ok || parsed.minor === 0) return null;
  return {
    bank_discount_amount: bogAmount(0, order.currency),
    bank_discount_desc: null,
    discounted_amount: bogAmount(order.amount, order.currency),
    original_order_amount: bogAmount(order.amount + parsed.minor, order.currency),
    system_discount_amount: bogAmount(parsed.minor, order.currency),
    system_discount_desc: null,
  };
}

/** A split payment as BOG reports it: where it stands, and what each account receives of the capture. */
function splitOf(order: OrderView["order"]) {
  return {
    split_status: splitStatusOf(order),
    split_payments: splitTransfersOf(order).map((transfer, i) => {
      const part = order.split?.[i];
      return {
        iban: transfer.account,
        amount: bogAmount(transfer.amount, order.currency),
        ...(part?.basisPoints ? { percent: percentText(part.basisPoints) } : {}),
      };
    }),
  };
}

function actionCode(reason: NonNullable<Operation["failureReason"]>): { code: string; code_description: string } {
  const code = bogActionCodeOf(reason);
  return { code, code_description: BOG_ACTION_CODES[code] };
}

/**
 * BOG documents `expiration`, `unknown` or the decline's description. A hold the merchant
 * cancelled is none of those: it reads null, and the `cancel_authorize` action says what happened.
 */
function rejectReasonText(reason: OrderView["order"]["rejectReason"], code: BogPaymentCode | null): string | null {
  if (reason === null || reason === "cancelled") return null;
  if (reason === "expiration" || reason === "hold_expired") return "expiration";
  return code ? BOG_PAYMENT_CODES[code] : "unknown";
}

/** Whether an order was created for Apple Pay on the merchant's own page (BOG's `config.apple_pay.external`). */
export function isApplePayFromMerchantPage(details: Record<string, unknown>): boolean {
  return (details as { config?: { apple_pay?: { external?: boolean } } | null }).config?.apple_pay?.external === true;
}

/**
 * What the merchant's Apple Pay button needs to start a session for the order (BOG's `result`,
 * whose exact shape our notes do not have): Apple's ApplePayPaymentRequest fields.
 */
export function applePayPaymentRequest(order: Pick<OrderView["order"], "currency" | "amount" | "externalOrderId">) {
  return {
    countryCode: "GE",
    currencyCode: order.currency,
    supportedNetworks: ["visa", "masterCard", "amex"],
    merchantCapabilities: ["supports3DS"],
    total: { label: order.externalOrderId ?? "Order", amount: formatMajorAmountFixed(order.amount, order.currency), type: "final" },
  };
}

/**
 * The callback body, compact and with keys in a fixed order, so that a shop that verifies
 * JSON.stringify(JSON.parse(body)) instead of the raw bytes still gets the same bytes.
 */
export function renderBogCallback(view: OrderView, now: number, links: CheckoutLinks): string {
  const body = renderBogReceipt(view, links, { settledOnly: true });
  return JSON.stringify({ event: "order_payment", zoned_request_time: bogDate(now), body });
}
