// TypeScript declarations for the Tally JSON contract (/work/shared/contract.md, v1, with
// the extensions written down in docs/decisions.md): the commands and queries the engine
// takes, and the answers it gives. Hand-written from src/input/command.rs, src/answer.rs,
// src/queries/*.rs and src/error.rs; www/engine.d.ts and www/store.d.ts use them.
//
// Types only: there is no www/types.js. Import them with `import type`, from here or from
// './engine.js' / './store.js', which re-export everything.

// ---------------------------------------------------------------------------------
// Scalars. They are aliases of `string` (documentation, not brands): any string is
// accepted, the engine checks the format and refuses a bad one with an error code.

/**
 * A decimal number written as a JSON string: `"3"`, `"2.50"`, `"0.20"`, `"-5"`.
 * Grammar `-?digits(.digits)?` (no exponent, `+`, spaces or separators). Used for
 * quantities, unit prices and rates, which may carry up to 10 decimals. Never a JSON
 * number: a number where a decimal belongs is refused with `invalid_amount`.
 */
export type Decimal = string;

/**
 * A money amount as a decimal string.
 * - In commands: > 0, with no more decimals than the currency allows (`"100.00"`,
 *   `"100"`, `"500"` for JPY), else `invalid_amount`. Never a JSON number.
 * - In answers: exactly the currency's minor units (`"100.00"`, `"500"` for JPY,
 *   `"1.250"` for BHD), negative amounts with a leading `"-"`.
 */
export type Money = string;

/** A calendar date `YYYY-MM-DD` (e.g. `"2026-01-31"`); a bad one is `invalid_date`. */
export type DateString = string;

/** An RFC 3339 timestamp (`"2026-01-31T09:30:00Z"`), kept as given; a bad one is `invalid_date`. */
export type Timestamp = string;

/** An ISO 4217 currency code (`"USD"`, `"EUR"`, `"JPY"`, `"BHD"`); an unknown one is `invalid_currency`. */
export type CurrencyCode = string;

/**
 * The id of a record (customer, invoice, payment, credit, credit note, refund, void,
 * configuration). Ids are unique across all records; non-empty, at most 200 bytes.
 */
export type Id = string;

/** How money came in (payments) or went out (refunds). */
export type PaymentMethod = 'cash' | 'bank_transfer' | 'card' | 'direct_debit' | 'cheque' | 'other';

// ---------------------------------------------------------------------------------
// Commands

/**
 * Fields every command has. `id` is the id of the record it creates and its idempotency
 * key: resending an identical command answers the original result with `duplicate: true`;
 * a different command with a taken id is refused with `conflict`.
 */
export interface CommandBase {
  /** Id of the record the command creates; also the idempotency key. */
  id: Id;
  /** When the command was entered (audit trail). The engine never reads a clock. */
  at?: Timestamp;
  /** Who entered the command (audit trail). */
  by?: string;
  /**
   * `true`: answer exactly what the command would answer now (accepted, duplicate or
   * refused, with everything it would do and the `seq` it would get), marked
   * `dry_run: true`, and change nothing: no record, no journal entry, no id taken. Runs
   * the command's own rules. Not part of what makes two commands identical; never
   * journaled.
   */
  dry_run?: boolean;
}

/** Creates a customer with nothing owed and no credit. */
export interface CreateCustomerCommand extends CommandBase {
  type: 'create_customer';
  /** The customer's name. */
  name: string;
  /** Billing currency: the default currency of its invoices, payments and queries. */
  currency: CurrencyCode;
  /** Contact e-mail. */
  email?: string;
}

/** One invoice line as entered. Amounts are computed per line and rounded half away from zero. */
export interface InvoiceLineInput {
  /** What is billed. */
  description: string;
  /** How many; default `"1"`; in (0, 10^9]. */
  quantity?: Decimal;
  /** Price of one unit; exclusive or inclusive of tax per `prices_include_tax`. May be negative (a discount line). */
  unit_price: Decimal;
  /** Tax rate as a fraction (`"0.20"` = 20 %); default `"0"`; in [0, 10]. */
  tax_rate?: Decimal;
  /** Discount as a fraction of the line (`"0.10"` = 10 %); default `"0"`; in [0, 1]. */
  discount_rate?: Decimal;
}

/** The fields of an invoice to issue, shared by `issue_invoice` and the `preview_invoice` query. */
export interface InvoiceDraft {
  /** The customer billed. */
  customer: Id;
  /** Invoice currency; default: the customer's billing currency. */
  currency?: CurrencyCode;
  /** Issue date. */
  date: DateString;
  /** Due date; default: `date`; before `date` is `invalid_date`. */
  due_date?: DateString;
  /** 1 to 1000 lines. */
  lines: readonly InvoiceLineInput[];
  /** Whether unit prices include tax; default false. */
  prices_include_tax?: boolean;
  /** Whether to apply the customer's available credit (oldest first) on issue; default true. */
  use_credit?: boolean;
}

/**
 * Posts an invoice with the next invoice number, then (unless `use_credit` is false)
 * applies the customer's available credit in its currency.
 */
export interface IssueInvoiceCommand extends CommandBase, InvoiceDraft {
  type: 'issue_invoice';
}

/**
 * Money received. Without `allocate_to` it settles open invoices of its currency, oldest
 * due date first; with it, the listed invoices in order. The rest becomes credit.
 */
