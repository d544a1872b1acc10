// tetri listen --forward-to URL: the callbacks of one merchant, as tetri queues them, POSTed to
// a local URL too (like a payment provider's CLI webhook forwarding), each with its original
// body and signature headers, and printed with the local URL's answer. It reads the gateway's
// outbox on the data directory (or database), so it needs no change to a running server; the
// callbacks still go to their own URLs as well, with their retries. A forward is sent once.

import type { OutboxId } from "../core/ids.ts";
import type { CallbackDelivery } from "../core/ports.ts";
import type { OutboxMessage } from "../core/types.ts";
import type { CommandGroup, ParsedInput } from "./command.ts";
import { JSON_OPTION, UsageError, print, text, utc } from "./command.ts";
import { merchantOf, withGateway } from "./gateway.ts";

const POLL_MS = 200;
/**
 * Messages are read again for this long after they were queued: a transaction that queued one
 * may commit after another that queued a later one.
 */
const LOOKBACK_MS = 10_000;
const PAGE = 200;

function forwardTarget(value: string | undefined): string {
  if (!value) throw new UsageError("--forward-to URL is required (usage: tetri listen --forward-to URL [--merchant CLIENT_ID] [--api API] [--json])");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--forward-to "${value}" is not a URL (e.g. http://localhost:3000/callback)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--forward-to must be an http or https URL, not ${url.protocol}`);
  return url.href;
}

function untilSignal(): { promise: Promise<void>; stopped: () => boolean } {
  let stopped = false;
  const promise = new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        stopped = true;
        resolve();
      });
    }
  });
  return { promise, stopped: () => stopped };
}

function printForward(input: ParsedInput, message: OutboxMessage, target: string, delivery: CallbackDelivery, at: number): void {
  const answer = delivery.statusCode === null ? (delivery.error ?? "no answer") : `[${delivery.statusCode}]`;
  print(
    input,
    {
      type: "callback",
      at: new Date(at).toISOString(),
      outbox_id: message.id,
      order_id: message.orderId,
      api: message.dialect,
      url: message.url,
      forwarded_to: target,
      status_code: delivery.statusCode,
      error: delivery.error,
      duration_ms: delivery.durationMs,
    },
    () => `${utc(at)}  ${message.dialect}  order ${message.orderId}  --> ${answer} POST ${target} (${delivery.durationMs} ms)`,
  );
}

export const listenCommands: CommandGroup = {
  name: "listen",
  commands: [
    {
      name: "listen",
      synopsis: "--forward-to URL [--merchant CLIENT_ID] [--api API] [--json]",
      summary: "Forwards each callback of the merchant to URL as tetri queues it, with its original body and signature headers, and prints the answer.",
      help: [
        "Every callback queued from now on (payments, refunds, expiries, resends) is POSTed to URL as tetri",
        "signs it, in addition to its own callback URL, and printed with URL's HTTP status. A forward is",
        "sent once, not retried. --merchant is needed when there is more than one merchant; --api keeps",
        "one API's callbacks. --json prints one JSON object a line. Ctrl-C stops.",
        "",
        "  tetri listen --forward-to http://localhost:3000/callback",
      ],
      options: { "forward-to": { type: "string" }, merchant: { type: "string" }, api: { type: "string" }, ...JSON_OPTION },
      async run(input) {
        const target = forwardTarget(text(input, "forward-to"));
        const api = text(input, "api");
        await withGateway(async ({ config, ctx }) => {
          const [{ DIALECTS }, { loadSharedKeys }, { signersOf }, { callbackSender }] = await Promise.all([
            import("../dialects/registry.ts"),
            import("../auth/keys.ts"),
            import("../services.ts"),
            import("../webhooks/outbox-worker.ts"),
          ]);
          if (api !== undefined && !DIALECTS.some((d) => d.id === api)) throw new UsageError(`--api must be one of ${DIALECTS.map((d) => d.id).join(", ")}`);
          const merchant = await merchantOf(ctx, text(input, "merchant"));
          const keys = await loadSharedKeys(ctx.store, ctx.vault, config.dataDir, ctx.clock.now());
          const send = callbackSender(signersOf(keys.callbackSigning.privateKey), config.callbacks.timeoutMs, ctx.clock);
          const signal = untilSignal();

          const startedAt = ctx.clock.now();
          let newest = startedAt;
          const forwarded = new Map<OutboxId, number>();
          print(input, { type: "ready", merchant: merchant.clientId, forward_to: target }, () =>
            `Ready. Forwarding the callbacks of "${merchant.name}" (${merchant.clientId})${api ? ` from the ${api} API` : ""} to ${target}. Ctrl-C to stop.`,
          );
          while (!signal.stopped()) {
            let since = Math.max(startedAt, newest - LOOKBACK_MS);
            for (;;) {
              const page = await ctx.store.read((tx) => tx.outbox.ofMerchantSince(merchant.id, since, PAGE));
              for (const message of page) {
                if (forwarded.has(message.id) || (api !== undefined && message.dialect !== api)) continue;
                forwarded.set(message.id, message.createdAt);
                newest = Math.max(newest, message.createdAt);
                const at = ctx.clock.now();
                printForward(input, message, target, await send({ url: target, dialect: message.dialect, body: message.body }), at);
              }
              const last = page[page.length - 1];
              if (page.length < PAGE || !last || last.createdAt === since) break;
              since = last.createdAt;
            }
            for (const [id, createdAt] of forwarded) if (createdAt < newest - LOOKBACK_MS) forwarded.delete(id);
            await Promise.race([signal.promise, new Promise((resolve) => setTimeout(resolve, POLL_MS))]);
          }
        });
      },
    },
  ],
};
