// The demo merchant's dialect credentials that configuration fixes (TETRI_DEMO_*), checked
// against the dialects that give them. Apart from the server, so that the process can refuse a
// bad one before it loads the whole server.

import { ConfigError } from "./config.ts";
import type { Config } from "./config.ts";
import { DIALECTS } from "./dialects/registry.ts";

/**
 * The demo merchant's fixed dialect credentials, by issuer name, from their TETRI_DEMO_*
 * variables. A TETRI_DEMO_* variable no dialect knows is a typo: refused with the known ones.
 */
export function demoCredentials(config: Config): Record<string, string | undefined> {
  const known = new Map(DIALECTS.flatMap((d) => (d.credential ? [[d.credential.demoEnv, d.credential.name] as const] : [])));
  for (const name of Object.keys(config.demo.credentials)) {
    if (!known.has(name)) {
      const names = ["TETRI_DEMO_CLIENT_ID", "TETRI_DEMO_CLIENT_SECRET", ...known.keys()].join(", ");
      throw new ConfigError(`${name} is not a setting of tetri (the demo merchant's are ${names})`);
    }
  }
  for (const { credential } of DIALECTS) {
    const fixed = credential && config.demo.credentials[credential.demoEnv];
    const problem = fixed === undefined ? undefined : credential?.problemWithFixed?.(fixed);
    if (credential && problem) throw new ConfigError(`${credential.demoEnv} ${problem}`);
  }
  return Object.fromEntries([...known].map(([env, name]) => [name, config.demo.credentials[env]]));
}
