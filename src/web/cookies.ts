// Reading and setting the few cookies tetri's pages use. Every cookie is HttpOnly and
// SameSite=Strict: no script reads it, and no other site's form or link sends it.

import type { FastifyReply, FastifyRequest } from "fastify";

export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

/** Adds a Set-Cookie; `maxAgeSeconds: 0` deletes the cookie, absent makes it last for the browser session. */
export function setCookie(
  reply: FastifyReply,
  name: string,
  value: string,
  options: { path: string; secure: boolean; maxAgeSeconds?: number },
): void {
  const parts = [`${name}=${value}`, `Path=${options.path}`, "HttpOnly", "SameSite=Strict"];
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  if (options.secure) parts.push("Secure");
  // Fastify appends a second set-cookie header instead of replacing the first.
  reply.header("set-cookie", parts.join("; "));
}