export interface RecordPaymentCommand extends CommandBase {
  type: 'record_payment';
  /** The paying customer. */
  customer: Id;
  /** Amount received, > 0. */
  amount: Money;
  /** Default: the customer's billing currency. */
  currency?: CurrencyCode;
  /** How it was paid. */
  method: PaymentMethod;
  /** Date received. */
  date: DateString;
  /** Bank or card reference, shown on statements. */
  reference?: string;
  /** Invoices to settle, in order (no id twice). `[]` keeps it all as credit (a prepayment). */
  allocate_to?: readonly Id[];
}

/** Credit granted without money (goodwill, compensation). */
export interface AddCreditCommand extends CommandBase {
  type: 'add_credit';
  customer: Id;
  /** Credit granted, > 0. */
  amount: Money;
  /** Default: the customer's billing currency. */
  currency?: CurrencyCode;
  date: DateString;
  /** Why it was granted, shown on statements. */
  reason: string;
  /**
   * The last day it can be used (not before `date`, else `invalid_date`). Invoices,
   * refunds and `apply_credit` dated after it pass it by; `expire_credit` removes what is
   * left. Absent: it never expires.
   */
  valid_until?: DateString;
}

/** Applies existing credit to an open invoice now. */
export interface ApplyCreditCommand extends CommandBase {
  type: 'apply_credit';
  customer: Id;
  /** The open invoice to settle. */
  invoice: Id;
  /** Default: as much as both the credit and the invoice allow. */
  amount?: Money;
  /** Default: the invoice's currency (another one is `currency_mismatch`). */
  currency?: CurrencyCode;
  /**
   * The day it is applied, not before the invoice's date (`invalid_date`); default: the
   * invoice's date. Credit whose `valid_until` is before it is not used.
   */
  date?: DateString;
}

/**
 * Lowers what an invoice asks for; settlement it no longer needs is released as credit.
 * Without `invoice` the whole amount is credit.
 */
export interface IssueCreditNoteCommand extends CommandBase {
  type: 'issue_credit_note';
  customer: Id;
  /** The invoice credited; none: the credit note is all credit. */
  invoice?: Id;
  /** Amount credited, > 0; at most the invoice's total less earlier credit notes. */
  amount: Money;
  /** Default: the invoice's, else the customer's billing currency. */
  currency?: CurrencyCode;
  date: DateString;
  reason: string;
}

/** Pays available credit back out to the customer. */
export interface RefundCreditCommand extends CommandBase {
  type: 'refund_credit';
  customer: Id;
  /** Amount refunded, > 0; more than the credit available is `insufficient_credit`. */
  amount: Money;
  currency?: CurrencyCode;
  /** How it was paid out. */
  method: PaymentMethod;
  date: DateString;
  reference?: string;
}

/** Reverses a payment: invoices it settled owe again, credit it created is withdrawn. */
export interface VoidPaymentCommand extends CommandBase {
  type: 'void_payment';
  /** The payment voided. */
  payment: Id;
  date: DateString;
  reason?: string;
}

/** Cancels an invoice; whatever settled it returns to the customer as credit. */
export interface VoidInvoiceCommand extends CommandBase {
  type: 'void_invoice';
  /** The invoice voided. */
  invoice: Id;
  date: DateString;
  reason?: string;
}

/** Changes ledger settings (an extension of the contract). */
export interface ConfigureCommand extends CommandBase {
  type: 'configure';
  /** Invoice number format, e.g. `"{year}-{seq:0000}"` (default `"INV-{seq:0000}"`); the sequence never changes. */
  invoice_number_format?: string;
  /**
   * How invoices issued from now on round tax: `line` (each line on its own, the
   * default) or `invoice` (once per tax rate over the invoice, shared over the lines at
   * that rate by largest remainder). Issued invoices never change.
   */
  tax_rounding?: TaxRounding;
}

/** How an invoice's tax is rounded. */
export type TaxRounding = 'line' | 'invoice';

/**
 * Writes off what an invoice still asks for as bad debt: its tax part reverses the
 * invoice's tax in proportion (to `tax_payable`), the rest is a `bad_debt` expense. A
 * paid, void or written-off invoice is `invoice_closed`; a date before the invoice is
 * `invalid_date`.
 */
export interface WriteOffInvoiceCommand extends CommandBase {
  type: 'write_off_invoice';
  invoice: Id;
  date: DateString;
  /** Why, shown on statements. */
  reason: string;
}

/**
 * Removes what is left of every credit lot whose `valid_until` is before `date` (of one
 * customer, or of all): each removal is a `credit_expired` statement entry and reverses
 * the goodwill expense.
 */
export interface ExpireCreditCommand extends CommandBase {
  type: 'expire_credit';
  date: DateString;
  /** Only this customer's credit; default: every customer's. */
  customer?: Id;
}

/** Every command, by its `type`. */
export interface Commands {
  create_customer: CreateCustomerCommand;
  issue_invoice: IssueInvoiceCommand;
  record_payment: RecordPaymentCommand;
  add_credit: AddCreditCommand;
  apply_credit: ApplyCreditCommand;
  issue_credit_note: IssueCreditNoteCommand;
  refund_credit: RefundCreditCommand;
  void_payment: VoidPaymentCommand;
  void_invoice: VoidInvoiceCommand;
  configure: ConfigureCommand;
  write_off_invoice: WriteOffInvoiceCommand;
  expire_credit: ExpireCreditCommand;
}

/** Any command: a union discriminated on `type`. */
export type Command = Commands[keyof Commands];

/** A command's `type`: `"create_customer"`, `"issue_invoice"`, ... */
export type CommandType = keyof Commands;

/** The command of type `T`. */
export type CommandOf<T extends CommandType> = Commands[T];

