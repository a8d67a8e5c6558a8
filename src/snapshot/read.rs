//! Format 4's reader, the exact mirror of `write`, into the tables `rebuild` checks;
//! natively and in the bulk module also format 3's (the same but for the invoice lines,
//! written in full with each invoice). Every length is checked against the bytes left
//! before anything is allocated, and every index is checked later by
//! `check_references` (the line table's as they are read).

use rust_decimal::Decimal;

use super::codec::{Got, Src};
use super::write::{FRONTS, F_NUMBER, F_REFERENCE, INTERNED, I_REASON, RUN_BLOCK};
use super::{add, Payload, LEGACY};
use crate::domain::{Method, TaxRounding};
use crate::money::{Currency, Minor};
use crate::state::book::{entry_digest, Book, Entry};
use crate::state::chunked::Chunked;
use crate::state::id_index::hash_id;
use crate::state::invoices::Invoices;
use crate::state::ledger_accounts::Account;
use crate::state::lines::{LineTable, PACKED_LINE_BYTES};
use crate::state::numbering::Numbering;
use crate::state::records::*;
#[cfg(not(target_arch = "wasm32"))]
use crate::state::slots::Keyer;
use crate::state::texts::TextArena;
use crate::text::Text;

struct Reader<'a> {
    src: Src<'a>,
    /// Format 3: each invoice's lines written with it (natively and in the bulk module).
    v3: bool,
    /// Where the next invoice's lines start if they follow the last's (format 4).
    next_run: u32,
    next_wide: u32,
    lines: LineTable,
    texts: TextArena,
    allocations: Chunked<PaymentAllocation>,
    touches: Chunked<Touch>,
    prev_seq: u64,
    prev_date: i64,
    ids: Vec<(RecordRef, u64, u64)>,
    /// The statement entries' dates and amounts as written (`book::entry_digest`).
    entry_digest: u64,
    /// Each id's `hash_id`, taken while its text is at hand.
    id_hashes: Vec<u64>,
    /// The last invoice's texts and settlements, their buffers kept for the next.
    spare: (Text, Text, Vec<Settlement>),
    /// Its lines as read: description, amounts' (mantissa, scale), a gross of its own.
    #[cfg(fast_paths)]
    #[allow(clippy::type_complexity)]
    read: Vec<(u32, [(i128, u32); 6], Option<Decimal>)>,
    /// The same, in the packed form's (`LineTable::push_parts`).
    #[cfg(fast_paths)]
    parts: Vec<(u32, [(i64, u32); 6])>,
    /// Invoices whose lines `check_invariants` must add up (the others add up as read).
    lines_to_check: Vec<Idx>,
    /// Natively on two threads: where each id goes instead of `ids` and `id_hashes`.
    #[cfg(not(target_arch = "wasm32"))]
    placed: Option<Placed<'a>>,
}

/// Natively, on two threads: each id's row in the id index keyed for its table
/// (`Keyer`) and its fingerprint, written in table order into this reader's part of two
/// lists as long as the snapshot's count of records, each thread's part in place. Its
/// row is `seq - first`, where `first` is guessed from the snapshot's seq and count of
/// records as the engine makes them (one id per command, the last command's id last);
/// the record is the id's place in table order. Eight bytes an id where `ids` and
/// `id_hashes` take 32, and the keys are the list the id index is laid from.
#[cfg(not(target_arch = "wasm32"))]
struct Placed<'a> {
    first: u64,
    n: usize,
    keyer: Keyer,
    keyed: &'a mut [u64],
    prints: &'a mut [u64],
    /// Ids read so far (beyond the lists' length: the snapshot holds more ids than it
    /// says, and doesn't decode).
    at: usize,
    /// Whether every id so far has a row below `n` under the guess.
    dense: bool,
}

#[cfg(not(target_arch = "wasm32"))]
impl Placed<'_> {
    fn put(&mut self, hash: u64, print: u64, seq: u64) {
        let row = seq.wrapping_sub(self.first);
        self.dense &= row < self.n as u64;
        if let (Some(k), Some(p)) = (self.keyed.get_mut(self.at), self.prints.get_mut(self.at)) {
            *k = self.keyer.key(hash, row as u32);
            *p = print;
        }
        self.at += 1;
    }

    /// Whether this part's ids filled it exactly.
    fn filled(&self) -> bool {
        self.at == self.keyed.len()
    }
}

/// The tables before the payments.
#[cfg(not(target_arch = "wasm32"))]
struct Front {
    customers: Vec<Customer>,
    invoices: Invoices,
}

