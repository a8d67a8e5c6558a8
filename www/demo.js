// Demo data: a year in the life of a coworking space, as contract commands.
//
//   import { demoCommands } from './demo.js';
//   await store.applyMany(demoCommands());            // ends on 2026-11-25
//   demoCommands({ today: '2027-03-10' });             // the same year, shifted
//
// Deterministic: randomness comes from a PRNG seeded by each customer's id, and the same
// `today` always gives the same commands. Nothing is dated after `today`. Payment amounts
// are worked out by a small model of the books (integer cents, the engine's rounding
// rules) run in the order the commands are applied, so payments settle what is really due.

const PLANS = { // description, unit price in cents per currency
  hot: ['Hot desk membership', { EUR: 19000, GBP: 16500, USD: 21000 }],
  dedicated: ['Dedicated desk', { EUR: 32000, GBP: 28000, USD: 35000 }],
  office2: ['Private office, 2 desks', { EUR: 85000, GBP: 74000, USD: 92000 }],
  office4: ['Private office, 4 desks', { EUR: 165000, GBP: 145000, USD: 180000 }],
  office8: ['Private office, 8 desks', { EUR: 310000, GBP: 270000, USD: 340000 }],
  flex: ['Flex pass, 10 days', { EUR: 14900, GBP: 12900, USD: 16900 }],
};
const EXTRAS = [ // description, price in cents per currency, tax %, quantity range
  ['Meeting room, hours', { EUR: 2500, GBP: 2200, USD: 2800 }, 20, [1, 8]],
  ['Printing, pages', { EUR: 8, GBP: 7, USD: 10 }, 20, [20, 300]],
  ['Barista coffee', { EUR: 240, GBP: 210, USD: 280 }, 5, [5, 30]],
];

