// tetri trigger <event>: a test order of a merchant, paid with the test card that produces the
// event, through the same core path as the hosted page (3-D Secure answered as the event says),
// and refunded when the event is a refund's. Its callbacks are queued as any order's: the
// running server sends them, and `tetri listen` forwards them. Test mode only.

import type { CardBehaviour } from "../acquirers/journal.ts";
import type { Currency } from "../core/money.ts";
import type { CaptureMode, DialectId } from "../core/types.ts";
import type { CommandGroup, ParsedInput } from "./command.ts";
import { CommandFailed, JSON_OPTION, UsageError, print, text } from "./command.ts";
import { merchantOf, withGateway } from "./gateway.ts";

type TriggerEvent = {
  name: string;
  summary: string;
  card: CardBehaviour;
  capture: CaptureMode;
  /** The buyer's answer to a 3-D Secure challenge. */
  challengePassed?: boolean;
  /** After the payment, the shop refunds it in full. */
  refund?: boolean;
};

const EVENTS: readonly TriggerEvent[] = [
  { name: "payment.succeeded", summary: "paid by card", card: "approve", capture: "automatic" },
  { name: "payment.3ds", summary: "paid after a 3-D Secure challenge the buyer completed", card: "challenge", capture: "automatic", challengePassed: true },
  { name: "payment.3ds_failed", summary: "3-D Secure failed: declined", card: "challenge", capture: "automatic", challengePassed: false },
  { name: "payment.declined", summary: "declined by the issuer", card: "issuer_declined", capture: "automatic" },
  { name: "payment.insufficient_funds", summary: "declined: insufficient funds", card: "insufficient_funds", capture: "automatic" },
  { name: "payment.expired_card", summary: "declined: expired card", card: "expired_card", capture: "automatic" },
  { name: "payment.authorized", summary: "a pre-authorization held (capture manual)", card: "approve", capture: "manual" },
  { name: "refund.succeeded", summary: "paid, then refunded in full", card: "approve", capture: "automatic", refund: true },
  { name: "refund.declined", summary: "paid, then a refund the issuer declines", card: "refunds_declined", capture: "automatic", refund: true },
];

function callbackUrlOption(value: string | undefined): string | null {
  if (value === undefined) return null;
  const url = URL.parse(value);
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) throw new UsageError(`--callback-url "${value}" is not an http or https URL`);
  return url.href;
}

