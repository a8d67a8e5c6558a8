//! Statements: a customer's entries in one currency with a running balance.

#![warn(missing_docs)]

use rust_decimal::Decimal;
use serde::Serialize;

use crate::date::Date;
use crate::error::Result;
use crate::money::{Currency, Money};
use crate::state::book::Entry;
use crate::state::records::{LotOrigin, RecordRef};
use crate::state::State;

/// The `statement` answer. Balances are what the customer owes net of credit
/// (negative: in credit), as in `balance`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatementAnswer {
    /// The customer's id.
    pub customer: String,
    /// The book's currency.
    pub currency: Currency,
    /// First day shown, as asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Date>,
    /// Last day shown, as asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Date>,
    /// The balance before `from`: the sum of every earlier entry (zero without `from`).
    pub opening_balance: Money,
    /// The balance after the last entry shown; without `to`, the customer's `balance`.
    pub closing_balance: Money,
    /// The entries in the period, by date then entry order.
    pub entries: Vec<EntryAnswer>,
}

/// One statement line: something that moved money between customer and operator.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntryAnswer {
    /// The entry's date (the record's date, not when it was entered).
    pub date: Date,
    /// invoice, payment, credit, credit_note, refund, payment_void, invoice_void,
    /// write_off, credit_expired
    pub kind: &'static str,
    /// The id of the record behind the entry.
    #[serde(rename = "ref")]
    pub reference: String,
    /// What happened, in words a customer can read ("Invoice INV-0001").
    pub description: String,
    /// What it raised the amount owed by (invoice, refund, void of a payment, expired
    /// credit); zero otherwise.
    pub debit: Money,
    /// What it lowered the amount owed by (payment, credit, credit note, void of an
    /// invoice, write-off); zero otherwise.
    pub credit: Money,
    /// The running balance after this entry.
    pub balance: Money,
    /// The reason given with the record (a credit, a credit note, a void, a write-off), when it has
    /// one: the same text the description ends with, for a page that words the rest itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Entries are ordered by date, then by journal order. The opening balance sums the
/// entries before `from`; entries after `to` are left out.
pub fn run(
    state: &State,
    customer: &str,
    currency: Option<Currency>,
    from: Option<Date>,
    to: Option<Date>,
) -> Result<StatementAnswer> {
    let idx = state.customer_idx("customer", customer)?;
    let c = &state.customers[idx as usize];
    let currency = currency.unwrap_or(c.currency);
    let book = c.book(currency);
    let all: &[Entry] = book.map_or(&[], |b| &b.entries);
    let start = from.map_or(0, |f| state.entries_before(all, f, 0));
    let end = to.map_or(all.len(), |t| state.entries_before(all, t, u64::MAX));
    let opening = book.map_or(Decimal::ZERO, |b| {
        state.entries_sum(b, &all[..start], &mut 0)
    });
    let amount = |e: &Entry| state.entry_amount(e).decimal(currency);
    let m = |d| Money::new(d, currency);
    let mut running = opening;
    let entries = all[start..end.max(start)]
        .iter()
        .map(|e| {
            let amount = amount(e);
            running += amount;
            let record = e.record();
            let (kind, description) = describe(state, record);
            EntryAnswer {
                date: state.entry_date(e),
                kind,
                reference: state.record_id(record).to_string(),
                description,
                debit: m(amount.max(Decimal::ZERO)),
                credit: m((-amount).max(Decimal::ZERO)),
                balance: m(running),
                reason: reason_of(state, record),
            }
        })
        .collect();
    Ok(StatementAnswer {
        customer: c.id.clone(),
        currency,
        from,
        to,
        opening_balance: m(opening),
        closing_balance: m(running),
        entries,
    })
}

/// The reason recorded with a statement entry's record, if it has one.
fn reason_of(state: &State, record: RecordRef) -> Option<String> {
    match record {
        RecordRef::Grant(i) => Some(state.grants[i as usize].reason.clone()),
        RecordRef::CreditNote(i) => Some(state.credit_notes[i as usize].reason.clone()),
        RecordRef::PaymentVoid(i) => state.payment_voids[i as usize].reason.clone(),
        RecordRef::InvoiceVoid(i) => state.invoice_voids[i as usize].reason.clone(),
        RecordRef::WriteOff(i) => Some(state.write_offs[i as usize].reason.clone()),
        _ => None,
    }
}

fn with_reason(text: String, reason: &Option<String>) -> String {
    match reason {
        Some(r) => format!("{text}: {r}"),
        None => text,
    }
}

/// The entry's kind and a description a customer can read.
pub(crate) fn describe(state: &State, record: RecordRef) -> (&'static str, String) {
    match record {
        RecordRef::Invoice(i) => (
            "invoice",
            format!("Invoice {}", state.invoices.get(i).number),
        ),
        RecordRef::Payment(i) => {
            let p = &state.payments[i as usize];
            let mut text = format!("Payment by {}", p.method.words());
            if let Some(r) = p.reference {
                text.push_str(&format!(" (ref. {})", state.texts.get(r)));
            }
            ("payment", text)
        }
        RecordRef::Grant(i) => (
            "credit",
            format!("Credit: {}", state.grants[i as usize].reason),
        ),
        RecordRef::CreditNote(i) => {
            let n = &state.credit_notes[i as usize];
            let text = match n.invoice {
                Some(inv) => format!(
                    "Credit note for invoice {}: {}",
                    state.invoices.get(inv).number,
                    n.reason
                ),
                None => format!("Credit note: {}", n.reason),
            };
            ("credit_note", text)
        }
        RecordRef::Refund(i) => {
            let r = &state.refunds[i as usize];
            let mut text = format!("Refund of credit by {}", r.method.words());
            if let Some(reference) = &r.reference {
                text.push_str(&format!(" (ref. {reference})"));
            }
            ("refund", text)
        }
        RecordRef::PaymentVoid(i) => {
            let v = &state.payment_voids[i as usize];
            let p = &state.payments[v.payment as usize];
            let mut text = format!(
                "Void of the payment of {} {} received {}",
                crate::money::Money::new(state.payment_amount(v.payment), p.currency),
                p.currency,
                p.date
            );
            if let Some(r) = p.reference {
                text.push_str(&format!(" (ref. {})", state.texts.get(r)));
            }
            ("payment_void", with_reason(text, &v.reason))
        }
        RecordRef::InvoiceVoid(i) => {
            let v = &state.invoice_voids[i as usize];
            let inv = state.invoices.get(v.invoice);
            (
                "invoice_void",
                with_reason(format!("Void of invoice {}", inv.number), &v.reason),
            )
        }
        RecordRef::WriteOff(i) => {
            let w = &state.write_offs[i as usize];
            let inv = state.invoices.get(w.invoice);
            (
                "write_off",
                format!(
                    "Write-off of invoice {} as bad debt: {}",
                    inv.number, w.reason
                ),
            )
        }
        RecordRef::ExpiredLot(i) => {
            let part = &state.expired_lots[i as usize];
            let lot = &state.lots[part.lot as usize];
            let granted = match lot.origin() {
                LotOrigin::Grant(g) => {
                    let g = &state.grants[g as usize];
                    format!(" ({}, granted {})", g.reason, g.date)
                }
                _ => String::new(),
            };
            let until = lot
                .valid_until()
                .map_or(String::new(), |d| format!(", valid until {d}"));
            ("credit_expired", format!("Expired credit{granted}{until}"))
        }
        RecordRef::Customer(_)
        | RecordRef::Application(_)
        | RecordRef::Config(_)
        | RecordRef::Expiry(_) => ("other", String::new()),
    }
}
