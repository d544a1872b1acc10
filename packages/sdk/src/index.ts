// @tetri/sdk: typed clients of the Bank of Georgia, TBC TPay and Paymentz REST v1 APIs, for tetri
// (development, CI) and the banks themselves (production), with no dependencies.

export { BogClient, BOG_PRODUCTION, BOG_API_PATH, BOG_TOKEN_PATH } from "./bog.ts";
export type { BogClientOptions, CreateOrderOptions } from "./bog.ts";
export type * from "./bog-types.ts";
export { TbcClient, TBC_PRODUCTION, TBC_SANDBOX } from "./tbc.ts";
export type { TbcClientOptions } from "./tbc.ts";
export type * from "./tbc-types.ts";
export { PaymentzClient, PAYMENTZ_API_PATH, PAYMENTZ_INVOICE_PATH } from "./paymentz.ts";
export type { PaymentzCard, PaymentzClientOptions, PaymentzInvoice, PaymentzNotification, PaymentzPayment, PaymentzPayout, PaymentzResult, PaymentzTransaction } from "./paymentz.ts";
export { verifyCallbackSignature } from "./callbacks.ts";
export { TetriApiError, TetriConnectionError } from "./errors.ts";
export { TEST_CARDS } from "./test-cards.ts";
export type { TestCard, TestPayment } from "./test-cards.ts";
export type { CallOptions, Clock, RetryPolicy, TransportOptions } from "./transport.ts";
