// Type test for the hand-written declarations in www/*.d.ts: `npx tsc -p tests/types`.
// Nothing here runs; it must type-check, and every `@ts-expect-error` line must be an
// error, so the test fails if the types get loose as well as if they get wrong.

import { engineKind, exportLedger, FAST_ENGINE_OVER, Ledger, loadBulk, loadEngine, newLedger, openSnapshot, replayEntries, replayTexts, restoreLedger, useFastEngine } from '../../www/engine.js';
import type {
  Accepted,
  AcceptedFor,
  AnswerFor,
  Backup,
  Command,
  CommandAnswer,
  CreateCustomerCommand,
  EngineErrorCode,
  MoneyDetail,
  ErrorCode,
  InvoiceLineInput,
  JournalEntry,
  Money,
  Query,
  RecordPaymentCommand,
  Refused,
  StatementEntry,
} from '../../www/engine.js';
import { SCHEMA_VERSION, StoreError, backupOf, exportJournal, openStore } from '../../www/store.js';
import type { Health, Store, StoreEvent } from '../../www/store.js';

/** Compile-time equality: `expectType<A, B>(true)` only compiles when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<A, B>(_: Equal<A, B>): void {}

function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}

export async function engineUsage(wasm: Uint8Array, commands: Command[], queries: Query[]): Promise<void> {
  await loadEngine({ bytes: wasm });
  await loadEngine();
  const ledger: Ledger = newLedger();

  // --- Commands: each type, with its optional fields.
  const customer = ledger.apply({
    type: 'create_customer',
    id: 'c1',
    name: 'Ada',
    currency: 'USD',
    email: 'ada@example.com',
    at: '2026-01-01T09:00:00Z',
    by: 'desk',
  });
  if (customer.ok) {
    expectType<typeof customer, AcceptedFor<CreateCustomerCommand>>(true);
    const type: 'create_customer' = customer.type;
    const id: string = customer.customer;
    const seq: number = customer.seq;
    const dup: boolean = customer.duplicate;
    void [type, id, seq, dup];
  } else {
    const code: EngineErrorCode = customer.error.code;
    const message: string = customer.error.message;
    const field: string | null = customer.error.field;
    const available: MoneyDetail | undefined = customer.error.details.available;
    const maxDecimals: number | undefined = customer.error.details.max_decimals;
    // @ts-expect-error `field` is a path or null, never absent or a number
    const badField: number = customer.error.field;
    void [code, message, field, available, maxDecimals, badField];
  }

  const lines: InvoiceLineInput[] = [
    { description: 'Desk, February', unit_price: '120.00', tax_rate: '0.20' },
    { description: 'Coffee', quantity: '3', unit_price: '2.50', discount_rate: '0.1' },
  ];
  const invoice = ledger.apply({
    type: 'issue_invoice',
    id: 'i1',
    customer: 'c1',
    date: '2026-02-01',
    due_date: '2026-02-15',
    lines,
    prices_include_tax: false,
    use_credit: true,
  });
  if (invoice.ok) {
    const number: string = invoice.number;
    const due: Money = invoice.amount_due;
    const applied: Money = invoice.credit_applied;
    void [number, due, applied, invoice.total, invoice.currency];
  }

  const payment = ledger.apply({
    type: 'record_payment',
    id: 'p1',
    customer: 'c1',
    amount: '100.00',
    method: 'bank_transfer',
    date: '2026-02-03',
    reference: 'TX-1',
    allocate_to: ['i1'],
  });
  if (payment.ok) {
    for (const a of payment.allocations) {
      const inv: string = a.invoice;
      const amount: Money = a.amount;
      void [inv, amount];
    }
    const credit: Money = payment.credit_created;
    void credit;
  } else if (payment.error.code === 'currency_mismatch' || payment.error.code === 'invoice_closed') {
    console.log(payment.error.message);
  }

  ledger.apply({ type: 'add_credit', id: 'g1', customer: 'c1', amount: '10.00', date: '2026-02-04', reason: 'goodwill' });
  ledger.apply({ type: 'add_credit', id: 'g2', customer: 'c1', amount: '10', currency: 'EUR', date: '2026-02-04', reason: 'goodwill' });
  const applied = ledger.apply({ type: 'apply_credit', id: 'a1', customer: 'c1', invoice: 'i1' });
  if (applied.ok) void (applied.applied satisfies Money);
  ledger.apply({ type: 'apply_credit', id: 'a2', customer: 'c1', invoice: 'i1', amount: '1.00', currency: 'USD' });
  const note = ledger.apply({ type: 'issue_credit_note', id: 'n1', customer: 'c1', invoice: 'i1', amount: '5.00', date: '2026-02-05', reason: 'broken chair' });
  if (note.ok) {
    const inv: string | undefined = note.invoice;
    void [inv, note.credit_note, note.reduced_amount_due, note.credit_created];
  }
  ledger.apply({ type: 'issue_credit_note', id: 'n2', customer: 'c1', amount: '5.00', currency: 'USD', date: '2026-02-05', reason: 'sorry' });
  const refund = ledger.apply({ type: 'refund_credit', id: 'r1', customer: 'c1', amount: '1.00', method: 'cash', date: '2026-02-06' });
  if (refund.ok) void refund.refund;
  ledger.apply({ type: 'refund_credit', id: 'r2', customer: 'c1', amount: '1.00', currency: 'USD', method: 'card', date: '2026-02-06', reference: 'R2' });
  if (refund.ok) void (refund.credit_used[0]?.credit satisfies string | undefined);
  // A dry run: the same answer type, marked `dry_run`.
  const wouldVoid = ledger.apply({ type: 'void_payment', id: 'vp1', payment: 'p1', date: '2026-02-07', dry_run: true });
  if (wouldVoid.ok) void [wouldVoid.dry_run satisfies true | undefined, wouldVoid.amount, wouldVoid.reopened];
  else void (wouldVoid.dry_run satisfies true | undefined);
  // @ts-expect-error `dry_run` is a boolean, not a string
  ledger.apply({ type: 'void_payment', id: 'vp1', payment: 'p1', date: '2026-02-07', dry_run: 'yes' });
  const voidedPayment = ledger.apply({ type: 'void_payment', id: 'vp1', payment: 'p1', date: '2026-02-07', reason: 'bounced' });
  if (voidedPayment.ok) void [voidedPayment.reopened[0]?.invoice, voidedPayment.credit_withdrawn];
  const voidedInvoice = ledger.apply({ type: 'void_invoice', id: 'vi1', invoice: 'i1', date: '2026-02-08' });
  if (voidedInvoice.ok) void [voidedInvoice.cancelled, voidedInvoice.credit_returned, voidedInvoice.returned[0]?.amount];
  const config = ledger.apply({ type: 'configure', id: 'cfg1', invoice_number_format: '{year}-{seq:0000}' });
  if (config.ok) void (config.invoice_number_format satisfies string);
  const rounding = ledger.apply({ type: 'configure', id: 'cfg2', tax_rounding: 'invoice' });
  if (rounding.ok) expectType<typeof rounding.tax_rounding, 'line' | 'invoice'>(true);
  // @ts-expect-error tax_rounding is `line` or `invoice`
  ledger.apply({ type: 'configure', id: 'cfg3', tax_rounding: 'rate' });
  ledger.apply({ type: 'add_credit', id: 'g3', customer: 'c1', amount: '5.00', date: '2026-02-04', reason: 'day pass', valid_until: '2026-02-28' });
  ledger.apply({ type: 'apply_credit', id: 'a3', customer: 'c1', invoice: 'i1', date: '2026-02-10' });
  const writeOff = ledger.apply({ type: 'write_off_invoice', id: 'w1', invoice: 'i1', date: '2026-03-31', reason: 'left owing' });
  if (writeOff.ok) void ([writeOff.written_off, writeOff.tax_reversed, writeOff.bad_debt] satisfies Money[]);
  // @ts-expect-error a write-off needs a reason
  ledger.apply({ type: 'write_off_invoice', id: 'w2', invoice: 'i1', date: '2026-03-31' });
  const expired = ledger.apply({ type: 'expire_credit', id: 'x1', date: '2026-03-01' });
  if (expired.ok) for (const x of expired.expired) void [x.customer, x.credit, x.currency, x.valid_until, x.amount];
  ledger.apply({ type: 'expire_credit', id: 'x2', date: '2026-03-01', customer: 'c1' });
  const settings = ledger.query({ type: 'settings' });
  if (settings.ok) void [settings.invoice_number_format, settings.tax_rounding, settings.next_invoice_seq];
  const postings = ledger.query({ type: 'postings', currency: 'EUR', from: '2026-01-01', to: '2026-12-31' });
  if (postings.ok) for (const p of postings.entries) void [p.seq, p.date, p.ref, p.type, p.account, p.currency, p.debit, p.credit];
  const beancount: string = await exportLedger(ledger, 'beancount');
  // @ts-expect-error export formats are csv and beancount
  await exportLedger(ledger, 'xlsx');
  // @ts-expect-error the export is in the bulk module, not on the shipped Ledger
  ledger.exportLedger('csv');
  const bulk = await loadBulk({ bytes: wasm });
  const bulkCopy = bulk.Ledger.restore(bulk.migrateSnapshot(ledger.snapshot()));
  const csv: string = bulkCopy.exportLedger('csv');
  bulkCopy.free();
  const reopened: Ledger = await openSnapshot(ledger.snapshot());
  void [beancount, csv, reopened];

  // A command built elsewhere: annotate it (or `as const` / `satisfies`) to keep its literal `type`.
  const pay: RecordPaymentCommand = { type: 'record_payment', id: 'p2', customer: 'c1', amount: '5', method: 'card', date: '2026-02-09' };
  const payAnswer = ledger.apply(pay);
  if (payAnswer.ok) expectType<typeof payAnswer.type, 'record_payment'>(true);
  const frozen = { type: 'void_invoice', id: 'vi2', invoice: 'i2', date: '2026-02-09' } as const;
  ledger.apply(frozen);
  const frozenInvoice = {
    type: 'issue_invoice', id: 'i9', customer: 'c1', date: '2026-03-01',
    lines: [{ description: 'Desk', unit_price: '1' }],
  } as const satisfies Command;
  ledger.apply(frozenInvoice);

  // Any command: the answer is any accepted type, narrowed with a switch on `type`.
  const anyCommand: Command = commands[0] ?? pay;
  const answer: CommandAnswer = ledger.apply(anyCommand);
  if (!answer.ok) {
    switch (answer.error.code) {
      case 'invalid_input': case 'invalid_amount': case 'invalid_currency': case 'invalid_date':
      case 'unknown_customer': case 'unknown_invoice': case 'unknown_payment': case 'currency_mismatch':
      case 'insufficient_credit': case 'over_allocation': case 'already_void': case 'invoice_closed':
      case 'conflict':
        break;
      default:
        assertNever(answer.error.code);
    }
  } else {
    describe(answer);
  }

  // Batches: one typed answer per element.
  const [b0, b1] = ledger.applyBatch([
    { type: 'create_customer', id: 'c2', name: 'Bob', currency: 'JPY' },
    { type: 'record_payment', id: 'p3', customer: 'c2', amount: '500', method: 'cash', date: '2026-02-10' },
  ]);
  if (b0.ok) void b0.customer;
  if (b1.ok) void b1.allocations;
  const many: Command[] = [pay, frozen];
  const manyAnswers: CommandAnswer[] = ledger.applyBatch(many);
  void manyAnswers;

  // --- Queries.
  const balance = ledger.query({ type: 'balance', customer: 'c1' });
  if (balance.ok) {
    const owed: Money = balance.balance;
    void [owed, balance.outstanding, balance.credit, balance.currency, balance.customer];
  }
  ledger.query({ type: 'balance', customer: 'c1', currency: 'EUR' });

  const inv = ledger.query({ type: 'invoice', invoice: 'i1' });
  if (inv.ok) {
    const id: string = inv.id;
    const status: 'open' | 'partially_paid' | 'paid' | 'written_off' | 'void' = inv.status;
    void [inv.written_off, inv.tax_rounding satisfies 'line' | 'invoice'];
    const first = inv.lines[0];
    if (first) void [first.description, first.quantity, first.unit_price, first.tax_rate, first.discount_rate, first.net, first.tax, first.gross];
    for (const t of inv.tax_breakdown) void [t.rate, t.net, t.tax];
    for (const s of inv.settlements) {
      const kind: 'payment' | 'credit' = s.kind;
      void [kind, s.source, s.amount];
    }
    void [id, status, inv.number, inv.customer_name, inv.due_date, inv.prices_include_tax, inv.subtotal, inv.paid, inv.credited];
  }

  const preview = ledger.query({ type: 'preview_invoice', customer: 'c1', date: '2026-03-01', lines: [{ description: 'Desk', unit_price: '120.00' }], use_credit: false });
  if (preview.ok) {
    const id: null = preview.id;
    const number: string = preview.number;
    void [id, number, preview.credit_applied];
  }

  const statement = ledger.query({ type: 'statement', customer: 'c1', from: '2026-01-01', to: '2026-12-31' });
  if (statement.ok) {
    const from: string | undefined = statement.from;
    const entries: StatementEntry[] = statement.entries;
    for (const e of entries) {
      const ref: string = e.ref;
      void [ref, e.kind, e.date, e.description, e.debit, e.credit, e.balance];
    }
    void [from, statement.opening_balance, statement.closing_balance];
  }

  const customers = ledger.query({ type: 'customers' });
  if (customers.ok) {
    for (const c of customers.customers) {
      const email: string | undefined = c.email;
      for (const b of c.balances) void [b.currency, b.balance];
      void [email, c.id, c.name, c.currency];
    }
  }

  const trial = ledger.query({ type: 'trial_balance', currency: 'USD' });
  if (trial.ok) {
    for (const a of trial.accounts) {
      if (a.account.startsWith('receivable:')) void a.balance;
    }
    for (const t of trial.totals) void [t.currency, t.total];
  }

  // Queries for list screens (extensions of the contract).
  const open = ledger.query({ type: 'invoices', customer: 'c1', status: 'open', limit: 50 });
  if (open.ok) for (const i of open.invoices) void [i.id, i.number, i.status, i.amount_due, i.due_date];
  ledger.query({ type: 'invoices' });
  const payments = ledger.query({ type: 'payments', customer: 'c1', currency: 'USD' });
  if (payments.ok) {
    for (const p of payments.payments) {
      const voidedBy: string | undefined = p.voided_by;
      const method: 'cash' | 'bank_transfer' | 'card' | 'direct_debit' | 'cheque' | 'other' = p.method;
      void [voidedBy, method, p.reference, p.allocations, p.credit_created];
    }
  }
  const credits = ledger.query({ type: 'credits', customer: 'c1' });
  if (credits.ok) for (const lot of credits.lots) void [lot.origin, lot.source, lot.remaining, credits.total];
  const aging = ledger.query({ type: 'aging', as_of: '2026-06-30' });
  if (aging.ok) {
    for (const row of aging.rows) void [row.customer, row.name, row.currency, row.current, row.days_1_30, row.over_90, row.total];
    for (const t of aging.totals) void [t.currency, t.days_31_60, t.days_61_90];
  }

  const someQuery: Query = queries[0] ?? { type: 'customers' };
  const someAnswer = ledger.query(someQuery);
  if (someAnswer.ok) expectType<typeof someAnswer, AnswerFor<Query>>(true);
  expectType<AnswerFor<{ type: 'customers' }>['customers'][number]['balances'][number]['balance'], string>(true);

  // --- Journal, snapshots, replay.
  const entries: JournalEntry[] = ledger.journalSince(0);
  ledger.forgetJournalThrough(ledger.seq());
  const bytes: Uint8Array = ledger.snapshot();
  ledger.snapshotBegin();
  const piece: Uint8Array | undefined = ledger.snapshotNext(1 << 20);
  // @ts-expect-error a piece may be undefined (the snapshot is done)
  const pieceLength: number = ledger.snapshotNext(1 << 20).length;
  void piece;
  void pieceLength;
  const copy = restoreLedger(bytes);
  const copy2 = Ledger.restore(bytes);
  const fresh = new Ledger();
  for (const entry of entries) {
    const replayed = fresh.replay(entry);
    if (replayed.ok) {
      const seq: number = replayed.seq;
      void seq;
    } else {
      throw new Error(replayed.error.message);
    }
  }
  // The batch text door: many entries per crossing, the same books.
  const batch = new Ledger();
  const texts: string[] = entries.map((e) => JSON.stringify(e.command));
  const viaTexts = replayTexts(batch, 1, texts);
  const replayedCount: number = viaTexts.replayed;
  if (viaTexts.refusal) throw new Error(viaTexts.refusal.error.message);
  const viaEntries = replayEntries(new Ledger(), entries);
  const refusedCode: string | undefined = viaEntries.refusal?.error.code;
  // @ts-expect-error texts, not command objects
  replayTexts(batch, 1, entries);
  void replayedCount;
  void refusedCode;
  copy.free();
  copy2.free();

  // --- Errors the types must catch.

  // @ts-expect-error a JSON number where money belongs (the engine says invalid_amount)
  ledger.apply({ type: 'record_payment', id: 'x1', customer: 'c1', amount: 100, method: 'card', date: '2026-02-01' });
  // @ts-expect-error a misspelled optional field (decisions.md: `alocate_to` is refused)
  ledger.apply({ type: 'record_payment', id: 'x2', customer: 'c1', amount: '1', method: 'card', date: '2026-02-01', alocate_to: ['i1'] });
  // @ts-expect-error a missing required field (`date`)
  ledger.apply({ type: 'record_payment', id: 'x3', customer: 'c1', amount: '1', method: 'card' });
  // @ts-expect-error a missing `id`
  ledger.apply({ type: 'create_customer', name: 'Ada', currency: 'USD' });
  // @ts-expect-error an unknown command type
  ledger.apply({ type: 'delete_customer', id: 'c1' });
  // @ts-expect-error a payment method that does not exist
  ledger.apply({ type: 'record_payment', id: 'x4', customer: 'c1', amount: '1', method: 'paypal', date: '2026-02-01' });
  // @ts-expect-error a misspelled field inside an invoice line
  ledger.apply({ type: 'issue_invoice', id: 'x5', customer: 'c1', date: '2026-02-01', lines: [{ description: 'Desk', unit_price: '1', tax: '0.2' }] });
  // @ts-expect-error a number quantity in an invoice line
  ledger.apply({ type: 'issue_invoice', id: 'x6', customer: 'c1', date: '2026-02-01', lines: [{ description: 'Desk', quantity: 2, unit_price: '1' }] });
  // @ts-expect-error a query passed to apply
  ledger.apply({ type: 'balance', customer: 'c1' });
  // @ts-expect-error a command passed to query
  ledger.query({ type: 'create_customer', id: 'c9', name: 'Ada', currency: 'USD' });
  // @ts-expect-error an unknown field in a query
  ledger.query({ type: 'balance', customer: 'c1', curency: 'USD' });
  // @ts-expect-error `limit` is a JSON number, not a string
  ledger.query({ type: 'invoices', limit: '10' });
  // @ts-expect-error aging needs `as_of`
  ledger.query({ type: 'aging' });
  // @ts-expect-error preview_invoice takes no id
  ledger.query({ type: 'preview_invoice', id: 'i5', customer: 'c1', date: '2026-03-01', lines: [{ description: 'Desk', unit_price: '1' }] });
  // @ts-expect-error a method the Ledger does not have
  ledger.execute({ type: 'customers' });
  // @ts-expect-error a wrong argument type for a method
  ledger.journalSince('0');
  if (customer.ok) {
    // @ts-expect-error a field of another command's answer, on a narrowed answer
    void customer.invoice;
  }
  // @ts-expect-error `error` before narrowing on `ok`
  void customer.error;
  if (!customer.ok) {
    // @ts-expect-error the engine itself never answers storage_failed
    if (customer.error.code === 'storage_failed') console.log('impossible');
    // @ts-expect-error a refusal has no `type`
    void customer.type;
  }
  if (statement.ok) {
    // @ts-expect-error the entry's field is `ref`, not `reference`
    void statement.entries[0]?.reference;
  }
  if (preview.ok) {
    // @ts-expect-error a preview's id is null
    const id: string = preview.id;
    void id;
  }
  if (inv.ok) {
    // @ts-expect-error a status the engine never gives
    if (inv.status === 'overdue') console.log('impossible');
  }
  if (b0.ok) {
    // @ts-expect-error batch answers keep their position's type
    void b0.allocations;
  }
  // @ts-expect-error the answer type of a command is not a query answer
  expectType<AcceptedFor<CreateCustomerCommand>, AnswerFor<{ type: 'balance'; customer: string }>>(true);
}

/** Exhaustive handling of any accepted answer. */
function describe(a: Accepted): string {
  switch (a.type) {
    case 'create_customer': return `customer ${a.customer}`;
    case 'issue_invoice': return `invoice ${a.number}: ${a.amount_due} due`;
    case 'record_payment': return `payment ${a.payment}: ${a.credit_created} credit`;
    case 'add_credit': return `credit ${a.credit}`;
    case 'apply_credit': return `applied ${a.applied}`;
    case 'issue_credit_note': return `credit note ${a.credit_note}${a.invoice ? ` on ${a.invoice}` : ''}`;
    case 'refund_credit': return `refund ${a.refund}`;
    case 'void_payment': return `void of ${a.payment}: ${a.reopened.length} reopened`;
    case 'void_invoice': return `void of ${a.invoice}: ${a.cancelled}`;
    case 'configure': return `format ${a.invoice_number_format}, tax rounded per ${a.tax_rounding}`;
    case 'write_off_invoice': return `wrote off ${a.written_off} of ${a.invoice} (${a.tax_reversed} tax, ${a.bad_debt} bad debt)`;
    case 'expire_credit': return `expired ${a.expired.map((x) => `${x.amount} of ${x.credit}`).join(', ')}`;
    default: return assertNever(a);
  }
}

