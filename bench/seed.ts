// Fills a data directory's database with many paid orders, for the start-up benchmark.

import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

export async function seedOrders(dataDir: string, count: number): Promise<void> {
  const db = new DatabaseSync(join(dataDir, "tetri.sqlite"));
  const merchant = db.prepare("select id from merchants limit 1").get() as { id: string } | undefined;
  if (!merchant) throw new Error("seed: start tetri once first so that the demo merchant exists");
  const insert = db.prepare(`insert into orders (id, merchant_id, dialect, external_order_id, status, capture_mode, currency,
      amount, authorized_amount, captured_amount, refunded_amount, refund_reserved_amount, language, callback_url,
      success_url, fail_url, payment_methods, basket, details, reject_reason, save_card, saved_card_id,
      created_at, expires_at, updated_at, version)
    values (?, ?, 'bog', ?, 'captured', 'automatic', 'GEL', 2550, 2550, 2550, 0, 0, 'ka', 'http://127.0.0.1:9/cb',
      null, null, '["card"]', '[{"productId":"sku-1","description":null,"quantity":"1","unitPrice":2550}]', '{}', null, null, null,
      ?, ?, ?, 2)`);
  const now = Date.now();
  const batch = 50_000;
  for (let done = 0; done < count; done += batch) {
    db.exec("begin");
    for (let i = done; i < Math.min(count, done + batch); i++) {
      const at = now - (count - i) * 1000;
      insert.run(randomUUID(), merchant.id, `seed-${i}`, at, at + 900_000, at);
    }
    db.exec("commit");
  }
  db.close();
}

/** Queues `count` BOG callbacks to `url` straight in the outbox, each for its own order, for the delivery-capacity benchmark. */
export function seedCallbacks(dataDir: string, count: number, url: string): void {
  const db = new DatabaseSync(join(dataDir, "tetri.sqlite"));
  const merchant = db.prepare("select id from merchants limit 1").get() as { id: string } | undefined;
  if (!merchant) throw new Error("seed: start tetri once first so that the demo merchant exists");
  const insert = db.prepare(`insert into outbox (id, merchant_id, order_id, dialect, url, body, status, order_version,
      attempts, next_attempt_at, lease_until, lease_token, created_at, delivered_at, last_error)
    values (?, ?, ?, 'bog', ?, ?, 'pending', 1, 0, ?, null, null, ?, null, null)`);
  const now = Date.now();
  db.exec("begin");
  for (let i = 0; i < count; i++) {
    const orderId = randomUUID();
    const body = JSON.stringify({ event: "order_payment", zoned_request_time: new Date(now).toISOString(), body: { order_id: orderId } });
    insert.run(`cb_${randomUUID().replaceAll("-", "")}`, merchant.id, orderId, url, body, now, now);
  }
  db.exec("commit");
  db.close();
}