/// The payments and every table after them.
#[cfg(not(target_arch = "wasm32"))]
struct Back {
    payments: Chunked<Payment>,
    lots: Chunked<Lot>,
    grants: Vec<Grant>,
    applications: Vec<Application>,
    credit_notes: Vec<CreditNote>,
    refunds: Vec<Refund>,
    payment_voids: Vec<PaymentVoid>,
    invoice_voids: Vec<InvoiceVoid>,
    configs: Vec<Config>,
    write_offs: Vec<WriteOff>,
    expiries: Vec<Expiry>,
    expired_lots: Vec<ExpiredLot>,
    accounts: Vec<Vec<((Currency, Account), Decimal)>>,
}

/// What the second decoding thread does once its part is decoded, until the flag says
/// the first thread's part is too (`in_two`): the snapshot's seal hashed in pieces.
pub(super) type Spare<'s> = &'s mut (dyn FnMut(&std::sync::atomic::AtomicBool) + Send);

/// Decodes a payload (the bytes after the header's magic and version, before the
/// trailer); `None` when they don't decode as format `version` (4, or natively and in
/// the bulk module 3); natively on two threads where `two` is given (`in_two`, the
/// second thread's spare time given to it).
pub(super) fn payload(bytes: &[u8], version: u32, two: Option<Spare<'_>>) -> Got<Payload> {
    let mut r = Reader::new(Src::new(bytes, INTERNED, FRONTS), LEGACY && version == 3);
    let seq = r.src.fixed_u64()?;
    let numbering = Numbering {
        next: r.src.u64()?,
        format: r.src.text()?,
    };
    let records = r.src.len()?;
    #[cfg(not(target_arch = "wasm32"))]
    {
        // The ids in place where the guess of their first seq can hold (else, or when
        // it doesn't, listed as on one thread).
        let first = (seq <= super::MAX_SEQ && records > 0)
            .then(|| (seq + 1).checked_sub(records as u64))
            .flatten()
            .filter(|&first| first > 0);
        if let (Some(spare), false, Some(first)) = (two, r.v3, first) {
            let mut keyed = vec![0u64; records];
            let mut prints = vec![0u64; records];
            let lists = (keyed.as_mut_slice(), prints.as_mut_slice());
            match in_two(r, seq, numbering, first, lists, spare) {
                Some(None) => return None,
                Some(Some(mut p)) => {
                    p.placed = Some((first, keyed, prints));
                    return Some(p);
                }
                None => {}
            }
            return payload(bytes, version, None);
        }
    }
    r.ids.reserve(records);
    if super::FAST {
        r.id_hashes.reserve_exact(records);
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let front = r.front()?;
        let back = r.back()?;
        r.finish(seq, numbering, records, front, back)
    }
    // In wasm the same tables in line (smaller in the shipped module than `front`,
    // `back` and `finish`, which only the two threads need).
    #[cfg(target_arch = "wasm32")]
    {
        let _ = two;
        let customers = r.table(Reader::customer)?;
        if !r.v3 {
            r.line_table()?;
        }
        let mut invoices = Invoices::default();
        for i in 0..r.src.len()? {
            let invoice = r.invoice(i as Idx)?;
            invoices.push(&invoice)?;
            r.spare = (invoice.id, invoice.number, invoice.settlements);
        }
        let payments = r.chunked(Reader::payment)?;
        let lots = r.chunked(Reader::lot)?;
        let grants = r.table(Reader::grant)?;
        let applications = r.table(Reader::application)?;
        let credit_notes = r.table(Reader::credit_note)?;
        let refunds = r.table(Reader::refund)?;
        let payment_voids = r.table(Reader::payment_void)?;
        let invoice_voids = r.table(Reader::invoice_void)?;
        let configs = r.table(Reader::config)?;
        let write_offs = r.table(Reader::write_off)?;
        let expiries = r.table(Reader::expiry)?;
        let expired_lots = r.table(Reader::expired_lot)?;
        let mut accounts = r.table(Reader::accounts)?;
        if accounts.len() != 1
            || !r.src.at_end()
            || r.ids.len() != records
            || !super::seqs_possible(seq, &r.ids)
        {
            return None;
        }
        Some(Payload {
            seq,
            numbering,
            entry_digest: r.entry_digest,
            ids: r.ids,
            id_hashes: r.id_hashes,
            lines_to_check: Some(r.lines_to_check),
            customers,
            invoices,
            lines: r.lines,
            texts: r.texts,
            allocations: r.allocations,
            payments,
            lots,
            touches: r.touches,
            grants,
            applications,
            credit_notes,
            refunds,
            payment_voids,
            invoice_voids,
            configs,
            write_offs,
            expiries,
            expired_lots,
            accounts: accounts.pop()?,
        })
    }
}

