//! The ledger's state: record tables, the id index, customer books and the general
//! ledger, with the few operations that move settlement and credit around. Every
//! operation here keeps the sub-ledger (books, invoices, lots) and its indexes in step;
//! the general-ledger postings are made by the command handlers.

pub mod book;
pub mod chunked;
pub mod id_index;
pub mod invoices;
pub mod ledger_accounts;
pub mod lines;
pub mod numbering;
pub mod record_ref;
pub mod records;
pub mod settlements;
pub mod slots;
pub mod sorted_set;
pub mod texts;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) mod warm;

use rust_decimal::Decimal;

use crate::date::Date;
use crate::error::{clip, err, Result};
use crate::money::{Currency, Minor};
use book::Book;
use chunked::Chunked;
#[cfg(fast_paths)]
pub use id_index::Vacancy;
pub use id_index::{IdEntry, IdIndex};

/// Where a free id goes (natively the id index's slot; the shipped module keeps the
/// smaller code that looks the id up again when adding it).
#[cfg(not(fast_paths))]
#[derive(Clone, Copy, Debug)]
pub struct Vacancy;
use invoices::planned_minor;
use ledger_accounts::GeneralLedger;
use numbering::Numbering;
use records::*;
use texts::TextArena;

/// Everything the ledger knows: append-only record tables (a record's `Idx` is its
/// position in its table), the id index, invoice numbering and the general ledger.
/// It is exactly what replaying the journal gives; `Ledger` adds the journal itself.
#[derive(Clone, Debug, Default)]
pub struct State {
    /// Sequence number of the last accepted command (0: none yet).
    pub seq: u64,
    /// Every id to the record it names, with the fingerprint of the command that
    /// created it (idempotency).
    pub ids: IdIndex,
    pub customers: Vec<Customer>,
    pub invoices: invoices::Invoices,
    /// Every invoice's lines, packed (an invoice holds its span).
    pub lines: lines::LineTable,
    pub payments: Chunked<Payment>,
    /// Every payment's allocations, in payment order (a payment holds where its own
    /// start).
    pub allocations: Chunked<PaymentAllocation>,
    /// The ids and references of payments.
    pub texts: TextArena,
    /// Credit lots, oldest first: payment remainders, goodwill credits, credit notes
    /// without an invoice. Not addressed by id.
    pub lots: Chunked<Lot>,
    /// Every lot's list of invoices that took from it, linked back from the lot.
    pub touches: Chunked<Touch>,
    /// `add_credit` records.
    pub grants: Vec<Grant>,
    /// `apply_credit` records.
    pub applications: Vec<Application>,
    pub credit_notes: Vec<CreditNote>,
    pub refunds: Vec<Refund>,
    pub payment_voids: Vec<PaymentVoid>,
    pub invoice_voids: Vec<InvoiceVoid>,
    /// `configure` records.
    pub configs: Vec<Config>,
    /// `write_off_invoice` records.
    pub write_offs: Vec<WriteOff>,
    /// `expire_credit` records.
    pub expiries: Vec<Expiry>,
    /// Each lot's removal by an `expire_credit`, in the order made.
    pub expired_lots: Vec<ExpiredLot>,
    pub numbering: Numbering,
    /// The general ledger: double-entry balances, posted by the command handlers.
    pub gl: GeneralLedger,
}

/// `amount` moved by `by`, both in minor units of `currency`: `by` is a planned part of
/// an amount a plan checked fits (`Minor::fit`), and a lot never holds more than the
/// amounts it came from.
pub fn moved(amount: Minor, by: Decimal, currency: Currency) -> Minor {
    Minor::of(by, currency)
        .and_then(|by| amount.checked_add(by))
        .expect("lot amounts stay whole minor units within i64")
}

/// Table indexes are u32; a table can't outgrow that (4 billion records).
pub fn next_idx<T>(table: &[T]) -> Idx {
    idx_of_len(table.len())
}

/// The index the next record of a chunked table gets.
pub fn next_chunked_idx<T>(table: &Chunked<T>) -> Idx {
    idx_of_len(table.len())
}

fn idx_of_len(len: usize) -> Idx {
    Idx::try_from(len).expect("record table exceeds u32 indexes")
}

impl State {
    /// The record an id names, if any.
    pub fn lookup(&self, id: &str) -> Option<RecordRef> {
        self.id_entry(id).map(|e| e.record)
    }

    /// An id's index entry: its record, the creating command's fingerprint and seq.
    pub fn id_entry(&self, id: &str) -> Option<IdEntry> {
        self.ids.get(id, &|r| self.record_id(r))
    }

