// Charts as SVG built with createElementNS (no library): a customer's balance over time
// and aged receivables bars. Each is an image for screen readers (role="img") with a
// <title> and a <desc> that states what the chart shows in words; the numbers are in
// the tables next to them as well.

import { svg, uid } from './dom.js';
import { date, money, daysBetween } from './format.js';

/**
 * A step chart of the running balance. `points`: [{ date, balance }] in order, with the
 * opening balance as the first point. Positive balances (the customer owes) above the
 * zero line, negative ones (the customer is in credit) below.
 */
export function balanceChart({ points, currency, name }) {
  const W = 900; const H = 220; const L = 84; const R = 16; const T = 14; const B = 30;
  const titleId = uid('chart-title');
  const descId = uid('chart-desc');
  const values = points.map((p) => Number(p.balance));
  const first = points[0];
  const last = points[points.length - 1];
  let hi = Math.max(0, ...values);
  let lo = Math.min(0, ...values);
  if (hi === lo) hi = lo + 1;
  // A little room after the last change, so the balance it left is visible.
  const span = Math.max(1, daysBetween(first.date, last.date)) * 1.03 + 1;
  const x = (d) => L + (daysBetween(first.date, d) / span) * (W - L - R);
  const y = (v) => T + ((hi - Number(v)) / (hi - lo)) * (H - T - B);
  const maxPoint = points.reduce((a, p) => (Number(p.balance) > Number(a.balance) ? p : a), first);
  const minPoint = points.reduce((a, p) => (Number(p.balance) < Number(a.balance) ? p : a), first);

  let d = `M${x(first.date).toFixed(1)},${y(first.balance).toFixed(1)}`;
  for (const p of points.slice(1)) {
    d += ` H${x(p.date).toFixed(1)} V${y(p.balance).toFixed(1)}`;
  }
  d += ` H${(W - R).toFixed(1)}`;

  const words = points.length <= 1
    ? `No entries: the balance stays at ${money(first.balance, currency)}.`
    : `From ${date(first.date)} to ${date(last.date)} the balance goes from ${money(first.balance, currency)} to ${money(last.balance, currency)}. `
      + `Highest ${money(maxPoint.balance, currency)} on ${date(maxPoint.date)}; lowest ${money(minPoint.balance, currency)} on ${date(minPoint.date)}. `
      + 'Above zero the customer owes; below zero the customer is in credit.';

  const hiStr = money(String(maxPoint.balance), currency);
  const loStr = money(String(minPoint.balance), currency);
  return svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}`, preserveAspectRatio: 'xMidYMid meet' },
    svg('title', { id: titleId }, `Balance over time, ${name}, ${currency}`),
    svg('desc', { id: descId }, words),
    svg('line', { class: 'chart-axis', x1: L, x2: W - R, y1: y(0), y2: y(0) }),
    svg('line', { class: 'chart-axis', x1: L, x2: L, y1: T, y2: H - B }),
    svg('text', { class: 'chart-label', x: L - 6, y: y(0) + 4, 'text-anchor': 'end' }, money(zeroOf(first.balance), currency)),
    Number(maxPoint.balance) > 0 ? svg('text', { class: 'chart-label', x: L - 6, y: y(maxPoint.balance) + 4, 'text-anchor': 'end' }, hiStr) : null,
    Number(minPoint.balance) < 0 ? svg('text', { class: 'chart-label', x: L - 6, y: y(minPoint.balance) + 4, 'text-anchor': 'end' }, loStr) : null,
    svg('text', { class: 'chart-label', x: L, y: H - 8, 'text-anchor': 'start' }, date(first.date)),
    points.length > 1 ? svg('text', { class: 'chart-label', x: W - R, y: H - 8, 'text-anchor': 'end' }, date(last.date)) : null,
    svg('path', { class: 'chart-line', d }),
  );
}

function zeroOf(sample) {
  return String(sample).replace(/^-/, '').replace(/\d/g, '0');
}

export const BUCKETS = [
  ['current', 'Not yet due'],
  ['days_1_30', '1–30 days overdue'],
  ['days_31_60', '31–60 days overdue'],
  ['days_61_90', '61–90 days overdue'],
  ['over_90', 'Over 90 days overdue'],
];

/** Horizontal bars, one per aging bucket, for one currency's totals. */
export function agingBars(totals) {
  const W = 900; const rowH = 30; const L = 170; const R = 120; const H = BUCKETS.length * rowH + 8;
  const titleId = uid('chart-title');
  const descId = uid('chart-desc');
  const values = BUCKETS.map(([k]) => Number(totals[k]));
  const max = Math.max(...values, 0) || 1;
  const words = BUCKETS.map(([k, label]) => `${label}: ${money(totals[k], totals.currency)}`).join('; ');
  return svg('svg', { class: 'chart chart-aging', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}` },
    svg('title', { id: titleId }, `Aged receivables in ${totals.currency}`),
    svg('desc', { id: descId }, `${words}. Total ${money(totals.total, totals.currency)}.`),
    BUCKETS.map(([k, label], i) => {
      const yTop = 4 + i * rowH;
      const w = Math.max(values[i] > 0 ? 2 : 0, (values[i] / max) * (W - L - R));
      return svg('g', { class: `bucket bucket-${i}` },
        svg('text', { class: 'chart-label', x: L - 8, y: yTop + 18, 'text-anchor': 'end' }, label),
        svg('rect', { class: 'chart-bar', x: L, y: yTop + 4, width: w.toFixed(1), height: rowH - 10, rx: 2 }),
        svg('text', { class: 'chart-value', x: L + w + 6, y: yTop + 18 }, money(totals[k], totals.currency)));
    }),
  );
}
