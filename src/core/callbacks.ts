// Callbacks a merchant asks for on the dashboard: the order's callback sent again (a new
// outbox message of the order as it is now, delivered and retried like any other), and a test
// callback to the merchant's default URL, sent at once and answered with what the shop said.

import { callbackUrlOf, inTransaction, queueCallback } from "./context.ts";
import type { CoreContext } from "./context.ts";
import { TetriError } from "./errors.ts";
import { paymentLedgerLine } from "./checkout.ts";
import { newAttemptId, newOrderId } from "./ids.ts";
import type { MerchantId, OrderId, OutboxId } from "./ids.ts";
import { minor } from "./money.ts";
import { ORDER_STATES } from "./order-state.ts";
import { isVisibleOnDashboard } from "./orders.ts";
import type { CallbackDelivery, CallbackSender } from "./ports.ts";
import type { DashboardPrincipal, DialectId, Merchant, OrderView } from "./types.ts";

/** Queues the order's callback again, as the order is now. Only an order that reached a reported status has one. */
export async function resendCallback(ctx: CoreContext, principal: DashboardPrincipal, orderId: OrderId): Promise<OutboxId> {
  return inTransaction(ctx, async (tx) => {
    const order = await tx.orders.find(orderId);
    if (!order || !isVisibleOnDashboard(order, principal)) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
    if (!ORDER_STATES[order.status].notify) throw new TetriError("TETRI_ERR_NOTHING_TO_REPORT");
    const url = await callbackUrlOf(tx, order);
    if (!url) throw new TetriError("TETRI_ERR_NO_CALLBACK_URL");
    return queueCallback(ctx, tx, order, url);
  });
}

/** The external id every test callback's order carries, so a shop can tell it from a real one. */
export const TEST_CALLBACK_EXTERNAL_ID = "tetri-test-callback";

/**
 * The order a test callback reports: 1.00 GEL paid by card a moment ago. It exists nowhere
 * else; a shop that reads it back is told it is not found.
 */
function sampleOrderView(merchant: Merchant, dialect: DialectId, now: number): OrderView {
  const amount = minor(100);
  const order = {
    id: newOrderId(),
    merchantId: merchant.id,
    dialect,
    externalOrderId: TEST_CALLBACK_EXTERNAL_ID,
    status: "captured",
    captureMode: "automatic",
    currency: "GEL",
    amount,
    authorizedAmount: amount,
    capturedAmount: amount,
    refundedAmount: minor(0),
    refundReservedAmount: minor(0),
    language: "en",
    theme: "light",
    callbackUrl: null,
    successUrl: null,
    failUrl: null,
    paymentMethods: ["card"],
    basket: [{ productId: "test", description: "Test callback", quantity: "1", unitPrice: amount }],
    details: {},
    rejectReason: null,
    saveCard: null,
    savedCardId: null,
    terminal: null,
    split: null,
    loanOffer: null,
    createdAt: now,
    expiresAt: now,
    updatedAt: now,
    version: 2,
  } satisfies OrderView["order"];
  return {
    order,
    merchant,
    attempt: {
      id: newAttemptId(),
      orderId: order.id,
      status: "approved",
      method: "card",
      customerPresent: true,
      card: { mask: "424242******4242", brand: "visa", expiry: "12/30", holder: "TEST CALLBACK" },
      panCiphertext: "",
      panKeyId: "",
      methodDetails: null,
      declineReason: null,
      authCode: "000000",
      transactionId: "test-callback",
      terminal: "default",
      createdAt: now,
      updatedAt: now,
    },
    operations: [paymentLedgerLine(order, "authorization", now), paymentLedgerLine(order, "capture", now)],
    savedCard: undefined,
    chargedCard: undefined,
  };
}

/** Sends a test callback in the bank API's shape, signed as real ones are, to the merchant's default URL for that API. */
export async function sendTestCallback(
  ctx: CoreContext,
  send: CallbackSender,
  merchantId: MerchantId,
  dialect: DialectId,
): Promise<{ url: string; delivery: CallbackDelivery }> {
  const now = ctx.clock.now();
  const callback = await ctx.store.read(async (tx) => {
    const merchant = await tx.merchants.find(merchantId);
    if (!merchant) throw new TetriError("TETRI_ERR_NOT_FOUND");
    const url = (await tx.merchantSettings.find(merchantId, dialect))?.callbackUrl;
    if (!url) throw new TetriError("TETRI_ERR_NO_CALLBACK_URL");
    const body = await ctx.renderCallback(sampleOrderView(merchant, dialect, now), now, () => tx.credentials.ofMerchant(dialect, merchantId));
    return { url, dialect, body };
  });
  return { url: callback.url, delivery: await send(callback) };
}
