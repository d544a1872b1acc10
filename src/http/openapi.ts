import type { FastifyInstance } from "fastify";

/** The OpenAPI document of one dialect: the full document narrowed to that dialect's tag. */
export function openApiFor(app: FastifyInstance, tag: string, title: string) {
  const doc = app.swagger() as { paths?: Record<string, Record<string, { tags?: string[] }>> } & Record<string, unknown>;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, operations] of Object.entries(doc.paths ?? {})) {
    const kept = Object.fromEntries(Object.entries(operations).filter(([, op]) => op.tags?.includes(tag)));
    if (Object.keys(kept).length > 0) paths[path] = kept;
  }
  return { ...doc, info: { title, version: "1.0.0" }, paths };
}