/**
 * What `apply` takes for a command of type `T`. Methods are generic over the `type` (not
 * the whole object) so that an object literal gets exact checks: a misspelled or unknown
 * field, also inside `lines`, is a type error, as it is an `invalid_input` refusal.
 */
export type CommandInput<T extends CommandType> = { type: T } & Commands[T];

// ---------------------------------------------------------------------------------
// Command answers

/** Fields of every accepted command's answer. */
export interface AcceptedBase<T extends CommandType> {
  ok: true;
  /** True when this is a resend of an accepted command: nothing changed, the original result is answered. */
  duplicate: boolean;
  /** Journal sequence number of the command (of the original, for a duplicate). */
  seq: number;
  /** The command's `id`. */
  id: Id;
  /** The command's `type`. */
  type: T;
  /**
   * Present (`true`) only on a dry run's answer: what the command would answer now;
   * nothing was changed, and `seq` is the one it would get.
   */
  dry_run?: true;
}

/**
 * Credit given back to, or taken from, one credit lot, named by the record that made
 * the lot: a payment (what it left unallocated), an `add_credit`, or a credit note
 * without an invoice.
 */
export interface CreditPart {
  /** The id of the payment, credit or credit note whose credit it is. */
  credit: Id;
  amount: Money;
}

/** `create_customer` accepted. */
export interface CreateCustomerAccepted extends AcceptedBase<'create_customer'> {
  customer: Id;
  currency: CurrencyCode;
}

/** `issue_invoice` accepted: what it was issued for and the credit applied at issue. */
export interface IssueInvoiceAccepted extends AcceptedBase<'issue_invoice'> {
  invoice: Id;
  /** The invoice number given, e.g. `"INV-0001"`. */
  number: string;
  currency: CurrencyCode;
  /** Total, tax included. */
  total: Money;
  /** Credit applied when it was issued. */
  credit_applied: Money;
  /** `total` − `credit_applied`, at issue. */
  amount_due: Money;
}

/** Part of a payment settling an invoice (or, in a payment void, re-opened). */
export interface Allocation {
  invoice: Id;
  amount: Money;
}

/** `record_payment` accepted: where the money went. */
export interface RecordPaymentAccepted extends AcceptedBase<'record_payment'> {
  payment: Id;
  currency: CurrencyCode;
  amount: Money;
  /** Invoices settled, in order. */
  allocations: Allocation[];
  /** What was left over and became credit. */
  credit_created: Money;
}

/** `add_credit` accepted. */
export interface AddCreditAccepted extends AcceptedBase<'add_credit'> {
  /** The credit's id (the command's id). */
  credit: Id;
  currency: CurrencyCode;
  amount: Money;
  /** The last day it can be used; absent: it never expires. */
  valid_until?: DateString;
}

/** `apply_credit` accepted. */
export interface ApplyCreditAccepted extends AcceptedBase<'apply_credit'> {
  invoice: Id;
  currency: CurrencyCode;
  /** Credit applied to the invoice. */
  applied: Money;
}

/** `issue_credit_note` accepted. */
export interface IssueCreditNoteAccepted extends AcceptedBase<'issue_credit_note'> {
  credit_note: Id;
  /** The invoice credited; absent for a credit note without invoice. */
  invoice?: Id;
  currency: CurrencyCode;
  amount: Money;
  /** How much it lowered the invoice's amount due. */
  reduced_amount_due: Money;
  /** Credit it gave the customer (released settlement, or all of it without an invoice). */
  credit_created: Money;
  /**
   * The part of `credit_created` released from the invoice's settlements (what it had
   * received beyond what it now asks for); `"0.00"` without an invoice.
   */
  credit_released: Money;
}

/** `refund_credit` accepted. */
export interface RefundCreditAccepted extends AcceptedBase<'refund_credit'> {
  refund: Id;
  currency: CurrencyCode;
  amount: Money;
  /** The credit it paid out, lot by lot, oldest first. */
  credit_used: CreditPart[];
}

/** `void_payment` accepted. */
export interface VoidPaymentAccepted extends AcceptedBase<'void_payment'> {
  /** The payment voided. */
  payment: Id;
  currency: CurrencyCode;
  /** The payment's amount, taken back out of cash (`reopened` + `credit_withdrawn`). */
  amount: Money;
  /** Invoices that owe again, and how much. */
  reopened: Allocation[];
  /** Credit of the payment withdrawn. */
  credit_withdrawn: Money;
}

/** `void_invoice` accepted. */
export interface VoidInvoiceAccepted extends AcceptedBase<'void_invoice'> {
  /** The invoice voided. */
  invoice: Id;
  currency: CurrencyCode;
  /** What it still asked for (total less credit notes), now cancelled. */
  cancelled: Money;
  /** Settlement (payments, credit) returned to the customer as credit. */
  credit_returned: Money;
  /**
   * `credit_returned` source by source, latest settlement first: each part returns to
   * the credit of the payment or lot it came from.
   */
  returned: CreditPart[];
}

/** `configure` accepted. */
export interface ConfigureAccepted extends AcceptedBase<'configure'> {
  /** The invoice number format in force after the command. */
  invoice_number_format: string;
  /** The tax rounding the next invoices get. */
  tax_rounding: TaxRounding;
}

/** `write_off_invoice` accepted. */
export interface WriteOffInvoiceAccepted extends AcceptedBase<'write_off_invoice'> {
  invoice: Id;
  currency: CurrencyCode;
  /** What the invoice still asked for, now written off (tax included). */
  written_off: Money;
  /** Its tax part, reversed from tax payable. */
  tax_reversed: Money;
  /** The rest: the bad-debt expense. */
  bad_debt: Money;
}

