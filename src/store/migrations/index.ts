// Every schema change, in order. Each store runs them all at start; a released migration is
// never edited, only followed by another. The list is the same for every engine; a migration
// that must be written differently for one (SQLite rebuilds a table where PostgreSQL alters
// it) is given the engine, and test/store/schema.test.ts checks that both end the same.

import type { Migration } from "kysely/migration";
import type { Engine } from "../types.ts";
import { initial } from "./0001-initial.ts";
import { dialectCredentials } from "./0002-dialect-credentials.ts";
import { attemptDetails } from "./0003-attempt-details.ts";
import { journalCaptureFlag } from "./0004-journal-capture-flag.ts";
import { settings } from "./0005-settings.ts";
import { reconciliationLeases } from "./0006-reconciliation-leases.ts";
import { splitPayments } from "./0007-split-payments.ts";
import { dashboard } from "./0008-dashboard.ts";
import { pageTheme } from "./0009-page-theme.ts";
import { payouts } from "./0015-payouts.ts";

export function migrationsFor(engine: Engine): Readonly<Record<string, Migration>> {
  return {
    "0001_initial": initial,
    "0002_dialect_credentials": dialectCredentials(engine),
    "0003_attempt_details": attemptDetails,
    "0004_journal_capture_flag": journalCaptureFlag(engine),
    "0005_settings": settings,
    "0006_reconciliation_leases": reconciliationLeases,
    "0007_split_payments": splitPayments,
    "0008_dashboard": dashboard,
    "0009_page_theme": pageTheme,
    "0015_payouts": payouts,
  };
}
