//! `postings`: the general ledger line by line, for an accountant's books.
//!
//! Postings are not stored: each accepted command's lines are derived from the record
//! it created (which keeps what the command did), so a ledger of a million commands
//! carries no per-posting memory; the general ledger keeps only balances. The
//! derivation mirrors what each command handler posted, and the property tests check
//! that the lines summed per account equal the trial balance after every step.

#![warn(missing_docs)]

use rust_decimal::Decimal;
use serde::Serialize;

use super::statement::describe;
use super::trial_balance::account_name;
use crate::date::Date;
use crate::money::{round_money, Currency, Money};
use crate::sort::order_by;
use crate::state::ledger_accounts::{Account, GeneralLedger};
use crate::state::records::{Idx, RecordRef};
use crate::state::State;

/// The `postings` answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PostingsAnswer {
    /// Every posting line, by journal order, then as the command posted them.
    pub entries: Vec<PostingRow>,
}

/// One line of the general ledger.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PostingRow {
    /// The journal seq of the command that posted it: lines with the same seq form
    /// one balanced entry.
    pub seq: u64,
    /// The date of the record behind it.
    pub date: Date,
    /// The id of the record behind it (the command's id).
    #[serde(rename = "ref")]
    pub reference: String,
    /// The command's type (`issue_invoice`, `write_off_invoice`, ...).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The account, named as in `trial_balance`.
    pub account: String,
    /// The currency of the line.
    pub currency: Currency,
    /// Debit amount (zero on a credit line).
    pub debit: Money,
    /// Credit amount (zero on a debit line).
    pub credit: Money,
}

/// One posting line before rendering: debits positive.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Journal seq of the command.
    pub seq: u64,
    /// The record's date.
    pub date: Date,
    /// The record behind it (for its id and description).
    pub record: RecordRef,
    /// The line's currency.
    pub currency: Currency,
    /// The account.
    pub account: Account,
    /// Debit positive, credit negative; never zero.
    pub amount: Decimal,
}

/// Answers `postings`, optionally one currency and a date range (inclusive).
pub fn run(
    state: &State,
    currency: Option<Currency>,
    from: Option<Date>,
    to: Option<Date>,
) -> PostingsAnswer {
    let mut entries = Vec::new();
    walk(
        state,
        &mut Feed::Rows {
            entries: &mut entries,
            currency,
            from,
            to,
        },
    );
    PostingsAnswer { entries }
}

/// The general ledger as it stood at the end of `day`: the postings dated on or before
/// it, whatever order their commands were entered in (a month end closed after the
/// fact). Postings aren't stored, so this derives them all: linear in the records.
pub fn ledger_at_end_of(state: &State, day: Date) -> GeneralLedger {
    let mut gl = GeneralLedger::default();
    walk(state, &mut Feed::Ledger { gl: &mut gl, day });
    gl
}

/// Where a walk of the postings goes. One closure serves both, so the shipped module
/// holds one copy of the walk and its legs (each closure type would be a copy).
enum Feed<'a> {
    /// Rendered rows for `postings`, filtered.
    Rows {
        entries: &'a mut Vec<PostingRow>,
        currency: Option<Currency>,
        from: Option<Date>,
        to: Option<Date>,
    },
    /// Balances posted again, up to the end of `day`.
    Ledger {
        gl: &'a mut GeneralLedger,
        day: Date,
    },
}

fn walk(state: &State, feed: &mut Feed) {
    for_each_entry(state, |lines| match feed {
        Feed::Rows {
            entries,
            currency,
            from,
            to,
        } => {
            let shown = lines
                .iter()
                .filter(|l| currency.is_none_or(|c| c == l.currency))
                .filter(|l| from.is_none_or(|f| l.date >= f) && to.is_none_or(|t| l.date <= t));
            entries.extend(shown.map(|l| PostingRow {
                seq: l.seq,
                date: l.date,
                reference: state.record_id(l.record).to_string(),
                kind: command_type(l.record),
                account: account_name(state, l.account),
                currency: l.currency,
                debit: Money::new(l.amount.max(Decimal::ZERO), l.currency),
                credit: Money::new((-l.amount).max(Decimal::ZERO), l.currency),
            }));
        }
        Feed::Ledger { gl, day } => {
            // A command's lines all carry its record's date, so an entry is in or out
            // whole and the ledger still balances (`trial_balance`'s totals say so).
            debug_assert!(lines.iter().all(|l| l.date == lines[0].date));
            if lines[0].date <= *day {
                for l in lines {
                    gl.add_leg(l.currency, l.account, l.amount);
                }
            }
        }
    });
}