/** What an `expire_credit` removed from one credit lot. */
export interface ExpiredCredit {
  customer: Id;
  /** The `add_credit` that granted it. */
  credit: Id;
  currency: CurrencyCode;
  valid_until: DateString;
  /** What was left of it, now removed. */
  amount: Money;
}

/** `expire_credit` accepted. */
export interface ExpireCreditAccepted extends AcceptedBase<'expire_credit'> {
  date: DateString;
  /** The customer it was limited to, if any. */
  customer?: Id;
  /** Lot by lot, by customer then lot age; empty when nothing had expired. */
  expired: ExpiredCredit[];
}

/** Every accepted answer, by command `type`. */
export interface AcceptedAnswers {
  create_customer: CreateCustomerAccepted;
  issue_invoice: IssueInvoiceAccepted;
  record_payment: RecordPaymentAccepted;
  add_credit: AddCreditAccepted;
  apply_credit: ApplyCreditAccepted;
  issue_credit_note: IssueCreditNoteAccepted;
  refund_credit: RefundCreditAccepted;
  void_payment: VoidPaymentAccepted;
  void_invoice: VoidInvoiceAccepted;
  configure: ConfigureAccepted;
  write_off_invoice: WriteOffInvoiceAccepted;
  expire_credit: ExpireCreditAccepted;
}

/** Any accepted command's answer: a union discriminated on `type`. */
export type Accepted = AcceptedAnswers[CommandType];

/** The accepted answer for command `C` (a union of them when `C` is a union). */
export type AcceptedFor<C extends Command> = AcceptedAnswers[C['type']];

/** The error codes of the contract. */
export type EngineErrorCode =
  | 'invalid_input'
  | 'invalid_amount'
  | 'invalid_currency'
  | 'invalid_date'
  | 'unknown_customer'
  | 'unknown_invoice'
  | 'unknown_payment'
  | 'currency_mismatch'
  | 'insufficient_credit'
  | 'over_allocation'
  | 'already_void'
  | 'invoice_closed'
  | 'conflict';

/**
 * Every code a refusal can carry: the engine's, plus `storage_failed` from the store
 * (the command could not be saved, or the store is closed; nothing was recorded).
 */
export type ErrorCode = EngineErrorCode | 'storage_failed';

/** Money in a refusal's details: the amount at the currency's minor units. */
export interface MoneyDetail {
  amount: string;
  currency: string;
}

/**
 * The values behind a refusal's message, as data, so a page can word it in its user's
 * language (money with `Intl`, dates as its forms show them) without reading `message`.
 * Which names appear depends on the refusal; all are optional.
 */
export interface RefusalDetails {
  /**
   * The rule that was broken, one word per kind of refusal, e.g. `required`,
   * `unknown_field`, `repeated_field`, `wrong_type`, `empty`, `too_long`,
   * `control_characters`, `not_allowed`, `listed_twice`, `too_many`, `not_decimal`,
   * `too_many_digits`, `not_positive`, `too_large`, `too_many_decimals`,
   * `out_of_range`, `negative_total`, `unknown_currency`, `not_a_date`, `not_a_day`,
   * `not_a_timestamp`, `before_date`, `before_record`, `not_found`, `other_customer`,
   * `invoice_currency`, `more_than_available`, `no_credit`, `credit_refunded`,
   * `more_than_due`, `more_than_creditable`, `void`, `paid`, `written_off`, `already_void`,
   * `id_taken`, `missing_seq`, `stray_brace`, `unclosed_brace`, `unknown_placeholder`.
   */
  rule?: string;
  /** The value received (text clipped to 60 characters), or the money it meant. */
  value?: string | MoneyDetail;
  /** The JSON type received, with `wrong_type`. */
  got?: 'null' | 'boolean' | 'string' | 'number' | 'array' | 'object' | 'unreadable';
  /**
   * The format or type expected: `decimal`, `YYYY-MM-DD`, `RFC 3339`, `ISO 4217`,
   * `string`, `boolean`, `array`, `object`, `whole_number`, `number`.
   */
  expected?: string;
  /** Bounds of a quantity, price or rate, or the largest amount, as decimal strings. */
  min?: string;
  max?: string;
  /** Most decimals allowed (of the currency, or of a quantity, price or rate). */
  max_decimals?: number;
  /** Longest text, in characters; longest id, in UTF-8 bytes. */
  max_length?: number;
  max_bytes?: number;
  /** Most items in a list (invoice lines). */
  max_items?: number;
  /** The choices allowed, with `not_allowed`. */
  allowed?: string[];
  /** The currency a money field was checked against, or a payment's/credit's currency. */
  currency?: string;
  /** The currency of the invoice named, with `currency_mismatch`. */
  invoice_currency?: string;
  /** Credit the customer holds in that currency. */
  available?: MoneyDetail;
  /** What the invoice still asks for. */
  amount_due?: MoneyDetail;
  /** What the invoice can still be credited (its total less earlier credit notes). */
  creditable?: MoneyDetail;
  /** Credit of the payment that was already refunded. */
  refunded?: MoneyDetail;
  /** An invoice total that broke a rule, as a decimal string. */
  total?: string;
  /** The earliest date allowed (the record's own date, or `from`). */
  earliest?: string;
  /** The id that was not found or is taken; the invoice, payment or customer concerned. */
  id?: string;
  invoice?: string;
  payment?: string;
  customer?: string;
  /** A journal entry's seq, and the seq the ledger expected. */
  seq?: number;
  [name: string]: unknown;
}

