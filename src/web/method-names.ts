// The payment methods' names, as the buyer's pages and the dashboard show them.

import type { Language, PaymentMethod } from "../core/types.ts";

export const METHOD_NAMES: Readonly<Record<PaymentMethod, Record<Language, string>>> = {
  card: { en: "Card", ka: "ბარათი", ru: "Карта" },
  google_pay: { en: "Google Pay", ka: "Google Pay", ru: "Google Pay" },
  apple_pay: { en: "Apple Pay", ka: "Apple Pay", ru: "Apple Pay" },
  bank_transfer: { en: "Internet bank", ka: "ინტერნეტბანკი", ru: "Интернет-банк" },
  loyalty_points: { en: "Loyalty points", ka: "ქულებით გადახდა", ru: "Оплата баллами" },
  bnpl: { en: "Buy now, pay later", ka: "ნაწილ-ნაწილ გადახდა", ru: "Купи сейчас, плати потом" },
  installment: { en: "Installment loan", ka: "განვადება", ru: "Рассрочка" },
  gift_card: { en: "Gift card", ka: "სასაჩუქრე ბარათი", ru: "Подарочная карта" },
  qr: { en: "QR payment", ka: "QR გადახდა", ru: "Оплата по QR" },
};
