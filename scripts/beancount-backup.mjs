// Writes a rich backup for the Beancount export test: the demo space (a year of
// invoices, payments, credit, corrections in three currencies) plus a write-off,
// expiring credit and invoice-level tax rounding; and a scenario that replays it and
// asks for the trial balance, whose answer the exported file must equal.
//   node scripts/beancount-backup.mjs DIR   (writes DIR/backup.json, DIR/trial-balance.json)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoCommands } from '../www/demo.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/beancount-backup.mjs DIR');
  process.exit(2);
}
const desk = (price, rate) => ({ description: 'Desk, "quiet" zone; north', unit_price: price, tax_rate: rate });
const extra = [
  { type: 'create_customer', id: 'export_test-1', name: 'Zoë "Export" Tester', currency: 'EUR' },
  { type: 'create_customer', id: 'export.test-1', name: 'Same name once sanitized', currency: 'BHD' },
  { type: 'configure', id: 'export-cfg-1', tax_rounding: 'invoice' },
  { type: 'issue_invoice', id: 'export-inv-1', customer: 'export_test-1', date: '2026-11-26',
    lines: [desk('0.99', '0.21'), desk('0.99', '0.21'), desk('0.99', '0.21'), desk('10.05', '0.10')] },
  { type: 'record_payment', id: 'export-pay-1', customer: 'export_test-1', amount: '5.00', method: 'card', date: '2026-11-27' },
  { type: 'write_off_invoice', id: 'export-wo-1', invoice: 'export-inv-1', date: '2026-11-28', reason: '=Left; unreachable' },
  { type: 'issue_invoice', id: 'export-inv-2', customer: 'export.test-1', date: '2026-11-26',
    lines: [desk('1.255', '0.10'), desk('2.345', '0.10'), desk('0.101', '0.10')] },
  { type: 'add_credit', id: 'export-gift-1', customer: 'export.test-1', amount: '0.500', date: '2026-11-26', reason: 'Trial', valid_until: '2026-11-26' },
  { type: 'add_credit', id: 'export-gift-2', customer: 'export.test-1', amount: '1.250', date: '2026-11-27', reason: 'Promo', valid_until: '2026-11-27' },
  { type: 'expire_credit', id: 'export-exp-1', date: '2026-11-29' },
  { type: 'configure', id: 'export-cfg-2', tax_rounding: 'line' },
];
const commands = [...demoCommands(), ...extra];
const entries = commands.map((command, i) => ({ seq: i + 1, command }));
writeFileSync(join(dir, 'backup.json'), JSON.stringify({ format: 'tally-journal', version: 1, entries }));
const steps = [...commands.map((command) => ({ command, expect: { ok: true } })), { query: { type: 'trial_balance' } }];
writeFileSync(join(dir, 'trial-balance.json'), JSON.stringify({ name: 'export backup', steps }));
