//! Lists for screens: a customer's invoices, payments and credit lots.
//!
//! A customer's invoices and payments are found through its statement entries (every
//! invoice and payment has exactly one), so no extra index is kept; the cost is linear in
//! that customer's history, never in the ledger's.

#![warn(missing_docs)]

use rust_decimal::Decimal;
use serde::Serialize;

use super::invoice::source_id;
use crate::date::Date;
use crate::domain::Method;
use crate::error::Result;
use crate::money::{Currency, Money};
use crate::sort::{currency_key, sort_pairs};
use crate::state::book::Book;
use crate::state::records::{Idx, LotOrigin, RecordRef, Source};
use crate::state::State;
use crate::text::Text;

/// The `invoices` answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InvoicesAnswer {
    /// The invoices, at most `limit` of them.
    pub invoices: Vec<InvoiceRow>,
}

/// One invoice in a list: enough to find it and see what it still asks for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InvoiceRow {
    /// The invoice's id.
    pub id: String,
    /// Its invoice number.
    pub number: String,
    /// The billed customer's id.
    pub customer: String,
    /// Its currency.
    pub currency: Currency,
    /// The invoice date.
    pub date: Date,
    /// When payment is due.
    pub due_date: Date,
    /// `open`, `partially_paid`, `paid`, `written_off` or `void`.
    pub status: &'static str,
    /// What it asked for when issued, tax included.
    pub total: Money,
    /// What it still asks for: total less credit applied, payments and credit notes.
    pub amount_due: Money,
}

/// Which rows a list holds: one customer's or everyone's, one currency or all, dated
/// within a period (inclusive days, each end optional).
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    /// Whose rows; absent: everyone's.
    pub customer: Option<Text>,
    /// Only this currency; absent: every currency.
    pub currency: Option<Currency>,
    /// Only rows dated on or after this day.
    pub from: Option<Date>,
    /// Only rows dated on or before this day.
    pub to: Option<Date>,
}

impl Filter {
    fn keeps(&self, currency: Currency, date: Date) -> bool {
        self.currency.is_none_or(|c| c == currency)
            && self.from.is_none_or(|f| date >= f)
            && self.to.is_none_or(|t| date <= t)
    }
}

/// The `payments` answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PaymentsAnswer {
    /// The payments by date (then as entered), voided ones included.
    pub payments: Vec<PaymentRow>,
    /// What the listed payments that stand (not voided) add up to, per currency and
    /// method, by currency code then method: what a bank or card statement should show.
    pub totals: Vec<ReceivedTotal>,
}

/// The payments of one currency and method in a `payments` answer that stand.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReceivedTotal {
    /// Where it sorts (currency code, then method).
    #[serde(skip)]
    key: u64,
    /// Their currency.
    pub currency: Currency,
    /// How they came in (`bank_transfer`, `card`, ...).
    pub method: &'static str,
    /// How many.
    pub count: u64,
    /// Their sum.
    pub amount: Money,
}

/// One payment as received.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PaymentRow {
    /// The payment's id.
    pub id: String,
    /// The paying customer's id.
    pub customer: String,
    /// Its currency.
    pub currency: Currency,
    /// The day it was received.
    pub date: Date,
    /// The money received.
    pub amount: Money,
    /// How it came in (`bank_transfer`, `card`, ...).
    pub method: &'static str,
    /// The payer's or bank's reference, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Invoices it settled when it was received.
    pub allocations: Vec<crate::parts::Allocation>,
    /// What it left as credit when it was received.
    pub credit_created: Money,
    /// The id of the void, if it was voided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voided_by: Option<String>,
}

/// The `credits` answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CreditsAnswer {
    /// The customer's id.
    pub customer: String,
    /// The book's currency.
    pub currency: Currency,
    /// Lots with credit left, oldest first: the order invoices and refunds use them.
    pub lots: Vec<LotRow>,
    /// All the credit available: the sum of the lots, the `credit` of `balance`.
    pub total: Money,
}

/// One lot of credit: an amount with the origin it keeps.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LotRow {
    /// `payment`, `credit` or `credit_note`.
    pub origin: &'static str,
    /// The id of the payment, credit or credit note it came from.
    pub source: String,
    /// What is left of it: not yet used by invoices or refunded.
    pub remaining: Money,
    /// The last day it can be used (goodwill credit granted with one); absent: it
    /// never expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Date>,
}

fn books<'a>(
    state: &'a State,
    customer: Idx,
    currency: Option<Currency>,
) -> impl Iterator<Item = &'a Book> + 'a {
    state.customers[customer as usize]
        .books
        .iter()
        .filter(move |b| currency.is_none_or(|c| c == b.currency))
}

