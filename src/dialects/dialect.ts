// What a dialect (one bank's API) is to the rest of tetri. Each dialects/<name>/index.ts
// exports one DialectModule; registry.ts lists them; nothing outside dialects/<name>/ names
// a bank. A dialect only translates: it parses the bank's requests into core calls and
// renders core's results, errors and callbacks in the bank's shapes.

import type { KeyObject } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { TokenService } from "../auth/tokens.ts";
import type { CheckoutLinks, ShopReturn } from "../checkout/links.ts";
import type { CoreContext } from "../core/context.ts";
import type { MerchantId } from "../core/ids.ts";
import type { CredentialIssuer, DemoMerchant } from "../core/merchants.ts";
import type { Mailer } from "../core/ports.ts";
import type { RefundableMethods, SameDayPartialRefunds } from "../core/operations.ts";
import type { BuyerSummary, DialectCredential, DialectId, Order, OrderView, PaymentMethod } from "../core/types.ts";
import type { CallbackSigner } from "../webhooks/outbox-worker.ts";

/** What rendering a callback may use: the hosted pages' links, and the merchant's own credential of this dialect. */
export type CallbackRenderContext = {
  readonly links: CheckoutLinks;
  /** The merchant's credential of this dialect with its sealed secret opened (read only when asked for). */
  credential(): Promise<{ credential: DialectCredential; secret: string | undefined } | undefined>;
};

/** What a dialect's routes may use: core, tokens, links to the hosted page, a few settings. */
export type DialectDeps = {
  readonly ctx: CoreContext;
  readonly tokens: TokenService;
  readonly links: CheckoutLinks;
  readonly callbackPublicKeyPem: string;
  /** The operator's mail server, for an API that e-mails payment links; absent when none is configured. */
  readonly mailer: Mailer | undefined;
  readonly settings: { readonly publicUrl: string; readonly live: boolean; readonly tokenRateLimitPerMinute: number };
};

export interface DialectModule {
  readonly id: DialectId;
  /** The API's name, for its OpenAPI document. */
  readonly title: string;
  /** URL prefixes the API answers under; errors the router raises there are rendered in its shape. */
  readonly prefixes: readonly string[];
  /** Where its OpenAPI document is served (routes tagged with the dialect's id). */
  readonly openApiPath: string;
  /** The `iss` of its access tokens: a token of one dialect never opens another's API. */
  tokenIssuer(publicUrl: string): string;
  /** How long its access tokens live unless configuration says otherwise (`expires_in`). */
  readonly tokenTtlSeconds: number;
  /** The payment methods its orders can offer (what a merchant may enable for it). */
  readonly paymentMethods: readonly PaymentMethod[];
  routes(app: FastifyInstance, deps: DialectDeps): Promise<void>;
  /**
   * The merchant a request authenticates as, by this API's rules (the same check its routes
   * make), or undefined; throws the API's own error when a credential is present but wrong.
   */
  authenticate(request: FastifyRequest, deps: DialectDeps): Promise<MerchantId | undefined>;
  renderError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply;
  renderCallback(view: OrderView, now: number, context: CallbackRenderContext): string | Promise<string>;
  callbackSigner(privateKey: KeyObject): CallbackSigner;
  /** The form POST that takes the buyer back to the shop once the payment is settled; absent: a plain redirect to the order's success or fail URL. */
  shopReturn?(view: OrderView, now: number, context: CallbackRenderContext): Promise<ShopReturn | undefined>;
  /** A credential of its own that every merchant gets (an API key), with the variable that fixes the demo merchant's. */
  readonly credential?: CredentialIssuer & { readonly demoEnv: string; readonly label: string };
  /** What its bank rules about operations, kept whoever asks (the API, the dashboard). */
  readonly operationRules?: { readonly sameDayPartialRefunds?: SameDayPartialRefunds; readonly refundableMethods?: RefundableMethods };
  /** The buyer as this API's order recorded them (in its echo data), for the dashboard; absent when it records none. */
  buyer?(order: Order): BuyerSummary;
  /** Lines of the start banner that show a newcomer how to call this API as the demo merchant. */
  banner(publicUrl: string, demo: DemoMerchant): string[];
}
