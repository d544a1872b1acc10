// The hosted payment page as a client that posts its forms reads it: the CSRF cookie an answer
// sets and the token the form carries (both must come back with the POST).

/** The CSRF cookie an answer sets, as a Cookie header value ("tetri_csrf=…"), or undefined. */
export function csrfCookieOf(headers: Headers): string | undefined {
  return /tetri_csrf=[^;]+/.exec(headers.get("set-cookie") ?? "")?.[0];
}

/** The CSRF token in the page's form, or undefined. */
export function csrfTokenOf(html: string): string | undefined {
  return /name="csrf" value="([^"]*)"/.exec(html)?.[1];
}
