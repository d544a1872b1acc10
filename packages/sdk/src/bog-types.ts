// The shapes of Bank of Georgia Online Payments v1, as tetri serves them (and the bank documents).

/** An amount in major units: 10.5 is 10.50 GEL. A numeric string keeps exact decimals ("10.50"). */
export type Amount = number | string;

export type BogBasketItem = {
  product_id: string;
  description?: string;
  quantity: number;
  unit_price: Amount;
  unit_discount_price?: Amount;
  vat?: Amount;
  vat_percent?: number;
  total_price?: Amount;
  image?: string;
  package_code?: string;
  tin?: string;
  pinfl?: string;
  product_discount_id?: string;
};

export type BogSplitPart = { iban: string; amount?: Amount; percent?: number; external_order_id?: string };
export type BogSplit = { split_payments?: BogSplitPart[] };

export type BogPaymentMethod =
  | "card"
  | "google_pay"
  | "apple_pay"
  | "bog_p2p"
  | "bog_loyalty"
  | "bnpl"
  | "bog_loan"
  | "gift_card";

export type BogCreateOrder = {
  callback_url: string;
  external_order_id?: string;
  capture?: "automatic" | "manual";
  purchase_units: {
    currency?: string;
    total_amount: Amount;
    total_discount_amount?: Amount;
    basket: BogBasketItem[];
    delivery?: { amount?: Amount };
  };
  redirect_urls?: { success?: string; fail?: string };
  /** Minutes the order may be paid in (2–1440, default 15). */
  ttl?: number;
  payment_method?: BogPaymentMethod[];
  config?: {
    loan?: { type?: string; month?: number };
    campaign?: { card?: "visa" | "mc" | "solo" | "amex"; type?: "restrict" | "client_discount" };
    google_pay?: { external?: boolean; google_pay_token?: string };
    apple_pay?: { external?: boolean };
    account?: { tag?: string };
    split?: BogSplit;
  };
  buyer?: { full_name?: string; masked_email?: string; masked_phone?: string };
  application_type?: "web" | "mobile";
};

export type BogLink = { href: string };

export type BogCreatedOrder = {
  id: string;
  /**
   * `redirect` is the payment page to send the buyer to; Apple Pay orders from the merchant's page
   * get `accept` instead; Google Pay orders from it get `redirect` only while 3-D Secure waits.
   */
  _links: { details?: BogLink; redirect?: BogLink; accept?: BogLink };
  /** Apple Pay from the merchant's page: what the Apple Pay session needs. */
  result?: Record<string, unknown>;
  /** Google Pay from the merchant's page: the order is paid at once; how it stands. */
  status?: BogOrderStatus;
  order_details?: BogReceipt;
};

/** What a saved card is for: payments with the buyer on the page, or charges without them. */
export type BogSavedCardType = "recurrent" | "subscription";

/** A charge of a saved card without the buyer: it is of the parent's amount; these may differ. */
export type BogSubscribe = { callback_url?: string; external_order_id?: string };

export type BogOrderStatus =
  | "created"
  | "processing"
  | "completed"
  | "rejected"
  | "refund_requested"
  | "refunded"
  | "refunded_partially"
  | "auth_requested"
  | "blocked"
  | "partial_completed";

export type BogAction = {
  action_id: string;
  request_channel: string;
  action: "authorize" | "partial_authorize" | "cancel_authorize" | "refund" | "partial_refund";
  status: "completed" | "rejected";
  zoned_action_date: string;
  amount: string;
  code?: string;
  code_description?: string;
};

export type BogReceipt = {
  order_id: string;
  industry: string;
  capture: "automatic" | "manual";
  external_order_id: string | null;
  client: { id: string; brand_ka: string; brand_en: string; url: string | null };
  zoned_create_date: string;
  zoned_expire_date: string;
  order_status: { key: BogOrderStatus; value: string };
  buyer: { full_name: string | null; email: string | null; phone_number: string | null };
  purchase_units: {
    request_amount: string;
    transfer_amount: string;
    refund_amount: string;
    currency_code: string;
    items: Record<string, string | null>[];
  };
  redirect_links: { success: string; fail: string };
  payment_detail: {
    transfer_method: { key: string; value: string } | null;
    transaction_id: string | null;
    payer_identifier: string | null;
    payment_option: string | null;
    card_type: string | null;
    card_expiry_date: string | null;
    request_account_tag: string | null;
    transfer_account_tag: string | null;
    saved_card_type: string | null;
    parent_order_id: string | null;
    code: string | null;
    code_description: string | null;
    auth_code: string | null;
  };
  discount: Record<string, string | null> | null;
  split?: { split_status: string; split_payments: { iban: string; amount: string; percent?: string }[] };
  actions: BogAction[];
  lang: "ka" | "en";
  reject_reason: string | null;
};

export type BogActionResult = { key: string; message: string; action_id: string };

export type BogApplePayResult = { id: string; status: BogOrderStatus; order_details: BogReceipt; _links: { details: BogLink } };

/** The body of a BOG callback (`event: "order_payment"`). */
export type BogCallback = { event: "order_payment"; zoned_request_time: string; body: BogReceipt };
