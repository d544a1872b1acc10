// The merchant's transactions through this API: /getTransactionList (a date range, page by
// page, newest first) and /getTransactionDetails (one payment with every operation on it).

import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import { validationError } from "../../core/errors.ts";
import type { FieldProblem } from "../../core/errors.ts";
import { formatMajorAmountFixed } from "../../core/money.ts";
import { listOrders } from "../../core/order-listing.ts";
import { findOrderByExternalId, getOrderView } from "../../core/orders.ts";
import type { Order, OrderView } from "../../core/types.ts";
import { orderIdParam } from "../shared/routing.ts";
import { CHECKSUMS, requireChecksum } from "./checksums.ts";
import { FOUND, paymentzPaymentId, paymentzStatusOf } from "./codes.ts";
import { amountText, paymentzTimestamp, renderPayment } from "./render.ts";
import type { ERROR_RESPONSES, PaymentzApi } from "./api.ts";
import { ListBody } from "./schemas.ts";

const PAGE_SIZE = { default: 25, max: 100 } as const;
/** Pages are walked from the newest: a page number this deep is refused rather than walked to. */
const MAX_PAGE = 1000;

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/;

/** "2024-01-31" or "2024-01-31 10:00:00", in UTC; a date alone means its whole day. */
function dateOf(value: string | undefined, field: string, end: boolean, problems: FieldProblem[]): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const match = DATE.exec(value.trim());
  const at = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0)) : NaN;
  if (!match || Number.isNaN(at) || new Date(at).getUTCDate() !== Number(match[3])) {
    problems.push({ field, message: "must be a date, yyyy-MM-dd or yyyy-MM-dd HH:mm:ss (UTC)" });
    return undefined;
  }
  const wholeDay = match[4] === undefined;
  return end ? at + (wholeDay ? 86_400_000 : 1000) : at;
}

function wholeNumber(value: string | undefined, field: string, range: { min: number; max: number; default: number }, problems: FieldProblem[]): number {
  if (value === undefined || value === "") return range.default;
  const n = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (Number.isNaN(n) || n < range.min || n > range.max) {
    problems.push({ field, message: `must be a whole number from ${range.min} to ${range.max}` });
    return range.default;
  }
  return n;
}

function listed(order: Order) {
  const status = paymentzStatusOf({ order, attempt: undefined });
  return {
    paymentId: paymentzPaymentId(order.id),
    merchantTransactionId: order.externalOrderId ?? "",
    paymentType: order.captureMode === "manual" ? "PA" : "DB",
    amount: amountText(order),
    currency: order.currency,
    capturedAmount: formatMajorAmountFixed(order.capturedAmount, order.currency),
    refundedAmount: formatMajorAmountFixed(order.refundedAmount, order.currency),
    status: status.long,
    transactionStatus: status.short,
    timestamp: paymentzTimestamp(order.createdAt),
  };
}

const OPERATION_TYPES = { authorization: "PA", capture: "CP", refund: "RF", void: "RV" } as const;

function details(view: OrderView, now: number) {
  return {
    ...renderPayment(view, now, { result: FOUND }),
    transactions: view.operations.map((op) => ({
      paymentType: OPERATION_TYPES[op.kind],
      amount: formatMajorAmountFixed(op.amount, op.currency),
      currency: op.currency,
      status: op.status === "completed" ? "success" : op.status,
      timestamp: paymentzTimestamp(op.createdAt),
    })),
  };
}

export async function transactionRoutes(app: FastifyInstance, api: PaymentzApi, errors: typeof ERROR_RESPONSES) {
  const { dialect, deps, owner, memberOf, now } = api;
  const { ctx } = deps;

  app.post(
    "/getTransactionList",
    { schema: { tags: [dialect], summary: "The merchant's transactions in a date range (pagination.fromdate, todate, page, pageSize), newest first", body: ListBody, response: errors } },
    async (request) => {
      const body = request.body as Static<typeof ListBody>;
      const problems: FieldProblem[] = [];
      const pagination = body.pagination ?? {};
      const from = dateOf(pagination.fromdate, "pagination.fromdate", false, problems);
      const to = dateOf(pagination.todate, "pagination.todate", true, problems);
      if (from !== undefined && to !== undefined && to <= from) problems.push({ field: "pagination.todate", message: "must be after pagination.fromdate" });
      const page = wholeNumber(pagination.page, "pagination.page", { min: 1, max: MAX_PAGE, default: 1 }, problems);
      const pageSize = wholeNumber(pagination.pageSize ?? pagination.records, "pagination.pageSize", { min: 1, max: PAGE_SIZE.max, default: PAGE_SIZE.default }, problems);
      if (problems.length > 0) throw validationError(problems);
      const member = await memberOf(request, body.authentication);
      requireChecksum(body.authentication?.checksum, CHECKSUMS.memberOnly(member.memberId, member.secureKey));
      const principal = { kind: "merchant" as const, merchantId: request.merchantId };
      const filter = { dialect, createdFrom: from, createdBefore: to, limit: pageSize };
      let listing = await listOrders(ctx, principal, filter);
      for (let at = 1; at < page && listing.rows.length > 0; at++) {
        listing = listing.next ? await listOrders(ctx, principal, { ...filter, cursor: listing.next }) : { rows: [], next: undefined };
      }
      return {
        result: FOUND,
        transactions: listing.rows.map((row) => listed(row.order)),
        pagination: { page: String(page), pageSize: String(pageSize), hasMore: listing.next !== undefined },
        timestamp: paymentzTimestamp(now()),
      };
    },
  );

  app.post(
    "/getTransactionDetails",
    { schema: { tags: [dialect], summary: "One transaction with its operations, by paymentId or (idType MID) merchantTransactionId", body: ListBody, response: errors } },
    async (request) => {
      const body = request.body as Static<typeof ListBody>;
      const member = await memberOf(request, body.authentication);
      const problems: FieldProblem[] = [];
      if (!body.paymentId && !body.merchantTransactionId) problems.push({ field: "paymentId", message: "is required (or merchantTransactionId)" });
      if (problems.length > 0) throw validationError(problems);
      if (body.paymentId) {
        requireChecksum(body.authentication?.checksum, CHECKSUMS.byPaymentId(member.memberId, member.secureKey, body.paymentId));
        return details(await getOrderView(ctx, owner(request), orderIdParam(body.paymentId)), now());
      }
      const reference = body.merchantTransactionId ?? "";
      requireChecksum(body.authentication?.checksum, CHECKSUMS.byMerchantTransactionId(member.memberId, member.secureKey, reference));
      return details(await findOrderByExternalId(ctx, owner(request), reference), now());
    },
  );
}
