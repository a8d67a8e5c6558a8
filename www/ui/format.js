// Formatting for people: money with Intl.NumberFormat in the amount's currency, dates
// with Intl.DateTimeFormat in the user's locale. Money strings from the engine carry
// exactly the currency's minor units; they are formatted as strings (Intl reads them as
// exact decimals), so no cent is ever lost to a float.

import { scaleOf } from './decimal.js';

const moneyFormats = new Map();

/** "1234.50", "EUR" → "€1,234.50" (in the user's locale). */
export function money(amount, currency) {
  if (amount === undefined || amount === null || amount === '') return '';
  const digits = scaleOf(String(amount));
  const key = `${currency}:${digits}`;
  let f = moneyFormats.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
    } catch {
      f = { format: (x) => `${x} ${currency}` };
    }
    moneyFormats.set(key, f);
  }
  return f.format(String(amount));
}

/** Minor units a currency has, from Intl (used only before the engine has answered). */
export function currencyDigits(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const shortDateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });

function utc(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return Date.UTC(y, m - 1, d);
}

/** "2026-01-31" → "31 Jan 2026" / "Jan 31, 2026" (user's locale). */
export function date(iso) {
  if (!iso) return '';
  return dateFormat.format(utc(iso));
}

/** "2026-01-31" → "Jan 2026". */
export function monthYear(iso) {
  return shortDateFormat.format(utc(iso));
}

/** Days from date `a` to date `b` (both YYYY-MM-DD). */
export function daysBetween(a, b) {
  return Math.round((utc(b) - utc(a)) / 86400000);
}

/** Date `iso` plus `days` days. */
export function addDays(iso, days) {
  return new Date(utc(iso) + days * 86400000).toISOString().slice(0, 10);
}

/** Today in the user's time zone, YYYY-MM-DD: the engine never reads clocks, the page does. */
export function todayISO() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export const METHODS = [
  ['bank_transfer', 'Bank transfer'],
  ['card', 'Card'],
  ['cash', 'Cash'],
  ['direct_debit', 'Direct debit'],
  ['cheque', 'Cheque'],
  ['other', 'Other'],
];

/** "bank_transfer" → "Bank transfer". */
export function methodLabel(method) {
  return METHODS.find(([m]) => m === method)?.[1] ?? method;
}

const STATUS = { open: 'Open', partially_paid: 'Partly paid', paid: 'Paid', void: 'Void' };
/** Invoice status in words. */
export function statusLabel(status) {
  return STATUS[status] ?? status;
}

const KINDS = {
  invoice: 'Invoice', payment: 'Payment', credit: 'Credit', credit_note: 'Credit note',
  refund: 'Refund', payment_void: 'Payment voided', invoice_void: 'Invoice voided',
};
/** Statement entry kind in words. */
export function kindLabel(kind) {
  return KINDS[kind] ?? kind;
}

/** Currencies offered in pickers (any ISO 4217 code the engine knows can be typed in). */
export const COMMON_CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'CAD', 'AUD', 'SEK', 'NOK', 'DKK', 'PLN', 'JPY', 'SGD', 'HKD', 'NZD', 'ZAR', 'BHD', 'KWD'];

const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 8 });
/** "0.2" → "20%" in the user's locale (Intl reads the string as an exact decimal). */
export function percent(fraction) {
  return percentFormat.format(String(fraction));
}
