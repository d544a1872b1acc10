// The production build: `npm run build` compiles the gateway to plain JavaScript that Node runs
// without type stripping (npm start and `node dist/main.js`). Built here into .tmp/, so the test
// checks the sources as they are, not a dist/ from an earlier install.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { tempDir } from "../helpers/fixtures.ts";
import { NODE, ROOT, stopAll, TetriProcess } from "./tetri-process.ts";

function filesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).map((path) => join(dir, path));
}

describe("the production build", { timeout: 120_000 }, () => {
  const dir = tempDir();
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  const outDir = mkdtempSync(join(ROOT, ".tmp", "build-"));
  after(async () => {
    await stopAll();
    rmSync(outDir, { recursive: true, force: true });
    dir.remove();
  });

  it("is JavaScript that Node runs without type stripping, and takes a payment", async () => {
    execFileSync(NODE, ["scripts/build.js", outDir], { cwd: ROOT, stdio: "pipe" });
    const files = filesOf(outDir);
    assert.deepEqual(files.filter((path) => path.endsWith(".ts")), [], "no TypeScript in the build");
    const importsOfTs = files.filter((path) => path.endsWith(".js") && /from "\.{1,2}\/[^"]*\.ts"|import\("\.{1,2}\/[^"]*\.ts"\)/.test(readFileSync(path, "utf8")));
    assert.deepEqual(importsOfTs, [], "relative imports name .js files");

    const tetri = await TetriProcess.start({ dataDir: dir.path, command: ["--no-experimental-strip-types", join(outDir, "main.js")] });
    const orderId = await tetri.shop.createOrder();
    assert.equal((await tetri.shop.pay(orderId)).status, 200);
    assert.equal((await tetri.shop.receipt(orderId)).order_status.key, "completed");
    const stylesheet = await tetri.shop.request("GET", "/checkout/assets/checkout.css", { token: null });
    assert.equal(stylesheet.status, 200, "the page's stylesheet is in the build");
  });
});
