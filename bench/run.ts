// npm run bench [-- --seconds N] [--smoke] [--soak] [--startup] [--db postgres [--nodes N]]
//   [--entry dist/main.js] [--cpu-prof DIR] [--check]
// Each figure is printed with its ratio to a baseline measured in the same run with the same
// load generator (bench/baseline-server.ts): the ceiling of our HTTP stack on this machine.
// With --db postgres, tetri runs on a new database of the machine's PostgreSQL (dropped after),
// on N nodes; the load generator spreads its connections over the nodes' addresses.

import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { load, pct, removeDir, startChild, startNodes, table } from "./lib.ts";
import type { Nodes, Row } from "./lib.ts";
import { seedCallbacks, seedOrders } from "./seed.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    smoke: { type: "boolean", default: false },
    soak: { type: "boolean", default: false },
    "soak-seconds": { type: "string", default: "300" },
    startup: { type: "boolean", default: false },
    "startup-orders": { type: "string", default: "1000000" },
    db: { type: "string", default: "sqlite" },
    nodes: { type: "string", default: "1" },
    // What the servers run: the production build (npm run bench builds it first), or src/main.ts;
    // with the Node flags of npm start either way.
    entry: { type: "string", default: "dist/main.js" },
    // A V8 CPU profile of every tetri process, written into DIR when it exits (bench/profile-summary.ts reads them).
    "cpu-prof": { type: "string" },
    // Fails (exit 1) when a ratio to the same run's baseline is below its floor in bench/floors.json.
    check: { type: "boolean", default: false },
  },
});
if (args.db !== "sqlite" && args.db !== "postgres") throw new Error(`--db must be sqlite or postgres, got ${args.db}`);
const NODES = Number(args.nodes);
if (!Number.isInteger(NODES) || NODES < 1 || (args.db === "sqlite" && NODES !== 1)) throw new Error("--nodes N needs --db postgres (one SQLite file is one node's)");
const DB_LABEL = args.db === "postgres" ? `PostgreSQL, ${NODES} node${NODES > 1 ? "s" : ""}` : "SQLite";
const seconds = args.smoke ? 5 : Number(args.seconds);
const DEMO = { TETRI_DEMO_CLIENT_ID: "bench", TETRI_DEMO_CLIENT_SECRET: "bench-secret", TETRI_DEMO_TBC_API_KEY: "bench-key" };
const SERVER_ENV = { ...DEMO, TETRI_LOG_LEVEL: "warn", TETRI_TOKEN_RATE_LIMIT: "1000000" };
// tetri runs with the Node flags of `npm start` (the heap limits), so that the figures are the production start's.
const START_FLAGS = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } }).scripts.start.split(" ").filter((word) => word.startsWith("--"));
const TETRI = { entry: args.entry, nodeArgs: [...START_FLAGS, ...(args["cpu-prof"] ? ["--cpu-prof", "--cpu-prof-dir", args["cpu-prof"]] : [])] };

const ORDER_BODY = JSON.stringify({
  callback_url: "http://127.0.0.1:9/callback",
  external_order_id: "bench-1",
  purchase_units: {
    currency: "GEL",
    total_amount: 25.5,
    basket: [{ product_id: "sku-1", description: "Churchkhela", quantity: 3, unit_price: 8.5 }],
  },
  redirect_urls: { success: "http://127.0.0.1:9/ok", fail: "http://127.0.0.1:9/fail" },
});
const CARD = JSON.stringify({ card_number: "4242424242424242", expiry: "12/39", cvc: "123", cardholder: "Bench Buyer" });

