import { isIP } from "node:net";

/**
 * Callback and redirect URLs a merchant gives us, checked and normalized: the href is
 * percent-encoded with a punycode host, so it can go into a Location header or an HTTP
 * request as it is (a Georgian path is fine; a control character is not). Live mode
 * requires https, as the banks do, and refuses hosts inside the gateway's own network
 * (loopback, private, link-local addresses, localhost), so that one merchant cannot make
 * tetri call into it. Test mode allows both, so a shop on a laptop can be called back.
 */
export function checkMerchantUrl(value: string, live: boolean): { href: string } | { problem: string } {
  if (/[\p{Cc}\s]/u.test(value)) return { problem: "must not contain spaces or control characters" };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: "must be an absolute URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { problem: live ? "must use https" : "must use http or https" };
  if (!live) return { href: url.href };
  if (url.protocol !== "https:") return { problem: "must use https" };
  if (isInternalHost(url.hostname)) return { problem: "must not point at a loopback, private or link-local address" };
  return { href: url.href };
}

function isInternalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) {
    const [a = 0, b = 0] = host.split(".").map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (isIP(host) === 6) {
    return host === "::1" || host === "::" || /^f[cd]/.test(host) || /^fe[89ab]/.test(host) || host.startsWith("::ffff:");
  }
  return false;
}
