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
import { merchantApiSettings } from "./0010-merchant-api-settings.ts";
import { outboxByMerchant } from "./0011-outbox-by-merchant.ts";
import { savedCardUsage } from "./0012-saved-card-usage.ts";
import { subscriptions } from "./0013-subscriptions.ts";
import { payouts } from "./0014-payouts.ts";
import { payoutReconciliation } from "./0015-payout-reconciliation.ts";
import { paymentMethods } from "./0016-payment-methods.ts";

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
    "0010_merchant_api_settings": merchantApiSettings,
    "0011_outbox_by_merchant": outboxByMerchant,
    "0012_saved_card_usage": savedCardUsage,
    "0013_subscriptions": subscriptions,
    "0014_payouts": payouts,
    "0015_payout_reconciliation": payoutReconciliation,
    "0016_payment_methods": paymentMethods,
  };
}
