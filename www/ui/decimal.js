// Exact decimal arithmetic for what the panel computes itself (the payment plan, sums
// for charts): amounts are strings, turned into BigInt minor units, never floats.

const GRAMMAR = /^(-?)(\d+)(?:\.(\d+))?$/;

/** True if `s` is a decimal in the engine's grammar (`-?digits(.digits)?`). */
export function isDecimal(s) {
  return typeof s === 'string' && GRAMMAR.test(s);
}

/** Number of decimals a money string carries ("100.00" → 2, "500" → 0). */
export function scaleOf(s) {
  const m = GRAMMAR.exec(s ?? '');
  return m && m[3] ? m[3].length : 0;
}

/**
 * `s` in minor units at `scale` as a BigInt; null if it is not a decimal or has more
 * decimals than `scale` (the engine refuses those for money).
 */
export function toUnits(s, scale) {
  const m = GRAMMAR.exec((s ?? '').trim());
  if (!m) return null;
  const frac = m[3] ?? '';
  if (frac.length > scale) return null;
  const units = BigInt(m[2] + frac.padEnd(scale, '0'));
  return m[1] === '-' ? -units : units;
}

/** BigInt minor units back to a decimal string with exactly `scale` decimals. */
export function fromUnits(units, scale) {
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = scale ? `.${digits.slice(digits.length - scale)}` : '';
  return `${neg ? '-' : ''}${int}${frac}`;
}

/**
 * Moves the decimal point: shift("20", -2) = "0.2" (a percentage to a fraction),
 * shift("0.075", 2) = "7.5". Returns the input unchanged if it is not a decimal (the
 * engine then refuses it and names it).
 */
export function shift(s, places) {
  const t = (s ?? '').trim();
  const m = GRAMMAR.exec(t);
  if (!m) return t;
  let digits = m[2] + (m[3] ?? '');
  let point = m[2].length + places;
  if (point < 0) { digits = '0'.repeat(-point) + digits; point = 0; }
  if (point > digits.length) digits = digits.padEnd(point, '0');
  let int = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const frac = digits.slice(point).replace(/0+$/, '');
  if (int === '') int = '0';
  const out = frac ? `${int}.${frac}` : int;
  return m[1] === '-' && /[1-9]/.test(out) ? `-${out}` : out;
}

/** `s` with at least `places` decimals, padded with zeros ("190" → "190.00"); `s` itself if it is not a decimal. */
export function padDecimals(s, places) {
  if (!isDecimal(s)) return s;
  const have = scaleOf(s);
  if (have >= places) return s;
  return `${s}${have === 0 ? '.' : ''}${'0'.repeat(places - have)}`;
}

/** True if the decimal string is zero ("0.00", "-0", "0"). */
export function isZero(s) {
  return !/[1-9]/.test(s ?? '');
}

/**
 * Compares two decimal strings exactly (any number of digits and decimals): -1, 0, 1.
 * Null if either is not a decimal. Comparing is not computing: no amount is made.
 */
export function compareDecimals(a, b) {
  if (!isDecimal(a) || !isDecimal(b)) return null;
  const places = Math.max(scaleOf(a), scaleOf(b));
  return cmp(toUnits(a, places), toUnits(b, places));
}

/** Compares two BigInts: -1, 0, 1. */
export function cmp(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorting key: a money string as a Number (display order only, never arithmetic). */
export function sortKey(s) {
  return Number(s ?? 0);
}
