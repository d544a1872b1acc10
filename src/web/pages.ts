// What every server-rendered room (the hosted checkout, the dashboard) builds its pages from:
// the document around a page, the headers every page is sent with (a strict CSP, no caching,
// no framing), form bodies, the language a page is asked in, and its stylesheets.

import { readFileSync } from "node:fs";
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Language, PageTheme } from "../core/types.ts";
import { html } from "./html.ts";
import type { Html } from "./html.ts";

/** The shared stylesheet every page links before its room's own. */
export const BASE_STYLESHEET = "/assets/base.css";

export type PageDocument = {
  language: Language;
  /** The colours a page asks for; light when none (the base stylesheet holds both). */
  theme?: PageTheme;
  title: string;
  /** Stylesheets after the base one, by path. */
  stylesheets: readonly string[];
  body: Html;
  /** Reload the page after this many seconds (a result still being processed). */
  refreshSeconds?: number;
  /** Scripts of tetri's own, by path (a page that sends its form by itself). */
  scripts?: readonly string[];
};

export function htmlDocument(page: PageDocument): string {
  return `<!doctype html>${html`<html lang="${page.language}"${page.theme ? html` data-theme="${page.theme}"` : ""}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${page.refreshSeconds ? html`<meta http-equiv="refresh" content="${page.refreshSeconds}">` : ""}
<title>${page.title} · tetri</title>
${[BASE_STYLESHEET, ...page.stylesheets].map((href) => html`<link rel="stylesheet" href="${href}">`)}
${(page.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
${page.body}
</body>
</html>`}`;
}

/** Nothing but tetri's own styles and images (and scripts, where a page has some); forms post to tetri (and to `formActionOrigins`). */
function contentSecurityPolicy(formActionOrigins: readonly string[], scripts: boolean): string {
  return [
    "default-src 'none'",
    ...(scripts ? ["script-src 'self'"] : []),
    "style-src 'self'",
    "img-src 'self'",
    `form-action 'self'${formActionOrigins.map((o) => ` ${o}`).join("")}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function sendPage(reply: FastifyReply, status: number, page: string, options: { formActionOrigins?: readonly string[]; scripts?: boolean } = {}) {
  return reply
    .status(status)
    .header("content-type", "text/html; charset=utf-8")
    .header("content-security-policy", contentSecurityPolicy(options.formActionOrigins ?? [], options.scripts ?? false))
    .header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer")
    .header("x-frame-options", "DENY")
    .header("x-content-type-options", "nosniff")
    .send(page);
}

export type Form = Record<string, string | undefined>;

/** A urlencoded form body as strings; a repeated or missing field is undefined. */
export function formOf(request: FastifyRequest): Form {
  const body = request.body;
  if (body === null || typeof body !== "object") return {};
  const form: Form = {};
  for (const [key, value] of Object.entries(body)) form[key] = typeof value === "string" ? value : undefined;
  return form;
}

/** A `lang` query or form value, if it is one of `languages`; else the fallback. */
export function languageParam<L extends Language>(value: unknown, languages: readonly L[], fallback: L): L {
  return languages.find((language) => language === value) ?? fallback;
}

/** Serves a stylesheet read once at start (browsers may keep it an hour). */
export function stylesheetRoute(app: FastifyInstance, path: string, file: URL, config: FastifyContextConfig = {}): void {
  const css = readFileSync(file);
  app.get(path, { config, schema: { hide: true } }, async (_request, reply) =>
    reply.type("text/css; charset=utf-8").header("cache-control", "public, max-age=3600").send(css),
  );
}

/** The stylesheet every page shares. */
export async function baseAssetRoutes(app: FastifyInstance): Promise<void> {
  stylesheetRoute(app, BASE_STYLESHEET, new URL("./base.css", import.meta.url));
}