// slug, name, currency, plan, how they pay, method, options
// (start/end: first/last month index 0..11; tax: % override; desks; discount %; quiet: no extras)
const CUSTOMERS = [
  ['northwind', 'Northwind Studio Ltd', 'EUR', 'office4', 'advance', 'bank_transfer', { discount: 10 }],
  ['lovelace', 'Ada Lovelace', 'EUR', 'hot', 'ontime', 'card'],
  ['harbor-legal', 'Harbor Legal LLP', 'GBP', 'office2', 'ontime', 'bank_transfer'],
  ['fennel', 'Fennel & Finch Design', 'EUR', 'dedicated', 'ontime', 'direct_debit', { desks: 2 }],
  ['okafor', 'Chidi Okafor', 'EUR', 'hot', 'cash', 'cash'],
  ['bluepeak', 'Bluepeak Analytics GmbH', 'EUR', 'office8', 'ontime', 'bank_transfer', { discount: 10 }],
  ['moreau', 'Camille Moreau', 'EUR', 'flex', 'ontime', 'card'],
  ['tanaka', 'Yuki Tanaka', 'USD', 'dedicated', 'ontime', 'card', { tax: 0 }],
  ['quill', 'Quill & Ink Publishing', 'EUR', 'dedicated', 'ontime', 'cheque'],
  ['lindqvist', 'Sofia Lindqvist', 'EUR', 'hot', 'late', 'bank_transfer'],
  ['copperleaf', 'Copperleaf Ventures SAS', 'EUR', 'office4', 'stop4', 'bank_transfer'],
  ['ibrahim', 'Amina Ibrahim', 'GBP', 'hot', 'partial', 'bank_transfer'],
  ['riverside', 'Riverside Robotics Inc.', 'USD', 'office2', 'advance', 'bank_transfer', { tax: 0, quiet: true }],
  ['novak', 'Petra Novak', 'EUR', 'dedicated', 'ontime', 'other'],
  ['saltmarsh', 'Saltmarsh Coffee Roasters', 'EUR', 'hot', 'stop1', 'card'],
  ['delacroix', 'Hugo Delacroix', 'EUR', 'hot', 'ontime', 'direct_debit'],
  ['greenway', 'Greenway Charity Trust', 'EUR', 'dedicated', 'ontime', 'bank_transfer', { tax: 0 }],
  ['orbit', 'Orbit Labs BV', 'EUR', 'office2', 'ontime', 'direct_debit', { start: 3 }],
  ['kestrel', 'Kestrel Media Ltd', 'GBP', 'dedicated', 'deposit', 'bank_transfer', { start: 2, end: 7 }],
  ['brightline', 'Brightline Consulting', 'EUR', 'office2', 'late', 'bank_transfer'],
  ['garcia', 'Marta García', 'EUR', 'hot', 'ontime', 'card'],
  ['becker', 'Lukas Becker', 'EUR', 'flex', 'cash', 'cash'],
  ['raman', 'Priya Raman', 'GBP', 'dedicated', 'ontime', 'direct_debit'],
  ['silva', 'Tomás Silva', 'EUR', 'hot', 'ontime', 'other', { start: 6 }],
  ['haddad', 'Nora Haddad', 'EUR', 'dedicated', 'late', 'card'],
  ['aurora', 'Aurora Health Tech', 'EUR', 'office4', 'ontime', 'bank_transfer'],
  ['pixelforge', 'Pixelforge Games Ltd', 'GBP', 'office4', 'stop2', 'bank_transfer'],
  ['meridian', 'Meridian Architects', 'EUR', 'office2', 'ontime', 'cheque'],
  ['oconnor', "Liam O'Connor", 'EUR', 'hot', 'partial', 'card'],
  ['martin', 'Zoë Martin', 'EUR', 'flex', 'ontime', 'card', { start: 9 }],
  ['chen', 'Wei Chen', 'USD', 'hot', 'ontime', 'card', { tax: 0 }],
  ['sunday-films', 'Sunday Morning Films', 'EUR', 'dedicated', 'advance', 'bank_transfer', { desks: 3 }],
  ['atlas', 'Atlas Translation Services', 'EUR', 'dedicated', 'ontime', 'direct_debit'],
  ['fjord', 'Fjord Data AS', 'EUR', 'office2', 'ontime', 'bank_transfer', { start: 4 }],
  ['kobayashi', 'Hana Kobayashi', 'EUR', 'hot', 'ontime', 'direct_debit'],
  ['oak-ember', 'Oak & Ember Candles', 'EUR', 'hot', 'stop4', 'cash'],
  ['rossi', 'Mateo Rossi', 'EUR', 'hot', 'ontime', 'card', { start: 1 }],
  ['dubois', 'Isabelle Dubois', 'EUR', 'dedicated', 'ontime', 'bank_transfer'],
  ['muller', 'Kai Müller', 'EUR', 'flex', 'late', 'card', { start: 5 }],
  ['nkosi', 'Thandiwe Nkosi', 'EUR', 'hot', 'ontime', 'other'],
];

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const seedOf = (text) => [...text].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619), 2166136261);

