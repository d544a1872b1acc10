// Prometheus metrics. One registry per server, so tests can run several servers in one process.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { ORDER_STATUSES } from "./core/order-state.ts";
import type { Clock, Store } from "./core/ports.ts";
import type { PoolStats } from "./store/index.ts";

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(store: Store, clock: Clock, poolStats?: () => PoolStats) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  if (poolStats) {
    new Gauge({
      name: "tetri_db_pool_connections",
      help: "This node's database connections: open, idle, requests waiting for one, and the pool's size",
      labelNames: ["state"] as const,
      registers: [registry],
      collect() {
        const stats = poolStats();
        for (const state of ["open", "idle", "waiting", "size"] as const) this.set({ state }, stats[state]);
      },
    });
  }
  return {
    registry,
    httpRequests: new Counter({
      name: "tetri_http_requests_total",
      help: "HTTP requests answered, by route and status code",
      labelNames: ["method", "route", "status"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "tetri_http_request_duration_seconds",
      help: "HTTP request duration",
      labelNames: ["method", "route"] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    callbackAttempts: new Counter({
      name: "tetri_callback_attempts_total",
      help: "Callback delivery attempts, by result (delivered, failed, dead)",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
    orders: new Gauge({
      name: "tetri_orders",
      help: "Orders by status",
      labelNames: ["status"] as const,
      registers: [registry],
      async collect() {
        const counts = await store.read((tx) => tx.orders.countByStatus());
        for (const status of ORDER_STATUSES) this.set({ status }, counts[status] ?? 0);
      },
    }),
    pendingCallbacks: new Gauge({
      name: "tetri_callbacks_pending",
      help: "Callbacks waiting for delivery",
      registers: [registry],
      async collect() {
        this.set(await store.read((tx) => tx.outbox.countPending()));
      },
    }),
    leasedCallbacks: new Gauge({
      name: "tetri_callbacks_leased",
      help: "Callbacks a worker holds under a lease right now, on any node (a dead node's are taken over when their lease runs out)",
      registers: [registry],
      async collect() {
        this.set(await store.read((tx) => tx.outbox.countLeased(clock.now())));
      },
    }),
  };
}