    /// An id's index entry, or where it would go (`add_id_at`).
    pub fn id_lookup(&self, id: &str) -> Result<IdEntry, Vacancy> {
        #[cfg(fast_paths)]
        return self.ids.lookup(id, &|r| self.record_id(r));
        #[cfg(not(fast_paths))]
        self.id_entry(id).ok_or(Vacancy)
    }

    /// `id_lookup` for an id whose hash (`id_index::hash_id`) was worked out
    /// beforehand.
    pub fn id_lookup_hashed(&self, id: &str, hash: u64) -> Result<IdEntry, Vacancy> {
        #[cfg(fast_paths)]
        return self.ids.lookup_hashed(id, hash, &|r| self.record_id(r));
        #[cfg(not(fast_paths))]
        {
            let _ = hash;
            self.id_lookup(id)
        }
    }

    /// `add_id` for the id `id_lookup` answered `vacancy` for, no id added since.
    pub fn add_id_at(&mut self, vacancy: Vacancy, entry: IdEntry) {
        #[cfg(fast_paths)]
        {
            let mut ids = std::mem::take(&mut self.ids);
            ids.insert_vacant(vacancy, entry, &|r| self.record_id(r));
            self.ids = ids;
        }
        #[cfg(not(fast_paths))]
        {
            let _ = vacancy;
            self.add_id(entry);
        }
    }

    /// Indexes the id of a record just created (its text is read from the record).
    pub fn add_id(&mut self, entry: IdEntry) {
        let mut ids = std::mem::take(&mut self.ids);
        ids.insert(self.record_id(entry.record), entry, &|r| self.record_id(r));
        self.ids = ids;
    }

    /// The id of a record (its text is stored only there).
    pub fn record_id(&self, record: RecordRef) -> &str {
        match record {
            RecordRef::Customer(i) => &self.customers[i as usize].id,
            RecordRef::Invoice(i) => self.invoices.id(i),
            RecordRef::Payment(i) => self.texts.get(self.payments[i as usize].id),
            RecordRef::Grant(i) => &self.grants[i as usize].id,
            RecordRef::Application(i) => &self.applications[i as usize].id,
            RecordRef::CreditNote(i) => &self.credit_notes[i as usize].id,
            RecordRef::Refund(i) => &self.refunds[i as usize].id,
            RecordRef::PaymentVoid(i) => &self.payment_voids[i as usize].id,
            RecordRef::InvoiceVoid(i) => &self.invoice_voids[i as usize].id,
            RecordRef::Config(i) => &self.configs[i as usize].id,
            RecordRef::WriteOff(i) => &self.write_offs[i as usize].id,
            RecordRef::Expiry(i) => &self.expiries[i as usize].id,
            RecordRef::ExpiredLot(i) => {
                let part = &self.expired_lots[i as usize];
                &self.expiries[part.expiry as usize].id
            }
        }
    }

    /// A payment's allocations: `(invoice, amount)` in the order it settled them.
    pub fn payment_allocations(&self, p: Idx) -> Vec<(Idx, Decimal)> {
        let payment = &self.payments[p as usize];
        let end = self
            .payments
            .get(p as usize + 1)
            .map_or(self.allocations.len(), |next| next.allocations as usize);
        let mut out = Vec::new();
        for a in payment.allocations as usize..end {
            let part = self.allocations[a];
            out.push((part.invoice, part.amount.decimal(payment.currency)));
        }
        out
    }

    /// The invoices that ever took from a lot, in the order they first did (consecutive
    /// repeats collapsed).
    pub fn lot_touched(&self, lot: Idx) -> Vec<Idx> {
        let mut out = Vec::new();
        let mut at = self.lots[lot as usize].last_touch;
        while at != 0 {
            let touch = self.touches[at as usize - 1];
            out.push(touch.invoice);
            at = touch.prev;
        }
        out.reverse();
        out
    }

    /// A payment's amount.
    pub fn payment_amount(&self, p: Idx) -> Decimal {
        let payment = &self.payments[p as usize];
        payment.amount.decimal(payment.currency)
    }

    /// The customer with this id; otherwise `unknown_customer`, naming `field`.
    pub fn customer_idx(&self, field: &str, id: &str) -> Result<Idx> {
        match self.lookup(id) {
            Some(RecordRef::Customer(i)) => Ok(i),
            _ => Err(err!(
                UnknownCustomer,
                "{field}: no customer has the id '{}'",
                clip(id)
            )
            .at(field)
            .rule("not_found")
            .with("id", clip(id))),
        }
    }

