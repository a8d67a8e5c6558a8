//! Warming the state for a command ahead of the one being applied (natively, on the
//! two-thread ingest): what a customer's command reads lies at the end of a chain of
//! loads (id slot, customer, book, its last entry and open invoices, their records,
//! their settlements), each a likely cache miss in a big ledger, and each known only
//! once the one before it is read. So each step asks for one link of the chain without
//! waiting for it, and the next step, a little later, reads that link (by then in the
//! cache) to ask for the next. Nothing here changes the state or decides anything: a
//! wrong guess only warms lines for nothing.

use super::record_ref::{Idx, RecordRef};
use super::State;

/// Asks the processor to bring the cache lines holding `item` in, without waiting
/// for them. A hint only: it reads or writes nothing the program sees. Does nothing
/// but on x86-64.
#[inline(always)]
pub(crate) fn prefetch<T>(item: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let start = item as *const T as *const i8;
        // Each line the item touches: its first byte's and its last byte's (items
        // here are at most two lines).
        let last = start.wrapping_add(std::mem::size_of::<T>().saturating_sub(1));
        // SAFETY: a prefetch is a hint: it never faults, whatever the address.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(start);
            _mm_prefetch::<_MM_HINT_T0>(last);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = item;
}

/// Steps of warming for one command, in the order they must run, each some time
/// after the one before (a command ahead is warmed one step at a time, between the
/// commands applied before it).
pub(crate) const WARM_STEPS: usize = 5;

impl State {
    /// The customer whose id hashes to `hash`, most likely: a guess read from the id
    /// index (`IdIndex::guess`), best once the id's slot has been asked for. Asks for
    /// the customer's record (the first step of warming for a command on it).
    pub(crate) fn guess_customer(&self, hash: u64) -> Option<Idx> {
        let Some(RecordRef::Customer(c)) = self.ids.guess(hash) else {
            return None;
        };
        prefetch(self.customers.get(c as usize)?);
        Some(c)
    }

    /// Runs step `step` (from 1, below [`WARM_STEPS`]) of warming for a command on
    /// customer `c` (`guess_customer` was the first).
    pub(crate) fn warm_customer(&self, c: Idx, step: usize) {
        let Some(customer) = self.customers.get(c as usize) else {
            return;
        };
        match step {
            1 => {
                for book in &customer.books {
                    prefetch(book);
                }
                if let Some(first) = customer.id.as_bytes().first() {
                    prefetch(first);
                }
            }
            2 => {
                for book in &customer.books {
                    if let Some(last) = book.entries.last() {
                        prefetch(last);
                    }
                    if let Some(open) = book.open.iter().next() {
                        prefetch(open);
                    }
                    if let Some(lot) = book.lots.iter().next() {
                        prefetch(lot);
                    }
                }
            }
            3 => {
                for book in &customer.books {
                    if let Some(last) = book.entries.last() {
                        self.warm_entry_record(last.record());
                    }
                    for &(_, _, invoice) in book.open.iter().take(2) {
                        self.invoices.warm_record(invoice);
                    }
                    if let Some(lot) = book
                        .lots
                        .iter()
                        .next()
                        .and_then(|&l| self.lots.get(l as usize))
                    {
                        prefetch(lot);
                    }
                }
            }
            _ => {
                for book in &customer.books {
                    for &(_, _, invoice) in book.open.iter().take(2) {
                        self.invoices.warm_settlements(invoice);
                    }
                }
            }
        }
    }

    /// Asks for the record behind a statement entry (where its date is read).
    fn warm_entry_record(&self, record: RecordRef) {
        match record {
            RecordRef::Invoice(i) => self.invoices.warm_record(i),
            RecordRef::Payment(i) => {
                if let Some(p) = self.payments.get(i as usize) {
                    prefetch(p);
                }
            }
            RecordRef::Grant(i) => warm_at(&self.grants, i),
            RecordRef::CreditNote(i) => warm_at(&self.credit_notes, i),
            RecordRef::Refund(i) => warm_at(&self.refunds, i),
            _ => {}
        }
    }
}

fn warm_at<T>(table: &[T], i: Idx) {
    if let Some(item) = table.get(i as usize) {
        prefetch(item);
    }
}