export async function storeUsage(): Promise<void> {
  const version: 4 = SCHEMA_VERSION;
  void version;
  let store: Store;
  try {
    store = await openStore({ name: 'tally-test', snapshotEvery: 500 });
  } catch (e) {
    if (e instanceof StoreError) {
      switch (e.code) {
        case 'storage_failed': case 'storage_blocked': case 'damaged_record': case 'invalid_backup':
          console.error(e.code, e.message);
          break;
        default:
          assertNever(e.code);
      }
    }
    throw e;
  }

  // The first screen's figures: shown while the engine restores, the engine's answers after.
  const firstScreen = { type: 'balance', customer: 'c1' } as const;
  const early = await openStore({
    name: 'tally-test',
    figures: [firstScreen, { type: 'trial_balance' }],
    onFigures: (figures) => {
      const balance = figures.answer(firstScreen);
      if (balance?.ok) console.log(figures.seq, balance.balance, figures.keys.length);
    },
  });
  await early.figuresKept;
  early.close();

  const health: Health = store.health;
  if (health.status === 'damaged' && !health.writable) console.warn(health.message, health.problems.map((p) => `${p.kind} ${p.seq ?? ''}`));
  const checked: Health = await store.verified;
  void checked.openedFrom;
  const unsubscribe = store.subscribe((event: StoreEvent) => {
    const seq: number = event.seq;
    if (event.source === 'error') console.error(event.error);
    if (event.source === 'replaced' || event.source === 'damaged') console.log(event.health?.status);
    // @ts-expect-error a source the store never emits
    if (event.source === 'deleted') console.log(seq);
  });
  unsubscribe();

  const answer = await store.apply({ type: 'create_customer', id: 'c1', name: 'Ada', currency: 'EUR' });
  if (answer.ok) {
    void answer.customer;
  } else {
    const code: ErrorCode = answer.error.code;
    if (code === 'storage_failed') console.warn('not saved:', answer.error.message);
  }
  const refused: Refused = { ok: false, error: { code: 'storage_failed', message: 'Not saved', field: null, details: {} } };
  void refused;

  const [first, second] = await store.applyMany([
    { type: 'record_payment', id: 'p1', customer: 'c1', amount: '10.00', method: 'card', date: '2026-01-05' },
    { type: 'void_payment', id: 'vp1', payment: 'p1', date: '2026-01-06' },
  ]);
  if (first.ok) void first.payment;
  if (second.ok) void second.credit_withdrawn;

  const balance = store.query({ type: 'balance', customer: 'c1' });
  if (balance.ok) void balance.credit;
  const seq: number = store.seq;
  const persisted: boolean = store.persisted;
  void [seq, persisted, store.name, store.closed];

  await store.snapshotNow();
  const lastSnapshot: number = store.lastSnapshotSeq;
  void lastSnapshot;
  const backup: Backup = await store.exportBackup();
  const ledgerCsv: string = await store.exportLedger('csv');
  // @ts-expect-error export formats are csv and beancount
  await store.exportLedger('ods');
  void ledgerCsv;
  const format: 'tally-journal' = backup.format;
  for (const e of backup.entries) void [e.seq, e.command.type, e.command.id];
  await store.importBackup(backup, { onProgress: (done, total) => console.log(done, total) });
  await store.importBackup(JSON.parse('{}'));
  const built: Backup = backupOf([{ type: 'create_customer', id: 'c9', name: 'Nine', currency: 'EUR' }]);
  await store.importBackup(built);
  // @ts-expect-error a backup is built from commands, not from journal entries
  backupOf([{ seq: 1, command: { type: 'create_customer', id: 'c9', name: 'Nine', currency: 'EUR' } }]);
  const raw = await exportJournal('tally-test');
  const damaged: number[] = raw.damaged;
  void [format, damaged];

  // @ts-expect-error money as a number, through the store too
  await store.apply({ type: 'add_credit', id: 'g1', customer: 'c1', amount: 5, date: '2026-01-05', reason: 'x' });
  // @ts-expect-error the store has no snapshot() (it is snapshotNow)
  store.snapshot();
  // @ts-expect-error seq is a property of the store, not a method
  store.seq();
  // @ts-expect-error a backup of another format
  await store.importBackup({ format: 'csv', version: 1, exported: '2026-01-01T00:00:00Z', entries: [] });
  store.close();
}