/// `payload`'s tables decoded on two threads (natively; restore is a function of the
/// bytes alone), each id in place (`Placed`, its first seq guessed as `first`, the
/// lists as long as the count of records): this one steps over the customers and line
/// table to count the ids before the payments (`skip::to_invoices`) and splits the
/// lists there, then reads the customers, line table and invoices into the front part;
/// a second one steps over the invoices (`skip::over_invoices`) and reads the payments
/// and the rest into the back part. The second thread's reader
/// starts with what the first one's holds at that point in the sequential order: the
/// position, the running seq and date, and empty columns (the tables after the
/// invoices front-code and intern only in columns of their own, and append to tables
/// of their own: texts, allocations, touches). So when the first thread ends where the
/// second began, with the same running seq and date, the second decoded exactly what
/// the sequential reader would have. `Some(payload)` then, its ids still to be given
/// their rows (`snapshot::placed_index`), or `Some(None)`: the bytes don't decode (as
/// the sequential reader would find). `None` when the second thread's work can't be
/// used, the lists' parts aren't filled exactly or the guess doesn't hold (an id's seq
/// outside `first..first + n`): the caller reads the snapshot again on one thread, its
/// ids listed.
#[cfg(not(target_arch = "wasm32"))]
fn in_two<'a>(
    mut r: Reader<'a>,
    seq: u64,
    numbering: Numbering,
    first: u64,
    (keyed, prints): (&'a mut [u64], &'a mut [u64]),
    spare: Spare<'_>,
) -> Option<Got<Payload>> {
    let n = keyed.len();
    let keyer = Keyer::for_rows(n);
    let place = |keyed, prints| Placed {
        first,
        n,
        keyer,
        keyed,
        prints,
        at: 0,
        dense: true,
    };
    let start = r.src.at();
    // The lists' back part, from the first payment's id on, to the second thread; the
    // ids before it are the customers' and the invoices'.
    let (invoices, front_ids) = super::skip::to_invoices(r.src.bytes(), start)?;
    let (keyed, back_keyed) = keyed.split_at_mut(front_ids.min(n));
    let (prints, back_prints) = prints.split_at_mut(front_ids.min(n));
    r.placed = Some(place(keyed, prints));
    let src = r.src.from(start);
    let front_done = std::sync::atomic::AtomicBool::new(false);
    let done = &front_done;
    let (front, guessed) = std::thread::scope(|scope| {
        let back = scope.spawn(move || {
            let mark = super::skip::over_invoices(src.bytes(), invoices)?;
            let mut b = Reader::new(src.from(mark.at), false);
            b.prev_seq = mark.prev_seq;
            b.prev_date = mark.prev_date;
            b.placed = Some(place(back_keyed, back_prints));
            let back = b.back();
            spare(done);
            Some((mark, b, back))
        });
        let front = r.front();
        front_done.store(true, std::sync::atomic::Ordering::Relaxed);
        let guessed = back
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (front, guessed)
    });
    let Some(front) = front else {
        return Some(None);
    };
    let here = super::skip::Mark {
        at: r.src.at(),
        prev_seq: r.prev_seq,
        prev_date: r.prev_date,
    };
    let (mark, b, back) = guessed?;
    if mark != here {
        return None;
    }
    let Some(back) = back else {
        return Some(None);
    };
    // Each part filled exactly (else the skim's count or the snapshot's is not the
    // decoder's), every row under the guess.
    let (mine, theirs) = (r.placed.as_ref()?, b.placed.as_ref()?);
    if !(mine.filled() && theirs.filled() && mine.dense && theirs.dense) {
        return None;
    }
    r.src = b.src;
    r.prev_seq = b.prev_seq;
    r.prev_date = b.prev_date;
    r.texts = b.texts;
    r.allocations = b.allocations;
    r.touches = b.touches;
    r.placed = None;
    Some(r.finish(seq, numbering, 0, front, back))
}

