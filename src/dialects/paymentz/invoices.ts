// Invoices (payment links), /invoice/REST/v1/{generate,inquiry,cancel,regenerate,remind}: an
// invoice is an order paid on tetri's hosted page through its link (transactionUrl), open for
// its expiration period and paid at most once. With isemail the link is e-mailed to the
// customer through the operator's SMTP server; a reminder e-mails it again while it is open.

import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import { TetriError, validationError } from "../../core/errors.ts";
import type { FieldProblem } from "../../core/errors.ts";
import type { OrderId } from "../../core/ids.ts";
import { formatMoney } from "../../core/money.ts";
import { createOrder, getOrderView, withdrawUnpaidOrder } from "../../core/orders.ts";
import type { OrderRequest } from "../../core/orders.ts";
import type { OrderView } from "../../core/types.ts";
import { orderIdParam } from "../shared/routing.ts";
import { CHECKSUMS, requireChecksum } from "./checksums.ts";
import { FOUND, INVOICE_CANCELLED, INVOICE_GENERATED, INVOICE_REMINDED, paymentzPaymentId, paymentzStatusOf } from "./codes.ts";
import type { ResultCode } from "./codes.ts";
import { merchantTransactionIdOf, parsePayment, requireText } from "./parse.ts";
import type { PaymentzDetails } from "./parse.ts";
import { amountText, paymentzTimestamp } from "./render.ts";
import { restScope } from "./api.ts";
import type { ERROR_RESPONSES, PaymentzApi } from "./api.ts";
import { InvoiceBody } from "./schemas.ts";

export const INVOICE_PREFIX = "/invoice/REST/v1";

/** Hours an invoice stays open: the platform's `invoiceExpirationPeriod`. */
const EXPIRATION_HOURS = { min: 1, max: 720, default: 48 } as const;

type Body = Static<typeof InvoiceBody>;

function invoiceOf(view: OrderView): NonNullable<PaymentzDetails["invoice"]> | undefined {
  return (view.order.details as PaymentzDetails).invoice;
}

/** Pending (open), Processed (paid), Failed (its one payment declined), Cancelled, Expired. */
function invoiceStatusOf(view: OrderView): string {
  const { order } = view;
  if (order.status === "created" || order.status === "processing") return "Pending";
  if (order.status === "declined") return "Failed";
  if (order.status === "expired") return order.rejectReason === "cancelled" ? "Cancelled" : "Expired";
  return "Processed";
}

function wantsEmail(flag: string | undefined): boolean {
  return flag !== undefined && /^(y|yes|true|1)$/i.test(flag);
}

