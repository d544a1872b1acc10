// The ceiling of our HTTP stack on this machine: a bare Fastify route that parses the same
// JSON body tetri's create-order takes and answers a small JSON object. Every benchmark
// figure is reported as a ratio to this, measured in the same run.

import Fastify from "fastify";

const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
let sequence = 0;
app.post("/baseline", async (request) => {
  const body = request.body as { purchase_units?: unknown };
  sequence += 1;
  return { id: `00000000-0000-4000-8000-${String(sequence).padStart(12, "0")}`, ok: body.purchase_units !== undefined };
});
app.get("/healthz", async () => ({ status: "ok" }));

await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
