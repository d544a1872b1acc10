// Payment methods beside the card (internet bank, QR, loyalty points, loans, gift cards): what
// an attempt of one recorded (who paid, the points' share, a loan's term), and the loan a
// shop set up for its order. An attempt without a card keeps its card columns empty.

import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export const paymentMethods: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("payment_attempts").addColumn("method_details", "text").execute();
    await db.schema.alterTable("orders").addColumn("loan_offer", "text").execute();
  },
};
