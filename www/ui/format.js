// Formatting for people: money with Intl.NumberFormat in the amount's currency, dates
// with Intl.DateTimeFormat in the user's locale. Money strings from the engine carry
// exactly the currency's minor units; they are formatted as strings (Intl reads them as
// exact decimals), so no cent is ever lost to a float.

import { scaleOf, padDecimals } from './decimal.js';

const formats = new Map();

/** One Intl formatter per (kind, locale, options), made once: they are slow to build. */
function formatter(Kind, locale, options) {
  const key = `${Kind.name}|${locale ?? ''}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Kind(locale, options);
    formats.set(key, f);
  }
  return f;
}

/**
 * "1234.50", "EUR" → "€1,234.50" in `locale` (default: the user's), with exactly the
 * decimals the string carries (the engine's money strings carry the currency's).
 */
export function money(amount, currency, locale) {
  if (amount === undefined || amount === null || amount === '') return '';
  const digits = scaleOf(String(amount));
  let f;
  try {
    f = formatter(Intl.NumberFormat, locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
  } catch {
    return `${amount} ${currency}`;
  }
  return f.format(String(amount));
}

/**
 * A unit price: at least `minor` decimals (the currency's: pass the scale of an engine
 * amount of the same invoice) as in "190" → "€190.00", more when it has them ("0.085" → "€0.085").
 */
export function unitPrice(amount, currency, locale, minor = currencyDigits(currency)) {
  return money(padDecimals(String(amount), minor), currency, locale);
}

/** Minor units a currency has, from Intl (used only before the engine has answered). */
export function currencyDigits(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

/** A zero written with the currency's minor units, as a placeholder: "0.00", "0" (JPY), "0.000" (BHD). */
export function zeroAmount(currency) {
  const digits = currencyDigits(currency);
  return digits ? `0.${'0'.repeat(digits)}` : '0';
}

function utc(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return Date.UTC(y, m - 1, d);
}

/** "2026-01-31" → "31 Jan 2026" / "Jan 31, 2026" in `locale` (default: the user's); `style` "long" spells the month. */
export function date(iso, locale, style = 'medium') {
  if (!iso) return '';
  return formatter(Intl.DateTimeFormat, locale, { dateStyle: style, timeZone: 'UTC' }).format(utc(iso));
}

/**
 * "2026-01-31" → "01/31/2026" / "31/01/2026" / "31.01.2026": a date as the browser's date
 * fields show it in `locale`, for messages about what was typed in one.
 */
export function formDate(iso, locale) {
  if (!iso) return '';
  return formatter(Intl.DateTimeFormat, locale, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' }).format(utc(iso));
}

/** "2026-01-31" → "Jan 2026". */
export function monthYear(iso, locale) {
  return formatter(Intl.DateTimeFormat, locale, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(utc(iso));
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

const STATUS = { open: 'Open', partially_paid: 'Partly paid', paid: 'Paid', void: 'Void', written_off: 'Written off' };
/** Invoice status in words. */
export function statusLabel(status) {
  return STATUS[status] ?? status;
}

const KINDS = {
  invoice: 'Invoice', payment: 'Payment', credit: 'Credit', credit_note: 'Credit note',
  refund: 'Refund', payment_void: 'Payment voided', invoice_void: 'Invoice voided',
  write_off: 'Written off', credit_expired: 'Credit expired',
};
/** Statement entry kind in words. */
export function kindLabel(kind) {
  return KINDS[kind] ?? kind;
}

/** Currencies offered in pickers (any ISO 4217 code the engine knows can be typed in). */
export const COMMON_CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'CAD', 'AUD', 'SEK', 'NOK', 'DKK', 'PLN', 'JPY', 'SGD', 'HKD', 'NZD', 'ZAR', 'BHD', 'KWD'];

/** "0.2" → "20%" in `locale` (Intl reads the string as an exact decimal). */
export function percent(fraction, locale) {
  return formatter(Intl.NumberFormat, locale, { style: 'percent', maximumFractionDigits: 8 }).format(String(fraction));
}

/** A decimal string or number as a plain number in `locale`, exactly ("1000000000000000" → "1,000,000,000,000,000"). */
export function plainNumber(value, locale) {
  if (value === undefined || value === null || value === '') return '';
  return formatter(Intl.NumberFormat, locale, { maximumFractionDigits: 20 }).format(String(value));
}

/** "1 record", "2 records": a count with its noun (English plural with an s). */
export function counted(n, noun, locale) {
  return `${plainNumber(n, locale)} ${noun}${Number(n) === 1 ? '' : 's'}`;
}

/** A quantity as a plain number in `locale` ("1.5" → "1.5", "1000" → "1,000"). */
export function quantity(value, locale) {
  return formatter(Intl.NumberFormat, locale, { maximumFractionDigits: 10 }).format(String(value));
}