    /// The invoice with this id; otherwise `unknown_invoice`, naming `field`.
    pub fn invoice_idx(&self, field: &str, id: &str) -> Result<Idx> {
        match self.lookup(id) {
            Some(RecordRef::Invoice(i)) => Ok(i),
            _ => Err(err!(
                UnknownInvoice,
                "{field}: no invoice has the id '{}'",
                clip(id)
            )
            .at(field)
            .rule("not_found")
            .with("id", clip(id))),
        }
    }

    /// The payment with this id; otherwise `unknown_payment`, naming `field`.
    pub fn payment_idx(&self, field: &str, id: &str) -> Result<Idx> {
        match self.lookup(id) {
            Some(RecordRef::Payment(i)) => Ok(i),
            _ => Err(err!(
                UnknownPayment,
                "{field}: no payment has the id '{}'",
                clip(id)
            )
            .at(field)
            .rule("not_found")
            .with("id", clip(id))),
        }
    }

    /// An invoice that must belong to `customer`; another customer's invoice is
    /// `unknown_invoice` too, so one customer's commands can't touch another's invoices.
    pub fn customers_invoice(&self, field: &str, id: &str, customer: Idx) -> Result<Idx> {
        let inv = self.invoice_idx(field, id)?;
        if self.invoices.get(inv).customer != customer {
            let customer = &self.customers[customer as usize].id;
            return Err(err!(
                UnknownInvoice,
                "{field}: invoice '{id}' belongs to another customer than '{customer}'"
            )
            .at(field)
            .rule("other_customer")
            .with("id", id)
            .with("customer", customer.as_str()));
        }
        Ok(inv)
    }

    /// Credit available to a customer in a currency.
    pub fn credit_available(&self, customer: Idx, currency: Currency) -> Decimal {
        self.customers[customer as usize]
            .book(currency)
            .map_or(Decimal::ZERO, |b| b.credit)
    }

    /// A customer's book in a currency, opened empty on first use.
    pub fn book_mut(&mut self, customer: Idx, currency: Currency) -> &mut Book {
        self.customers[customer as usize].book_mut(currency)
    }

    /// Credit a customer can use on `date`: its lots less those whose `valid_until`
    /// is before that day.
    pub fn credit_usable(&self, customer: Idx, currency: Currency, date: Date) -> Decimal {
        self.customers[customer as usize]
            .book(currency)
            .map_or(Decimal::ZERO, |b| {
                b.lots
                    .iter()
                    .map(|&l| &self.lots[l as usize])
                    .filter(|l| l.usable_on(date))
                    .map(|l| l.remaining())
                    .sum()
            })
    }

    /// The tax rounding new invoices get: the latest `configure`'s, else per line.
    pub fn tax_rounding(&self) -> TaxRounding {
        self.configs
            .last()
            .map_or_else(TaxRounding::default, |c| c.tax_rounding)
    }

    /// Takes up to `want` from the customer's credit usable on `date`, oldest lot
    /// first: the plan only, as `(lot, amount)` parts; they sum to less than `want`
    /// when credit runs out.
    pub fn plan_lot_takes(
        &self,
        customer: Idx,
        currency: Currency,
        want: Decimal,
        date: Date,
    ) -> Vec<(Idx, Decimal)> {
        let mut left = want;
        let mut takes = Vec::new();
        if let Some(book) = self.customers[customer as usize].book(currency) {
            for &lot in &book.lots {
                if left.is_zero() {
                    break;
                }
                let lot_record = &self.lots[lot as usize];
                if !lot_record.usable_on(date) {
                    continue;
                }
                let take = lot_record.remaining().min(left);
                takes.push((lot, take));
                left -= take;
            }
        }
        takes
    }

    /// Settles open invoices oldest due date first (then date, then issue order) with
    /// up to `amount`: the plan only, as `(invoice, amount)` parts.
    pub fn plan_open_allocation(
        &self,
        customer: Idx,
        currency: Currency,
        amount: Decimal,
    ) -> Vec<(Idx, Decimal)> {
        let mut left = amount;
        let mut out = Vec::new();
        if let Some(book) = self.customers[customer as usize].book(currency) {
            for &(_, _, inv) in &book.open {
                if left.is_zero() {
                    break;
                }
                // An open invoice is in the book of its currency.
                debug_assert_eq!(self.invoices.get(inv).currency, currency);
                #[cfg(fast_paths)]
                let due = self.invoices.due_minor(inv).decimal(currency);
                #[cfg(not(fast_paths))]
                let due = self.invoices.get(inv).amount_due();
                let take = due.min(left);
                out.push((inv, take));
                left -= take;
            }
        }
        out
    }