export async function invoiceRoutes(app: FastifyInstance, api: PaymentzApi, errors: typeof ERROR_RESPONSES) {
  const { dialect, deps, owner, memberOf, now } = api;
  const { ctx, links, settings, mailer } = deps;
  await restScope(app, api);

  function render(view: OrderView, result: ResultCode, email?: "sent" | "failed") {
    const { order } = view;
    const invoice = invoiceOf(view);
    const created = paymentzTimestamp(order.createdAt);
    return {
      result,
      invoiceDetails: {
        systemInvoiceId: paymentzPaymentId(order.id),
        merchantInvoiceId: invoice?.merchantInvoiceId ?? order.externalOrderId ?? "",
        amount: amountText(order),
        currency: order.currency,
        expirationPeriod: String(invoice?.expirationHours ?? ""),
        expiryDate: paymentzTimestamp(order.expiresAt),
        createdDate: created.slice(0, 10),
        createdTime: created.slice(11),
        customerEmail: invoice?.customerEmail ?? "",
        descriptor: (order.details as PaymentzDetails).descriptor ?? "",
        transactionUrl: links.payment(order.id),
        invoiceStatus: invoiceStatusOf(view),
        transactionStatus: paymentzStatusOf(view).short,
        paymentId: paymentzPaymentId(order.id),
      },
      ...(email ? { emailStatus: email } : {}),
      timestamp: paymentzTimestamp(now()),
    };
  }

  /** E-mails the invoice's link; a server that refuses it is reported, the invoice stays. */
  async function emailLink(view: OrderView, reminder: boolean): Promise<"sent" | "failed"> {
    const to = invoiceOf(view)?.customerEmail;
    if (!mailer || !to) throw new Error("an invoice is e-mailed only when there is a mailer and an address");
    const amount = formatMoney(view.order.amount, view.order.currency);
    const description = (view.order.details as PaymentzDetails).descriptor;
    try {
      await mailer.send({
        to,
        subject: `${reminder ? "Reminder: " : ""}${view.merchant.name} invoice ${invoiceOf(view)?.merchantInvoiceId ?? ""}: ${amount}`,
        text: [
          `${view.merchant.name} asks you to pay ${amount}${description ? ` for ${description}` : ""}.`,
          "",
          `Pay here: ${links.payment(view.order.id)}`,
          `The link is open until ${paymentzTimestamp(view.order.expiresAt)} UTC.`,
        ].join("\n"),
      });
      return "sent";
    } catch (error) {
      app.log.warn({ err: error, orderId: view.order.id }, "invoice e-mail not taken by the mail server");
      return "failed";
    }
  }

  /** Whether to e-mail: asked with isemail, and possible (a configured server, an address). */
  function emailRequested(body: Body, email: string | undefined, problems: FieldProblem[]): boolean {
    if (!wantsEmail(body.isemail)) return false;
    if (!email) problems.push({ field: "customer.email", message: "is required to e-mail the invoice (isemail)" });
    else if (!/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(email)) problems.push({ field: "customer.email", message: "is not an e-mail address" });
    return true;
  }

  function requireMailer(): void {
    if (!mailer) throw new TetriError("TETRI_ERR_MAIL_UNAVAILABLE");
  }

  /** The invoice an operation names (invoiceId), with the checksum md5(memberId|secureKey|invoiceId). */
  async function namedInvoice(request: FastifyRequest, body: Body): Promise<OrderView> {
    const problems: FieldProblem[] = [];
    const invoiceId = requireText(body.invoiceId, "invoiceId", problems);
    if (problems.length > 0) throw validationError(problems);
    const member = await memberOf(request, body.authentication);
    requireChecksum(body.authentication?.checksum, CHECKSUMS.byPaymentId(member.memberId, member.secureKey, invoiceId));
    const view = await getOrderView(ctx, owner(request), orderIdParam(invoiceId));
    if (!invoiceOf(view)) throw new TetriError("TETRI_ERR_ORDER_NOT_FOUND");
    return view;
  }

  function expirationHoursOf(value: string | undefined, problems: FieldProblem[]): number {
    if (value === undefined || value === "") return EXPIRATION_HOURS.default;
    const hours = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
    if (Number.isNaN(hours) || hours < EXPIRATION_HOURS.min || hours > EXPIRATION_HOURS.max) {
      problems.push({ field: "invoiceExpirationPeriod", message: `must be whole hours from ${EXPIRATION_HOURS.min} to ${EXPIRATION_HOURS.max}` });
    }
    return hours;
  }

  const route = (summary: string) => ({ schema: { tags: [dialect], summary, body: InvoiceBody, response: errors } });

  app.post("/generate", route("Generate an invoice: a payment link on tetri's hosted page, e-mailed with isemail"), async (request) => {
    const body = request.body as Body;
    const problems: FieldProblem[] = [];
    const reference = merchantTransactionIdOf(body.merchantInvoiceId ?? body.merchantTransactionId, problems);
    const hours = expirationHoursOf(body.invoiceExpirationPeriod, problems);
    const email = body.customer?.email;
    const send = emailRequested(body, email, problems);
    if (problems.length > 0) throw validationError(problems);
    const parsed = parsePayment(
      dialect,
      {
        merchantTransactionId: reference,
        amount: body.amount,
        currency: body.currency,
        paymentType: body.paymentType ?? "DB",
        paymentBrand: body.paymentBrand,
        paymentMode: body.paymentMode,
        merchantRedirectUrl: body.merchantRedirectUrl,
        notificationUrl: body.notificationUrl,
        orderDescriptor: body.merchantOrderDescription,
        customer: body.customer,
      },
      settings.live,
      { requireCard: false },
    );
    const member = await memberOf(request, body.authentication);
    requireChecksum(body.authentication?.checksum, CHECKSUMS.payment(member.memberId, member.secureKey, reference, parsed.amountText));
    if (send) requireMailer();
    const order: OrderRequest = {
      ...parsed.order,
      details: { ...parsed.order.details, invoice: { merchantInvoiceId: reference, expirationHours: hours, customerEmail: email } },
      ttlMinutes: hours * 60,
    };
    const orderId = await api.onceForReference(owner(request), request, reference, (idempotency) => createOrder(ctx, request.merchantId, order, idempotency));
    const view = await getOrderView(ctx, owner(request), orderId);
    return render(view, INVOICE_GENERATED, send ? await emailLink(view, false) : undefined);
  });

  app.post("/inquiry", route("An invoice's details and status, by invoiceId (its systemInvoiceId)"), async (request) =>
    render(await namedInvoice(request, request.body as Body), FOUND),
  );

  app.post("/cancel", route("Cancel a pending invoice: its link can no longer be paid"), async (request) => {
    const view = await namedInvoice(request, request.body as Body);
    await withdrawUnpaidOrder(ctx, owner(request), view.order.id);
    return render(await getOrderView(ctx, owner(request), view.order.id), INVOICE_CANCELLED);
  });

  app.post("/remind", route("E-mail a pending invoice's link again"), async (request) => {
    const view = await namedInvoice(request, request.body as Body);
    if (invoiceStatusOf(view) !== "Pending" || view.order.expiresAt <= now()) throw new TetriError("TETRI_ERR_ORDER_NOT_WITHDRAWABLE");
    if (!invoiceOf(view)?.customerEmail) throw validationError([{ field: "customer.email", message: "the invoice has no e-mail address to remind" }]);
    requireMailer();
    return render(view, INVOICE_REMINDED, await emailLink(view, true));
  });

  app.post("/regenerate", route("A new link for an invoice that was not paid (the old one is cancelled if still open); once per invoice"), async (request) => {
    const body = request.body as Body;
    const old = await namedInvoice(request, body);
    const invoice = invoiceOf(old);
    if (!invoice || invoiceStatusOf(old) === "Processed") throw new TetriError("TETRI_ERR_ORDER_NOT_WITHDRAWABLE");
    const send = wantsEmail(body.isemail) && invoice.customerEmail !== undefined;
    if (send) requireMailer();
    if (invoiceStatusOf(old) === "Pending") await withdrawUnpaidOrder(ctx, owner(request), old.order.id);
    const { order } = old;
    const again: OrderRequest = {
      dialect: order.dialect,
      externalOrderId: order.externalOrderId,
      captureMode: order.captureMode,
      currency: order.currency,
      amount: order.amount,
      language: order.language,
      theme: order.theme,
      callbackUrl: order.callbackUrl,
      successUrl: order.successUrl,
      failUrl: order.failUrl,
      paymentMethods: order.paymentMethods,
      methodsNamed: true,
      basket: order.basket,
      details: order.details,
      saveCard: order.saveCard,
      terminal: order.terminal,
      split: order.split,
      ttlMinutes: invoice.expirationHours * 60,
    };
    let orderId: OrderId;
    try {
      // One regeneration per invoice: regenerate the new one to go again.
      orderId = await createOrder(ctx, request.merchantId, again, { key: `regenerate:${order.id}`, fingerprint: randomUUID() });
    } catch (error) {
      if (error instanceof TetriError && error.code === "TETRI_ERR_IDEMPOTENCY_KEY_REUSED") throw new TetriError("TETRI_ERR_DUPLICATE_REFERENCE");
      throw error;
    }
    const view = await getOrderView(ctx, owner(request), orderId);
    return render(view, INVOICE_GENERATED, send ? await emailLink(view, false) : undefined);
  });
}
