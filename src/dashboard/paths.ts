// The dashboard's addresses, in one place: pages link and redirect with these.

import type { OrderId } from "../core/ids.ts";
import type { DashboardLanguage } from "./i18n.ts";

export const DASHBOARD_PREFIX = "/dashboard";

type Query = Record<string, string | readonly string[] | undefined>;

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const one of typeof value === "string" ? [value] : (value ?? [])) if (one !== "") params.append(name, one);
  }
  const text = params.toString();
  return `${DASHBOARD_PREFIX}${path}${text ? `?${text}` : ""}`;
}

export const dashboardPaths = {
  signIn: (query?: { next?: string; expired?: string; signed_out?: string }) => withQuery("/sign-in", query),
  signOut: () => withQuery("/sign-out"),
  language: (language: DashboardLanguage, back: string) => withQuery("/language", { lang: language, back }),
  overview: (query?: Query) => withQuery("/overview", query),
  orders: (query?: Query) => withQuery("/orders", query),
  order: (id: OrderId, query?: Query) => withQuery(`/orders/${id}`, query),
  confirm: (id: OrderId, query: Query) => withQuery(`/orders/${id}/confirm`, query),
  act: (id: OrderId) => withQuery(`/orders/${id}/actions`),
  settings: (query?: { merchant?: string; saved?: string }) => withQuery("/settings", query),
  callbackUrl: () => withQuery("/settings/callback-url"),
  testCallback: () => withQuery("/settings/test-callback"),
  rotateSecret: (query?: { merchant?: string }) => withQuery("/settings/rotate-secret", query),
};

/** A path to come back to after signing in or switching language: only the dashboard's own pages. */
export function localDashboardPath(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (!value.startsWith(`${DASHBOARD_PREFIX}/`) || value.startsWith("//") || /[\\\s]/.test(value)) return undefined;
  try {
    const url = new URL(value, "http://tetri.invalid");
    return url.origin === "http://tetri.invalid" && url.pathname.startsWith(`${DASHBOARD_PREFIX}/`) ? `${url.pathname}${url.search}` : undefined;
  } catch {
    return undefined;
  }
}
