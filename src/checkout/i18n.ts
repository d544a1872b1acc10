// Every text of the hosted pages, in Georgian, English and Russian.

import type { CardField, CardProblem } from "../core/cards.ts";
import type { DeclineReason, Language } from "../core/types.ts";

const en = {
  title: "Payment",
  pay_to: "Pay to",
  order: "Order",
  item: "Item",
  quantity: "Qty",
  price: "Price",
  total: "Total",
  method: "Payment method",
  card: "Card",
  unavailable_test: "Not available in test mode",
  unavailable: "Not available",
  card_number: "Card number",
  expiry: "Expiry date",
  expiry_hint: "MM/YY",
  cvc: "CVC",
  cardholder: "Cardholder name",
  pay: "Pay",
  test_mode: "Test mode: no real money moves. Use a test card from the README.",
  fix_fields: "Please correct the highlighted fields.",
  paid: "This order is already paid.",
  expired: "This order has expired and can no longer be paid.",
  declined: "The payment was declined.",
  processing: "The payment is being processed. This page refreshes by itself.",
  success: "Payment successful",
  failed: "Payment failed",
  not_found: "Order not found",
  not_found_text: "There is no order with this link.",
  session_expired: "Your session expired. Please try again.",
  threeds_title: "3-D Secure",
  threeds_text: "Your bank asks you to confirm this payment.",
  complete: "Complete",
  fail: "Fail",
  back_to_shop: "Back to the shop",
  amount: "Amount",
  reference: "Reference",
  status: "Status",
};

export type Texts = typeof en;

const ka: Texts = {
  title: "გადახდა",
  pay_to: "მიმღები",
  order: "შეკვეთა",
  item: "პროდუქტი",
  quantity: "რაოდ.",
  price: "ფასი",
  total: "სულ",
  method: "გადახდის მეთოდი",
  card: "ბარათი",
  unavailable_test: "სატესტო რეჟიმში მიუწვდომელია",
  unavailable: "მიუწვდომელია",
  card_number: "ბარათის ნომერი",
  expiry: "მოქმედების ვადა",
  expiry_hint: "თთ/წწ",
  cvc: "CVC",
  cardholder: "ბარათის მფლობელი",
  pay: "გადახდა",
  test_mode: "სატესტო რეჟიმი: რეალური თანხა არ ჩამოიჭრება. გამოიყენეთ სატესტო ბარათი.",
  fix_fields: "გთხოვთ, შეასწოროთ მონიშნული ველები.",
  paid: "ეს შეკვეთა უკვე გადახდილია.",
  expired: "შეკვეთას ვადა გაუვიდა და მისი გადახდა შეუძლებელია.",
  declined: "გადახდა უარყოფილია.",
  processing: "გადახდა მუშავდება. გვერდი თავად განახლდება.",
  success: "გადახდა წარმატებულია",
  failed: "გადახდა ვერ შესრულდა",
  not_found: "შეკვეთა ვერ მოიძებნა",
  not_found_text: "ამ ბმულით შეკვეთა არ არსებობს.",
  session_expired: "სესიას ვადა გაუვიდა. გთხოვთ, სცადოთ თავიდან.",
  threeds_title: "3-D Secure",
  threeds_text: "თქვენი ბანკი გთხოვთ დაადასტუროთ ეს გადახდა.",
  complete: "დასრულება",
  fail: "უარყოფა",
  back_to_shop: "მაღაზიაში დაბრუნება",
  amount: "თანხა",
  reference: "ნომერი",
  status: "სტატუსი",
};

const ru: Texts = {
  title: "Оплата",
  pay_to: "Получатель",
  order: "Заказ",
  item: "Товар",
  quantity: "Кол-во",
  price: "Цена",
  total: "Итого",
  method: "Способ оплаты",
  card: "Карта",
  unavailable_test: "Недоступно в тестовом режиме",
  unavailable: "Недоступно",
  card_number: "Номер карты",
  expiry: "Срок действия",
  expiry_hint: "ММ/ГГ",
  cvc: "CVC",
  cardholder: "Имя владельца карты",
  pay: "Оплатить",
  test_mode: "Тестовый режим: реальные деньги не списываются. Используйте тестовую карту из README.",
  fix_fields: "Пожалуйста, исправьте отмеченные поля.",
  paid: "Этот заказ уже оплачен.",
  expired: "Срок заказа истёк, его больше нельзя оплатить.",
  declined: "Платёж отклонён.",
  processing: "Платёж обрабатывается. Страница обновится сама.",
  success: "Оплата прошла успешно",
  failed: "Оплата не прошла",
  not_found: "Заказ не найден",
  not_found_text: "Заказа по этой ссылке нет.",
  session_expired: "Сессия истекла. Пожалуйста, попробуйте ещё раз.",
  threeds_title: "3-D Secure",
  threeds_text: "Ваш банк просит подтвердить этот платёж.",
  complete: "Подтвердить",
  fail: "Отклонить",
  back_to_shop: "Вернуться в магазин",
  amount: "Сумма",
  reference: "Номер",
  status: "Статус",
};

