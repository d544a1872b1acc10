// The Bank of Georgia Online Payments v1 dialect, as the registry sees it.

import { sign } from "node:crypto";
import type { DialectId } from "../../core/types.ts";
import type { DialectModule } from "../dialect.ts";
import { bearerMerchant } from "../shared/tokens.ts";
import { BOG_METHODS, BOG_REFUNDABLE_METHODS } from "./codes.ts";
import { renderBogError } from "./errors.ts";
import { bogBuyerOf, renderBogCallback } from "./render.ts";
import { BOG_API_PREFIX, BOG_TOKEN_PATH, bogRoutes } from "./routes.ts";

const id = "bog" as DialectId;

export const bog: DialectModule = {
  id,
  title: "Bank of Georgia Online Payments v1",
  prefixes: [BOG_API_PREFIX, "/auth/realms/bog"],
  openApiPath: `${BOG_API_PREFIX}/openapi.json`,
  tokenIssuer: (publicUrl) => `${publicUrl}/auth/realms/bog`,
  // Undocumented by BOG; clients cache with up to a 300 s margin, so well above that.
  tokenTtlSeconds: 900,
  paymentMethods: Object.values(BOG_METHODS),
  operationRules: { refundableMethods: BOG_REFUNDABLE_METHODS },
  routes: (app, deps) => bogRoutes(app, id, deps),
  authenticate: (request, deps) => bearerMerchant(request, deps, id),
  renderError: renderBogError,
  renderCallback: (view, now, { links }) => renderBogCallback(view, now, links),
  // SHA256withRSA over the raw body bytes, base64, in Callback-Signature. An RSA-2048
  // signature costs about a millisecond: with a callback, node:crypto computes it on the
  // thread pool instead of the event loop.
  callbackSigner: (privateKey) => (body) =>
    new Promise((resolve, reject) => {
      sign("sha256", Buffer.from(body, "utf8"), privateKey, (error, signature) =>
        error ? reject(error) : resolve({ "callback-signature": signature.toString("base64") }),
      );
    }),
  buyer: bogBuyerOf,
  banner(publicUrl, demo) {
    const secret = demo.clientSecret ?? "<TETRI_DEMO_CLIENT_SECRET>";
    return [
      "Get an access token (Bank of Georgia API):",
      `  curl -s -u '${demo.clientId}:${secret}' -d grant_type=client_credentials ${publicUrl}${BOG_TOKEN_PATH}`,
      "",
      "Then create an order (put the access_token in TOKEN):",
      `  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ${publicUrl}${BOG_API_PREFIX}/ecommerce/orders \\`,
      `    -d '{"callback_url":"http://127.0.0.1:3000/callback","purchase_units":{"total_amount":10.5,"basket":[{"product_id":"sku-1","quantity":1,"unit_price":10.5}]}}'`,
    ];
  },
};