async function tokenOf(url: string): Promise<string> {
  const response = await fetch(`${url}/auth/realms/bog/protocol/openid-connect/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${DEMO.TETRI_DEMO_CLIENT_ID}:${DEMO.TETRI_DEMO_CLIENT_SECRET}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

const rows: Row[] = [];
const problems: string[] = [];
/** Each figure measured as a ratio to the same run's baseline, by its name in bench/floors.json. */
const ratios = new Map<string, number>();
const check = (what: string, errors: number, non2xx: number) => {
  if (errors > 0 || non2xx > 0) problems.push(`${what}: ${errors} errors, ${non2xx} non-2xx`);
};

async function baseline(connections: number): Promise<number> {
  const server = await startChild({ entry: "bench/baseline-server.ts", nodeArgs: [] });
  try {
    const result = await load({
      url: `${server.url}/baseline`,
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer x" },
      body: ORDER_BODY,
      connections,
      duration: seconds,
    });
    rows.push({ benchmark: `baseline (bare Fastify), ${connections} conn`, figure: "requests/s", value: result.rps.toFixed(0), ratio: "100%" });
    rows.push({ benchmark: `baseline, ${connections} conn`, figure: "p50 / p99 ms", value: `${result.p50} / ${result.p99}`, ratio: "" });
    return result.rps;
  } finally {
    await server.stop();
    removeDir(server.dataDir);
  }
}

async function createOrders(tetri: Nodes, token: string, connections: number, base: number) {
  const result = await load({
    url: tetri.urls.map((url) => `${url}/payments/v1/ecommerce/orders`),
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: ORDER_BODY,
    connections,
    duration: seconds,
  });
  check(`create order ${connections}`, result.errors, result.non2xx);
  ratios.set(`create order, ${connections} conn`, result.rps / base);
  rows.push({ benchmark: `create order (BOG, ${DB_LABEL}), ${connections} conn`, figure: "requests/s", value: result.rps.toFixed(0), ratio: pct(result.rps, base) });
  rows.push({ benchmark: `create order, ${connections} conn`, figure: "p50 / p99 ms", value: `${result.p50} / ${result.p99}`, ratio: "" });
}

/** Full payments (create, pay through the test helper, receipt) while a local shop receives the callbacks. */
async function fullPayments(tetri: Nodes, token: string, connections: number, durationSeconds: number, receiverUrl: string) {
  let payments = 0;
  const body = JSON.parse(ORDER_BODY) as Record<string, unknown>;
  const orderBody = JSON.stringify({ ...body, callback_url: receiverUrl });
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
  const result = await load({
    url: tetri.urls,
    connections,
    duration: durationSeconds,
    requests: [
      {
        method: "POST",
        path: "/payments/v1/ecommerce/orders",
        headers,
        body: orderBody,
        onResponse: (_status, responseBody, context) => {
          (context as { orderId?: string }).orderId = (JSON.parse(responseBody) as { id: string }).id;
        },
      },
      {
        method: "POST",
        headers,
        body: CARD,
        setupRequest: (request, context) => ({ ...request, path: `/_test/orders/${(context as { orderId?: string }).orderId}/pay` }),
      },
      {
        method: "GET",
        headers: { authorization: `Bearer ${token}` },
        setupRequest: (request, context) => ({ ...request, path: `/payments/v1/receipt/${(context as { orderId?: string }).orderId}` }),
        onResponse: (status) => {
          if (status === 200) payments++;
        },
      },
    ],
  });
  check(`full payment ${connections}`, result.errors, result.non2xx);
  return { paymentsPerSecond: payments / durationSeconds, result };
}

async function callbackReceiver() {
  const latencies: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const sent = Date.parse((JSON.parse(Buffer.concat(chunks).toString()) as { zoned_request_time: string }).zoned_request_time);
      latencies.push(Date.now() - sent);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    latencies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
};

async function main() {
  console.log(`tetri benchmarks: ${seconds} s per run, load from autocannon on loopback\n`);
  const base16 = await baseline(16);
  const base64 = await baseline(64);

  const tetri = await startNodes(TETRI, args.db === "postgres" ? NODES : 0, SERVER_ENV);
  const token = await tokenOf(tetri.urls[0] ?? "");
  await createOrders(tetri, token, 16, base16);
  await createOrders(tetri, token, 64, base64);

  const receiver = await callbackReceiver();
  const rssBefore = tetri.rssMb();
  const { paymentsPerSecond, result } = await fullPayments(tetri, token, 64, seconds, receiver.url);
  ratios.set("full payment requests, 64 conn", result.rps / base64);
  rows.push({ benchmark: `full payment (create, pay, receipt; ${DB_LABEL}), 64 conn`, figure: "payments/s", value: paymentsPerSecond.toFixed(0), ratio: pct(result.rps, base64) + " (requests)" });
  await new Promise((resolve) => setTimeout(resolve, 2000));
  rows.push({ benchmark: "callbacks during full payments", figure: "callbacks/s", value: (receiver.latencies.length / seconds).toFixed(0), ratio: "" });
  rows.push({
    benchmark: "callbacks during full payments",
    figure: "state change → delivery p50 / p99 ms",
    value: `${percentile(receiver.latencies, 50)} / ${percentile(receiver.latencies, 99)}`,
    ratio: "",
  });

  if (args.soak || args.smoke) {
    const soakSeconds = args.smoke ? seconds : Number(args["soak-seconds"]);
    const rates: string[] = [];
    const samples: number[] = [tetri.rssMb()];
    const timer = setInterval(() => samples.push(tetri.rssMb()), 10_000);
    const soak = await fullPayments(tetri, token, 8, soakSeconds, receiver.url);
    clearInterval(timer);
    samples.push(tetri.rssMb());
    rates.push(soak.paymentsPerSecond.toFixed(0));
    rows.push({ benchmark: `soak: full payments for ${soakSeconds} s, 8 conn`, figure: "payments/s", value: rates.join(), ratio: "" });
    rows.push({ benchmark: "soak", figure: "RSS MB start → end (samples)", value: `${samples[0]} → ${samples.at(-1)} (${samples.join(" ")})`, ratio: "" });
    rows.push({ benchmark: "soak", figure: "errors", value: String(soak.result.errors + soak.result.non2xx), ratio: "" });
  } else {
    rows.push({ benchmark: "RSS during the runs above", figure: "MB", value: `${rssBefore} → ${tetri.rssMb()}`, ratio: "" });
  }
  await receiver.close();
  await tetri.stop();
  if (args.db === "postgres") return report();

  {
    // Delivery capacity alone: a backlog of callbacks, queued before start, sent as fast as the worker can.
    const count = args.smoke ? 2_000 : 20_000;
    const idle = await startChild(TETRI, SERVER_ENV);
    await idle.stop();
    const sink = await callbackReceiver();
    seedCallbacks(idle.dataDir, count, sink.url);
    const started = performance.now();
    const drain = await startChild(TETRI, SERVER_ENV, idle.dataDir);
    while (sink.latencies.length < count && performance.now() - started < 120_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const drainSeconds = (performance.now() - started - drain.readyMs) / 1000;
    if (sink.latencies.length < count) problems.push(`callback backlog: ${sink.latencies.length} of ${count} delivered`);
    rows.push({ benchmark: `callback backlog of ${count.toLocaleString("en")}`, figure: "callbacks/s (signed, delivered, recorded)", value: (sink.latencies.length / drainSeconds).toFixed(0), ratio: "" });
    await drain.stop();
    await sink.close();
    removeDir(idle.dataDir);
  }

  if (args.startup || args.smoke) {
    const empty = await startChild(TETRI, SERVER_ENV);
    rows.push({ benchmark: "start-up to ready", figure: "empty database, ms", value: empty.readyMs.toFixed(0), ratio: "" });
    await empty.stop();
    const count = args.smoke ? 10_000 : Number(args["startup-orders"]);
    await seedOrders(empty.dataDir, count);
    const full = await startChild(TETRI, SERVER_ENV, empty.dataDir);
    rows.push({ benchmark: "start-up to ready", figure: `${count.toLocaleString("en")} orders, ms`, value: full.readyMs.toFixed(0), ratio: "" });
    await full.stop();
    removeDir(empty.dataDir);
  }

  report();
}

/** --check: every ratio against its floor (a figure the floors name but this run did not measure fails too). */
function checkFloors(): void {
  const floors = JSON.parse(readFileSync("bench/floors.json", "utf8")) as { floors: Record<string, number> };
  console.log("\n| ratio to baseline | this run | floor |\n|---|---|---|");
  for (const [name, floor] of Object.entries(floors.floors)) {
    const ratio = ratios.get(name);
    console.log(`| ${name} | ${ratio === undefined ? "not measured" : ratio.toFixed(3)} | ${floor} |`);
    if (ratio === undefined || ratio < floor) problems.push(`${name}: ${ratio === undefined ? "not measured" : ratio.toFixed(3)}, below its floor ${floor} (bench/floors.json)`);
  }
}

function report(): void {
  console.log(table(rows));
  if (args.check) checkFloors();
  if (problems.length > 0) {
    console.log(`\nerrors during the runs:\n- ${problems.join("\n- ")}`);
    process.exitCode = 1;
  }
}

await main();
