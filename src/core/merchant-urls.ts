/**
 * Callback and redirect URLs a merchant gives us, checked and normalized: the href is
 * percent-encoded with a punycode host, so it can go into a Location header or an HTTP
 * request as it is (a Georgian path is fine; a control character is not). Live mode
 * requires https, as the banks do; test mode also allows plain http, so a shop on a laptop
 * can be called back.
 */
export function checkMerchantUrl(value: string, requireHttps: boolean): { href: string } | { problem: string } {
  if (/[\p{Cc}\s]/u.test(value)) return { problem: "must not contain spaces or control characters" };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: "must be an absolute URL" };
  }
  if (url.protocol === "https:") return { href: url.href };
  if (url.protocol === "http:") return requireHttps ? { problem: "must use https" } : { href: url.href };
  return { problem: requireHttps ? "must use https" : "must use http or https" };
}