async function trigger(input: ParsedInput): Promise<void> {
  const event = EVENTS.find((e) => e.name === input.positionals[0]);
  if (!event) throw new UsageError(`unknown event "${input.positionals[0]}": one of ${EVENTS.map((e) => e.name).join(", ")}`);
  const callbackUrl = callbackUrlOption(text(input, "callback-url"));
  const [{ CURRENCIES, parseMajorAmount, formatMoney }, { DIALECTS }, { TEST_CARD_BEHAVIOURS }] = await Promise.all([
    import("../core/money.ts"),
    import("../dialects/registry.ts"),
    import("../acquirers/test-acquirer.ts"),
  ]);
  const currency = (text(input, "currency") ?? "GEL").toUpperCase() as Currency;
  if (!CURRENCIES.includes(currency)) throw new UsageError(`--currency must be one of ${CURRENCIES.join(", ")}`);
  const amountText = text(input, "amount") ?? "10.00";
  const amount = parseMajorAmount(amountText, currency);
  if (!amount.ok) throw new UsageError(`--amount "${amountText}" is not an amount of ${currency} (${amount.problem.replaceAll("_", " ")})`);
  const dialect = DIALECTS.find((d) => d.id === (text(input, "api") ?? DIALECTS[0]?.id));
  if (!dialect) throw new UsageError(`--api must be one of ${DIALECTS.map((d) => d.id).join(", ")}`);
  const cardNumber = Object.keys(TEST_CARD_BEHAVIOURS).find((number) => TEST_CARD_BEHAVIOURS[number] === event.card);
  if (!cardNumber) throw new Error(`no test card behaves "${event.card}"`);

  await withGateway(async ({ config, ctx }) => {
    if (config.mode !== "test") throw new CommandFailed("tetri trigger works only in test mode (TETRI_MODE=test): it pays with test cards");
    const merchant = await merchantOf(ctx, text(input, "merchant"));
    const [{ createOrder, getOrderView }, { payOrder, completeChallenge }, { refundOrder }, { callbackUrlOf }] = await Promise.all([
      import("../core/orders.ts"),
      import("../core/checkout.ts"),
      import("../core/operations.ts"),
      import("../core/context.ts"),
    ]);
    const owner = { merchantId: merchant.id, dialect: dialect.id as DialectId };
    const orderId = await createOrder(ctx, merchant.id, {
      dialect: owner.dialect,
      externalOrderId: `tetri-trigger-${event.name}`,
      captureMode: event.capture,
      currency,
      amount: amount.minor,
      language: "en",
      theme: "light",
      callbackUrl,
      successUrl: null,
      failUrl: null,
      paymentMethods: ["card"],
      methodsNamed: true,
      basket: [{ productId: "tetri-trigger", description: event.summary, quantity: "1", unitPrice: amount.minor }],
      details: {},
      saveCard: null,
      terminal: null,
      split: null,
      ttlMinutes: 15,
    });
    let result = await payOrder(ctx, orderId, { number: cardNumber, expiry: "12/39", cvc: "123", holder: "Test Buyer" }, owner);
    if (result.kind === "challenge") result = await completeChallenge(ctx, orderId, result.attemptId, event.challengePassed ?? true);
    if (result.kind === "card_invalid" || result.kind === "not_payable") throw new Error(`the test payment was refused: ${result.kind}`);
    if (event.refund) await refundOrder(ctx, { ...owner, orderId });
    const view = await getOrderView(ctx, owner, orderId);
    const url = await ctx.store.read((tx) => callbackUrlOf(tx, view.order));
    const refund = event.refund ? view.operations.find((op) => op.kind === "refund") : undefined;
    print(
      input,
      {
        event: event.name,
        order_id: orderId,
        api: owner.dialect,
        merchant: merchant.clientId,
        amount: amountText,
        currency,
        payment: result.kind,
        decline_reason: result.kind === "declined" ? result.reason : null,
        refund: refund ? { status: refund.status, failure_reason: refund.failureReason } : null,
        status: view.order.status,
        callback_url: url,
      },
      () =>
        [
          `Triggered ${event.name} (${event.summary}): order ${orderId} of ${merchant.clientId} (${owner.dialect}), ${formatMoney(amount.minor, currency)}.`,
          `  payment: ${result.kind}${result.kind === "declined" ? ` (${result.reason})` : ""}${refund ? `; refund: ${refund.status}${refund.failureReason ? ` (${refund.failureReason})` : ""}` : ""}; order ${view.order.status}`,
          url
            ? `  callbacks: to ${url}, sent by the running server (tetri listen forwards them)`
            : "  callbacks: none, the order has no callback URL (give --callback-url, or set the merchant's default on the dashboard)",
        ].join("\n"),
    );
  });
}

export const triggerCommands: CommandGroup = {
  name: "trigger",
  commands: [
    {
      name: "trigger",
      synopsis: "<event> [--merchant CLIENT_ID] [--api API] [--amount AMOUNT] [--currency CURRENCY] [--callback-url URL] [--json]",
      summary: "Creates a test order for the merchant and pays it with the test card that produces the event (test mode only).",
      help: ["Events:", ...EVENTS.map((e) => `  ${e.name.padEnd(28)}${e.summary}`), "", "--api defaults to the first API tetri serves, --amount to 10.00, --currency to GEL. Exit 0 when the event happened (a decline too)."],
      options: { merchant: { type: "string" }, api: { type: "string" }, amount: { type: "string" }, currency: { type: "string" }, "callback-url": { type: "string" }, ...JSON_OPTION },
      positionals: ["EVENT"],
      run: trigger,
    },
  ],
};