/** Why a command or query was refused. */
export interface RefusalError<Code extends ErrorCode = ErrorCode> {
  code: Code;
  /** Names the field and the value that was wrong, in English. */
  message: string;
  /**
   * The path of the offending field (`amount`, `lines[2].unit_price`,
   * `allocate_to[0]`), or `null` when the refusal is about the command as a whole.
   */
  field: string | null;
  /** The values behind the message, as data (possibly empty). */
  details: RefusalDetails;
}

/**
 * A refused command or query; it changed nothing. The engine's refusals are
 * `Refused<EngineErrorCode>`; the store's may also be `storage_failed`.
 */
export interface Refused<Code extends ErrorCode = ErrorCode> {
  ok: false;
  error: RefusalError<Code>;
  /** Present (`true`) when the refused command was a dry run. */
  dry_run?: true;
}

/** A refusal from the engine itself (no storage involved). */
export type EngineRefused = Refused<EngineErrorCode>;

/** What the engine answers to command `C`. */
export type CommandAnswer<C extends Command = Command> = AcceptedFor<C> | EngineRefused;

// ---------------------------------------------------------------------------------
// Queries. A query never changes anything; an unknown field is `invalid_input`.

/** A customer's balance in one currency. */
export interface BalanceQuery {
  type: 'balance';
  customer: Id;
  /** Default: the customer's billing currency. */
  currency?: CurrencyCode;
}

/** One invoice as it stands now. */
export interface InvoiceQuery {
  type: 'invoice';
  invoice: Id;
}

/**
 * The invoice `issue_invoice` would post now, with the credit it would apply; nothing is
 * posted. Takes the fields of `issue_invoice` except `id`, `at` and `by`.
 */
export interface PreviewInvoiceQuery extends InvoiceDraft {
  type: 'preview_invoice';
}

/** A customer's entries in one currency with a running balance. */
export interface StatementQuery {
  type: 'statement';
  customer: Id;
  /** Default: the customer's billing currency. */
  currency?: CurrencyCode;
  /** First date included; what came before is the opening balance. */
  from?: DateString;
  /** Last date included (not before `from`). */
  to?: DateString;
}

/** Every customer with its balance per currency. */
export interface CustomersQuery {
  type: 'customers';
}

/** The double-entry accounts and their balances per currency. */
export interface TrialBalanceQuery {
  type: 'trial_balance';
  /** Only this currency; default: all. */
  currency?: CurrencyCode;
  /**
   * The balances at the end of this day: only postings dated on or before it, whatever
   * was entered later (an extension of the contract); default: everything recorded.
   */
  as_of?: DateString;
}

/**
 * Invoices for list screens (an extension of the contract): one customer's by date, or
 * everyone's in issue order.
 */
export interface InvoicesQuery {
  type: 'invoices';
  /** Only this customer's; default: every customer's. */
  customer?: Id;
  /** Only this currency's; default: all. */
  currency?: CurrencyCode;
  /** `open`: only invoices with an amount due; `all` (default): every invoice. */
  status?: 'open' | 'all';
  /** At most this many (a JSON number, a whole number ≥ 0). */
  limit?: number;
  /** Only invoices dated on or after this day. */
  from?: DateString;
  /** Only invoices dated on or before this day (not before `from`). */
  to?: DateString;
}

/**
 * Payments by date, with what each did, and the totals of those that stand per currency
 * and method (an extension of the contract): one customer's, or everyone's received in a
 * period for a bank reconciliation.
 */
export interface PaymentsQuery {
  type: 'payments';
  /** Only this customer's; default: every customer's. */
  customer?: Id;
  /** Only this currency's; default: all. */
  currency?: CurrencyCode;
  /** Only payments received on or after this day. */
  from?: DateString;
  /** Only payments received on or before this day (not before `from`). */
  to?: DateString;
}

/** The credit a customer holds in one currency, lot by lot (an extension of the contract). */
export interface CreditsQuery {
  type: 'credits';
  customer: Id;
  /** Default: the customer's billing currency. */
  currency?: CurrencyCode;
}

/** Aged receivables on a given day (an extension of the contract). */
export interface AgingQuery {
  type: 'aging';
  /** The books as they stood at the end of this day (what is dated after it doesn't count), days overdue counted to it. */
  as_of: DateString;
  /** Only this currency; default: all. */
  currency?: CurrencyCode;
}

/** The ledger settings in force (an extension of the contract). */
export interface SettingsQuery {
  type: 'settings';
}

/** The general ledger line by line, for an accountant's books. */
export interface PostingsQuery {
  type: 'postings';
  /** Only this currency's lines; default: all. */
  currency?: CurrencyCode;
  /** First day shown (inclusive). */
  from?: DateString;
  /** Last day shown (inclusive); before `from` is `invalid_date`. */
  to?: DateString;
}

/** Every query, by its `type`. */
export interface Queries {
  balance: BalanceQuery;
  invoice: InvoiceQuery;
  preview_invoice: PreviewInvoiceQuery;
  statement: StatementQuery;
  customers: CustomersQuery;
  trial_balance: TrialBalanceQuery;
  invoices: InvoicesQuery;
  payments: PaymentsQuery;
  credits: CreditsQuery;
  aging: AgingQuery;
  settings: SettingsQuery;
  postings: PostingsQuery;
}

/** Any query: a union discriminated on `type`. */
export type Query = Queries[keyof Queries];

/** A query's `type`. */
export type QueryType = keyof Queries;

/** The query of type `T`. */
export type QueryOf<T extends QueryType> = Queries[T];

/** What `query` takes for a query of type `T` (exact: unknown fields are type errors). */
export type QueryInput<T extends QueryType> = { type: T } & Queries[T];

