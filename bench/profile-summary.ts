// node bench/profile-summary.ts FILE.cpuprofile [--top N]: the functions with the most self time in
// a V8 CPU profile (from `npm run bench -- --cpu-prof DIR`), as a markdown table: the flame graph's
// summary that docs/benchmarks.md keeps.

import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { parseArgs } from "node:util";

type ProfileNode = { id: number; hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } };
type Profile = { nodes: ProfileNode[] };

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: "string", default: "20" } } });
const root = process.cwd();

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const selfHits = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${relative(root, url.replace(/^file:\/\//, "")).replace(/^node_modules\//, "")}:${lineNumber + 1}` : "";
    const key = `${functionName || "(anonymous)"} ${where}`.trim();
    selfHits.set(key, (selfHits.get(key) ?? 0) + hits);
  }
  const top = [...selfHits].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
  console.log(`${file}: ${total} samples\n\n| self % | function |\n|---|---|`);
  for (const [key, hits] of top) console.log(`| ${((100 * hits) / total).toFixed(1)} | \`${key}\` |`);
  console.log();
}
