//! A customer's book in one currency: the sub-ledger answers (`outstanding`, `credit`),
//! the indexes that keep every command's cost independent of history length, and the
//! statement entries.

use rust_decimal::Decimal;

use super::record_ref::{Idx, RecordRef};
use super::sorted_set::SortedSet;
use super::State;
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
    /// Statement entries ordered by (date, seq). Grown by a quarter at a time, not
    /// doubled: a book only grows, and doubling would leave a third of it spare; an
    /// eighth moved each busy customer's book too often (most of a big ingest's
    /// reallocations, each large enough to make glibc sweep its free lists).
    pub entries: Vec<Entry>,
}

/// One line of a statement: the record behind it and the seq of the command that made
/// it. Its date and amount are the record's (`State::entry_date`, `State::entry_amount`),
/// so an entry holds neither. The amount is signed: positive raises what the customer
/// owes (a debit), negative lowers it (a credit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    idx: Idx,
    seq_low: u32,
    seq_high: u16,
    kind: u8,
}

impl Entry {
    /// An entry for `record`, made by the command at journal `seq`.
    pub fn new(seq: u64, record: RecordRef) -> Entry {
        let (kind, idx) = record.parts();
        Entry {
            seq_low: seq as u32,
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
}

/// Folds one entry's date and amount into a digest of a ledger's statements (customer
/// by customer, book by book, in order): a snapshot holds them, and restore checks they
/// are what the records give.
pub fn entry_digest(digest: u64, date: Date, amount: Minor) -> u64 {
    let word = (u64::from(date.day_number() as u32) << 32) ^ amount.units() as u64;
    (digest.rotate_left(23) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15)
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

    /// Adds a statement entry at `at` (`State::entry_place`: (date, seq) order).
    pub fn insert_entry(&mut self, at: usize, entry: Entry) {
        if self.entries.len() == self.entries.capacity() {
            self.entries.reserve_exact((self.entries.len() / 4).max(8));
        }
        self.entries.insert(at, entry);
    }
}

impl State {
    /// An entry's date: its record's (an expired lot's is its run's). Not inlined, like
    /// `entry_amount`: one copy for the statement, the snapshot and the books.
    #[inline(never)]
    pub fn entry_date(&self, e: &Entry) -> Date {
        match e.record() {
            RecordRef::Invoice(i) => self.invoices.date(i),
            RecordRef::Payment(i) => self.payments[i as usize].date,
            RecordRef::Grant(i) => self.grants[i as usize].date,
            RecordRef::CreditNote(i) => self.credit_notes[i as usize].date,
            RecordRef::Refund(i) => self.refunds[i as usize].date,
            RecordRef::PaymentVoid(i) => self.payment_voids[i as usize].date,
            RecordRef::InvoiceVoid(i) => self.invoice_voids[i as usize].date,
            RecordRef::WriteOff(i) => self.write_offs[i as usize].date,
            RecordRef::ExpiredLot(i) => {
                self.expiries[self.expired_lots[i as usize].expiry as usize].date
            }
            // No command makes an entry for these.
            RecordRef::Customer(_)
            | RecordRef::Application(_)
            | RecordRef::Config(_)
            | RecordRef::Expiry(_) => Date::default(),
        }
    }

    /// An entry's amount in minor units of its book's currency: what its record raised
    /// (positive) or lowered (negative) the customer's balance by.
    pub fn entry_amount(&self, e: &Entry) -> Minor {
        let (amount, currency) = match e.record() {
            RecordRef::Invoice(i) => return self.invoices.total_minor(i),
            RecordRef::Payment(i) => {
                return Minor::from_units(-self.payments[i as usize].amount.units())
            }
            RecordRef::PaymentVoid(i) => {
                return self.payments[self.payment_voids[i as usize].payment as usize].amount
            }
            RecordRef::Grant(i) => {
                let g = &self.grants[i as usize];
                (-g.amount, g.currency)
            }
            RecordRef::CreditNote(i) => {
                let n = &self.credit_notes[i as usize];
                (-n.amount, n.currency)
            }
            RecordRef::Refund(i) => {
                let r = &self.refunds[i as usize];
                (r.amount, r.currency)
            }
            RecordRef::InvoiceVoid(i) => {
                let v = &self.invoice_voids[i as usize];
                (-v.cancelled, self.invoices.get(v.invoice).currency)
            }
            RecordRef::WriteOff(i) => {
                let w = &self.write_offs[i as usize];
                (-w.amount, self.invoices.get(w.invoice).currency)
            }
            RecordRef::ExpiredLot(i) => {
                let part = &self.expired_lots[i as usize];
                (part.amount, self.lots[part.lot as usize].currency)
            }
            RecordRef::Customer(_)
            | RecordRef::Application(_)
            | RecordRef::Config(_)
            | RecordRef::Expiry(_) => return Minor::ZERO,
        };
        Minor::of(amount, currency).unwrap_or(Minor::ZERO)
    }

    /// The sum of the amounts of `entries` (some of `book`'s), each entry's date and
    /// amount folded into `digest` ([`entry_digest`]) on the way.
    pub fn entries_sum(&self, book: &Book, entries: &[Entry], digest: &mut u64) -> Decimal {
        let mut units: i128 = 0;
        for e in entries {
            let amount = self.entry_amount(e);
            units += i128::from(amount.units());
            *digest = entry_digest(*digest, self.entry_date(e), amount);
        }
        Decimal::from_i128_with_scale(units, book.currency.minor_units())
    }

    /// How many of `entries` come before (date, seq): they are in (date, seq) order.
    pub fn entries_before(&self, entries: &[Entry], date: Date, seq: u64) -> usize {
        entries.partition_point(|e| (self.entry_date(e), e.seq()) < (date, seq))
    }

    /// Where a new entry dated `date`, made at `seq`, goes in `entries` to keep them in
    /// (date, seq) order; entries usually arrive in order (the end).
    pub fn entry_place(&self, entries: &[Entry], date: Date, seq: u64) -> usize {
        match entries.last() {
            Some(last) if (self.entry_date(last), last.seq()) > (date, seq) => {
                self.entries_before(entries, date, seq)
            }
            _ => entries.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_a_record_and_a_seq_in_twelve_bytes() {
        assert_eq!(std::mem::size_of::<Entry>(), 12);
        for (seq, record) in [
            (1, RecordRef::Invoice(0)),
            ((1 << 48) - 1, RecordRef::ExpiredLot(u32::MAX)),
            (u64::from(u32::MAX) + 7, RecordRef::PaymentVoid(3)),
        ] {
            let e = Entry::new(seq, record);
            assert_eq!((e.seq(), e.record()), (seq, record));
        }
    }

    #[test]
    fn the_digest_tells_dates_amounts_and_order_apart() {
        let (d1, d2) = (
            Date::from_day_number(1).unwrap(),
            Date::from_day_number(2).unwrap(),
        );
        let (a, b) = (Minor::from_units(5), Minor::from_units(-5));
        let fold = |list: &[(Date, Minor)]| {
            list.iter()
                .fold(0, |digest, &(d, m)| entry_digest(digest, d, m))
        };
        let base = fold(&[(d1, a), (d2, b)]);
        for other in [
            fold(&[(d2, b), (d1, a)]),
            fold(&[(d1, b), (d2, b)]),
            fold(&[(d1, a), (d1, b)]),
            fold(&[(d1, a)]),
        ] {
            assert_ne!(base, other);
        }
    }
}
