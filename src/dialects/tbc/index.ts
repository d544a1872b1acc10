// The TBC TPay v1 dialect, as the registry sees it.

import type { DialectId } from "../../core/types.ts";
import type { DialectModule } from "../dialect.ts";
import { TBC_PAYMENT_METHODS } from "./codes.ts";
import { apiKeyIssuer } from "./credentials.ts";
import { renderTbcError } from "./errors.ts";
import { renderTbcCallback, tbcBuyerOf } from "./render.ts";
import { ONE_PARTIAL_CANCEL_ON_PAYMENT_DAY, TBC_PREFIX, authenticateTbc, tbcRoutes } from "./routes.ts";

const id = "tbc" as DialectId;

export const tbc: DialectModule = {
  id,
  title: "TBC TPay v1",
  prefixes: ["/v1/"],
  openApiPath: `${TBC_PREFIX}/openapi.json`,
  tokenIssuer: (publicUrl) => `${publicUrl}${TBC_PREFIX}`,
  // TBC documents a day (its sample token, and its clients' default).
  tokenTtlSeconds: 86_400,
  paymentMethods: TBC_PAYMENT_METHODS,
  routes: (app, deps) => tbcRoutes(app, id, deps),
  authenticate: (request, deps) => authenticateTbc(request, deps, id),
  renderError: renderTbcError,
  renderCallback: (view) => renderTbcCallback(view),
  // TBC signs nothing: its callback carries only the payment id, which the shop then reads back.
  callbackSigner: () => async () => ({}),
  credential: { ...apiKeyIssuer(id), demoEnv: "TETRI_DEMO_TBC_API_KEY", label: "tbc apikey" },
  operationRules: { sameDayPartialRefunds: ONE_PARTIAL_CANCEL_ON_PAYMENT_DAY },
  buyer: tbcBuyerOf,
  banner(publicUrl, demo) {
    const secret = demo.clientSecret ?? "<TETRI_DEMO_CLIENT_SECRET>";
    const apiKey = demo.credentials.tbc_api_key ?? "<TETRI_DEMO_TBC_API_KEY>";
    return [
      "TBC TPay API token:",
      `  curl -s -H 'apikey: ${apiKey}' -d 'client_id=${demo.clientId}&client_secret=${secret}' ${publicUrl}${TBC_PREFIX}/access-token`,
    ];
  },
};