/// The command type that creates a record.
pub fn command_type(record: RecordRef) -> &'static str {
    match record {
        RecordRef::Customer(_) => "create_customer",
        RecordRef::Invoice(_) => "issue_invoice",
        RecordRef::Payment(_) => "record_payment",
        RecordRef::Grant(_) => "add_credit",
        RecordRef::Application(_) => "apply_credit",
        RecordRef::CreditNote(_) => "issue_credit_note",
        RecordRef::Refund(_) => "refund_credit",
        RecordRef::PaymentVoid(_) => "void_payment",
        RecordRef::InvoiceVoid(_) => "void_invoice",
        RecordRef::Config(_) => "configure",
        RecordRef::WriteOff(_) => "write_off_invoice",
        RecordRef::Expiry(_) | RecordRef::ExpiredLot(_) => "expire_credit",
    }
}

/// What a posting line's record says in words (the statement's description; for a
/// credit application, which is no statement entry, its own).
pub fn description(state: &State, record: RecordRef) -> String {
    match record {
        RecordRef::Application(i) => {
            let a = &state.applications[i as usize];
            format!(
                "Credit applied to invoice {}",
                state.invoices.get(a.invoice).number
            )
        }
        other => describe(state, other).1,
    }
}

/// Calls `f` once per command that posted, in journal order, with its lines. Cost:
/// linear in the records plus a sort of their seqs; memory: one (seq, record) pair per
/// record and one command's lines at a time, so exports of a large ledger don't hold
/// every line.
pub fn for_each_entry(state: &State, mut f: impl FnMut(&[Line])) {
    let mut records: Vec<(u64, RecordRef)> = Vec::new();
    for (len, record) in posting_tables(state) {
        for i in 0..len as Idx {
            let r = record(i);
            if let Some(e) = state.id_entry(state.record_id(r)) {
                records.push((e.seq, r));
            }
        }
    }
    let note_tax = credit_note_tax_parts(state);
    let mut buf: Vec<Line> = Vec::new();
    for at in order_by(records.iter().map(|(seq, _)| *seq)) {
        let (seq, record) = records[at as usize];
        buf.clear();
        let mut post = |date, record, currency, account, amount: Decimal| {
            if !amount.is_zero() {
                buf.push(Line {
                    seq,
                    date,
                    record,
                    currency,
                    account,
                    amount,
                });
            }
        };
        legs(state, record, &note_tax, &mut post);
        if !buf.is_empty() {
            f(&buf);
        }
    }
}

/// A table's length and how a row of it is named.
type PostingTable = (usize, fn(Idx) -> RecordRef);

/// The tables of records whose commands post (customers and settings don't): each
/// table's length and how a row of it is named. A list rather than a chain of
/// iterators, whose nested adapters the wasm would carry one instantiation each.
fn posting_tables(s: &State) -> [PostingTable; 10] {
    [
        (s.invoices.len(), RecordRef::Invoice),
        (s.payments.len(), RecordRef::Payment),
        (s.grants.len(), RecordRef::Grant),
        (s.applications.len(), RecordRef::Application),
        (s.credit_notes.len(), RecordRef::CreditNote),
        (s.refunds.len(), RecordRef::Refund),
        (s.payment_voids.len(), RecordRef::PaymentVoid),
        (s.invoice_voids.len(), RecordRef::InvoiceVoid),
        (s.write_offs.len(), RecordRef::WriteOff),
        (s.expiries.len(), RecordRef::Expiry),
    ]
}

/// Each credit note's tax part, as `issue_credit_note` computed it: the change in
/// round(tax × credited so far / total) over the invoice's notes in issue order.
fn credit_note_tax_parts(state: &State) -> Vec<Decimal> {
    let mut credited: Vec<(Idx, Decimal)> = Vec::new();
    state
        .credit_notes
        .iter()
        .map(|n| {
            let Some(inv) = n.invoice else {
                return Decimal::ZERO;
            };
            let i = state.invoices.get(inv);
            let slot = match credited.iter().position(|(x, _)| *x == inv) {
                Some(p) => p,
                None => {
                    credited.push((inv, Decimal::ZERO));
                    credited.len() - 1
                }
            };
            let before = credited[slot].1;
            let after = before + n.amount;
            credited[slot].1 = after;
            let (tax, total) = (i.tax(), i.total());
            let part = |c: Decimal| round_money(tax * c / total, i.currency);
            part(after) - part(before)
        })
        .collect()
}