// ---------------------------------------------------------------------------------
// Query answers. Each is flattened into `{ ok: true, ... }`; unlike command answers they
// carry no `type`: the answer's type follows from the query's (see `AnswerFor`).

/**
 * A customer's position in one currency. `outstanding` = sum of amount due over its open
 * invoices; `credit` = credit available; `balance` = outstanding − credit (positive: the
 * customer owes; negative: the customer is in credit).
 */
export interface Balance {
  customer: Id;
  currency: CurrencyCode;
  outstanding: Money;
  credit: Money;
  balance: Money;
}

/**
 * `open` (nothing received), `partially_paid`, `paid` (nothing due, also via credit
 * notes), `written_off` (nothing due after a write-off) or `void`.
 */
export type InvoiceStatus = 'open' | 'partially_paid' | 'paid' | 'written_off' | 'void';

/** One invoice line as computed. Decimals as entered are normalized (`"100.00"` → `"100"`). */
export interface InvoiceLine {
  description: string;
  quantity: Decimal;
  unit_price: Decimal;
  tax_rate: Decimal;
  discount_rate: Decimal;
  /** Amount before tax. */
  net: Money;
  tax: Money;
  /** `net` + `tax`. */
  gross: Money;
}

/** Net and tax of an invoice's lines at one tax rate. */
export interface TaxRateTotal {
  /** The rate, normalized (`"0.2"`). */
  rate: Decimal;
  net: Money;
  tax: Money;
}

/** Money settling an invoice: a payment, or credit. */
export interface Settlement {
  /** `payment`: money allocated by a payment; `credit`: a credit lot applied. */
  kind: 'payment' | 'credit';
  /** The payment, credit or credit note id the money came from. */
  source: Id;
  amount: Money;
}

/**
 * An invoice as it stands. `amount_due` = `total` − `credit_applied` − `paid` − `credited`
 * − `written_off`
 * (≥ 0). `subtotal`, `tax` and `total` are the sums of the lines' net, tax and gross.
 */
export interface Invoice {
  /** The invoice id. */
  id: Id;
  /** Invoice number, e.g. `"INV-0001"`. */
  number: string;
  customer: Id;
  customer_name: string;
  currency: CurrencyCode;
  date: DateString;
  due_date: DateString;
  status: InvoiceStatus;
  prices_include_tax: boolean;
  /** How its tax was rounded (the setting in force when it was issued). */
  tax_rounding: TaxRounding;
  subtotal: Money;
  tax: Money;
  total: Money;
  /** Credit settling it. */
  credit_applied: Money;
  /** Payments settling it. */
  paid: Money;
  /** Credit notes against it. */
  credited: Money;
  /** Written off as bad debt (tax included). */
  written_off: Money;
  amount_due: Money;
  lines: InvoiceLine[];
  /** Net and tax per tax rate, highest rate first. */
  tax_breakdown: TaxRateTotal[];
  /** What settles it, in order: payments and credit. */
  settlements: Settlement[];
}

/** The invoice `issue_invoice` would post now: `id` is `null`, `number` the one it would get. */
export interface InvoicePreview extends Omit<Invoice, 'id'> {
  id: null;
}

/**
 * A statement entry's kind: `invoice`, `payment`, `credit` (add_credit), `credit_note`,
 * `refund`, `payment_void`, `invoice_void`, `write_off` (a credit), `credit_expired`
 * (a debit: the customer holds less credit).
 */
export type StatementEntryKind =
  | 'invoice'
  | 'payment'
  | 'credit'
  | 'credit_note'
  | 'refund'
  | 'payment_void'
  | 'invoice_void'
  | 'write_off'
  | 'credit_expired';

/** One statement line. `debit` raises what the customer owes, `credit` lowers it. */
export interface StatementEntry {
  date: DateString;
  kind: StatementEntryKind;
  /** The id of the record behind the entry. */
  ref: Id;
  /** Text a customer can read, e.g. `"Payment by card (ref. TX1)"`. */
  description: string;
  debit: Money;
  credit: Money;
  /** Running balance after this entry. */
  balance: Money;
  /** The reason given with the record (credit, credit note, void), when it has one. */
  reason?: string;
}

/** A customer's statement in one currency: entries by date, then by entry order. */
export interface Statement {
  customer: Id;
  currency: CurrencyCode;
  /** As queried; absent when not given. */
  from?: DateString;
  /** As queried; absent when not given. */
  to?: DateString;
  /** Sum of the entries before `from`. */
  opening_balance: Money;
  closing_balance: Money;
  entries: StatementEntry[];
}

/** A customer in the `customers` answer. */
export interface CustomerSummary {
  id: Id;
  name: string;
  /** Absent when the customer has none. */
  email?: string;
  /** Billing currency. */
  currency: CurrencyCode;
  /** One balance per currency the customer has dealt in, billing currency first. */
  balances: Balance[];
}

/** Every customer, in creation order. */
export interface Customers {
  customers: CustomerSummary[];
  /** Per currency (in code order): what all customers owe and the credit they hold. */
  totals: CustomersTotal[];
}

/** What all customers owe and hold in one currency (sums of their balances). */
export interface CustomersTotal {
  currency: CurrencyCode;
  outstanding: Money;
  credit: Money;
  /** outstanding − credit. */
  balance: Money;
}

/**
 * A ledger account: `receivable:<customer id>`, `customer_credit:<customer id>`,
 * `cash:<method>`, `revenue`, `tax_payable`, `credit_notes` (contra-revenue),
 * `goodwill_credit` (expense of add_credit).
 */
