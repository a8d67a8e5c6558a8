// A second look before recording an amount far above what is usually billed: a digit too
// many or a misplaced decimal point is easy to type, and a record is never edited (only
// voided or corrected by another record). The rule is in docs/panel.md ("Unusual amounts").
// The figures compared are the engine's invoice totals; the page only compares decimal
// strings and moves a decimal point (ten times), it computes no amount.

import { h } from './dom.js';
import { money, date, currencyDigits } from './format.js';
import { compareDecimals, padDecimals, shift, isDecimal, isZero } from './decimal.js';
import { confirmDialog } from './dialog.js';

/** Above this many times the largest recent invoice, an amount is questioned: 10 (one decimal place). */
const TIMES_PLACES = 1;
/** With no invoice in the currency in the last 12 months, an amount above this (major units) is questioned. */
export const NO_HISTORY_LIMIT = '10000';

/** The same day a year before `today` (YYYY-MM-DD; compared as a string, so 29 Feb is fine). */
function yearBefore(today) {
  return `${String(Number(today.slice(0, 4)) - 1).padStart(4, '0')}${today.slice(4)}`;
}

function largest(invoices) {
  let best = null;
  for (const i of invoices) if (!best || compareDecimals(i.total, best.total) > 0) best = i;
  return best && !isZero(best.total) ? best : null;
}

/**
 * Whether `amount` in `currency` is far above the usual for `customer`: more than ten times
 * the largest invoice (not void) the customer received in that currency in the 12 months
 * before `today`; without one, ten times the largest of any customer in that currency;
 * without any, more than NO_HISTORY_LIMIT. Returns null when it is not (or when the
 * amount is not a decimal: the engine then says what is wrong), else what to say.
 */
export function unusualAmount(store, { customer, currency, amount, today }) {
  const typed = (amount ?? '').trim();
  if (!customer || !currency || !isDecimal(typed)) return null;
  const since = yearBefore(today);
  const recent = (q) => {
    const answer = store.query({ type: 'invoices', currency, ...q });
    return answer.ok === false ? [] : answer.invoices.filter((i) => i.status !== 'void' && i.date > since && i.date <= today);
  };
  let basis = largest(recent({ customer }));
  const own = Boolean(basis);
  if (!basis) basis = largest(recent({}));
  const limit = basis ? shift(basis.total, TIMES_PLACES) : NO_HISTORY_LIMIT;
  if (compareDecimals(typed, limit) <= 0) return null;
  return { amount: padDecimals(typed, currencyDigits(currency)), currency, basis, own, limit };
}

/** The reason for asking, in words. */
export function unusualWords(u, customerName) {
  const m = (v) => money(v, u.currency);
  if (u.own) return `${m(u.amount)} is more than ten times the largest invoice ${customerName} received in the last 12 months (${m(u.basis.total)}, ${u.basis.number} of ${date(u.basis.date)}).`;
  if (u.basis) return `${customerName} has no invoice in ${u.currency} in the last 12 months, and ${m(u.amount)} is more than ten times the largest invoice of any customer in ${u.currency} over that time (${m(u.basis.total)}).`;
  return `There is no invoice in ${u.currency} in the last 12 months to compare with, and ${m(u.amount)} is more than ${m(padDecimals(u.limit, currencyDigits(u.currency)))}.`;
}

/**
 * Asks before recording an unusual amount (see unusualAmount); resolves true when the
 * amount is usual or the user confirms it. `what` names the record ("a payment").
 */
export async function confirmUsualAmount(store, { customer, customerName, currency, amount, today, what }) {
  const u = unusualAmount(store, { customer, currency, amount, today });
  if (!u) return true;
  return confirmDialog({
    title: `Record ${what} of ${money(u.amount, u.currency)}?`,
    body: [
      h('p', {}, unusualWords(u, customerName)),
      h('p', {}, 'Check the amount: a digit too many or a misplaced decimal point is easy to type, and a record is never edited, only voided or corrected by another record.'),
    ],
    confirmLabel: `Yes, record ${money(u.amount, u.currency)}`,
    cancelLabel: 'No, correct the amount',
  });
}