/// Invoices, of one customer (by date, then issue order, across its currencies) or of
/// everyone (in issue order), optionally only the open ones, at most `limit`.
pub fn invoices(
    state: &State,
    only: &Filter,
    open_only: bool,
    limit: Option<u64>,
) -> Result<InvoicesAnswer> {
    let keep = |i: Idx| {
        let inv = state.invoices.get(i);
        only.keeps(inv.currency, inv.date) && (!open_only || !inv.amount_due().is_zero())
    };
    let ids: Vec<Idx> = match only.customer.as_deref() {
        Some(id) => {
            let c = state.customer_idx("customer", id)?;
            let mut by_date: Vec<(u64, Idx)> = books(state, c, only.currency)
                .flat_map(|b| b.entries.iter())
                .filter_map(|e| match e.record() {
                    RecordRef::Invoice(i) => Some(i),
                    _ => None,
                })
                .filter(|i| keep(*i))
                .map(|i| (state.invoices.get(i).date.sort_key(), i))
                .collect();
            sort_pairs(&mut by_date);
            by_date.into_iter().map(|(_, i)| i).collect()
        }
        None => (0..state.invoices.len() as Idx)
            .filter(|i| keep(*i))
            .collect(),
    };
    let take = limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    Ok(InvoicesAnswer {
        invoices: ids
            .into_iter()
            .take(take)
            .map(|i| {
                let inv = state.invoices.get(i);
                let m = |d| Money::new(d, inv.currency);
                InvoiceRow {
                    id: inv.id.to_string(),
                    number: inv.number.to_string(),
                    customer: state.customers[inv.customer as usize].id.clone(),
                    currency: inv.currency,
                    date: inv.date,
                    due_date: inv.due_date,
                    status: inv.status(),
                    total: m(inv.total()),
                    amount_due: m(inv.amount_due()),
                }
            })
            .collect(),
    })
}

/// Payments by date (then as entered), with what each did when received, and what
/// those that stand add up to per currency and method. One customer's are found through
/// its statement entries; everyone's by a pass over the payments. (Loops rather than
/// iterator chains: each adapter is code of its own in the shipped module.)
pub fn payments(state: &State, only: &Filter) -> Result<PaymentsAnswer> {
    let mut by_date: Vec<(u64, Idx)> = Vec::new();
    let mut add = |p: Idx| {
        let pay = &state.payments[p as usize];
        if only.keeps(pay.currency, pay.date) {
            by_date.push((pay.date.sort_key(), p));
        }
    };
    match only.customer.as_deref() {
        Some(id) => {
            let c = state.customer_idx("customer", id)?;
            for book in books(state, c, only.currency) {
                for e in &book.entries {
                    if let RecordRef::Payment(p) = e.record() {
                        add(p);
                    }
                }
            }
        }
        None => (0..state.payments.len() as Idx).for_each(add),
    }
    // By date across the customer's currencies too (each book is in date order, so
    // one book's list is already sorted and the sort returns at once).
    sort_pairs(&mut by_date);
    let mut totals: Vec<ReceivedTotal> = Vec::new();
    let mut rows = Vec::with_capacity(by_date.len());
    for &(_, p) in &by_date {
        let pay = &state.payments[p as usize];
        let m = |d| Money::new(d, pay.currency);
        let amount = state.payment_amount(p);
        let mut allocated = Decimal::ZERO;
        let mut allocations = Vec::new();
        for &(inv, part) in &state.payment_allocations(p) {
            allocated += part;
            allocations.push(crate::parts::Allocation {
                invoice: state.invoices.id(inv).into(),
                amount: m(part),
            });
        }
        let voided_by = pay.voided_by.get();
        if voided_by.is_none() {
            add_received(&mut totals, pay.currency, pay.method, amount);
        }
        rows.push(PaymentRow {
            id: state.texts.get(pay.id).to_string(),
            customer: state.customers[pay.customer as usize].id.clone(),
            currency: pay.currency,
            date: pay.date,
            amount: m(amount),
            method: pay.method.name(),
            reference: pay.reference.map(|r| state.texts.get(r).to_string()),
            allocations,
            credit_created: m(amount - allocated),
            voided_by: voided_by.map(|v| state.payment_voids[v as usize].id.clone()),
        });
    }
    Ok(PaymentsAnswer {
        payments: rows,
        totals,
    })
}

/// Adds a payment that stands to its currency's and method's total, keeping the totals
/// in the answer's order: currency code, then the method's place in `Method::ALL`.
fn add_received(
    totals: &mut Vec<ReceivedTotal>,
    currency: Currency,
    method: Method,
    amount: Decimal,
) {
    let key = currency_key(currency) << 8 | method as u64;
    let at = totals.partition_point(|t| t.key < key);
    match totals.get_mut(at).filter(|t| t.key == key) {
        Some(t) => {
            t.count += 1;
            t.amount.amount += amount;
        }
        None => totals.insert(
            at,
            ReceivedTotal {
                key,
                currency,
                method: method.name(),
                count: 1,
                amount: Money::new(amount, currency),
            },
        ),
    }
}

/// The credit a customer holds in a currency, lot by lot.
pub fn credits(state: &State, customer: &str, currency: Option<Currency>) -> Result<CreditsAnswer> {
    let c = state.customer_idx("customer", customer)?;
    let currency = currency.unwrap_or(state.customers[c as usize].currency);
    let book = state.customers[c as usize].book(currency);
    let lots: Vec<LotRow> = book
        .map(|b| {
            b.lots
                .iter()
                .map(|&l| {
                    let lot = &state.lots[l as usize];
                    LotRow {
                        origin: match lot.origin() {
                            LotOrigin::Payment(_) => "payment",
                            LotOrigin::Grant(_) => "credit",
                            LotOrigin::CreditNote(_) => "credit_note",
                        },
                        source: source_id(state, Source::Lot(l)),
                        remaining: Money::new(lot.remaining(), currency),
                        valid_until: lot.valid_until(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(CreditsAnswer {
        customer: customer.to_string(),
        currency,
        total: Money::new(book.map_or(Decimal::ZERO, |b| b.credit), currency),
        lots,
    })
}
