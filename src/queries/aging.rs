//! Aged receivables: what is owed, by how long it is overdue on a given day.

#![warn(missing_docs)]

use rust_decimal::Decimal;
use serde::Serialize;

use crate::date::Date;
use crate::money::{Currency, Money};
use crate::sort::{currency_key, order_by};
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

/// Walks only open invoices (each book's index), so the cost is what is owed, not history.
pub fn run(state: &State, as_of: Date, only: Option<Currency>) -> AgingAnswer {
    let mut rows = Vec::new();
    let mut per_currency: Vec<(Currency, Sums)> = Vec::new();
    for c in &state.customers {
        for book in c
            .books
            .iter()
            .filter(|b| only.is_none_or(|o| o == b.currency))
        {
            if book.open.is_empty() {
                continue;
            }
            let mut sums = Sums([Decimal::ZERO; 5]);
            let i = match per_currency
                .iter()
                .position(|(cur, _)| *cur == book.currency)
            {
                Some(i) => i,
                None => {
                    per_currency.push((book.currency, Sums([Decimal::ZERO; 5])));
                    per_currency.len() - 1
                }
            };
            for &(due, _, inv) in &book.open {
                let amount = state.invoices.get(inv).amount_due();
                let days = due.days_until(as_of);
                sums.add(days, amount);
                per_currency[i].1.add(days, amount);
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
