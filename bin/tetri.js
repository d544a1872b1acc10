#!/usr/bin/env node
// The `tetri` command (npx tetri …). tetri is TypeScript that Node 24 runs directly: on Node 24
// or later this process runs the CLI itself; on an older Node (a machine's own) it runs it on the
// pinned node@24 dev dependency, passing the arguments, the terminal, signals and the exit code.

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

if (Number(process.versions.node.split(".")[0]) >= 24) {
  await import(cli);
} else {
  let node;
  try {
    node = join(dirname(createRequire(import.meta.url).resolve("node/package.json")), "bin", "node");
  } catch {
    process.stderr.write(`tetri: needs Node.js 24 or later (this is ${process.version}); run npm install to get the pinned one\n`);
    process.exit(1);
  }
  const child = spawn(node, [cli, ...process.argv.slice(2)], { stdio: "inherit" });
  // Ctrl-C reaches the child from the terminal itself (one process group): passing it on too would
  // be a second SIGINT, which stops a server at once instead of gracefully. Signals sent to this
  // process alone are passed on.
  process.on("SIGINT", () => {});
  for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