impl<'a> Reader<'a> {
    fn new(src: Src<'a>, v3: bool) -> Reader<'a> {
        Reader {
            src,
            v3,
            next_run: 0,
            next_wide: 0,
            lines: LineTable::default(),
            texts: TextArena::default(),
            allocations: Chunked::default(),
            touches: Chunked::default(),
            prev_seq: 0,
            prev_date: 0,
            ids: Vec::new(),
            entry_digest: 0,
            id_hashes: Vec::new(),
            spare: Default::default(),
            #[cfg(fast_paths)]
            read: Vec::new(),
            #[cfg(fast_paths)]
            parts: Vec::new(),
            lines_to_check: Vec::new(),
            #[cfg(not(target_arch = "wasm32"))]
            placed: None,
        }
    }

    /// The customers, the line table (format 4) and the invoices.
    #[cfg(not(target_arch = "wasm32"))]
    fn front(&mut self) -> Got<Front> {
        let customers = self.table(Reader::customer)?;
        if !self.v3 {
            self.line_table()?;
        }
        let mut invoices = Invoices::default();
        for i in 0..self.src.len()? {
            let invoice = self.invoice(i as Idx)?;
            invoices.push(&invoice)?;
            self.spare = (invoice.id, invoice.number, invoice.settlements);
        }
        Some(Front {
            customers,
            invoices,
        })
    }

    /// The payments and every table after them.
    #[cfg(not(target_arch = "wasm32"))]
    fn back(&mut self) -> Got<Back> {
        Some(Back {
            payments: self.chunked(Reader::payment)?,
            lots: self.chunked(Reader::lot)?,
            grants: self.table(Reader::grant)?,
            applications: self.table(Reader::application)?,
            credit_notes: self.table(Reader::credit_note)?,
            refunds: self.table(Reader::refund)?,
            payment_voids: self.table(Reader::payment_void)?,
            invoice_voids: self.table(Reader::invoice_void)?,
            configs: self.table(Reader::config)?,
            write_offs: self.table(Reader::write_off)?,
            expiries: self.table(Reader::expiry)?,
            expired_lots: self.table(Reader::expired_lot)?,
            accounts: self.table(Reader::accounts)?,
        })
    }

    /// The payload, once every table is read and the bytes are all used.
    #[cfg(not(target_arch = "wasm32"))]
    fn finish(
        self,
        seq: u64,
        numbering: Numbering,
        records: usize,
        front: Front,
        mut back: Back,
    ) -> Got<Payload> {
        if back.accounts.len() != 1
            || !self.src.at_end()
            || self.ids.len() != records
            || !super::seqs_possible(seq, &self.ids)
        {
            return None;
        }
        Some(Payload {
            seq,
            #[cfg(not(target_arch = "wasm32"))]
            placed: None,
            numbering,
            entry_digest: self.entry_digest,
            ids: self.ids,
            id_hashes: self.id_hashes,
            lines_to_check: Some(self.lines_to_check),
            customers: front.customers,
            invoices: front.invoices,
            lines: self.lines,
            texts: self.texts,
            allocations: self.allocations,
            payments: back.payments,
            lots: back.lots,
            touches: self.touches,
            grants: back.grants,
            applications: back.applications,
            credit_notes: back.credit_notes,
            refunds: back.refunds,
            payment_voids: back.payment_voids,
            invoice_voids: back.invoice_voids,
            configs: back.configs,
            write_offs: back.write_offs,
            expiries: back.expiries,
            expired_lots: back.expired_lots,
            accounts: back.accounts.pop()?,
        })
    }

    fn table<T>(&mut self, item: fn(&mut Self, Idx) -> Got<T>) -> Got<Vec<T>> {
        let n = self.src.len()?;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            out.push(item(self, i as Idx)?);
        }
        Some(out)
    }

    fn chunked<T>(&mut self, item: fn(&mut Self, Idx) -> Got<T>) -> Got<Chunked<T>> {
        let n = self.src.len()?;
        let mut out = Chunked::default();
        for i in 0..n {
            out.push(item(self, i as Idx)?);
        }
        Some(out)
    }

    /// Reads an id into its column (`Src::last`), with its fingerprint and seq.
    fn id(&mut self, r: RecordRef, column: usize) -> Got<()> {
        let id = self.src.front(column)?;
        // While the text is at hand (the shipped module hashes it from the record).
        let hash = if super::FAST { hash_id(id) } else { 0 };
        let print = self.src.fixed_u64()?;
        let seq = self.prev_seq.wrapping_add(self.src.sv()? as u64);
        self.prev_seq = seq;
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(placed) = &mut self.placed {
            placed.put(hash, print, seq);
            return Some(());
        }
        if super::FAST {
            self.id_hashes.push(hash);
        }
        self.ids.push((r, print, seq));
        Some(())
    }

    fn id_string(&mut self, r: RecordRef, column: usize) -> Got<String> {
        self.id(r, column)?;
        Some(self.src.last(column).to_string())
    }

    fn date(&mut self) -> Got<crate::date::Date> {
        let n = self.prev_date.checked_add(self.src.sv()?)?;
        self.prev_date = n;
        crate::date::Date::from_day_number(i32::try_from(n).ok()?)
    }

    /// A line description, as its number in the line table (format 3): the writer
    /// numbered them as the table does (in order of first use), so the table comes back
    /// the same.
    #[cfg(fast_paths)]
    fn description(&mut self) -> Got<u32> {
        match self.src.u32()? {
            0 => {
                let text = self.src.text()?;
                Some(self.lines.add_text(&text))
            }
            n => self.lines.reuse_text(n - 1),
        }
    }

    fn reason(&mut self) -> Got<String> {
        self.src.interned(I_REASON)
    }

