// tetri orders list|show|refund: the gateway's orders, read and refunded through core on the
// data directory (or database) itself, as the operator on the dashboard does: every merchant's
// orders, and a refund with the API's rules, recorded as the operator's (channel "support").

import { createHash, randomUUID } from "node:crypto";
import type { CoreContext } from "../core/context.ts";
import type { OrderId } from "../core/ids.ts";
import type { CardSummary, DashboardPrincipal, DialectId, Merchant, Operation, Order, OrderView } from "../core/types.ts";
import type { OrderStatus } from "../core/order-state.ts";
import type { Command, CommandGroup, ParsedInput } from "./command.ts";
import { CommandFailed, JSON_OPTION, UsageError, integer, print, table, text, utc } from "./command.ts";
import { merchantOf, withGateway } from "./gateway.ts";

/** Who the CLI acts as: the gateway's operator, who sees every merchant. */
const OPERATOR: DashboardPrincipal = { kind: "operator", name: "cli" };

const STATUSES: readonly OrderStatus[] = ["created", "processing", "authorized", "captured", "partially_captured", "declined", "expired", "voided", "partially_refunded", "refunded"];

async function money() {
  return import("../core/money.ts");
}

async function orderIdOf(value: string | undefined): Promise<OrderId> {
  const { parseOrderId } = await import("../core/ids.ts");
  const id = value === undefined ? undefined : parseOrderId(value.trim());
  if (!id) throw new CommandFailed(`order "${value}" not found`);
  return id;
}

async function orderJson(order: Order, merchant: Merchant | undefined, card: CardSummary | undefined) {
  const { formatMajorAmountFixed } = await money();
  const amount = (minor: number) => formatMajorAmountFixed(minor, order.currency);
  return {
    order_id: order.id,
    merchant: merchant?.clientId ?? null,
    api: order.dialect,
    external_order_id: order.externalOrderId,
    status: order.status,
    capture: order.captureMode,
    currency: order.currency,
    amount: amount(order.amount),
    authorized: amount(order.authorizedAmount),
    captured: amount(order.capturedAmount),
    refunded: amount(order.refundedAmount),
    card: card?.mask ?? null,
    created_at: new Date(order.createdAt).toISOString(),
  };
}

async function operationJson(operation: Operation) {
  const { formatMajorAmountFixed } = await money();
  return {
    operation_id: operation.id,
    kind: operation.kind,
    status: operation.status,
    amount: formatMajorAmountFixed(operation.amount, operation.currency),
    channel: operation.channel,
    failure_reason: operation.failureReason,
    at: new Date(operation.createdAt).toISOString(),
  };
}

async function detailJson(ctx: CoreContext, orderId: OrderId) {
  const { orderDetail } = await import("../core/order-timeline.ts");
  const { formatMajorAmountFixed } = await money();
  const detail = await orderDetail(ctx, OPERATOR, orderId);
  const { order, merchant, attempt, operations } = detail.view;
  const callbacks = detail.timeline.flatMap((event) => (event.kind === "callback" ? [event.message] : []));
  const attempts = detail.timeline.flatMap((event) => (event.kind === "callback_attempt" ? [event] : []));
  return {
    ...(await orderJson(order, merchant, attempt?.card ?? undefined)),
    callback_url: detail.callbackUrl,
    refundable: formatMajorAmountFixed(detail.actions.refundable, order.currency),
    payment: attempt ? { status: attempt.status, decline_reason: attempt.declineReason, method: attempt.method, card: attempt.card?.mask ?? null, at: new Date(attempt.createdAt).toISOString() } : null,
    operations: await Promise.all(operations.map(operationJson)),
    callbacks: callbacks.map((message) => ({
      outbox_id: message.id,
      url: message.url,
      status: message.status,
      attempts: attempts
        .filter((a) => a.message.id === message.id)
        .map(({ attempt }) => ({ at: new Date(attempt.attemptedAt).toISOString(), status_code: attempt.statusCode, error: attempt.error, duration_ms: attempt.durationMs })),
    })),
  };
}

type OrderDetailJson = Awaited<ReturnType<typeof detailJson>>;