const iso = (t) => new Date(t).toISOString().slice(0, 10);
const money = (c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
const cents = (s) => Math.round(Number(s) * 100);
const pct = (s) => Math.round(Number(s ?? '0') * 100);
const rate = (p) => (p === 0 ? '0' : (p / 100).toFixed(2));
const roundDiv = (a, b) => Math.floor((2 * a + b) / (2 * b)); // half away from zero, a >= 0

/** A line's gross in cents, by the contract's rules (per line, half away from zero). */
function lineGross(l, inclusive) {
  const base = roundDiv(Number(l.quantity ?? '1') * cents(l.unit_price) * (100 - pct(l.discount_rate)), 100);
  return inclusive ? base : base + roundDiv(base * pct(l.tax_rate), 100);
}

/** The customers' books in integer cents: just enough to know what is due and what is credit. */
function books() {
  const cus = {}; const inv = {}; const pay = {};
  const settle = (c, amount, targets) => {
    const allocs = [];
    for (const i of targets) {
      const a = Math.min(i.due, amount);
      if (a > 0) { i.due -= a; amount -= a; allocs.push([i, a]); }
    }
    c.credit += amount;
    return { allocs, credit: amount };
  };
  return {
    cus, inv, pay,
    apply(k) {
      const c = cus[k.customer];
      const amount = k.amount && cents(k.amount);
      if (k.type === 'create_customer') cus[k.id] = { credit: 0, invoices: [] };
      else if (k.type === 'issue_invoice') {
        const total = k.lines.reduce((s, l) => s + lineGross(l, k.prices_include_tax), 0);
        const applied = k.use_credit === false ? 0 : Math.min(c.credit, total);
        c.credit -= applied;
        c.invoices.push(inv[k.id] = { c, total, credited: 0, due: total - applied }); // issue order = due order here
      } else if (k.type === 'record_payment') {
        const targets = k.allocate_to ? k.allocate_to.map((id) => inv[id]) : c.invoices.filter((i) => i.due > 0);
        pay[k.id] = { c, amount, ...settle(c, amount, targets) };
      } else if (k.type === 'add_credit' || (k.type === 'issue_credit_note' && !k.invoice)) c.credit += amount;
      else if (k.type === 'issue_credit_note') {
        const i = inv[k.invoice]; const received = i.total - i.credited - i.due;
        i.credited += amount;
        const asks = i.total - i.credited;
        c.credit += Math.max(0, received - asks);
        i.due = Math.max(0, asks - received);
      } else if (k.type === 'refund_credit') c.credit -= amount;
      else if (k.type === 'apply_credit') {
        const i = inv[k.invoice]; const a = Math.min(c.credit, i.due); c.credit -= a; i.due -= a;
      } else if (k.type === 'void_payment') {
        const p = pay[k.payment]; // (its credit is assumed unspent: true of the one voided here)
        for (const [i, a] of p.allocs) i.due += a;
        p.c.credit -= p.credit;
      } else if (k.type === 'void_invoice') {
        const i = inv[k.invoice];
        i.c.credit += i.total - i.credited - i.due; i.due = 0;
      }
    },
  };
}

/** The plan line (and, with `extras`, a few usage lines) a customer is billed for a month. */
function monthLines([, , cur, plan, , , o = {}], rand, extras) {
  const tax = (p) => rate(o.tax ?? p);
  const lines = [{ description: PLANS[plan][0], quantity: String(o.desks ?? 1), unit_price: money(PLANS[plan][1][cur]), tax_rate: tax(20), ...(o.discount ? { discount_rate: rate(o.discount) } : {}) }];
  if (extras && !o.quiet) {
    for (const [description, price, p, [lo, hi]] of EXTRAS) {
      if (rand() < 0.45) lines.push({ description, quantity: String(lo + Math.floor(rand() * (hi - lo + 1))), unit_price: money(price[cur]), tax_rate: tax(p) });
    }
  }
  return lines;
}

/** The draft of a demo customer's next invoice (1st of the month after `today`), for previews. */
export function demoNextDraft(customer, { today = '2026-11-25' } = {}) {
  const row = CUSTOMERS.find((r) => `cus-${r[0]}` === customer) ?? CUSTOMERS[0];
  const [y, m] = today.split('-').map(Number);
  const lines = monthLines(row, null, false);
  lines.push({ description: EXTRAS[0][0], quantity: '2', unit_price: money(EXTRAS[0][1][row[2]]), tax_rate: rate(row[6]?.tax ?? 20) });
  return { customer: `cus-${row[0]}`, date: iso(Date.UTC(y, m, 1)), due_date: iso(Date.UTC(y, m, 15)), lines, ...(row[3] === 'flex' ? { prices_include_tax: true } : {}) };
}

/**
 * The demo ledger as contract commands, in the order to apply them.
 * @param {{ today?: string }} [options] the last day of the demo year (`YYYY-MM-DD`)
 * @returns {object[]}
 */
export function demoCommands({ today = '2026-11-25' } = {}) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new TypeError(`demoCommands: today must be YYYY-MM-DD, not ${today}`);
  const [ty, tm] = today.split('-').map(Number);
  const day = (idx, d) => iso(Date.UTC(ty, tm - 12 + idx, d)); // month 11 is today's month
  const tag = (idx) => day(idx, 1).slice(0, 7);
  const events = [];
  const at = (idx, d, build) => events.push({ date: day(idx, d), k: events.length, build });
  const payDue = (cus, inv, id, method, reference, { share = 1, roundTo = 0, allocate = false } = {}) => (b) => {
    const due = b.inv[inv]?.due;
    if (!due) return null;
    let amount = share < 1 ? roundDiv(due * share * 100, 10000) * 100 : due;
    if (roundTo) amount = Math.ceil(amount / roundTo) * roundTo;
    return { type: 'record_payment', id, customer: cus, amount: money(amount), method, date: '', reference, ...(allocate ? { allocate_to: [inv] } : {}) };
  };

  for (const row of CUSTOMERS) {
    const [slug, name, currency, plan, pays, method, o = {}] = row;
    const cus = `cus-${slug}`;
    const rand = mulberry32(seedOf(slug));
    const start = o.start ?? 0; const end = o.end ?? 11;
    const ref = (idx, kind = method) => ({
      bank_transfer: `SEPA ${slug.toUpperCase()} ${tag(idx)}`, card: `VISA ****${1000 + ((seedOf(slug) >>> 0) % 9000)}`,
      direct_debit: `DD mandate TLY-${String(seedOf(slug) >>> 16).padStart(5, '0')}`, cheque: `Cheque no. ${100000 + Math.floor(rand() * 900000)}`,
      cash: `Receipt R-${tag(idx)}-${slug.slice(0, 3).toUpperCase()}`, other: `PayPal ${Math.floor(rand() * 1e9).toString(36).toUpperCase()}`,
    })[kind];
    at(start - 1, 10, () => ({ type: 'create_customer', id: cus, name, currency, email: `billing@${slug}.example` }));
    const planGross = lineGross(monthLines(row, null, false)[0], plan === 'flex');
    if (pays === 'deposit') at(start - 1, 10, () => ({ type: 'record_payment', id: `pay-deposit-${cus}`, customer: cus, amount: money(planGross), method, date: '', reference: 'Security deposit', allocate_to: [] }));
    for (let idx = start; idx <= end; idx++) {
      const inv = `inv-${tag(idx)}-${cus}`; const id = `pay-${tag(idx)}-${cus}`;
      const quarter = (11 - idx) % 3 === 0;
      if (pays === 'advance' && (idx === start || quarter)) {
        const months = idx === start && !quarter ? ((11 - idx) % 3) : 3;
        at(idx - 1, 20, () => ({ type: 'record_payment', id: `pay-advance-${tag(idx)}-${cus}`, customer: cus, amount: money(months * planGross), method, date: '', reference: `Advance, ${months} months from ${tag(idx)}` }));
      }
      const lines = monthLines(row, rand, true);
      at(idx, 1, () => ({ type: 'issue_invoice', id: inv, customer: cus, date: day(idx, 1), due_date: day(idx, 15), lines, ...(plan === 'flex' ? { prices_include_tax: true } : {}), ...(pays === 'deposit' ? { use_credit: false } : {}) }));
      const payday = 2 + Math.floor(rand() * 13);
      if (pays === 'ontime' || pays === 'advance' || pays === 'deposit' || (pays.startsWith('stop') && idx < 12 - Number(pays.slice(4)))) {
        at(idx, method === 'direct_debit' ? 5 : payday, payDue(cus, inv, id, method, ref(idx)));
      } else if (pays === 'cash') at(idx, payday, payDue(cus, inv, id, method, ref(idx), { roundTo: 1000 }));
      else if (pays === 'late') at(idx, 15 + 20 + Math.floor(rand() * 25), payDue(cus, inv, id, method, ref(idx), { allocate: true }));
      else if (pays === 'partial') {
        at(idx, 14, payDue(cus, inv, id, method, ref(idx), { share: 0.5, allocate: true }));
        at(idx + 1, 10, payDue(cus, inv, `${id}-rest`, method, ref(idx), { allocate: true }));
      }
    }
  }

  // One-off events: goodwill, credit notes, a refund, a bounced cheque, a duplicate invoice.
  const c = (slug) => `cus-${slug}`;
  const i = (idx, slug) => `inv-${tag(idx)}-cus-${slug}`;
  at(2, 3, () => ({ type: 'add_credit', id: `cr-${tag(2)}-cus-fennel`, customer: c('fennel'), amount: '30.00', date: '', reason: 'Heating failure, two days without heating in the studio' }));
  at(2, 3, () => ({ type: 'apply_credit', id: `apc-${tag(2)}-cus-fennel`, customer: c('fennel'), invoice: i(2, 'fennel') }));
  // Promotional credit with an end date: runs out at the end of this month.
  at(11, 1, () => ({ type: 'add_credit', id: `cr-${tag(11)}-cus-fennel-pass`, customer: c('fennel'), amount: '25.00', date: '', valid_until: day(12, 0), reason: 'Free guest day pass, valid until the end of the month' }));
  at(6, 12, () => ({ type: 'add_credit', id: `cr-${tag(6)}-cus-greenway`, customer: c('greenway'), amount: '50.00', date: '', reason: 'Referral: introduced Orbit Labs BV' }));
  at(11, 20, () => ({ type: 'add_credit', id: `cr-${tag(11)}-cus-lovelace`, customer: c('lovelace'), amount: '45.00', date: '', reason: 'Wi-Fi outage in the quiet zone, half a day' }));
  at(5, 20, () => ({ type: 'issue_credit_note', id: `cn-${tag(5)}-cus-bluepeak`, customer: c('bluepeak'), invoice: i(5, 'bluepeak'), amount: '60.00', date: '', reason: 'Meeting room billed twice for the same booking (2 hours)' }));
  at(8, 18, () => ({ type: 'issue_credit_note', id: `cn-${tag(8)}-cus-copperleaf`, customer: c('copperleaf'), invoice: i(8, 'copperleaf'), amount: '150.00', date: '', reason: 'Air conditioning out of order for a week' }));
  at(9, 28, () => ({ type: 'issue_credit_note', id: `cn-${tag(9)}-cus-novak`, customer: c('novak'), amount: '40.00', date: '', reason: 'Loyalty credit: a year as a member' }));
  at(4, 16, (b) => b.pay[`pay-${tag(4)}-cus-tanaka`] && { type: 'record_payment', id: `pay-${tag(4)}-cus-tanaka-2`, customer: c('tanaka'), amount: money(b.pay[`pay-${tag(4)}-cus-tanaka`].amount), method: 'card', date: '', reference: 'VISA ****4242 (charged twice)' });
  at(4, 19, (b) => b.cus[c('tanaka')].credit > 0 && { type: 'refund_credit', id: `ref-${tag(4)}-cus-tanaka`, customer: c('tanaka'), amount: money(b.cus[c('tanaka')].credit), method: 'card', date: '', reference: 'Duplicate card payment returned' });
  at(8, 10, (b) => b.cus[c('kestrel')].credit > 0 && { type: 'refund_credit', id: `ref-${tag(8)}-cus-kestrel`, customer: c('kestrel'), amount: money(b.cus[c('kestrel')].credit), method: 'bank_transfer', date: '', reference: 'Security deposit returned on moving out' });
  at(6, 21, (b) => b.pay[`pay-${tag(6)}-cus-quill`] && { type: 'void_payment', id: `void-pay-${tag(6)}-cus-quill`, payment: `pay-${tag(6)}-cus-quill`, date: '', reason: 'Cheque returned unpaid by the bank' });
  at(6, 27, payDue(c('quill'), i(6, 'quill'), `pay-${tag(6)}-cus-quill-2`, 'bank_transfer', `SEPA QUILL ${tag(6)} (replaces returned cheque)`, { allocate: true }));
  at(7, 1, () => ({ type: 'issue_invoice', id: `${i(7, 'orbit')}-dup`, customer: c('orbit'), date: day(7, 1), due_date: day(7, 15), lines: monthLines(CUSTOMERS.find((r) => r[0] === 'orbit'), null, false) }));
  at(7, 2, () => ({ type: 'void_invoice', id: `void-${i(7, 'orbit')}-dup`, invoice: `${i(7, 'orbit')}-dup`, date: '', reason: 'Issued twice by mistake' }));

  const b = books();
  const out = []; const perDay = {};
  events.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : x.k - y.k));
  for (const e of events) {
    if (e.date > today) continue;
    const cmd = e.build(b);
    if (!cmd) continue;
    if ('date' in cmd && cmd.date === '') cmd.date = e.date;
    const minute = 480 + 3 * (perDay[e.date] = (perDay[e.date] ?? 0) + 1); // entered from 08:03, in order
    cmd.at = `${e.date}T${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00Z`;
    cmd.by = cmd.type === 'record_payment' || cmd.type === 'refund_credit' ? 'finance@tally.example' : 'frontdesk@tally.example';
    b.apply(cmd);
    out.push(cmd);
  }
  return out;
}
