import type { FastifyInstance } from "fastify";
import type { DialectModule } from "../dialect.ts";

/** Serves a dialect's OpenAPI document: the whole document narrowed to the routes tagged with its id. */
export function openApiRoute(app: FastifyInstance, dialect: Pick<DialectModule, "id" | "title" | "openApiPath">): void {
  app.get(dialect.openApiPath, { config: { public: true }, schema: { hide: true } }, async () => {
    const doc = app.swagger() as { paths?: Record<string, Record<string, { tags?: string[] }>> } & Record<string, unknown>;
    const paths: Record<string, Record<string, unknown>> = {};
    for (const [path, operations] of Object.entries(doc.paths ?? {})) {
      const kept = Object.fromEntries(Object.entries(operations).filter(([, op]) => op.tags?.includes(dialect.id)));
      if (Object.keys(kept).length > 0) paths[path] = kept;
    }
    return { ...doc, info: { title: `tetri: ${dialect.title}`, version: "1.0.0" }, paths };
  });
}
