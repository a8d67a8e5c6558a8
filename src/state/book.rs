//! A customer's book in one currency: the sub-ledger answers (`outstanding`, `credit`),
//! the indexes that keep every command's cost independent of history length, and the
//! statement entries.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::record_ref::{Idx, RecordRef};
use crate::date::Date;
use crate::money::Currency;

/// A customer's sub-ledger in one currency. `outstanding` and `credit` are kept in step
/// by every operation, so `balance` costs O(1) whatever the history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Book {
    pub currency: Currency,
    /// Sum of amount_due over open invoices.
    #[serde(with = "crate::money::dec")]
    pub outstanding: Decimal,
    /// Sum of remaining credit over lots.
    #[serde(with = "crate::money::dec")]
    pub credit: Decimal,
    /// Open invoices (amount_due > 0) by due date, then date, then issue order: keys
    /// are `(due_date, date, invoice index)` (`Invoice::open_key`), so iterating gives
    /// the order a payment settles them in. Not stored in snapshots; rebuilt on restore.
    #[serde(skip)]
    pub open: BTreeSet<(Date, Date, Idx)>,
    /// Lots with credit left, oldest (lowest index) first: the order invoices and
    /// refunds take credit in. Not stored in snapshots; rebuilt on restore.
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
    /// Journal seq of the command that made it: orders entries of the same date.
    pub seq: u64,
    /// The record behind it (its id is the statement's `ref`).
    pub record: RecordRef,
    #[serde(with = "crate::money::dec")]
    pub amount: Decimal,
}

impl Book {
    /// An empty book: nothing owed, no credit, no entries.
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