export type AccountName =
  | `receivable:${string}`
  | `customer_credit:${string}`
  | `cash:${PaymentMethod}`
  | 'revenue'
  | 'tax_payable'
  | 'credit_notes'
  | 'goodwill_credit';

/** An account's balance in one currency: debits positive, credits negative. */
export interface AccountBalance {
  account: AccountName;
  currency: CurrencyCode;
  balance: Money;
}

/** The sum of the accounts in one currency: always zero. */
export interface CurrencyTotal {
  currency: CurrencyCode;
  total: Money;
  /** The sum of the debit balances (the debit column). */
  debits: Money;
  /** The sum of the credit balances, positive (the credit column); equals `debits`. */
  credits: Money;
}

/** The trial balance: accounts with postings, by currency then account. */
export interface TrialBalance {
  /** The day whose end the balances are taken at; null: everything recorded. */
  as_of: DateString | null;
  accounts: AccountBalance[];
  /** One per currency in `accounts`. */
  totals: CurrencyTotal[];
}

/** An invoice in the `invoices` list. */
export interface InvoiceSummary {
  id: Id;
  number: string;
  customer: Id;
  currency: CurrencyCode;
  date: DateString;
  due_date: DateString;
  status: InvoiceStatus;
  total: Money;
  amount_due: Money;
}

/** Invoices, as listed. */
export interface InvoiceList {
  invoices: InvoiceSummary[];
}

/** A payment in the `payments` list, with what it did when it was received. */
export interface PaymentSummary {
  id: Id;
  customer: Id;
  currency: CurrencyCode;
  date: DateString;
  amount: Money;
  method: PaymentMethod;
  /** Absent when the payment has none. */
  reference?: string;
  /** Invoices it settled when it was received. */
  allocations: Allocation[];
  /** What it left as credit when it was received. */
  credit_created: Money;
  /** The id of the void, if it was voided. */
  voided_by?: Id;
}

/** Payments that stand (not voided) of one currency and method, summed by the engine. */
export interface ReceivedTotal {
  currency: CurrencyCode;
  method: PaymentMethod;
  /** How many payments. */
  count: number;
  amount: Money;
}

/** Payments by date (then as entered), voided ones included. */
export interface PaymentList {
  payments: PaymentSummary[];
  /** Per currency then method (in the contract's order): the listed payments that stand. */
  totals: ReceivedTotal[];
}

/** A lot of credit with some left. */
export interface CreditLot {
  /** `payment` (a payment's remainder), `credit` (add_credit) or `credit_note`. */
  origin: 'payment' | 'credit' | 'credit_note';
  /** The id of the payment, credit or credit note it came from. */
  source: Id;
  /** Credit left in it. */
  remaining: Money;
  /** The last day it can be used (goodwill credit granted with one); absent: never expires. */
  valid_until?: DateString;
}

/** A customer's credit in one currency. */
export interface CreditList {
  customer: Id;
  currency: CurrencyCode;
  /** Lots with credit left, oldest first: the order invoices and refunds use them. */
  lots: CreditLot[];
  /** Credit available (the sum of the lots). */
  total: Money;
}

/** Amount due by days overdue: `current` (not yet due), 1–30, 31–60, 61–90, over 90 days. */
export interface AgingBuckets {
  currency: CurrencyCode;
  current: Money;
  days_1_30: Money;
  days_31_60: Money;
  days_61_90: Money;
  over_90: Money;
  total: Money;
}

/** One customer's aged receivables in one currency. */
export interface AgingRow extends AgingBuckets {
  customer: Id;
  /** The customer's name. */
  name: string;
}

/** Aged receivables. */
export interface Aging {
  as_of: DateString;
  /** One row per customer and currency with anything owed. */
  rows: AgingRow[];
  /** Bucket totals per currency. */
  totals: AgingBuckets[];
}

/** Answer to `balance`. */
export interface BalanceAnswer extends Balance {
  ok: true;
}
/** Answer to `invoice`. */
export interface InvoiceAnswer extends Invoice {
  ok: true;
}
/** Answer to `preview_invoice` (`id: null`). */
export interface InvoicePreviewAnswer extends InvoicePreview {
  ok: true;
}
/** Answer to `statement`. */
export interface StatementAnswer extends Statement {
  ok: true;
}
/** Answer to `customers`. */
export interface CustomersAnswer extends Customers {
  ok: true;
}
/** Answer to `trial_balance`. */
export interface TrialBalanceAnswer extends TrialBalance {
  ok: true;
}

/** Answer to `invoices`. */
export interface InvoiceListAnswer extends InvoiceList {
  ok: true;
}
/** Answer to `payments`. */
export interface PaymentListAnswer extends PaymentList {
  ok: true;
}
/** Answer to `credits`. */
export interface CreditListAnswer extends CreditList {
  ok: true;
}
/** Answer to `aging`. */
export interface AgingAnswer extends Aging {
  ok: true;
}

/** The `settings` answer. */
export interface SettingsAnswer {
  ok: true;
  invoice_number_format: string;
  /** How the next invoices round tax. */
  tax_rounding: TaxRounding;
  /** The sequence number the next invoice gets. */
  next_invoice_seq: number;
}

/** One general-ledger line: it debits or credits one account. */
export interface Posting {
  /** The journal seq of the command: the lines of one seq balance per currency. */
  seq: number;
  date: DateString;
  /** The id of the record behind it. */
  ref: Id;
  /** The command type that posted it (`issue_invoice`, `write_off_invoice`, ...). */
  type: CommandType;
  /**
   * The account, as in `trial_balance`: `receivable:<customer>`,
   * `customer_credit:<customer>`, `cash:<method>`, `revenue`, `tax_payable`,
   * `credit_notes`, `goodwill_credit`, `bad_debt`.
   */
  account: string;
  currency: CurrencyCode;
  /** Zero on a credit line. */
  debit: Money;
  /** Zero on a debit line. */
  credit: Money;
}

