/**
 * Callback and redirect URLs a merchant gives us. Live mode requires https, as the banks
 * do; test mode also allows plain http, so a shop on a laptop can be called back.
 */
export function merchantUrlProblem(value: string, requireHttps: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an absolute URL";
  }
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:") return requireHttps ? "must use https" : undefined;
  return requireHttps ? "must use https" : "must use http or https";
}
