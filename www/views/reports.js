// Reports: aged receivables (what is owed, by how long it is overdue) per currency with
// bars, and the trial balance per currency, each as of a day.

import { h, enc, link, replace, scrollBox } from '../ui/dom.js';
import { money, date, todayISO } from '../ui/format.js';
import { field, FieldErrors } from '../ui/forms.js';
import { agingBars, BUCKETS } from '../ui/charts.js';
import { compareDecimals } from '../ui/decimal.js';
import { download, toCsv } from '../ui/files.js';

const state = { asOf: '', trialAsOf: '' };

const ACCOUNT_WORDS = {
  revenue: 'Revenue',
  tax_payable: 'Tax payable',
  credit_notes: 'Credit notes (less revenue)',
  goodwill_credit: 'Goodwill credit granted (expense)',
  bad_debt: 'Bad debt written off (expense)',
};
const METHOD_WORDS = { cash: 'in cash', bank_transfer: 'by bank transfer', card: 'by card', direct_debit: 'by direct debit', cheque: 'by cheque', other: 'by other methods' };

export function render(ctx) {
  const { store } = ctx;
  const names = new Map(store.query({ type: 'customers' }).customers.map((c) => [c.id, c.name]));
  // The engine ages the books as they stood at the end of the day (a month end after the
  // fact), which the hint says, so a past date isn't read as today's books aged to it.
  const asOf = field({
    label: 'Overdue as of', name: 'as_of', type: 'date', value: state.asOf || todayISO(),
    hint: 'The books as they stood at the end of this day: what is dated after it (invoices, payments, credit notes, write-offs, voids) does not count yet. Days overdue are counted to it.',
  });
  const errors = new FieldErrors();
  errors.bind('as_of', asOf);
  const agingArea = h('div', { id: 'aging' });

  function aging() {
    state.asOf = asOf.input.value;
    const a = store.query({ type: 'aging', as_of: asOf.input.value });
    if (!a.ok) { errors.show(a, { focus: false }); replace(agingArea); return; }
    errors.clear();
    if (a.totals.length === 0) { replace(agingArea, h('p', { class: 'empty' }, 'Nothing is owed.')); return; }
    const csv = h('button', { type: 'button', class: 'btn btn-small', on: { click: () => agingCsv(a) } }, 'Download aged receivables (CSV)');
    replace(agingArea, h('div', { class: 'toolbar' }, csv), a.totals.map((t) => {
      const rows = a.rows.filter((r) => r.currency === t.currency).sort((x, y) => compareDecimals(y.total, x.total));
      return h('section', { class: 'panel aging-currency', 'aria-labelledby': `aging-${t.currency}` },
        h('h3', { id: `aging-${t.currency}` }, `${t.currency}: ${money(t.total, t.currency)} owed`),
        h('figure', { class: 'chart-figure' }, agingBars(t)),
        h('div', { class: 'table-wrap' }, h('table', { class: 'list aging-table' },
          h('caption', { class: 'visually-hidden' }, `Aged receivables in ${t.currency} as of ${date(a.as_of)}`),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Customer'), BUCKETS.map(([, label]) => h('th', { scope: 'col', class: 'money' }, label.replace(' overdue', ''))), h('th', { scope: 'col', class: 'money' }, 'Total'))),
          h('tbody', {}, rows.map((r) => h('tr', {},
            h('th', { scope: 'row' }, link(`/customers/${enc(r.customer)}?currency=${r.currency}`, r.name)),
            BUCKETS.map(([k]) => h('td', { class: ['money', /[1-9]/.test(r[k]) ? null : 'zero'] }, money(r[k], r.currency))),
            h('td', { class: 'money' }, money(r.total, r.currency))))),
          h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, 'Total'), BUCKETS.map(([k]) => h('td', { class: 'money' }, money(t[k], t.currency))), h('td', { class: 'money' }, money(t.total, t.currency)))))));
    }));
  }
  asOf.input.addEventListener('change', aging);
  aging();

  /** The engine's aging answer as a spreadsheet: a row per customer and currency, then each currency's totals. */
  function agingCsv(a) {
    const head = ['Customer id', 'Customer', 'Currency', ...BUCKETS.map(([, label]) => label), 'Total'];
    const rows = [['Aged receivables as of', a.as_of], [], head,
      ...a.rows.map((r) => [r.customer, r.name, r.currency, ...BUCKETS.map(([k]) => r[k]), r.total]),
      ...a.totals.map((t) => ['', 'Total', t.currency, ...BUCKETS.map(([k]) => t[k]), t.total])];
    const name = `aged-receivables-${a.as_of}.csv`;
    download(name, toCsv(rows, [3, 4, 5, 6, 7, 8]), 'text/csv;charset=utf-8');
    ctx.announce(`Aged receivables downloaded as ${name}.`);
  }

  // Empty means everything recorded; a day means the postings dated by its end (a
  // month end closed after the fact).
  const trialAsOf = field({
    label: 'Balances at the end of', name: 'trial_as_of', type: 'date', value: state.trialAsOf,
    hint: 'Leave empty for everything recorded. With a day: only what is dated on or before it counts, whatever was entered later.',
  });
  const trialErrors = new FieldErrors();
  trialErrors.bind('as_of', trialAsOf);
  const trialArea = h('div', { id: 'trial' });
  const accountName = (account) => {
    const [kind, rest] = account.split(/:(.*)/s);
    if (kind === 'receivable') return `Receivable: ${names.get(rest) ?? rest}`;
    if (kind === 'customer_credit') return `Customer credit: ${names.get(rest) ?? rest}`;
    if (kind === 'cash') return `Cash received ${METHOD_WORDS[rest] ?? rest}`;
    return ACCOUNT_WORDS[account] ?? account;
  };

  function trialBalance() {
    state.trialAsOf = trialAsOf.input.value;
    const tb = store.query(state.trialAsOf ? { type: 'trial_balance', as_of: state.trialAsOf } : { type: 'trial_balance' });
    if (!tb.ok) { trialErrors.show(tb, { focus: false }); replace(trialArea); return; }
    trialErrors.clear();
    if (tb.totals.length === 0) {
      replace(trialArea, h('p', { class: 'empty' }, tb.as_of ? `No postings dated by ${date(tb.as_of)}.` : 'No postings yet.'));
      return;
    }
    const when = tb.as_of ? ` at the end of ${date(tb.as_of)}` : '';
    const csv = h('button', { type: 'button', class: 'btn btn-small', on: { click: () => trialCsv(tb) } }, 'Download trial balance (CSV)');
    replace(trialArea, h('div', { class: 'toolbar' }, csv), h('div', { class: 'trial-balances' }, tb.totals.map((t) => {
      const accounts = tb.accounts.filter((a) => a.currency === t.currency);
      const own = accounts.filter((a) => !a.account.includes(':') || a.account.startsWith('cash:'));
      const perCustomer = (prefix) => accounts.filter((a) => a.account.startsWith(prefix) && /[1-9]/.test(a.balance));
      const settled = accounts.filter((a) => a.account.includes(':') && !a.account.startsWith('cash:') && !/[1-9]/.test(a.balance)).length;
      const row = (a) => h('tr', {}, h('th', { scope: 'row' }, accountName(a.account)),
        h('td', { class: 'money' }, a.balance.startsWith('-') ? '' : money(a.balance, a.currency)),
        h('td', { class: 'money' }, a.balance.startsWith('-') ? money(a.balance.slice(1), a.currency) : ''));
      const group = (label, list) => list.length === 0 ? null : [
        h('tr', { class: 'group' }, h('th', { scope: 'rowgroup', colspan: 3 }, label)), list.map(row)];
      return h('section', { class: 'panel', 'aria-labelledby': `tb-${t.currency}` },
        h('h3', { id: `tb-${t.currency}` }, `${t.currency}${when}`),
        scrollBox(`Trial balance in ${t.currency}${when}`, h('table', { class: 'list trial' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Account'), h('th', { scope: 'col', class: 'money' }, 'Debit'), h('th', { scope: 'col', class: 'money' }, 'Credit'))),
          h('tbody', {},
            group('Operator accounts', own),
            group('Customers: receivable', perCustomer('receivable:')),
            group('Customers: credit held', perCustomer('customer_credit:')),
            settled ? h('tr', {}, h('td', { colspan: 3, class: 'hint' }, settled === 1 ? '1 customer account at zero is not listed.' : `${settled} customer accounts at zero are not listed.`)) : null),
          h('tfoot', {},
            h('tr', {}, h('th', { scope: 'row' }, 'Totals'), h('td', { class: 'money' }, money(t.debits, t.currency)), h('td', { class: 'money' }, money(t.credits, t.currency))),
            h('tr', {}, h('th', { scope: 'row' }, 'Difference (always zero)'), h('td', { class: 'money', colspan: 2 }, money(t.total, t.currency)))))));
    })));
  }
  trialAsOf.input.addEventListener('change', trialBalance);
  trialBalance();

  /** The engine's trial balance as a spreadsheet: every account (zero ones too) in debit and credit columns. */
  function trialCsv(tb) {
    const rows = [['Trial balance at the end of', tb.as_of ?? 'everything recorded'], [],
      ['Currency', 'Account', 'Account name', 'Debit', 'Credit'],
      ...tb.accounts.map((a) => [a.currency, a.account, accountName(a.account),
        a.balance.startsWith('-') ? '' : a.balance, a.balance.startsWith('-') ? a.balance.slice(1) : '']),
      ...tb.totals.map((t) => [t.currency, '', 'Totals', t.debits, t.credits])];
    const name = `trial-balance-${tb.as_of ?? todayISO()}.csv`;
    download(name, toCsv(rows, [3, 4]), 'text/csv;charset=utf-8');
    ctx.announce(`Trial balance downloaded as ${name}.`);
  }

  const node = h('section', { class: 'screen' },
    h('div', { class: 'screen-head' }, h('h1', { tabindex: -1 }, 'Reports')),
    h('section', { 'aria-labelledby': 'aging-title' },
      h('h2', { id: 'aging-title' }, 'Aged receivables'),
      h('p', { class: 'lead' }, 'What customers owe, by how many days it is past its due date.'),
      h('div', { class: 'toolbar' }, asOf.el),
      agingArea),
    h('section', { 'aria-labelledby': 'trial-title' },
      h('h2', { id: 'trial-title' }, 'Trial balance'),
      h('p', { class: 'lead' }, 'Every account per currency; debits and credits always balance.'),
      h('div', { class: 'toolbar' }, trialAsOf.el),
      trialArea));
  return { node, title: 'Reports' };
}
