// npm run build (and npm install, through `prepare`): the production build in dist/ (or the
// directory given), plain JavaScript that `node dist/main.js` runs on any Node 24 without type
// stripping. tsc emits the modules (imports rewritten from .ts to .js); the stylesheets the
// pages serve are copied beside them.

import { execFileSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { createRequire } from "node:module";

const outDir = process.argv[2] ?? "dist";
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
rmSync(outDir, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", outDir], { stdio: "inherit" });
cpSync("src", outDir, { recursive: true, filter: (path) => !path.endsWith(".ts") });