export const TEXTS: Readonly<Record<Language, Texts>> = { en, ka, ru };

/** Each language in its own words, for the page's language links. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { ka: "ქართული", en: "English", ru: "Русский" };

const FIELD_MESSAGES: Readonly<Record<Language, Record<CardField, Record<CardProblem["problem"], string>>>> = {
  en: {
    card_number: { required: "Enter the card number", format: "A card number has 12 to 19 digits", luhn: "This card number is not valid", invalid: "This card number is not valid" },
    expiry: { required: "Enter the expiry date", format: "Use the format MM/YY", luhn: "", invalid: "This date is not valid" },
    cvc: { required: "Enter the CVC", format: "The CVC has 3 or 4 digits", luhn: "", invalid: "The CVC is not valid" },
    cardholder: { required: "Enter the cardholder name", format: "Use up to 64 letters", luhn: "", invalid: "The name is not valid" },
  },
  ka: {
    card_number: { required: "შეიყვანეთ ბარათის ნომერი", format: "ბარათის ნომერი 12-დან 19 ციფრამდეა", luhn: "ბარათის ნომერი არასწორია", invalid: "ბარათის ნომერი არასწორია" },
    expiry: { required: "შეიყვანეთ მოქმედების ვადა", format: "ფორმატი: თთ/წწ", luhn: "", invalid: "თარიღი არასწორია" },
    cvc: { required: "შეიყვანეთ CVC", format: "CVC 3 ან 4 ციფრია", luhn: "", invalid: "CVC არასწორია" },
    cardholder: { required: "შეიყვანეთ მფლობელის სახელი", format: "მაქსიმუმ 64 სიმბოლო", luhn: "", invalid: "სახელი არასწორია" },
  },
  ru: {
    card_number: { required: "Введите номер карты", format: "В номере карты от 12 до 19 цифр", luhn: "Неверный номер карты", invalid: "Неверный номер карты" },
    expiry: { required: "Введите срок действия", format: "Формат: ММ/ГГ", luhn: "", invalid: "Неверная дата" },
    cvc: { required: "Введите CVC", format: "CVC — это 3 или 4 цифры", luhn: "", invalid: "Неверный CVC" },
    cardholder: { required: "Введите имя владельца", format: "Не более 64 символов", luhn: "", invalid: "Неверное имя" },
  },
};

export function fieldMessage(language: Language, problem: CardProblem): string {
  return FIELD_MESSAGES[language][problem.field][problem.problem];
}

const DECLINES: Readonly<Record<Language, Record<DeclineReason, string>>> = {
  en: {
    issuer_declined: "Your bank declined the payment.",
    acquirer_declined: "The payment was declined. Try another card.",
    insufficient_funds: "Insufficient funds on the card.",
    expired_card: "The card has expired.",
    invalid_card: "The card is not valid.",
    card_restricted: "The card's use is restricted. Contact your bank.",
    transaction_limit: "The card's transaction limit is exceeded.",
    amount_limit: "The card's amount limit is exceeded.",
    technical_error: "A technical error occurred. No money was taken.",
    authentication_timeout: "The bank's confirmation timed out.",
    authentication_failed: "3-D Secure authentication failed.",
    unknown: "The payment was not completed.",
  },
  ka: {
    issuer_declined: "ბანკმა გადახდა უარყო.",
    acquirer_declined: "გადახდა უარყოფილია. სცადეთ სხვა ბარათი.",
    insufficient_funds: "ბარათზე არასაკმარისი თანხაა.",
    expired_card: "ბარათს ვადა გაუვიდა.",
    invalid_card: "ბარათი არასწორია.",
    card_restricted: "ბარათის გამოყენება შეზღუდულია. დაუკავშირდით ბანკს.",
    transaction_limit: "ბარათის ტრანზაქციების ლიმიტი ამოწურულია.",
    amount_limit: "ბარათის თანხის ლიმიტი ამოწურულია.",
    technical_error: "ტექნიკური შეცდომა. თანხა არ ჩამოჭრილა.",
    authentication_timeout: "ბანკის დადასტურების დრო ამოიწურა.",
    authentication_failed: "3-D Secure ავტორიზაცია ვერ შესრულდა.",
    unknown: "გადახდა არ შესრულდა.",
  },
  ru: {
    issuer_declined: "Ваш банк отклонил платёж.",
    acquirer_declined: "Платёж отклонён. Попробуйте другую карту.",
    insufficient_funds: "Недостаточно средств на карте.",
    expired_card: "Срок действия карты истёк.",
    invalid_card: "Карта недействительна.",
    card_restricted: "Использование карты ограничено. Обратитесь в свой банк.",
    transaction_limit: "Превышен лимит операций по карте.",
    amount_limit: "Превышен лимит суммы по карте.",
    technical_error: "Техническая ошибка. Деньги не списаны.",
    authentication_timeout: "Время подтверждения банком истекло.",
    authentication_failed: "Аутентификация 3-D Secure не пройдена.",
    unknown: "Платёж не выполнен.",
  },
};

export function declineMessage(language: Language, reason: DeclineReason): string {
  return DECLINES[language][reason];
}
