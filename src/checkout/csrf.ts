// CSRF protection for the hosted page's forms: a random cookie (HttpOnly, SameSite=Strict)
// and a form token that is an HMAC of that cookie and the order. A form posted from
// another site has neither.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

const COOKIE = "tetri_csrf";

function cookieOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === COOKIE) return rest.join("=");
  }
  return undefined;
}

export class CsrfGuard {
  readonly #key: Buffer;
  readonly #secureCookies: boolean;

  constructor(key: Buffer, secureCookies: boolean) {
    this.#key = key;
    this.#secureCookies = secureCookies;
  }

  #token(cookie: string, orderId: string): string {
    return createHmac("sha256", this.#key).update(`${cookie}:${orderId}`).digest("base64url");
  }

  /** The form token for this order; sets the cookie first when the browser has none. */
  issue(request: FastifyRequest, reply: FastifyReply, orderId: string): string {
    let cookie = cookieOf(request);
    if (!cookie || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) {
      cookie = randomBytes(32).toString("base64url");
      reply.header(
        "set-cookie",
        `${COOKIE}=${cookie}; Path=/; HttpOnly; SameSite=Strict${this.#secureCookies ? "; Secure" : ""}`,
      );
    }
    return this.#token(cookie, orderId);
  }

  verify(request: FastifyRequest, orderId: string, token: unknown): boolean {
    const cookie = cookieOf(request);
    if (!cookie || typeof token !== "string") return false;
    const expected = Buffer.from(this.#token(cookie, orderId));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
