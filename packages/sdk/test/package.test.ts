// What a shop installs: the package built by its own `build` script (tsc), checked as a
// TypeScript consumer sees it (strict, no access to the sources) and run by the oldest Node it
// supports when the machine has one (its own Node is 20), else by this one.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "../../../test/helpers/fixtures.ts";

const PACKAGE = fileURLToPath(new URL("../", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

function machineNode(): string {
  try {
    const path = execFileSync("/usr/bin/env", ["-i", "PATH=/usr/local/bin:/usr/bin:/bin", "which", "node"]).toString().trim();
    return path || process.execPath;
  } catch {
    return process.execPath;
  }
}

describe("the published package", { timeout: 120_000 }, () => {
  const dir = tempDir("tetri-sdk-package-");
  after(() => dir.remove());
  const installed = join(dir.path, "node_modules", "@tetri", "sdk");

  it("builds JavaScript and declarations into dist/ with its exports pointing at them", () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGE, "package.json"), "utf8"));
    assert.deepEqual(manifest.exports["."], { types: "./dist/index.d.ts", default: "./dist/index.js" });
    assert.equal(manifest.type, "module");
    assert.equal(manifest.dependencies, undefined, "no runtime dependencies");
    mkdirSync(installed, { recursive: true });
    execFileSync(process.execPath, [TSC, "-p", join(PACKAGE, "tsconfig.json"), "--outDir", join(installed, "dist")]);
    cpSync(join(PACKAGE, "package.json"), join(installed, "package.json"));
    const js = readFileSync(join(installed, "dist", "index.js"), "utf8");
    assert.doesNotMatch(js, /from "\.\/[^"]+\.ts"/, "relative imports point at .js");
    assert.match(readFileSync(join(installed, "dist", "bog.d.ts"), "utf8"), /createOrder\(order: BogCreateOrder/);
  });

  it("type-checks in a strict consumer project", () => {
    writeFileSync(join(dir.path, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(dir.path, "shop.ts"),
      [
        'import { BogClient, TbcClient, TEST_CARDS, TetriApiError, verifyCallbackSignature } from "@tetri/sdk";',
        'import type { BogReceipt, TbcPayment } from "@tetri/sdk";',
        'const bog = new BogClient({ clientId: "id", clientSecret: "secret", baseUrl: "http://127.0.0.1:8080" });',
        'const tbc = new TbcClient({ apiKey: "k", clientId: "id", clientSecret: "secret", baseUrl: "http://127.0.0.1:8080" });',
        'export const receipt: Promise<BogReceipt> = bog.getReceipt("id");',
        'export const payment: Promise<TbcPayment> = tbc.getPayment("id");',
        "export const card: string = TEST_CARDS.approved.number;",
        'export const checked: boolean = verifyCallbackSignature("{}", "c2ln", "pem");',
        "export const status = (e: unknown) => (e instanceof TetriApiError ? e.status : 0);",
        "// @ts-expect-error: an order needs a callback_url and purchase_units",
        "void bog.createOrder({});",
      ].join("\n"),
    );
    writeFileSync(
      join(dir.path, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, skipLibCheck: false, types: ["node"], typeRoots: [join(ROOT, "node_modules", "@types")] }, files: ["shop.ts"] }),
    );
    execFileSync(process.execPath, [TSC, "-p", dir.path], { cwd: dir.path });
  });

  it("runs as ESM on the machine's Node", () => {
    writeFileSync(join(dir.path, "run.mjs"), 'import { BogClient, TEST_CARDS } from "@tetri/sdk";\nconsole.log(typeof BogClient, TEST_CARDS.approved.number, process.versions.node);\n');
    const output = execFileSync(machineNode(), ["run.mjs"], { cwd: dir.path }).toString().trim().split(" ");
    assert.deepEqual(output.slice(0, 2), ["function", "4242424242424242"]);
    assert.ok(Number(output[2]?.split(".")[0]) >= 20, `node ${output[2]}`);
  });
});
