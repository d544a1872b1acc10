import type { Kysely, Selectable } from "kysely";
import type { AcquirerJournalEntry } from "../../acquirers/journal.ts";
import type { AcquirerJournalTable, Database } from "../schema.ts";
import { prepared, slotsFor } from "./prepared.ts";
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

function entryRow(entry: AcquirerJournalEntry) {
  return {
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
}

// Every payment writes an entry (a new one, or its settled state), prepared once (prepared.ts).
const putEntry = prepared((db, $, row: ReturnType<typeof entryRow>) => {
  const slots = slotsFor(row, $);
  const { reference: _reference, ...changes } = slots;
  return db
    .insertInto("acquirer_journal")
    .values(slots)
    .onConflict((oc) => oc.column("reference").doUpdateSet(changes));
});

export function acquirerJournalQueries(db: Kysely<Database>) {
  return {
    async find(reference: string): Promise<AcquirerJournalEntry | undefined> {
      const row = await db.selectFrom("acquirer_journal").selectAll().where("reference", "=", reference).executeTakeFirst();
      return row && toEntry(row);
    },
    async put(entry: AcquirerJournalEntry): Promise<void> {
      await putEntry(db, entryRow(entry));
    },
  };
}
