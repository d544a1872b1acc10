import type { FastifyInstance } from "fastify";

/** Serves one API's OpenAPI document (a dialect's, tagged with its id, or tetri's own): the whole document narrowed to the routes tagged `tag`. */
export function openApiRoute(app: FastifyInstance, api: { tag: string; title: string; openApiPath: string }): void {
  app.get(api.openApiPath, { config: { public: true }, schema: { hide: true } }, async () => {
    const doc = app.swagger() as { paths?: Record<string, Record<string, { tags?: string[] }>> } & Record<string, unknown>;
    const paths: Record<string, Record<string, unknown>> = {};
    for (const [path, operations] of Object.entries(doc.paths ?? {})) {
      const kept = Object.fromEntries(Object.entries(operations).filter(([, op]) => op.tags?.includes(api.tag)));
      if (Object.keys(kept).length > 0) paths[path] = kept;
    }
    return { ...doc, info: { title: `tetri: ${api.title}`, version: "1.0.0" }, paths };
  });
}
