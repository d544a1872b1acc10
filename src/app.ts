// Builds the HTTP server: every registered dialect, checkout pages, test helper, health and metrics.

import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import { checkoutRoutes } from "./checkout/routes.ts";
import { dashboardRoutes } from "./dashboard/routes.ts";
import { DASHBOARD_PREFIX } from "./dashboard/paths.ts";
import { TetriError } from "./core/errors.ts";
import { DIALECTS, dialectOfUrl } from "./dialects/registry.ts";
import { openApiRoute } from "./dialects/shared/openapi.ts";
import { sendJsonError } from "./http/errors.ts";
import { jsonBodyProblem } from "./http/json-body.ts";
import { shopReturnOf } from "./services.ts";
import type { Services } from "./services.ts";
import { SUBSCRIPTIONS_PREFIX, SUBSCRIPTIONS_TAG, subscriptionRoutes } from "./subscriptions/routes.ts";
import { testHelperRoutes } from "./testing/routes.ts";
import { CsrfGuard } from "./web/csrf.ts";
import { baseAssetRoutes } from "./web/pages.ts";

export async function buildApp(services: Services): Promise<FastifyInstance> {
  const { config, ctx, dialectDeps, metrics, dashboard, worker } = services;
  const app = Fastify({
    loggerInstance: services.log,
    bodyLimit: config.bodyLimitBytes,
    // Unknown request fields are dropped before a handler sees them: accepted, ignored, never stored.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: "all", allErrors: true, useDefaults: false } },
    forceCloseConnections: false,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
    // Errors the router raises before any route (a bad %-escape in the path): each API's own shape.
    frameworkErrors: (error, request, reply) => (dialectOfUrl(request.url)?.renderError ?? sendJsonError)(error, request, reply),
  });

  // An empty body with a JSON content type is allowed (shops send it for a full refund);
  // a body nested deeper than any API needs, or with broken Unicode, is refused up front.
  const defaultJsonParser = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === "") return done(null, undefined);
    defaultJsonParser(request, text, (error, parsed) => {
      if (error) return done(error);
      const problem = jsonBodyProblem(parsed);
      if (problem) return done(new TetriError("TETRI_ERR_VALIDATION", { fields: [{ field: "body", message: problem }] }));
      done(null, parsed);
    });
  });
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      info: { title: "tetri", version: "1.0.0" },
      servers: [{ url: config.publicUrl }],
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
      security: [{ bearer: [] }],
    },
  });

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.setErrorHandler(sendJsonError);
  app.setNotFoundHandler((request, reply) => sendJsonError(new TetriError("TETRI_ERR_NOT_FOUND"), request, reply));

  for (const dialect of DIALECTS) {
    await app.register(async (scope) => dialect.routes(scope, dialectDeps));
    openApiRoute(app, { tag: dialect.id, title: dialect.title, openApiPath: dialect.openApiPath });
  }
  await app.register(async (scope) => subscriptionRoutes(scope, { dialectDeps, dialects: DIALECTS }), { prefix: SUBSCRIPTIONS_PREFIX });
  openApiRoute(app, { tag: SUBSCRIPTIONS_TAG, title: "Subscriptions", openApiPath: `${SUBSCRIPTIONS_PREFIX}/openapi.json` });
  await app.register(baseAssetRoutes);
  const csrf = new CsrfGuard(services.csrfKey, config.publicUrl.startsWith("https:"));
  await app.register(async (scope) => checkoutRoutes(scope, {
        ctx,
        csrf,
        testMode: config.mode === "test",
        qrTtlMs: config.qrTtlSeconds * 1000,
        shopReturn: shopReturnOf(ctx, dialectDeps.links),
      }));
  await app.register(
    async (scope) =>
      dashboardRoutes(scope, {
        ctx,
        csrf,
        policy: dashboard.policy,
        operator: dashboard.operator,
        sendCallback: worker.send,
        callbackPublicKeyPem: dialectDeps.callbackPublicKeyPem,
        dialects: DIALECTS,
        timeZone: config.dashboard.timeZone,
        testMode: config.mode === "test",
        live: config.mode === "live",
        secureCookies: config.publicUrl.startsWith("https:"),
      }),
    { prefix: DASHBOARD_PREFIX },
  );
  if (config.mode === "test") await app.register(async (scope) => testHelperRoutes(scope, { ctx, dialectDeps, dialects: DIALECTS }));

  app.get("/healthz", { schema: { hide: true } }, async (_request, reply) => {
    try {
      await ctx.store.read((tx) => tx.outbox.countPending());
      return { status: "ok" };
    } catch {
      return reply.status(503).send({ status: "unavailable" });
    }
  });
  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  return app;
}