    /// Adds a settlement to an invoice and keeps its book and lot bookkeeping in step:
    /// a lot source gives up that much credit, and a fully settled invoice leaves the
    /// open index. No general-ledger posting.
    pub fn settle(&mut self, inv: Idx, source: Source, amount: Decimal) {
        if amount.is_zero() {
            return;
        }
        if let Source::Lot(lot) = source {
            self.take_from_lot(lot, amount);
            let last = self.lots[lot as usize].last_touch;
            if last == 0 || self.touches[last as usize - 1].invoice != inv {
                self.touches.push(Touch {
                    invoice: inv,
                    prev: last,
                });
                self.lots[lot as usize].last_touch =
                    u32::try_from(self.touches.len()).expect("touches exceed u32 places");
            }
        }
        let currency = self.invoices.get(inv).currency;
        self.invoices.settle(
            inv,
            Settlement {
                source,
                amount: planned_minor(amount, currency),
            },
        );
        let invoice = self.invoices.get(inv);
        let (customer, key, closed) = (
            invoice.customer,
            invoice.open_key(inv),
            invoice.due_minor().is_zero(),
        );
        let book = self.book_mut(customer, currency);
        book.outstanding -= amount;
        if closed {
            book.open.remove(&key);
        }
    }

    /// Lowers a lot's remaining credit (its book's credit too).
    pub fn take_from_lot(&mut self, lot: Idx, amount: Decimal) {
        if amount.is_zero() {
            // Nothing moves (an empty lot is already out of the index); and the book's
            // credit keeps the scale it has.
            return;
        }
        let l = &mut self.lots[lot as usize];
        l.remaining = moved(l.remaining, -amount, l.currency);
        let (customer, currency, empty) = (l.customer, l.currency, l.remaining.is_zero());
        let book = self.book_mut(customer, currency);
        book.credit -= amount;
        if empty {
            book.lots.remove(&lot);
        }
    }

    /// Raises a lot's remaining credit (its book's credit too).
    pub fn add_to_lot(&mut self, lot: Idx, amount: Decimal) {
        if amount.is_zero() {
            return;
        }
        let l = &mut self.lots[lot as usize];
        l.remaining = moved(l.remaining, amount, l.currency);
        let (customer, currency) = (l.customer, l.currency);
        let book = self.book_mut(customer, currency);
        book.credit += amount;
        book.lots.insert(lot);
    }

    /// The lot released settlement goes back to.
    pub fn lot_of(&self, source: Source) -> Idx {
        match source {
            Source::Lot(lot) => lot,
            Source::Payment(p) => self.payments[p as usize].lot,
        }
    }

    /// Plans releasing up to `amount` of an invoice's settlements, latest first, as
    /// `(settlement position, amount)` parts for `release` (positions stay valid until
    /// the invoice's settlements change).
    pub fn plan_release(&self, inv: Idx, amount: Decimal) -> Vec<(u32, Decimal)> {
        let invoice = self.invoices.get(inv);
        let mut left = amount;
        let mut out = Vec::new();
        for (at, s) in invoice.latest_first() {
            if left.is_zero() {
                break;
            }
            let take = s.amount.decimal(invoice.currency).min(left);
            out.push((at, take));
            left -= take;
        }
        out
    }

    /// Releases planned settlement parts back to their sources as credit. The invoice's
    /// amount_due rises by the released sum; the caller adjusts what it asks for.
    pub fn release(&mut self, inv: Idx, parts: &[(u32, Decimal)]) -> Vec<(Source, Decimal)> {
        let currency = self.invoices.get(inv).currency;
        let mut returned = Vec::with_capacity(parts.len());
        for &(at, amount) in parts {
            let source = self
                .invoices
                .lower_settlement(at, planned_minor(amount, currency));
            returned.push((source, amount));
        }
        for &(source, amount) in &returned {
            let lot = self.lot_of(source);
            self.add_to_lot(lot, amount);
        }
        returned
    }

    /// Re-files an invoice in its book's open index after its amount_due changed from
    /// `due_before`, and moves `outstanding` by the difference.
    pub fn refile(&mut self, inv: Idx, due_before: Decimal) {
        let invoice = self.invoices.get(inv);
        let due_after = invoice.amount_due();
        let (customer, currency, key) = (invoice.customer, invoice.currency, invoice.open_key(inv));
        let book = self.book_mut(customer, currency);
        book.outstanding += due_after - due_before;
        if due_after.is_zero() {
            book.open.remove(&key);
        } else {
            book.open.insert(key);
        }
    }
}
