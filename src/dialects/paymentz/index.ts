// The Paymentz-style REST v1 API (Paymentz, Transactworld and their white labels), as the registry sees it.

import type { DialectId } from "../../core/types.ts";
import type { DialectModule } from "../dialect.ts";
import { memberIssuer, parseMember } from "./credentials.ts";
import { renderPaymentzError } from "./errors.ts";
import { HOSTED_CHECKOUT_PREFIX } from "./hosted-checkout.ts";
import { INVOICE_PREFIX } from "./invoices.ts";
import { PAYMENTZ_PREFIX, paymentzBuyerOf, paymentzShopReturn, renderPaymentzCallback } from "./render.ts";
import { authenticatePaymentz } from "./api.ts";
import { paymentzRoutes } from "./routes.ts";

const id = "paymentz" as DialectId;

export const paymentz: DialectModule = {
  id,
  title: "Paymentz REST v1",
  prefixes: [PAYMENTZ_PREFIX, `${HOSTED_CHECKOUT_PREFIX}/`, INVOICE_PREFIX],
  openApiPath: `${PAYMENTZ_PREFIX}/openapi.json`,
  tokenIssuer: (publicUrl) => `${publicUrl}${PAYMENTZ_PREFIX}`,
  // The platform's tokens are valid for an hour.
  tokenTtlSeconds: 3600,
  // Cards only: the API's payment brands are card schemes.
  paymentMethods: ["card"],
  routes: (app, deps) => paymentzRoutes(app, id, deps),
  authenticate: (request, deps) => authenticatePaymentz(request, deps, id),
  renderError: renderPaymentzError,
  renderCallback: renderPaymentzCallback,
  // The platform signs nothing in headers: its notification carries an MD5 checksum keyed with the secure key.
  callbackSigner: () => async () => ({}),
  shopReturn: paymentzShopReturn,
  credential: { ...memberIssuer(id), demoEnv: "TETRI_DEMO_PAYMENTZ_MEMBER", label: "paymentz member" },
  buyer: paymentzBuyerOf,
  banner(publicUrl, demo) {
    const shown = demo.credentials.paymentz_member;
    const member = shown === undefined ? undefined : parseMember(shown);
    const memberId = member?.memberId ?? "<memberId>";
    return [
      "Paymentz REST v1 (the paymentz member above is memberId:terminalId:secureKey):",
      `  curl -s -d 'authentication.memberId=${memberId}&authentication.sKey=${member?.secureKey ?? "<secureKey>"}' ${publicUrl}${PAYMENTZ_PREFIX}/authToken`,
      "Then a payment on the hosted page (CHECKSUM = md5(memberId|secureKey|merchantTransactionId|amount), TOKEN = the AuthToken):",
      `  curl -s -H "AuthToken: $TOKEN" ${publicUrl}${PAYMENTZ_PREFIX}/payments -d authentication.memberId=${memberId} -d authentication.checksum=$CHECKSUM \\`,
      "    -d merchantTransactionId=order-1 -d amount=10.00 -d currency=EUR -d paymentType=DB -d merchantRedirectUrl=http://127.0.0.1:3000/return",
    ];
  },
};
