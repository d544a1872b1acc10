// CSRF protection for tetri's forms: a random cookie (HttpOnly, SameSite=Strict) and a form
// token that is an HMAC of that cookie and what the form acts on (an order on the hosted page,
// a dashboard session). A form posted from another site has neither.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { cookieOf, setCookie } from "./cookies.ts";

const COOKIE = "tetri_csrf";

export class CsrfGuard {
  readonly #key: Buffer;
  readonly #secureCookies: boolean;

  constructor(key: Buffer, secureCookies: boolean) {
    this.#key = key;
    this.#secureCookies = secureCookies;
  }

  #token(cookie: string, scope: string): string {
    return createHmac("sha256", this.#key).update(`${cookie}:${scope}`).digest("base64url");
  }

  /** The form token for this scope; sets the cookie first when the browser has none. */
  issue(request: FastifyRequest, reply: FastifyReply, scope: string): string {
    let cookie = cookieOf(request, COOKIE);
    if (!cookie || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) {
      cookie = randomBytes(32).toString("base64url");
      setCookie(reply, COOKIE, cookie, { path: "/", secure: this.#secureCookies });
    }
    return this.#token(cookie, scope);
  }

  verify(request: FastifyRequest, scope: string, token: unknown): boolean {
    const cookie = cookieOf(request, COOKIE);
    if (!cookie || typeof token !== "string") return false;
    const expected = Buffer.from(this.#token(cookie, scope));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