    fn opt_reason(&mut self) -> Got<Option<String>> {
        match self.src.byte()? {
            0 => Some(None),
            1 => Some(Some(self.reason()?)),
            _ => None,
        }
    }

    fn reference(&mut self) -> Got<Option<String>> {
        match self.src.byte()? {
            0 => Some(None),
            1 => Some(Some(self.src.front(F_REFERENCE)?.to_string())),
            _ => None,
        }
    }

    fn pairs(&mut self) -> Got<Vec<(Idx, Decimal)>> {
        let n = self.src.len()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push((self.src.idx()?, self.src.dec()?));
        }
        Some(out)
    }

    fn source(&mut self) -> Got<Source> {
        let v = self.src.uv()?;
        // Below 2^31: the settlement table keeps the kind in the top bit.
        let i = u32::try_from(v >> 1).ok().filter(|i| i >> 31 == 0)?;
        Some(if v & 1 == 0 {
            Source::Payment(i)
        } else {
            Source::Lot(i)
        })
    }

    fn method(&mut self) -> Got<Method> {
        Method::ALL
            .get(usize::from(self.src.byte()?))
            .map(|(_, m)| *m)
    }

    fn customer(&mut self, i: Idx) -> Got<Customer> {
        let id = self.id_string(RecordRef::Customer(i), 0)?;
        let name = self.src.text()?;
        let email = self.src.opt_text()?;
        let currency = self.src.currency()?;
        let n = self.src.len()?;
        let mut books = Vec::with_capacity(n);
        for _ in 0..n {
            books.push(self.book()?);
        }
        Some(Customer {
            id,
            name,
            email,
            currency,
            books,
        })
    }

    fn book(&mut self) -> Got<Book> {
        let mut book = Book::new(self.src.currency()?);
        book.outstanding = self.src.dec()?;
        book.credit = self.src.dec()?;
        let n = self.src.len()?;
        book.entries.reserve_exact(n);
        let mut prev_seq = 0u64;
        for _ in 0..n {
            let date = self.date()?;
            let seq = prev_seq.wrapping_add(self.src.sv()? as u64);
            prev_seq = seq;
            if seq >> 48 != 0 {
                return None;
            }
            let record = self.src.record()?;
            let amount = self.src.money(book.currency)?;
            self.entry_digest = entry_digest(self.entry_digest, date, amount);
            book.entries.push(Entry::new(seq, record));
        }
        Some(book)
    }

    /// Reads invoice `i`, its lines into the line table.
    fn invoice(&mut self, i: Idx) -> Got<InvoiceData> {
        self.id(RecordRef::Invoice(i), 1)?;
        let (mut id, mut number, mut settlements) = std::mem::take(&mut self.spare);
        crate::text::set(&mut id, self.src.last(1));
        crate::text::set(&mut number, self.src.front(F_NUMBER)?);
        let customer = self.src.idx()?;
        let currency = self.src.currency()?;
        let date = self.date()?;
        let due_date = date.plus_days(i32::try_from(self.src.sv()?).ok()?);
        crate::date::Date::from_day_number(due_date.day_number())?;
        let flags = self.src.byte()?;
        let (lines, sums) = if LEGACY && self.v3 {
            self.lines(i, currency)?
        } else {
            self.span(i, currency)?
        };
        let money = |src: &mut Src<'_>| src.money(currency);
        let (subtotal, tax) = if flags & 64 != 0 {
            // Totals that aren't the lines' sums: `check_invariants` refuses them,
            // naming the invoice.
            self.lines_to_check.push(i);
            let (subtotal, tax, total) = (
                money(&mut self.src)?,
                money(&mut self.src)?,
                money(&mut self.src)?,
            );
            // The total is not kept: it must be what it is made of.
            (subtotal.checked_add(tax)? == total).then_some((subtotal, tax))?
        } else {
            let (subtotal, tax) = sums?;
            subtotal.checked_add(tax)?;
            (subtotal, tax)
        };
        let mut running = Running::default();
        if flags & 8 != 0 {
            running.credited = money(&mut self.src)?;
            running.credited_tax = money(&mut self.src)?;
        }
        let credit_applied_at_issue = if flags & 16 != 0 {
            money(&mut self.src)?
        } else {
            Minor::ZERO
        };
        if flags & 32 != 0 {
            running.written_off = money(&mut self.src)?;
            running.written_off_tax = money(&mut self.src)?;
        }
        let n = self.src.len()?;
        settlements.clear();
        for _ in 0..n {
            settlements.push(Settlement {
                source: self.source()?,
                amount: money(&mut self.src)?,
            });
        }
        if flags & 4 != 0 {
            running.voided_by = Some(self.src.idx()?);
        }
        if flags & 128 != 0 {
            return None;
        }
        Some(InvoiceData {
            id,
            number,
            customer,
            currency,
            date,
            due_date,
            prices_include_tax: flags & 1 != 0,
            tax_rounding: if flags & 2 != 0 {
                TaxRounding::Invoice
            } else {
                TaxRounding::Line
            },
            lines,
            subtotal,
            tax,
            credit_applied_at_issue,
            running,
            settlements,
        })
    }

    /// Reads invoice `i`'s lines into the line table (format 3); returns where they are
    /// and the sums of their net and tax amounts in `currency`'s minor units (`None`
    /// where one overflows or isn't at minor units).
    #[cfg(fast_paths)]
    fn lines(&mut self, i: Idx, currency: Currency) -> Got<(LineSpan, Option<(Minor, Minor)>)> {
        let n = self.src.len()?;
        self.read.clear();
        let mut gross_stored = false;
        for _ in 0..n {
            let stored = match self.src.byte()? {
                0 => false,
                1 => true,
                _ => return None,
            };
            let description = self.description()?;
            let mut amounts = [(0i128, 0u32); 6];
            for a in &mut amounts {
                *a = self.src.dec_parts()?;
            }
            let gross = if stored { Some(self.src.dec()?) } else { None };
            gross_stored |= stored;
            self.read.push((description, amounts, gross));
        }
        if gross_stored {
            // Never written by the engine: `check_invariants` checks it, naming the invoice.
            self.lines_to_check.push(i);
        }
        let dec = |(m, scale): (i128, u32)| Decimal::try_from_i128_with_scale(m, scale).ok();
        let (mut net, mut tax) = (Some(Decimal::ZERO), Some(Decimal::ZERO));
        for (_, a, _) in &self.read {
            net = net.and_then(|sum| add(sum, dec(a[4])?));
            tax = tax.and_then(|sum| add(sum, dec(a[5])?));
        }
        let packed = self.packed(n);
        let span = match packed {
            Some(span) => span,
            None => {
                // Amounts too wide for the packed form (or a gross of its own): as
                // `Decimal`s, which `push_interned` keeps in the wide table.
                let mut views = Vec::with_capacity(n);
                for &(text, a, gross) in &self.read {
                    let (net, tax) = (dec(a[4])?, dec(a[5])?);
                    views.push((
                        text,
                        LineView {
                            description: "",
                            text,
                            quantity: dec(a[0])?,
                            unit_price: dec(a[1])?,
                            tax_rate: dec(a[2])?,
                            discount_rate: dec(a[3])?,
                            net,
                            tax,
                            gross: match gross {
                                Some(g) => g,
                                None => add(net, tax)?,
                            },
                        },
                    ));
                }
                self.lines.push_interned(&views)
            }
        };
        let minor = |sum: Option<Decimal>| Minor::of(sum?, currency);
        Some((span, minor(net).zip(minor(tax))))
    }

    /// `lines` in the shipped module, which reads format 4 only.
    #[cfg(not(fast_paths))]
    fn lines(&mut self, _: Idx, _: Currency) -> Got<(LineSpan, Option<(Minor, Minor)>)> {
        None
    }

    /// Reads the line table (format 4): descriptions, the recent ones, the distinct
    /// packed lines, the runs of line numbers, the wide lines.
    fn line_table(&mut self) -> Got<()> {
        for _ in 0..self.src.len()? {
            let text = self.src.text()?;
            self.lines.add_text(&text);
        }
        if self.src.len()? != 1 {
            return None;
        }
        let n = self.src.len()?;
        let mut recent = Vec::with_capacity(n.min(self.src.left()));
        for _ in 0..n {
            recent.push(self.src.idx()?);
        }
        self.lines.set_recent_texts(recent)?;
        for _ in 0..self.src.len()? {
            let bytes = self.src.take(PACKED_LINE_BYTES)?;
            self.lines.push_distinct_bytes(bytes.try_into().ok()?)?;
        }
        let runs = self.src.len()?;
        let bytes = self.src.take(runs.checked_mul(4)?)?;
        for block in bytes.chunks(RUN_BLOCK * 4) {
            self.lines.push_run_bytes(block)?;
        }
        for _ in 0..self.src.len()? {
            let text = self.src.idx()?;
            let mut d = [Decimal::ZERO; 7];
            for v in &mut d {
                *v = self.src.dec()?;
            }
            let [quantity, unit_price, tax_rate, discount_rate, net, tax, gross] = d;
            let input = crate::domain::LineInput {
                description: Default::default(),
                quantity,
                unit_price,
                tax_rate,
                discount_rate,
            };
            let line = Line {
                input,
                net,
                tax,
                gross,
            };
            self.lines.push_wide(text, line)?;
        }
        Some(())
    }

    /// Reads invoice `i`'s span of the line table (format 4); returns it and the sums
    /// of its lines' net and tax amounts in `currency`'s minor units (`None` where one
    /// overflows or isn't at minor units).
    fn span(&mut self, i: Idx, currency: Currency) -> Got<(LineSpan, Option<(Minor, Minor)>)> {
        let v = self.src.u64()?;
        let (count, wide) = (u32::try_from(v >> 1).ok()?, v & 1 != 0);
        let next = if wide {
            &mut self.next_wide
        } else {
            &mut self.next_run
        };
        let first = u32::try_from(i64::from(*next).checked_add(self.src.sv()?)?).ok()?;
        let span = LineSpan::new(first, count, wide)?;
        if !self.lines.holds(span) {
            return None;
        }
        *next = first.checked_add(count)?;
        // Natively and in the bulk module, sums at minor units without `Decimal`s (the
        // shipped module adds them below: its size budget; it restores small books).
        #[cfg(fast_paths)]
        let fast = self.lines.sums_at_scale(span, currency.minor_units());
        #[cfg(not(fast_paths))]
        let fast: Option<(i128, i128)> = None;
        if let Some((net, tax)) = fast {
            let minor = |m: i128| Some(Minor::from_units(i64::try_from(m).ok()?));
            return Some((span, minor(net).zip(minor(tax))));
        }
        if wide {
            // A wide line may hold a gross of its own: `check_invariants` checks it.
            self.lines_to_check.push(i);
        }
        let (mut net, mut tax) = (Some(Decimal::ZERO), Some(Decimal::ZERO));
        for l in self.lines.iter(span) {
            net = net.and_then(|sum| add(sum, l.net));
            tax = tax.and_then(|sum| add(sum, l.tax));
        }
        let minor = |sum: Option<Decimal>| Minor::of(sum?, currency);
        Some((span, minor(net).zip(minor(tax))))
    }

    /// The lines just read in the packed form, when they all fit it (natively and in
    /// the bulk module: `push_interned` would pack them the same from `Decimal`s).
    #[cfg(fast_paths)]
    fn packed(&mut self, n: usize) -> Option<LineSpan> {
        self.parts.clear();
        for (description, a, gross) in &self.read {
            let small = |k: usize| Some((i64::try_from(a[k].0).ok()?, a[k].1));
            let parts = [small(0), small(1), small(2), small(3), small(4), small(5)];
            match parts {
                [Some(q), Some(p), Some(r), Some(d), Some(net), Some(tax)] if gross.is_none() => {
                    self.parts.push((*description, [q, p, r, d, net, tax]))
                }
                _ => return None,
            }
        }
        debug_assert_eq!(self.parts.len(), n);
        self.lines.push_parts(&self.parts)
    }

    fn payment(&mut self, i: Idx) -> Got<Payment> {
        self.id(RecordRef::Payment(i), 2)?;
        let id = self.texts.push(self.src.last(2))?;
        let customer = self.src.idx()?;
        let currency = self.src.currency()?;
        let amount = self.src.money(currency)?;
        let method = self.method()?;
        let date = self.date()?;
        let reference = match self.src.byte()? {
            0 => None,
            1 => Some(self.texts.push(self.src.front(F_REFERENCE)?)?),
            _ => return None,
        };
        let lot = self.src.idx()?;
        let allocations = u32::try_from(self.allocations.len()).ok()?;
        for _ in 0..self.src.len()? {
            let invoice = self.src.idx()?;
            let amount = self.src.money(currency)?;
            self.allocations.push(PaymentAllocation { invoice, amount });
        }
        Some(Payment {
            id,
            customer,
            currency,
            amount,
            method,
            date,
            reference,
            lot,
            allocations,
            voided_by: MaybeIdx::of(self.src.opt_idx()?)?,
        })
    }

    fn lot(&mut self, _: Idx) -> Got<Lot> {
        let customer = self.src.idx()?;
        let currency = self.src.currency()?;
        let o = self.src.uv()?;
        let at = u32::try_from(o >> 2).ok()?;
        let origin = match o & 3 {
            0 => LotOrigin::Payment(at),
            1 => LotOrigin::Grant(at),
            2 => LotOrigin::CreditNote(at),
            _ => return None,
        };
        let remaining = self.src.money(currency)?;
        let refunded = self.src.money(currency)?;
        let mut last_touch = 0;
        for _ in 0..self.src.len()? {
            self.touches.push(Touch {
                invoice: self.src.idx()?,
                prev: last_touch,
            });
            last_touch = u32::try_from(self.touches.len()).ok()?;
        }
        let mut lot = Lot::new(customer, currency, origin, self.src.opt_date()?);
        lot.remaining = remaining;
        lot.refunded = refunded;
        lot.last_touch = last_touch;
        Some(lot)
    }

    fn grant(&mut self, i: Idx) -> Got<Grant> {
        Some(Grant {
            id: self.id_string(RecordRef::Grant(i), 3)?,
            customer: self.src.idx()?,
            currency: self.src.currency()?,
            amount: self.src.dec()?,
            date: self.date()?,
            reason: self.reason()?,
            lot: self.src.idx()?,
        })
    }

    fn application(&mut self, i: Idx) -> Got<Application> {
        Some(Application {
            id: self.id_string(RecordRef::Application(i), 4)?,
            customer: self.src.idx()?,
            invoice: self.src.idx()?,
            amount: self.src.dec()?,
            date: self.date()?,
        })
    }

    fn credit_note(&mut self, i: Idx) -> Got<CreditNote> {
        Some(CreditNote {
            id: self.id_string(RecordRef::CreditNote(i), 5)?,
            customer: self.src.idx()?,
            invoice: self.src.opt_idx()?,
            currency: self.src.currency()?,
            amount: self.src.dec()?,
            date: self.date()?,
            reason: self.reason()?,
            reduced_due: self.src.dec()?,
            released: self.src.dec()?,
            lot: self.src.opt_idx()?,
        })
    }

    fn refund(&mut self, i: Idx) -> Got<Refund> {
        Some(Refund {
            id: self.id_string(RecordRef::Refund(i), 6)?,
            customer: self.src.idx()?,
            currency: self.src.currency()?,
            amount: self.src.dec()?,
            method: self.method()?,
            date: self.date()?,
            reference: self.reference()?,
            taken: self.pairs()?,
        })
    }

    fn payment_void(&mut self, i: Idx) -> Got<PaymentVoid> {
        Some(PaymentVoid {
            id: self.id_string(RecordRef::PaymentVoid(i), 7)?,
            payment: self.src.idx()?,
            date: self.date()?,
            reason: self.opt_reason()?,
            reopened: self.pairs()?,
            withdrawn: self.src.dec()?,
        })
    }

    fn invoice_void(&mut self, i: Idx) -> Got<InvoiceVoid> {
        let id = self.id_string(RecordRef::InvoiceVoid(i), 8)?;
        let invoice = self.src.idx()?;
        let date = self.date()?;
        let reason = self.opt_reason()?;
        let cancelled = self.src.dec()?;
        let n = self.src.len()?;
        let mut returned = Vec::with_capacity(n);
        for _ in 0..n {
            returned.push((self.source()?, self.src.dec()?));
        }
        Some(InvoiceVoid {
            id,
            invoice,
            date,
            reason,
            cancelled,
            returned,
        })
    }

    fn config(&mut self, i: Idx) -> Got<Config> {
        Some(Config {
            id: self.id_string(RecordRef::Config(i), 9)?,
            invoice_number_format: self.src.opt_text()?,
            tax_rounding: match self.src.byte()? {
                0 => TaxRounding::Line,
                1 => TaxRounding::Invoice,
                _ => return None,
            },
        })
    }

    fn write_off(&mut self, i: Idx) -> Got<WriteOff> {
        Some(WriteOff {
            id: self.id_string(RecordRef::WriteOff(i), 10)?,
            invoice: self.src.idx()?,
            date: self.date()?,
            reason: self.reason()?,
            amount: self.src.dec()?,
            tax: self.src.dec()?,
        })
    }

    fn expiry(&mut self, i: Idx) -> Got<Expiry> {
        Some(Expiry {
            id: self.id_string(RecordRef::Expiry(i), 11)?,
            date: self.date()?,
            customer: self.src.opt_idx()?,
            first: self.src.idx()?,
            count: self.src.u32()?,
        })
    }

    fn expired_lot(&mut self, _: Idx) -> Got<ExpiredLot> {
        Some(ExpiredLot {
            expiry: self.src.idx()?,
            lot: self.src.idx()?,
            amount: self.src.dec()?,
        })
    }

    #[allow(clippy::type_complexity)]
    fn accounts(&mut self, _: Idx) -> Got<Vec<((crate::money::Currency, Account), Decimal)>> {
        let n = self.src.len()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let currency = self.src.currency()?;
            let v = self.src.uv()?;
            let i = u32::try_from(v >> 3).ok()?;
            let account = match v & 7 {
                0 => Account::Receivable(i),
                1 => Account::CustomerCredit(i),
                2 => Account::Cash(Method::ALL.get(i as usize)?.1),
                3 => Account::Revenue,
                4 => Account::TaxPayable,
                5 => Account::CreditNotes,
                6 => Account::GoodwillCredit,
                _ => Account::BadDebt,
            };
            out.push(((currency, account), self.src.dec()?));
        }
        // Sorted and unique, as the general ledger keeps them.
        if !out.windows(2).all(|w| w[0].0 < w[1].0) {
            return None;
        }
        Some(out)
    }
}