function humanDetail(detail: OrderDetailJson): string {
  const lines = [
    `Order ${detail.order_id} (${detail.api}, merchant ${detail.merchant})`,
    `  status:      ${detail.status}`,
    `  amount:      ${detail.amount} ${detail.currency}  (authorized ${detail.authorized}, captured ${detail.captured}, refunded ${detail.refunded}; ${detail.refundable} left to refund)`,
    `  shop's id:   ${detail.external_order_id ?? "-"}`,
    `  created:     ${utc(Date.parse(detail.created_at))}`,
    `  card:        ${detail.payment ? `${detail.payment.card} (${detail.payment.status}${detail.payment.decline_reason ? `: ${detail.payment.decline_reason}` : ""})` : "-"}`,
    `  callbacks:   ${detail.callback_url ?? "none (no callback URL)"}`,
  ];
  if (detail.operations.length > 0) {
    lines.push("", "Operations:", ...table([["AT", "KIND", "STATUS", "AMOUNT", "BY"], ...detail.operations.map((op) => [op.at, op.kind, op.failure_reason ? `${op.status} (${op.failure_reason})` : op.status, op.amount, op.channel])]).split("\n").map((l) => `  ${l}`));
  }
  for (const callback of detail.callbacks) {
    lines.push("", `Callback ${callback.outbox_id} to ${callback.url}: ${callback.status}`);
    for (const attempt of callback.attempts) lines.push(`  ${attempt.at}  ${attempt.status_code ?? attempt.error}  ${attempt.duration_ms} ms`);
  }
  return lines.join("\n");
}

async function listCommand(input: ParsedInput): Promise<void> {
  const status = text(input, "status");
  if (status !== undefined && !STATUSES.includes(status as OrderStatus)) throw new UsageError(`--status must be one of ${STATUSES.join(", ")}`);
  const api = text(input, "api");
  const limit = integer(input, "limit", { min: 1, max: 500, fallback: 25 });
  await withGateway(async ({ ctx }) => {
    const { DIALECTS } = await import("../dialects/registry.ts");
    if (api !== undefined && !DIALECTS.some((d) => d.id === api)) throw new UsageError(`--api must be one of ${DIALECTS.map((d) => d.id).join(", ")}`);
    const clientId = text(input, "merchant");
    const merchant = clientId === undefined ? undefined : await merchantOf(ctx, clientId);
    const { listOrders } = await import("../core/order-listing.ts");
    const listing = await listOrders(ctx, OPERATOR, {
      merchantId: merchant?.id,
      statuses: status === undefined ? undefined : [status as OrderStatus],
      dialect: api as DialectId | undefined,
      text: text(input, "search"),
      cursor: text(input, "cursor"),
      limit,
    });
    const orders = await Promise.all(listing.rows.map((row) => orderJson(row.order, row.merchant, row.card)));
    print(input, { orders, next: listing.next ?? null }, () => {
      if (orders.length === 0) return "No orders.";
      const rows = orders.map((o) => [o.order_id, o.created_at.slice(0, 19).replace("T", " "), o.merchant ?? "-", o.api, o.status, `${o.amount} ${o.currency}`, o.captured, o.refunded]);
      const more = listing.next ? `\n\nOlder orders: tetri orders list --cursor ${listing.next}` : "";
      return `${table([["ORDER ID", "CREATED (UTC)", "MERCHANT", "API", "STATUS", "AMOUNT", "CAPTURED", "REFUNDED"], ...rows])}${more}`;
    });
  });
}

