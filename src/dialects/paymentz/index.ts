// The Paymentz-style REST v1 API (Paymentz, Transactworld and their white labels), as the registry sees it.

import type { DialectId } from "../../core/types.ts";
import type { DialectModule } from "../dialect.ts";
import { memberIssuer, parseMember } from "./credentials.ts";
import { renderPaymentzError } from "./errors.ts";
import { PAYMENTZ_PREFIX, paymentzBuyerOf, paymentzShopReturn, renderPaymentzCallback } from "./render.ts";
import { authenticatePaymentz, paymentzRoutes } from "./routes.ts";

const id = "paymentz" as DialectId;

export const paymentz: DialectModule = {
  id,
  title: "Paymentz REST v1",
  prefixes: [PAYMENTZ_PREFIX],
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
    const key = member?.secureKey ?? "<secureKey>";
    return [
      `Paymentz REST v1 (memberId ${memberId}, terminalId ${member?.terminalId ?? "<terminalId>"}, secure key ${key}):`,
      `  curl -s -d 'authentication.memberId=${memberId}&authentication.sKey=${key}' ${publicUrl}${PAYMENTZ_PREFIX}/authToken`,
      // No card number here: the banner goes to logs, which never hold one.
      "Then pay with the AuthToken from the answer, as the README's 'Point a Paymentz integration at tetri' shows",
      "(checksum = md5(memberId|secureKey|merchantTransactionId|amount); a test card of the README chooses the outcome).",
    ];
  },
};