/** The `postings` answer. */
export interface PostingsAnswer {
  ok: true;
  entries: Posting[];
}

/** The successful answer of each query, by query `type`. */
export interface QueryAnswers {
  balance: BalanceAnswer;
  invoice: InvoiceAnswer;
  preview_invoice: InvoicePreviewAnswer;
  statement: StatementAnswer;
  customers: CustomersAnswer;
  trial_balance: TrialBalanceAnswer;
  invoices: InvoiceListAnswer;
  payments: PaymentListAnswer;
  credits: CreditListAnswer;
  aging: AgingAnswer;
  settings: SettingsAnswer;
  postings: PostingsAnswer;
}

/** The successful answer to query `Q` (a union of them when `Q` is a union). */
export type AnswerFor<Q extends Query> = QueryAnswers[Q['type']];

/** What the engine answers to query `Q`. */
export type QueryAnswer<Q extends Query = Query> = AnswerFor<Q> | EngineRefused;

// ---------------------------------------------------------------------------------
// Journal, backups and store events

/** An accepted command and its journal sequence number (1, 2, 3, ...). */
export interface JournalEntry {
  seq: number;
  /**
   * The command as the engine keeps it: decimals normalized (`"100.00"` → `"100"`),
   * line defaults and `prices_include_tax` / `use_credit` written out.
   */
  command: Command;
}

/** `replay` accepted the entry. */
export interface Replayed {
  ok: true;
  /** The entry's sequence number, now the ledger's. */
  seq: number;
}

/** A JSON backup of a ledger: its whole journal. */
export interface Backup {
  format: 'tally-journal';
  version: 1;
  /** When it was exported (ISO 8601, from the browser's clock). */
  exported: Timestamp;
  /** Every journal entry, `seq` 1, 2, 3, ... in order. */
  entries: JournalEntry[];
}

/**
 * What `exportJournal` reads: the records that check out along the journal's chain, from
 * the first up to the first that doesn't (so it imports as a backup), and what is wrong.
 */
export interface JournalExport extends Backup {
  /** Sequence numbers of the stored records after the readable ones (left out of `entries`). */
  damaged: number[];
  /** What is wrong with the first record left out, in plain words; null when all check out. */
  problem: string | null;
}

/** One thing found wrong with the stored ledger, named. */
export interface HealthProblem {
  /** Which kind of stored record: a journal record, a snapshot, or the head (where the journal ends). */
  kind: 'journal' | 'snapshot' | 'head';
  /** Its sequence number (null for the head). */
  seq: number | null;
  /** What is wrong, in plain words, e.g. "Journal record 5 belongs to another ledger." */
  message: string;
}

/**
 * What opening found (`Store.health`), for the page to show:
 * - `ok`: every record used checked out;
 * - `recovered`: a snapshot failed its checks, the books were rebuilt from an older one
 *   or the journal alone, and every acknowledged record is there;
 * - `damaged`: a journal record is damaged, edited, missing or foreign. When opening
 *   found it, the books are shown up to the record before and `writable` is false
 *   (commands answer `storage_failed`); when the background check of the records under
 *   the snapshot found it, the books are whole and writable but a backup can only hold
 *   the records before it.
 */
export interface Health {
  status: 'ok' | 'recovered' | 'damaged';
  /** Plain words for the page: what happened and what to do ("" when `ok`). */
  message: string;
  /** Whether the store takes commands. */
  writable: boolean;
  /** The sequence number the books were opened at. */
  seq: number;
  /** How many records the ledger's head says it holds (null if the head is missing). */
  expected: number | null;
  /** The snapshot the books were opened from (0: none, the journal was replayed from the start). */
  openedFrom: number;
  /** Journal records replayed on opening. */
  replayed: number;
  problems: HealthProblem[];
}

/**
 * Why a store event happened:
 * - `local`: this tab committed commands;
 * - `remote`: another tab did, and this tab caught up;
 * - `imported`: this tab replaced the ledger with a backup (import or reset);
 * - `replaced`: another tab did, and this tab reloaded the new ledger (not commands to
 *   add onto the old one);
 * - `damaged`: damage was found after opening (see `health`);
 * - `closed`: another tab upgraded the database, this store no longer writes;
 * - `error`: storage can't be read after a failed write (see `error`): writes answer
 *   `storage_failed` (and queries too if the engine may hold what wasn't stored) while
 *   the store tries to reopen it, every 2 s and on each write;
 * - `reconnected`: it did; the books are what storage holds.
 */
export type StoreEventSource = 'local' | 'remote' | 'imported' | 'replaced' | 'damaged' | 'reconnected' | 'closed' | 'error';

/** What a store subscriber is told after a change. */
export interface StoreEvent {
  /** The ledger's sequence number after the change. */
  seq: number;
  source: StoreEventSource;
  /** With `source: 'replaced'` or `'damaged'`: the store's health now. */
  health?: Health;
  /** With `source: 'error'`: what went wrong. */
  error?: unknown;
}

/**
 * `StoreError` codes: `storage_failed` (the database can't be opened or written),
 * `storage_blocked` (another tab holds an older version open), `damaged_record` (a
 * backup can't be exported in full because a journal record fails its checks),
 * `invalid_backup`.
 */
export type StoreErrorCode = 'storage_failed' | 'storage_blocked' | 'damaged_record' | 'invalid_backup';
