// The layout rules the code keeps, checked on the source itself: a bank is named only in its
// dialect's folder and the registry; SQL is written only in store/; core imports no HTTP,
// database or dialect code (eslint enforces the imports; this checks the rest).

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The code of a file without its comments (a comment may give a bank as an example). */
function codeOf(path: string): string {
  return readFileSync(path, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

const files = sourceFiles(SRC).map((path) => ({ path: relative(SRC, path), code: codeOf(path) }));
const dialectFolders = [...new Set(files.map((f) => /^dialects\/([^/]+)\//.exec(f.path)?.[1]).filter((d): d is string => !!d && d !== "shared"))];

describe("rooms", () => {
  it("finds the dialect folders it checks", () => {
    assert.deepEqual(dialectFolders.sort(), ["bog", "paymentz", "tbc"]);
  });

  it("no code outside a dialect's own folder names a bank (but the registry, and the migrations that moved its data)", () => {
    const allowed = new Set(["dialects/registry.ts", "store/migrations/0001-initial.ts", "store/migrations/0002-dialect-credentials.ts"]);
    const names = new RegExp(`(^|[^a-z])(${dialectFolders.join("|")})([^a-z]|$)`, "i");
    const offenders = files
      .filter((f) => !allowed.has(f.path) && !dialectFolders.some((d) => f.path.startsWith(`dialects/${d}/`)))
      .filter((f) => names.test(f.code))
      .map((f) => `${f.path}: ${names.exec(f.code)?.[0]}`);
    assert.deepEqual(offenders, []);
  });

  it("no code outside store/ writes SQL", () => {
    const sql = /\b(?:select\s+(?:\*|\w+)\s+from\s|insert\s+into\s|update\s+\w+\s+set\s|delete\s+from\s|create\s+table\s|begin\s+immediate)/i;
    const offenders = files.filter((f) => !f.path.startsWith("store/") && sql.test(f.code)).map((f) => f.path);
    assert.deepEqual(offenders, []);
  });

  it("core imports no web framework, database driver or other room", () => {
    const offenders = files
      .filter((f) => f.path.startsWith("core/"))
      .filter((f) => /from "(fastify|kysely|pg|node:sqlite|node:http)"|\.\.\/(store|dialects|http|checkout|web|dashboard)\//.test(f.code))
      .map((f) => f.path);
    assert.deepEqual(offenders, []);
  });
});
