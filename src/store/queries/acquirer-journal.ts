import type { Kysely, Selectable } from "kysely";
import type { AcquirerJournalEntry } from "../../acquirers/journal.ts";
import type { AcquirerJournalTable, Database } from "../schema.ts";
import { currency, flag, money, num } from "./rows.ts";

function toEntry(row: Selectable<AcquirerJournalTable>): AcquirerJournalEntry {
  return {
    reference: row.reference,
    kind: row.kind as AcquirerJournalEntry["kind"],
    state: row.state as AcquirerJournalEntry["state"],
    amount: money(row.amount),
    currency: currency(row.currency),
    capture: flag(row.capture),
    declineReason: row.decline_reason as AcquirerJournalEntry["declineReason"],
    authCode: row.auth_code,
    transactionId: row.transaction_id,
    terminal: row.terminal,
    cardBehaviour: row.card_behaviour as AcquirerJournalEntry["cardBehaviour"],
    createdAt: num(row.created_at),
  };
}

export function acquirerJournalQueries(db: Kysely<Database>) {
  return {
    async find(reference: string): Promise<AcquirerJournalEntry | undefined> {
      const row = await db.selectFrom("acquirer_journal").selectAll().where("reference", "=", reference).executeTakeFirst();
      return row && toEntry(row);
    },
    async put(entry: AcquirerJournalEntry): Promise<void> {
      const { reference, ...changes } = {
        reference: entry.reference,
        kind: entry.kind,
        state: entry.state,
        amount: entry.amount,
        currency: entry.currency,
        capture: entry.capture,
        decline_reason: entry.declineReason,
        auth_code: entry.authCode,
        transaction_id: entry.transactionId,
        terminal: entry.terminal,
        card_behaviour: entry.cardBehaviour,
        created_at: entry.createdAt,
      };
      await db
        .insertInto("acquirer_journal")
        .values({ reference, ...changes })
        .onConflict((oc) => oc.column("reference").doUpdateSet(changes))
        .execute();
    },
  };
}