// ---------------------------------------------------------------------------------
// www/sync.js: the synced store has the plain store's interface plus the sync part.
import { httpTransport, openSyncedStore, SyncError } from '../../www/sync.js';
import type { ApiToken, SyncStatus, SyncedStore, TeamUser } from '../../www/sync.js';
import { idbSyncStorage } from '../../www/sync-storage.js';
import { httpTransport as transportOnly } from '../../www/sync-transport.js';
import { PUSH_BATCH } from '../../www/sync-limits.js';

async function syncedUsage(store: Store) {
  const transport = httpTransport();
  expectType<typeof transportOnly, typeof httpTransport>(true);
  const batch: number = PUSH_BATCH;
  void batch;
  const me = await transport.me();
  const synced: SyncedStore = await openSyncedStore(idbSyncStorage(store), transport, { user: me.user ?? null });
  const answer = await synced.apply({ type: 'create_customer', id: 'c1', name: 'Ada', currency: 'EUR' });
  if (answer.ok) {
    const pending: true | undefined = answer.pending;
    void pending;
  }
  const status: SyncStatus = synced.status;
  expectType<typeof status.state, 'starting' | 'online' | 'syncing' | 'offline' | 'signed_out' | 'error'>(true);
  const refused = synced.refused();
  if (refused.length) await synced.dismissRefused(refused[0].id);
  const isPending: boolean = synced.isPending('c1');
  void isPending;
  // The owner's people and tokens (the Team screen).
  const { users } = await transport.users();
  const person: TeamUser | undefined = users[0];
  if (person) await transport.removeUser(person.id);
  const added = await transport.addUser('ada@example.com', 'a-password-1', 'finance');
  const addedId: number = added.user.id;
  void addedId;
  const changed = await transport.setRole(added.user.id, 'viewer');
  const newRole: TeamUser['role'] = changed.user.role;
  void newRole;
  const ended: number = (await transport.resetPassword(added.user.id, 'a-password-2')).sessions_ended;
  void ended;
  await transport.changePassword('old-password-1', 'new-password-1');
  // @ts-expect-error a password change needs the current password and the new one
  await transport.changePassword('new-password-1');
  const created = await transport.createToken('Door kiosk', 'viewer');
  const text: string = created.token;
  void text;
  const listed: ApiToken[] = (await transport.tokens()).tokens;
  await transport.revokeToken(listed[0]?.id ?? created.id);
  // @ts-expect-error ids are the server's numbers
  await transport.removeUser('3');
  // @ts-expect-error a new person needs a password
  await transport.addUser('ada@example.com', 'finance');
  const error = new SyncError('offline', 'gone');
  const code: string = error.code;
  void code;
  // @ts-expect-error a synced store has no plain-store-only method to write a journal directly
  synced._write([]);
}
void syncedUsage;

// The fast engine for big books.
async function fastEngine(): Promise<void> {
  await useFastEngine();
  expectType<ReturnType<typeof engineKind>, 'shipped' | 'fast'>(true);
  const over: number = FAST_ENGINE_OVER;
  await openStore({ fastEngineOver: over });
  // @ts-expect-error the threshold is a number of commands
  await openStore({ fastEngineOver: 'big' });
}
void fastEngine;
