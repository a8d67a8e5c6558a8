// Money math: 100,000 invoices computed by the engine (wasm) and by the same arithmetic
// written with decimal.js, big.js and dinero.js, under the contract's rules:
//   exclusive: net = round(q × p × (1 − d)), tax = round(net × r), gross = net + tax
//   inclusive: gross = round(q × p × (1 − d)), tax = round(gross − gross / (1 + r)), net = gross − tax
//   round = half away from zero to 2 decimals (EUR), per line; totals are sums of lines.
// The libraries are passed in (the page imports them from node_modules through /vendor).

const now = () => performance.now();

/** mulberry32: a small deterministic generator. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RATES = ['0', '0.05', '0.2'];
const DISCOUNTS = ['0', '0', '0', '0.1', '0.05', '0.15'];

/** `count` invoice drafts: 1–5 lines, tax 0 / 5 % / 20 %, a third tax-inclusive, some discounts, EUR. */
export function makeDrafts(count = 100_000, seed = 42) {
  const r = rng(seed);
  const pick = (list) => list[Math.floor(r() * list.length)];
  const drafts = new Array(count);
  for (let i = 0; i < count; i++) {
    const lines = [];
    const n = 1 + Math.floor(r() * 5);
    for (let l = 0; l < n; l++) {
      const cents = 1 + Math.floor(r() * 200_000); // 0.01 .. 2000.00
      lines.push({
        quantity: String(1 + Math.floor(r() * 12)),
        unit_price: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
        tax_rate: pick(RATES),
        discount_rate: pick(DISCOUNTS),
      });
    }
    drafts[i] = { currency: 'EUR', prices_include_tax: r() < 1 / 3, lines };
  }
  return drafts;
}

/** decimal.js: Decimal.ROUND_HALF_UP rounds ties away from zero. */
function withDecimal(Decimal, drafts) {
  const D = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_UP });
  const one = new D(1);
  const round = (x) => x.toDecimalPlaces(2, D.ROUND_HALF_UP);
  let sum = new D(0);
  for (const d of drafts) {
    let total = new D(0);
    for (const l of d.lines) {
      const amount = round(new D(l.quantity).times(l.unit_price).times(one.minus(l.discount_rate)));
      if (d.prices_include_tax) {
        const tax = round(amount.minus(amount.dividedBy(one.plus(l.tax_rate))));
        total = total.plus(amount.minus(tax)).plus(tax);
      } else {
        const tax = round(amount.times(l.tax_rate));
        total = total.plus(amount).plus(tax);
      }
    }
    sum = sum.plus(total);
  }
  return sum.toFixed(2);
}

/** big.js: Big.roundHalfUp (1) rounds ties away from zero; division to 30 places. */
function withBig(Big, drafts) {
  const B = Big();
  B.DP = 30;
  B.RM = B.roundHalfUp;
  const one = new B(1);
  const round = (x) => x.round(2, B.roundHalfUp);
  let sum = new B(0);
  for (const d of drafts) {
    let total = new B(0);
    for (const l of d.lines) {
      const amount = round(new B(l.quantity).times(l.unit_price).times(one.minus(l.discount_rate)));
      if (d.prices_include_tax) {
        const tax = round(amount.minus(amount.div(one.plus(l.tax_rate))));
        total = total.plus(amount.minus(tax)).plus(tax);
      } else {
        const tax = round(amount.times(l.tax_rate));
        total = total.plus(amount).plus(tax);
      }
    }
    sum = sum.plus(total);
  }
  return sum.toFixed(2);
}

/** "12.34" -> 1234 (cents); "0.05" -> 5 (hundredths). Inputs here have at most 2 decimals. */
function hundredths(text) {
  const [whole, frac = ''] = text.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/**
 * dinero.js 1.x holds integer cents and multiplies/divides by Numbers, rounding each
 * result. To stay exact, every factor is written as an integer ratio (rates and discounts
 * in hundredths) so the only floating-point step is one integer division per rounding:
 *   amount = round(price × q × (100 − D) / 100)
 *   exclusive tax = round(net × R / 100)
 *   inclusive tax = round(gross − gross × 100 / (100 + R)) = gross − roundHalfDown(gross × 100 / (100 + R))
 *     (gross is whole cents and gross/(1+r) ≤ gross, so rounding the difference half away
 *      from zero equals subtracting the quotient rounded half down).
 */
function withDinero(Dinero, drafts) {
  const AWAY = 'HALF_AWAY_FROM_ZERO';
  let sum = Dinero({ amount: 0, currency: 'EUR' });
  for (const d of drafts) {
    let total = Dinero({ amount: 0, currency: 'EUR' });
    for (const l of d.lines) {
      const price = Dinero({ amount: hundredths(l.unit_price), currency: 'EUR' });
      const discount = hundredths(l.discount_rate);
      const rate = hundredths(l.tax_rate);
      const amount = price.multiply(Number(l.quantity) * (100 - discount)).divide(100, AWAY);
      if (d.prices_include_tax) {
        const untaxed = amount.multiply(100).divide(100 + rate, 'HALF_DOWN');
        const tax = amount.subtract(untaxed);
        total = total.add(amount.subtract(tax)).add(tax);
      } else {
        const tax = amount.multiply(rate).divide(100, AWAY);
        total = total.add(amount).add(tax);
      }
    }
    sum = sum.add(total);
  }
  const cents = sum.getAmount();
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

function normalize(text) {
  const [whole, frac = ''] = String(text).split('.');
  return `${whole}.${frac.padEnd(2, '0')}`;
}

/**
 * Times each implementation on the same drafts (best of `rounds`; the first, cold run apart); answers the times,
 * the grand totals and whether all four agree.
 */
export function runMoneyBench({ invoiceMathBatch, Decimal, Big, Dinero }, { count = 100_000, rounds = 3, log = () => {} } = {}) {
  const t0 = now();
  const drafts = makeDrafts(count);
  const lines = drafts.reduce((s, d) => s + d.lines.length, 0);
  const generateMs = now() - t0;
  const impls = {
    engine: () => invoiceMathBatch(JSON.stringify(drafts)),
    'decimal.js': () => withDecimal(Decimal, drafts),
    'big.js': () => withBig(Big, drafts),
    'dinero.js': () => withDinero(Dinero, drafts),
  };
  const text = JSON.stringify(drafts);
  const results = {};
  for (const [name, fn] of Object.entries(impls)) {
    log(`money: ${name}`);
    let best = Infinity;
    let first;
    let total;
    for (let r = 0; r < rounds; r++) {
      const t = now();
      total = fn();
      const ms = now() - t;
      first ??= ms;
      best = Math.min(best, ms);
    }
    results[name] = { ms: best, first_ms: first, total: normalize(total) };
  }
  // The engine without building the JSON text (the drafts as text already).
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = now();
    invoiceMathBatch(text);
    best = Math.min(best, now() - t);
  }
  results.engine.ms_without_stringify = best;
  const totals = Object.values(results).map((r) => r.total);
  const agree = totals.every((t) => t === totals[0]);
  return { invoices: count, lines, generate_ms: generateMs, results, agree };
}
