//! Aged receivables: what is owed, by how long it is overdue on a given day.

#![warn(missing_docs)]

use rust_decimal::Decimal;
use serde::Serialize;

use crate::date::Date;
use crate::money::{Currency, Money};
use crate::sort::{currency_key, order_by};
use crate::state::book::Entry;
use crate::state::record_ref::RecordRef;
use crate::state::State;

/// The `aging` answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgingAnswer {
    /// The day overdue days were counted to.
    pub as_of: Date,
    /// One row per customer and currency with anything owed.
    pub rows: Vec<AgingRow>,
    /// Bucket totals per currency.
    pub totals: Vec<AgingTotals>,
}

/// What one customer owes in one currency, by age.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgingRow {
    /// The customer's id.
    pub customer: String,
    /// The customer's name.
    pub name: String,
    /// Its amounts due by age, flattened into the row.
    #[serde(flatten)]
    pub buckets: AgingTotals,
}

/// Amount due by days overdue: `current` (not yet due), 1–30, 31–60, 61–90, over 90.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgingTotals {
    /// The currency of every amount here.
    pub currency: Currency,
    /// Due on or after `as_of`: not overdue yet.
    pub current: Money,
    /// Overdue by 1 to 30 days.
    pub days_1_30: Money,
    /// Overdue by 31 to 60 days.
    pub days_31_60: Money,
    /// Overdue by 61 to 90 days.
    pub days_61_90: Money,
    /// Overdue by more than 90 days.
    pub over_90: Money,
    /// All of it: the sum of the buckets, which is the outstanding of the books
    /// counted (credit is not netted off).
    pub total: Money,
}

struct Sums([Decimal; 5]);

impl Sums {
    fn add(&mut self, days_overdue: i32, amount: Decimal) {
        let bucket = match days_overdue {
            i32::MIN..=0 => 0,
            1..=30 => 1,
            31..=60 => 2,
            61..=90 => 3,
            _ => 4,
        };
        self.0[bucket] += amount;
    }

    fn totals(&self, currency: Currency) -> AgingTotals {
        let m = |d| Money::new(d, currency);
        AgingTotals {
            currency,
            current: m(self.0[0]),
            days_1_30: m(self.0[1]),
            days_31_60: m(self.0[2]),
            days_61_90: m(self.0[3]),
            over_90: m(self.0[4]),
            total: m(self.0.iter().copied().sum()),
        }
    }
}

/// The books as they stood at the end of `as_of`: every invoice issued by then and not
/// void by then, less what settled, credited or wrote it off by then, plus what a void
/// of a payment by then re-opened. A report for a past month end is the books of that
/// day, not today's open invoices aged to it.
///
/// A book with nothing dated after `as_of` is aged from its open invoices, so a report
/// for today costs what is owed. Otherwise its statement entries, which are in date order
/// and name every record that changes an invoice's amount due but credit applied
/// (`apply_credit`, and at issue), are walked up to `as_of`. Those records are dated on
/// or after their invoice (the commands refuse earlier dates); one dated by `as_of` on an
/// invoice issued later changes an amount that is never read.
pub fn run(state: &State, as_of: Date, only: Option<Currency>) -> AgingAnswer {
    let applied_later = state.applications.iter().any(|a| a.date > as_of);
    // What each invoice owed then, by index: made for the first book that needs it.
    let mut owed: Option<Vec<Decimal>> = None;
    let mut due: Vec<(Date, Decimal)> = Vec::new();
    let mut rows = Vec::new();
    let mut per_currency: Vec<(Currency, Sums)> = Vec::new();
    for c in &state.customers {
        for book in c
            .books
            .iter()
            .filter(|b| only.is_none_or(|o| o == b.currency))
        {
            due.clear();
            let until = book
                .entries
                .partition_point(|e| state.entry_date(e) <= as_of);
            if until == book.entries.len() && !applied_later {
                for &(due_date, _, inv) in &book.open {
                    due.push((due_date, state.invoices.get(inv).amount_due()));
                }
            } else {
                let owed = owed.get_or_insert_with(|| applied_by(state, as_of));
                owed_then(state, &book.entries[..until], as_of, owed, &mut due);
            }
            if due.is_empty() {
                continue;
            }
            let at = match per_currency
                .iter()
                .position(|(cur, _)| *cur == book.currency)
            {
                Some(at) => at,
                None => {
                    per_currency.push((book.currency, Sums([Decimal::ZERO; 5])));
                    per_currency.len() - 1
                }
            };
            let mut sums = Sums([Decimal::ZERO; 5]);
            for &(due_date, amount) in &due {
                let days = due_date.days_until(as_of);
                sums.add(days, amount);
                per_currency[at].1.add(days, amount);
            }
            rows.push(AgingRow {
                customer: c.id.clone(),
                name: c.name.clone(),
                buckets: sums.totals(book.currency),
            });
        }
    }
    // By currency code (each currency is there once).
    let by_code = order_by(per_currency.iter().map(|(c, _)| currency_key(*c)));
    AgingAnswer {
        as_of,
        rows,
        totals: by_code
            .into_iter()
            .map(|i| {
                let (c, s) = &per_currency[i as usize];
                s.totals(*c)
            })
            .collect(),
    }
}

/// Each invoice's credit applied by `apply_credit` by the end of `as_of`, negated: the
/// start of what it owed then (statement entries don't name these applications).
fn applied_by(state: &State, as_of: Date) -> Vec<Decimal> {
    let mut owed = vec![Decimal::ZERO; state.invoices.len()];
    for a in &state.applications {
        if a.date <= as_of {
            owed[a.invoice as usize] -= a.amount;
        }
    }
    owed
}

/// Adds to `owed` what a book's `entries` up to `as_of` did to its invoices, and pushes
/// to `due` the due date and amount of each of them that still owed then.
fn owed_then(
    state: &State,
    entries: &[Entry],
    as_of: Date,
    owed: &mut [Decimal],
    due: &mut Vec<(Date, Decimal)>,
) {
    let invoices = &state.invoices;
    for entry in entries {
        match entry.record() {
            RecordRef::Invoice(i) => {
                let inv = invoices.get(i);
                owed[i as usize] += inv.total() - inv.credit_applied_at_issue();
            }
            RecordRef::Payment(p) => {
                for (i, amount) in state.payment_allocations(p) {
                    owed[i as usize] -= amount;
                }
            }
            RecordRef::CreditNote(n) => {
                let note = &state.credit_notes[n as usize];
                if let Some(i) = note.invoice {
                    owed[i as usize] -= note.reduced_due;
                }
            }
            RecordRef::WriteOff(w) => {
                let w = &state.write_offs[w as usize];
                owed[w.invoice as usize] -= w.amount;
            }
            RecordRef::PaymentVoid(v) => {
                for &(i, amount) in &state.payment_voids[v as usize].reopened {
                    owed[i as usize] += amount;
                }
            }
            _ => {}
        }
    }
    for entry in entries {
        let RecordRef::Invoice(i) = entry.record() else {
            continue;
        };
        let inv = invoices.get(i);
        let void_by_then = inv
            .voided_by()
            .is_some_and(|v| state.invoice_voids[v as usize].date <= as_of);
        if !void_by_then && !owed[i as usize].is_zero() {
            due.push((inv.due_date, owed[i as usize]));
        }
    }
}
