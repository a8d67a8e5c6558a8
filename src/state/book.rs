//! A customer's book in one currency: the sub-ledger answers (`outstanding`, `credit`),
//! the indexes that keep every command's cost independent of history length, and the
//! statement entries.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::records::{Idx, RecordRef};
use crate::date::Date;
use crate::money::Currency;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Book {
    pub currency: Currency,
    /// Sum of amount_due over open invoices.
    #[serde(with = "crate::money::dec")]
    pub outstanding: Decimal,
    /// Sum of remaining credit over lots.
    #[serde(with = "crate::money::dec")]
    pub credit: Decimal,
    /// Open invoices (amount_due > 0) by due date, then date, then issue order.
    #[serde(skip)]
    pub open: BTreeSet<(Date, Date, Idx)>,
    /// Lots with credit left, oldest first.
    #[serde(skip)]
    pub lots: BTreeSet<Idx>,
    /// Statement entries ordered by (date, seq).
    pub entries: Vec<Entry>,
}

/// One line of a statement. `amount` is signed: positive raises what the customer owes
/// (a debit), negative lowers it (a credit).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub date: Date,
    pub seq: u64,
    pub record: RecordRef,
    #[serde(with = "crate::money::dec")]
    pub amount: Decimal,
}

impl Book {
    pub fn new(currency: Currency) -> Book {
        Book {
            currency,
            outstanding: Decimal::ZERO,
            credit: Decimal::ZERO,
            open: BTreeSet::new(),
            lots: BTreeSet::new(),
            entries: Vec::new(),
        }
    }

    /// What the customer owes net of credit (negative: in credit).
    pub fn balance(&self) -> Decimal {
        self.outstanding - self.credit
    }

    /// Adds a statement entry in (date, seq) order; entries usually arrive in order.
    pub fn add_entry(&mut self, entry: Entry) {
        let key = (entry.date, entry.seq);
        match self.entries.last() {
            Some(last) if (last.date, last.seq) > key => {
                let at = self.entries.partition_point(|e| (e.date, e.seq) < key);
                self.entries.insert(at, entry);
            }
            _ => self.entries.push(entry),
        }
    }
}
