// Every schema change, in order. Each store runs them all at start; a released migration is
// never edited, only followed by another.

import type { Migration } from "kysely/migration";
import { initial } from "./0001-initial.ts";
import { dialectCredentials } from "./0002-dialect-credentials.ts";
import { attemptDetails } from "./0003-attempt-details.ts";
import { splitPayments } from "./0004-split-payments.ts";
import { dashboard } from "./0005-dashboard.ts";

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "0001_initial": initial,
  "0002_dialect_credentials": dialectCredentials,
  "0003_attempt_details": attemptDetails,
  "0004_split_payments": splitPayments,
  "0005_dashboard": dashboard,
};