async function refundCommand(input: ParsedInput): Promise<void> {
  const orderId = await orderIdOf(input.positionals[0]);
  const amountText = text(input, "amount");
  const key = text(input, "idempotency-key") ?? randomUUID();
  if (key.length === 0 || key.length > 200) throw new UsageError("--idempotency-key must be 1 to 200 characters");
  await withGateway(async ({ ctx }) => {
    const [{ parseMajorAmount }, { operateFromDashboard }, { dialectOf }, { getOrderView }] = await Promise.all([
      money(),
      import("../core/operations.ts"),
      import("../dialects/registry.ts"),
      import("../core/orders.ts"),
    ]);
    const order = await ctx.store.read((tx) => tx.orders.find(orderId));
    if (!order) throw new CommandFailed(`order "${input.positionals[0]}" not found`);
    let amount;
    if (amountText !== undefined) {
      const parsed = parseMajorAmount(amountText, order.currency);
      if (!parsed.ok) throw new UsageError(`--amount "${amountText}" is not an amount of ${order.currency} (${parsed.problem.replaceAll("_", " ")})`);
      amount = parsed.minor;
    }
    const operationId = await operateFromDashboard(ctx, OPERATOR, {
      orderId,
      kind: "refund",
      amount,
      ...dialectOf(order.dialect).operationRules,
      // The same key and amount again (a command repeated after a lost answer) refunds once.
      idempotency: { key: `cli:${key}`, fingerprint: createHash("sha256").update(`refund:${amountText ?? "all"}`).digest("hex") },
    });
    const view: OrderView = await getOrderView(ctx, { merchantId: order.merchantId }, orderId);
    const operation = view.operations.find((op) => op.id === operationId);
    if (!operation) throw new Error(`operation ${operationId} is not on order ${orderId}`);
    const json = { ...(await operationJson(operation)), order: await orderJson(view.order, view.merchant, view.attempt?.card ?? undefined) };
    if (operation.status === "failed") {
      throw new CommandFailed(`the refund of ${json.amount} ${operation.currency} was declined (${operation.failureReason ?? "no reason given"}); operation ${operation.id}`);
    }
    print(input, json, () =>
      [
        `Refund of ${json.amount} ${operation.currency} ${operation.status === "completed" ? "completed" : "sent, waiting for the acquirer"} (operation ${operation.id}).`,
        `Order ${orderId} is ${json.order.status}: captured ${json.order.captured}, refunded ${json.order.refunded} ${json.order.currency}.`,
      ].join("\n"),
    );
  });
}

const list: Command = {
  name: "orders list",
  synopsis: "[--merchant CLIENT_ID] [--status STATUS] [--api API] [--search TEXT] [--limit N] [--cursor NEXT] [--json]",
  summary: "Lists orders, newest first (25 unless --limit says otherwise).",
  help: [
    `--status   one of ${STATUSES.join(", ")}`,
    "--search   an order id, the shop's own order id, or the last four digits of the card",
    "--cursor   the `next` of the page before, for older orders",
  ],
  options: { merchant: { type: "string" }, status: { type: "string" }, api: { type: "string" }, search: { type: "string" }, limit: { type: "string" }, cursor: { type: "string" }, ...JSON_OPTION },
  run: listCommand,
};

export const orderCommands: CommandGroup = {
  name: "orders",
  commands: [
    list,
    {
      name: "orders show",
      synopsis: "ORDER_ID [--json]",
      summary: "Shows an order: amounts, card, every ledger operation, every callback and its delivery attempts.",
      options: JSON_OPTION,
      positionals: ["ORDER_ID"],
      async run(input) {
        const orderId = await orderIdOf(input.positionals[0]);
        await withGateway(async ({ ctx }) => {
          const detail = await detailJson(ctx, orderId).catch(async (error: unknown) => {
            const { isTetriError } = await import("../core/errors.ts");
            throw isTetriError(error) && error.status === 404 ? new CommandFailed(`order "${input.positionals[0]}" not found`) : error;
          });
          print(input, detail, () => humanDetail(detail));
        });
      },
    },
    {
      name: "orders refund",
      synopsis: "ORDER_ID [--amount AMOUNT] [--idempotency-key KEY] [--json]",
      summary: "Refunds an order: all that is left, or --amount of it (in major units, e.g. 5.50).",
      help: [
        "The refund goes through the same core operation as the API's, with its rules (never more than is",
        "left, the bank's own limits) and is recorded as the gateway operator's (channel support). Its",
        "callback is sent by the running server. Repeating the command with the same --idempotency-key and",
        "amount refunds once. Exit 1 when the refund is refused or the acquirer declines it.",
      ],
      options: { amount: { type: "string" }, "idempotency-key": { type: "string" }, ...JSON_OPTION },
      positionals: ["ORDER_ID"],
      run: refundCommand,
    },
  ],
};
