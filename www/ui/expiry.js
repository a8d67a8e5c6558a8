// Credit with an end date: which lots run out soon, and which are already past their
// "valid until" date but still held (they go with the next "Expire credit"). Only dates
// are compared here; the amounts shown are the engine's lots.

import { h } from './dom.js';
import { money, date, daysBetween } from './format.js';

/** Days ahead that count as "expiring soon". */
export const SOON_DAYS = 30;

/** Lots of `lots` (one currency) with a `valid_until`, split into expired and expiring within SOON_DAYS of `today`. */
export function expiringLots(lots, today) {
  const dated = lots.filter((l) => l.valid_until);
  return {
    expired: dated.filter((l) => l.valid_until < today),
    soon: dated.filter((l) => l.valid_until >= today && daysBetween(today, l.valid_until) <= SOON_DAYS),
  };
}

/** A warning about `lots` of `currency` that run out within 30 days or already have; null when none do. */
export function expiryWarning(lots, currency, today, { id } = {}) {
  const { expired, soon } = expiringLots(lots, today);
  if (!expired.length && !soon.length) return null;
  const say = (l) => `${money(l.remaining, currency)} valid until ${date(l.valid_until)}`;
  return h('div', { class: 'warning', role: 'note', id },
    soon.length ? h('p', {}, `Credit expiring within ${SOON_DAYS} days: ${soon.map(say).join('; ')}.`) : null,
    expired.length ? h('p', {}, `Past its date, removed by the next "Expire credit": ${expired.map(say).join('; ')}.`) : null);
}
