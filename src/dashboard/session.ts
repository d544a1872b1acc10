// Who is asking, for every dashboard request: the session the cookie names (server-side; see
// core/sessions.ts) and the language the pages speak. A cookie whose session is gone is
// cleared, and the visitor is sent to sign in again, back to this page afterwards.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { CoreContext } from "../core/context.ts";
import { sessionOf } from "../core/sessions.ts";
import type { OperatorAccount, SessionPolicy } from "../core/sessions.ts";
import type { DashboardSession } from "../core/types.ts";
import { DASHBOARD_LANGUAGES } from "./i18n.ts";
import type { DashboardLanguage } from "./i18n.ts";
import { languageOf } from "../http/request-context.ts";
import { cookieOf, setCookie } from "../web/cookies.ts";
import { languageParam } from "../web/pages.ts";
import { DASHBOARD_PREFIX, dashboardPaths } from "./paths.ts";

const SESSION_COOKIE = "tetri_session";
const LANGUAGE_COOKIE = "tetri_lang";
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

declare module "fastify" {
  interface FastifyRequest {
    /** Set for every dashboard request by the session hook. */
    dashboard: { language: DashboardLanguage; session: DashboardSession | undefined };
  }
  interface FastifyContextConfig {
    /** The dashboard route is for visitors who are not signed in (sign-in, assets, language). */
    signedOut?: boolean;
  }
}

export type SessionDeps = {
  ctx: CoreContext;
  policy: SessionPolicy;
  operator: OperatorAccount | undefined;
  secureCookies: boolean;
};

/** The visitor's language: the one they chose here, else their browser's, else English. */
export function languageOfRequest(request: FastifyRequest): DashboardLanguage {
  const chosen = cookieOf(request, LANGUAGE_COOKIE);
  return chosen ? languageParam(chosen, DASHBOARD_LANGUAGES, "en") : languageOf(request.headers["accept-language"], DASHBOARD_LANGUAGES, "en");
}

export function rememberLanguage(reply: FastifyReply, language: DashboardLanguage, secure: boolean): void {
  setCookie(reply, LANGUAGE_COOKIE, language, { path: DASHBOARD_PREFIX, secure, maxAgeSeconds: 365 * 86_400 });
}

export function startSession(reply: FastifyReply, deps: SessionDeps, token: string): void {
  setCookie(reply, SESSION_COOKIE, token, { path: DASHBOARD_PREFIX, secure: deps.secureCookies, maxAgeSeconds: Math.floor(deps.policy.maxMs / 1000) });
}

export function endSession(reply: FastifyReply, deps: SessionDeps): void {
  setCookie(reply, SESSION_COOKIE, "", { path: DASHBOARD_PREFIX, secure: deps.secureCookies, maxAgeSeconds: 0 });
}

/** The form token of a signed-in page: bound to the session, so it dies with it. */
export const sessionCsrfScope = (session: DashboardSession) => `dashboard:${session.id}`;
export const SIGN_IN_CSRF_SCOPE = "dashboard:sign-in";

/**
 * The hook every dashboard request passes: finds its language and session. A page that needs
 * a session and has none sends the visitor to sign in (with `expired` when the cookie named a
 * session that has ended), and nothing else of the request runs.
 */
export function sessionHook(deps: SessionDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const token = cookieOf(request, SESSION_COOKIE);
    const session = token && TOKEN.test(token) ? await sessionOf(deps.ctx, deps.policy, deps.operator, token) : undefined;
    request.dashboard = { language: languageOfRequest(request), session };
    if (session || request.routeOptions.config.signedOut) return;
    if (token) endSession(reply, deps);
    const next = request.method === "GET" ? request.url : undefined;
    return reply.redirect(dashboardPaths.signIn({ next, expired: token ? "1" : undefined }), 303);
  };
}
