//! A customer's book in one currency: the sub-ledger answers (`outstanding`, `credit`),
//! the indexes that keep every command's cost independent of history length, and the
//! statement entries.

use rust_decimal::Decimal;

use super::record_ref::{Idx, RecordRef};
use super::sorted_set::SortedSet;
use crate::date::Date;
use crate::money::{Currency, Minor};

/// A customer's sub-ledger in one currency. `outstanding` and `credit` are kept in step
/// by every operation, so `balance` costs O(1) whatever the history.
#[derive(Clone, Debug, PartialEq)]
pub struct Book {
    pub currency: Currency,
    /// Sum of amount_due over open invoices.
    pub outstanding: Decimal,
    /// Sum of remaining credit over lots.
    pub credit: Decimal,
    /// Open invoices (amount_due > 0) by due date, then date, then issue order: keys
    /// are `(due_date, date, invoice index)` (`Invoice::open_key`), so iterating gives
    /// the order a payment settles them in. Not stored in snapshots; rebuilt on restore.
    pub open: SortedSet<(Date, Date, Idx)>,
    /// Lots with credit left, oldest (lowest index) first: the order invoices and
    /// refunds take credit in. Not stored in snapshots; rebuilt on restore.
    pub lots: SortedSet<Idx>,
    /// Statement entries ordered by (date, seq). Grown by an eighth at a time, not
    /// doubled: a book only grows, and doubling would leave a third of it spare.
    pub entries: Vec<Entry>,
}

/// One line of a statement: 24 bytes (the record as its kind and index, the seq in 48
/// bits, the amount in minor units of the book's currency). The amount is signed:
/// positive raises what the customer owes (a debit), negative lowers it (a credit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    amount: Minor,
    seq_low: u32,
    pub date: Date,
    idx: Idx,
    kind: u8,
    seq_high: u16,
}

impl Entry {
    /// An entry for `record`, made by the command at journal `seq`.
    pub fn new(date: Date, seq: u64, record: RecordRef, amount: Minor) -> Entry {
        let (kind, idx) = record.parts();
        Entry {
            amount,
            seq_low: seq as u32,
            date,
            idx,
            kind,
            // 2^48 commands is centuries at a million a second (restore refuses a
            // snapshot beyond it); past it the seq saturates rather than panic.
            seq_high: u16::try_from(seq >> 32).unwrap_or(u16::MAX),
        }
    }

    /// Journal seq of the command that made it: orders entries of the same date.
    pub fn seq(&self) -> u64 {
        (u64::from(self.seq_high) << 32) | u64::from(self.seq_low)
    }

    /// The record behind it (its id is the statement's `ref`).
    pub fn record(&self) -> RecordRef {
        // `kind` only ever comes from `RecordRef::parts`.
        RecordRef::from_parts(self.kind, self.idx).unwrap_or(RecordRef::Customer(self.idx))
    }

    /// Its amount, in minor units of its book's currency.
    pub fn amount(&self) -> Minor {
        self.amount
    }
}

impl Book {
    /// An empty book: nothing owed, no credit, no entries.
    pub fn new(currency: Currency) -> Book {
        Book {
            currency,
            outstanding: Decimal::ZERO,
            credit: Decimal::ZERO,
            open: SortedSet::new(),
            lots: SortedSet::new(),
            entries: Vec::new(),
        }
    }

    /// What the customer owes net of credit (negative: in credit).
    pub fn balance(&self) -> Decimal {
        self.outstanding - self.credit
    }

    /// An entry's amount as a `Decimal` of this book's currency.
    pub fn amount(&self, entry: &Entry) -> Decimal {
        entry.amount.decimal(self.currency)
    }

    /// The sum of the amounts of `entries` (some of this book's).
    pub fn sum(&self, entries: &[Entry]) -> Decimal {
        let units: i128 = entries.iter().map(|e| i128::from(e.amount.units())).sum();
        Decimal::from_i128_with_scale(units, self.currency.minor_units())
    }

    /// Adds a statement entry in (date, seq) order; entries usually arrive in order.
    pub fn add_entry(&mut self, entry: Entry) {
        if self.entries.len() == self.entries.capacity() {
            self.entries.reserve_exact((self.entries.len() / 8).max(8));
        }
        let key = (entry.date, entry.seq());
        match self.entries.last() {
            Some(last) if (last.date, last.seq()) > key => {
                let at = self.entries.partition_point(|e| (e.date, e.seq()) < key);
                self.entries.insert(at, entry);
            }
            _ => self.entries.push(entry),
        }
    }
}