/// Calls `post(date, record, currency, account, signed amount)` for each leg the
/// command behind `record` posted, in the order its handler posted them.
fn legs(
    state: &State,
    record: RecordRef,
    note_tax: &[Decimal],
    post: &mut impl FnMut(Date, RecordRef, Currency, Account, Decimal),
) {
    use Account::*;
    match record {
        RecordRef::Invoice(i) => {
            let inv = state.invoices.get(i);
            let (d, c, who) = (inv.date, inv.currency, inv.customer);
            let credit = inv.credit_applied_at_issue();
            post(d, record, c, Receivable(who), inv.total());
            post(d, record, c, Revenue, -inv.subtotal());
            post(d, record, c, TaxPayable, -inv.tax());
            post(d, record, c, CustomerCredit(who), credit);
            post(d, record, c, Receivable(who), -credit);
        }
        RecordRef::Payment(i) => {
            let p = &state.payments[i as usize];
            let amount = state.payment_amount(i);
            let allocated: Decimal = state.payment_allocations(i).iter().map(|(_, a)| *a).sum();
            let (d, c, who) = (p.date, p.currency, p.customer);
            post(d, record, c, Cash(p.method), amount);
            post(d, record, c, Receivable(who), -allocated);
            post(d, record, c, CustomerCredit(who), -(amount - allocated));
        }
        RecordRef::Grant(i) => {
            let g = &state.grants[i as usize];
            post(g.date, record, g.currency, GoodwillCredit, g.amount);
            post(
                g.date,
                record,
                g.currency,
                CustomerCredit(g.customer),
                -g.amount,
            );
        }
        RecordRef::Application(i) => {
            let a = &state.applications[i as usize];
            let c = state.invoices.get(a.invoice).currency;
            post(a.date, record, c, CustomerCredit(a.customer), a.amount);
            post(a.date, record, c, Receivable(a.customer), -a.amount);
        }
        RecordRef::CreditNote(i) => {
            let n = &state.credit_notes[i as usize];
            let tax = note_tax[i as usize];
            let (d, c, who) = (n.date, n.currency, n.customer);
            post(d, record, c, CreditNotes, n.amount - tax);
            post(d, record, c, TaxPayable, tax);
            post(d, record, c, Receivable(who), -n.reduced_due);
            post(d, record, c, CustomerCredit(who), -n.released);
        }
        RecordRef::Refund(i) => {
            let r = &state.refunds[i as usize];
            post(
                r.date,
                record,
                r.currency,
                CustomerCredit(r.customer),
                r.amount,
            );
            post(r.date, record, r.currency, Cash(r.method), -r.amount);
        }
        RecordRef::PaymentVoid(i) => {
            let v = &state.payment_voids[i as usize];
            let p = &state.payments[v.payment as usize];
            let reopened: Decimal = v.reopened.iter().map(|(_, a)| *a).sum();
            let (d, c, who) = (v.date, p.currency, p.customer);
            post(
                d,
                record,
                c,
                Cash(p.method),
                -state.payment_amount(v.payment),
            );
            post(d, record, c, Receivable(who), reopened);
            post(d, record, c, CustomerCredit(who), v.withdrawn);
        }
        RecordRef::InvoiceVoid(i) => {
            // A void invoice takes no later credit notes or write-offs, so its
            // credited amounts now are those at the void.
            let v = &state.invoice_voids[i as usize];
            let inv = state.invoices.get(v.invoice);
            let returned: Decimal = v.returned.iter().map(|(_, a)| *a).sum();
            let (d, c, who) = (v.date, inv.currency, inv.customer);
            post(
                d,
                record,
                c,
                Revenue,
                inv.subtotal() - (inv.credited() - inv.credited_tax()),
            );
            post(d, record, c, TaxPayable, inv.tax() - inv.credited_tax());
            post(d, record, c, Receivable(who), -(v.cancelled - returned));
            post(d, record, c, CustomerCredit(who), -returned);
        }
        RecordRef::WriteOff(i) => {
            let w = &state.write_offs[i as usize];
            let inv = state.invoices.get(w.invoice);
            let (d, c) = (w.date, inv.currency);
            post(d, record, c, BadDebt, w.amount - w.tax);
            post(d, record, c, TaxPayable, w.tax);
            post(d, record, c, Receivable(inv.customer), -w.amount);
        }
        RecordRef::Expiry(i) => {
            let x = &state.expiries[i as usize];
            for p in x.first..x.first + x.count {
                let part = &state.expired_lots[p as usize];
                let lot = &state.lots[part.lot as usize];
                let line = RecordRef::ExpiredLot(p);
                post(
                    x.date,
                    line,
                    lot.currency,
                    CustomerCredit(lot.customer),
                    part.amount,
                );
                post(x.date, line, lot.currency, GoodwillCredit, -part.amount);
            }
        }
        RecordRef::Customer(_) | RecordRef::Config(_) | RecordRef::ExpiredLot(_) => {}
    }
}
