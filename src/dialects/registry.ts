// Every dialect tetri speaks, one line each. Adding a bank API is a folder beside these and
// a line here; app, server, callbacks, tokens and the test helper all iterate this list.

import { bog } from "./bog/index.ts";
import type { DialectModule } from "./dialect.ts";
import { paymentz } from "./paymentz/index.ts";
import { tbc } from "./tbc/index.ts";

export const DIALECTS: readonly DialectModule[] = [bog, tbc, paymentz];

export function dialectOf(id: string): DialectModule {
  const dialect = DIALECTS.find((d) => d.id === id);
  if (!dialect) throw new Error(`no dialect "${id}" is registered`);
  return dialect;
}

/** The dialect whose API answers under this URL, if any. */
export function dialectOfUrl(url: string): DialectModule | undefined {
  return DIALECTS.find((d) => d.prefixes.some((prefix) => url.startsWith(prefix)));
}
