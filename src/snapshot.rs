//! Snapshots: the whole state as bytes, and its restore.
//!
//! Format 4: `b"TALLYSNP"`, format version (u32 LE), the state's seq (u64 LE), then the
//! tables record by record in a hand-written varint encoding (`write`, `read`, `codec`),
//! the invoice line table as the state holds it (each distinct packed line once, fixed
//! width, and each invoice's line numbers as little-endian `u32`s, read in bulk), then a
//! trailer: the length of everything before it (u64 LE) and its checksum (u64 LE,
//! `stable_hash::checksum`). The checksum is at the end so a snapshot can be written
//! front to back, in pieces (`snapshot_begin` / `snapshot_next`). Indexes (the id map's
//! lookup structure, open invoices, credit lots) are not stored but rebuilt, and the
//! books' sums are recomputed and compared, so a snapshot that decodes but doesn't hang
//! together is refused instead of half-loaded. A restored ledger's journal starts after
//! the snapshot's sequence number: replaying the entries after it gives the same state
//! as replaying everything.

#![warn(missing_docs)]

use rust_decimal::Decimal;

#[cfg(not(target_arch = "wasm32"))]
use crate::date::Date;
use crate::error::{err, Result};
use crate::ledger::Ledger;
use crate::money::Currency;
#[cfg(not(target_arch = "wasm32"))]
use crate::stable_hash::StableHasher;
use crate::state::chunked::Chunked;
use crate::state::id_index::hash_id;
use crate::state::invoices::Invoices;
use crate::state::ledger_accounts::{Account, GeneralLedger};
use crate::state::lines::LineTable;
use crate::state::numbering::Numbering;
use crate::state::records::*;
#[cfg(not(target_arch = "wasm32"))]
use crate::state::sorted_set::SortedSet;
use crate::state::texts::TextArena;
use crate::state::{IdEntry, IdIndex, State};
#[cfg(not(target_arch = "wasm32"))]
use std::hash::Hasher as _;

/// Whether this build takes the decoder's fast paths: natively and in the bulk module,
/// where big books are restored. The shipped module takes the plain ones (its size
/// budget; it restores small books); both read the same bytes into the same state.
const FAST: bool = cfg!(fast_paths);

mod codec;
mod read;
#[cfg(not(target_arch = "wasm32"))]
mod skip;
mod write;

// Older formats: read natively and by the bulk wasm module, never by the shipped one.
#[cfg(fast_paths)]
mod v1;
#[cfg(fast_paths)]
mod v2;

pub use write::Cursor;

const MAGIC: &[u8; 8] = b"TALLYSNP";
/// Bumped whenever the layout changes. Versions 1 and 2 (postcard payloads) and 3 (each
/// invoice's lines written in full with it) are read and migrated natively and by the
/// bulk module (`v1`, `v2`, `read`); unknown versions are refused, not guessed.
pub const FORMAT_VERSION: u32 = 4;
/// Whether this build reads older formats: natively and in the bulk module, never in
/// the shipped one (its size budget; the page migrates through the bulk module).
const LEGACY: bool = cfg!(fast_paths);
/// Magic and version: what every format starts with.
const VERSION_END: usize = 12;
/// Formats 3 and 4's trailer: the length of everything before it (u64 LE) and the checksum of
/// those bytes (u64 LE, `stable_hash::checksum`).
const TRAILER: usize = 16;

/// A snapshot's content, as read by any format's decoder, before `rebuild` checks it.
struct Payload {
    seq: u64,
    numbering: Numbering,
    /// The statement entries' dates and amounts as the snapshot holds them
    /// (`book::entry_digest`); the entries themselves read theirs from their records.
    entry_digest: u64,
    /// (record, fingerprint, seq) in table order; the id text is in the record.
    ids: Vec<(RecordRef, u64, u64)>,
    /// Each id's `hash_id`, when the decoder had the text at hand (else empty).
    id_hashes: Vec<u64>,
    /// Natively on two threads, instead of `ids` (then empty): the ids decoded in place
    /// (`read::Placed`, `placed_index`).
    #[cfg(not(target_arch = "wasm32"))]
    placed: Option<PlacedIds>,
    /// The invoices whose lines may not add up to their amounts (`None`: all of them);
    /// the others were read as adding up.
    lines_to_check: Option<Vec<Idx>>,
    customers: Vec<Customer>,
    invoices: Invoices,
    /// The invoices' lines (each invoice holds its span).
    lines: LineTable,
    /// The payments' ids and references.
    texts: TextArena,
    /// The payments' allocations.
    allocations: Chunked<PaymentAllocation>,
    payments: Chunked<Payment>,
    lots: Chunked<Lot>,
    /// The lots' lists of invoices that took from them.
    touches: Chunked<Touch>,
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
    accounts: Vec<((Currency, Account), Decimal)>,
}

/// Ids decoded in place (`read::Placed`): their first seq, then in table order their
/// rows keyed for the id table and their fingerprints.
#[cfg(not(target_arch = "wasm32"))]
type PlacedIds = (u64, Vec<u64>, Vec<u64>);

/// The next piece of a snapshot being written (`Ledger::snapshot_next`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotPiece {
    /// The next bytes: never empty, about `max_bytes` long (a record is never split).
    Bytes(Vec<u8>),
    /// Every piece was given; their concatenation is `snapshot()` as of the begin.
    Done,
    /// The state changed since `snapshot_begin` (a command, replay or restore), or no
    /// snapshot was begun: start again later.
    Interrupted,
}

impl Ledger {
    /// The whole state as bytes. Deterministic: the same state gives the same bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        let mut cursor = Cursor::default();
        let mut out = Vec::new();
        cursor.write(&self.state, &mut out, usize::MAX);
        out
    }

    /// Starts a snapshot of the state as it is now, to be taken in pieces with
    /// [`Ledger::snapshot_next`] (so no single call is long). Any state change drops it.
    pub fn snapshot_begin(&mut self) {
        self.snapshot_cursor = Some(Box::default());
    }

    /// The next piece of the snapshot begun by [`Ledger::snapshot_begin`], about
    /// `max_bytes` long (at least one record).
    pub fn snapshot_next(&mut self, max_bytes: usize) -> SnapshotPiece {
        let Some(cursor) = self.snapshot_cursor.as_mut() else {
            return SnapshotPiece::Interrupted;
        };
        if cursor.done() {
            self.snapshot_cursor = None;
            return SnapshotPiece::Done;
        }
        let mut out = Vec::with_capacity(max_bytes.min(1 << 24) + 64);
        cursor.write(&self.state, &mut out, max_bytes.max(1));
        SnapshotPiece::Bytes(out)
    }

    /// Restores a ledger from `snapshot()` bytes. A damaged, truncated, foreign or
    /// inconsistent snapshot is refused with a message saying which.
    pub fn restore(bytes: &[u8]) -> Result<Ledger> {
        restore(bytes, true)
    }
}

/// `Ledger::restore`; natively on two threads where `two` says so (the same ledger, or
/// the same refusal, as on one: `tests::two_threads_restore_what_one_does`).
fn restore(bytes: &[u8], two: bool) -> Result<Ledger> {
    if bytes.len() < VERSION_END || &bytes[..8] != MAGIC {
        return Err(err!(
            InvalidInput,
            "snapshot: not a Tally snapshot (bad header)"
        ));
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    let (p, seal) = match version {
        FORMAT_VERSION => current(bytes, FORMAT_VERSION, two)?,
        1..=3 => (legacy(version, bytes)?, None),
        _ => {
            return Err(err!(
                InvalidInput,
                "snapshot: format version {version}; this engine reads version {FORMAT_VERSION}"
            ))
        }
    };
    let state = rebuild(p, seal, two)?;
    Ok(Ledger {
        journal_base: state.seq,
        state,
        journal: Vec::new(),
        snapshot_cursor: None,
    })
}

/// A snapshot's body and the checksum its trailer holds for it, with how much of the
/// body is hashed so far (`hashed`, whole words: the checksum taken in pieces).
#[derive(Clone)]
struct Seal<'a> {
    body: &'a [u8],
    sum: u64,
    #[cfg(not(target_arch = "wasm32"))]
    hashed: usize,
    #[cfg(not(target_arch = "wasm32"))]
    hasher: StableHasher,
}

/// How much of the body `Seal::advance` hashes between looks at whether to stop.
#[cfg(not(target_arch = "wasm32"))]
const SEAL_STEP: usize = 1 << 18;

impl<'a> Seal<'a> {
    fn new(body: &'a [u8], sum: u64) -> Seal<'a> {
        Seal {
            body,
            sum,
            #[cfg(not(target_arch = "wasm32"))]
            hashed: 0,
            #[cfg(not(target_arch = "wasm32"))]
            hasher: StableHasher::new(),
        }
    }

    /// Hashes up to `SEAL_STEP` more bytes of the body; false once only the last
    /// (partial) word is left for `check`.
    #[cfg(not(target_arch = "wasm32"))]
    fn advance(&mut self) -> bool {
        let words = (self.body.len() - self.hashed) / 8 * 8;
        let step = words.min(SEAL_STEP);
        for word in self.body[self.hashed..self.hashed + step].chunks_exact(8) {
            self.hasher.mix_word(word);
        }
        self.hashed += step;
        step > 0
    }

    /// Refuses a body whose checksum isn't the trailer's.
    fn check(self) -> Result<()> {
        #[cfg(not(target_arch = "wasm32"))]
        let sum = {
            let mut hasher = self.hasher;
            hasher.write(&self.body[self.hashed..]);
            hasher.finish()
        };
        // The shipped module hashes it whole (smaller).
        #[cfg(target_arch = "wasm32")]
        let sum = crate::stable_hash::checksum(self.body);
        if sum != self.sum {
            return Err(err!(
                InvalidInput,
                "snapshot: checksum mismatch (the bytes are damaged)"
            ));
        }
        Ok(())
    }
}

/// Format 4 (or 3): the trailer's length and checksum, then the payload. Natively, on
/// two threads (`two`), a format 4 payload is decoded first, its seal hashed in the
/// second decoding thread's spare time, and returned for `rebuild` to finish checking
/// beside its own work; a payload that doesn't decode is refused as damaged first if
/// its checksum differs, as when the checksum comes first.
fn current(bytes: &[u8], version: u32, two: bool) -> Result<(Payload, Option<Seal<'_>>)> {
    if bytes.len() < VERSION_END + TRAILER {
        return Err(err!(
            InvalidInput,
            "snapshot: {} bytes, too short for a version {version} snapshot (truncated)",
            bytes.len()
        ));
    }
    let body_end = bytes.len() - TRAILER;
    let long = |at: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(word)
    };
    let len = long(body_end);
    if body_end as u64 != len {
        return Err(err!(
            InvalidInput,
            "snapshot: {body_end} bytes before the trailer, trailer says {len} (truncated or padded)"
        ));
    }
    let seal = Seal::new(&bytes[..body_end], long(body_end + 8));
    let deferred = two && cfg!(not(target_arch = "wasm32")) && version == FORMAT_VERSION;
    if !deferred {
        seal.clone().check()?;
    }
    let payload = &bytes[VERSION_END..body_end];
    // Natively the second decoding thread hashes the seal once its part is decoded,
    // until the first thread's part is (the rest is hashed beside the checks).
    #[cfg(not(target_arch = "wasm32"))]
    let (decoded, seal) = {
        let mut seal = seal;
        let mut spare = |front_done: &std::sync::atomic::AtomicBool| {
            while !front_done.load(std::sync::atomic::Ordering::Relaxed) && seal.advance() {}
        };
        let spare: read::Spare<'_> = &mut spare;
        (
            read::payload(payload, version, deferred.then_some(spare)),
            seal,
        )
    };
    #[cfg(target_arch = "wasm32")]
    let decoded = read::payload(payload, version, None);
    match decoded {
        Some(p) => Ok((p, deferred.then_some(seal))),
        None => {
            if deferred {
                seal.check()?;
            }
            Err(err!(
                InvalidInput,
                "snapshot: the payload does not decode as a version {version} snapshot"
            ))
        }
    }
}

/// Formats 1 to 3, migrated natively and by the bulk module; the shipped module
/// leaves their decoders out (size budget) and the page migrates first.
fn legacy(version: u32, bytes: &[u8]) -> Result<Payload> {
    #[cfg(fast_paths)]
    {
        if version == 3 {
            current(bytes, 3, false).map(|(p, _)| p)
        } else {
            v2::read(version, bytes)
        }
    }
    #[cfg(not(fast_paths))]
    {
        let _ = bytes;
        Err(err!(
            InvalidInput,
            "snapshot: format version {version} must be migrated first (migrateSnapshot)"
        ))
    }
}

/// Every record that has an id (all but expired-lot parts).
fn all_record_count(s: &State) -> usize {
    s.customers.len()
        + s.invoices.len()
        + s.payments.len()
        + s.grants.len()
        + s.applications.len()
        + s.credit_notes.len()
        + s.refunds.len()
        + s.payment_voids.len()
        + s.invoice_voids.len()
        + s.configs.len()
        + s.write_offs.len()
        + s.expiries.len()
}

/// Seqs statement entries can hold (`state::book::Entry`): 2^48 commands. A snapshot
/// beyond it (only a damaged one, of any format, which would fail at its next command),
/// or with an id created by a command outside its journal, is refused by the decoders
/// (format 3's as undecodable: a check there costs the shipped module far less than a
/// refusal of its own in `rebuild`).
const MAX_SEQ: u64 = (1 << 48) - 1;

/// The id index of ids decoded in place (`PlacedIds`): each id's record is its place in
/// table order, its row `keyed`'s, laid into the table from `keyed` (`IdIndex::placed`,
/// `with_table`). Where two ids take one row (two ids of one seq: the decoder checked
/// each row is below their count) it is built from them listed, as the one-thread
/// reader's ids would be.
#[cfg(not(target_arch = "wasm32"))]
fn placed_index(s: &State, (first, keyed, prints): PlacedIds) -> Result<IdIndex> {
    let n = keyed.len();
    let keyer = crate::state::slots::Keyer::for_rows(n);
    // The tables that have ids, in the order they are written.
    type Kind = fn(Idx) -> RecordRef;
    let tables: [(Kind, usize); 12] = [
        (RecordRef::Customer, s.customers.len()),
        (RecordRef::Invoice, s.invoices.len()),
        (RecordRef::Payment, s.payments.len()),
        (RecordRef::Grant, s.grants.len()),
        (RecordRef::Application, s.applications.len()),
        (RecordRef::CreditNote, s.credit_notes.len()),
        (RecordRef::Refund, s.refunds.len()),
        (RecordRef::PaymentVoid, s.payment_voids.len()),
        (RecordRef::InvoiceVoid, s.invoice_voids.len()),
        (RecordRef::Config, s.configs.len()),
        (RecordRef::WriteOff, s.write_offs.len()),
        (RecordRef::Expiry, s.expiries.len()),
    ];
    let ids = || {
        tables
            .into_iter()
            .flat_map(|(kind, len)| (0..len).map(move |i| kind(i as Idx)))
            .zip(&prints)
            .zip(&keyed)
            .map(|((record, &print), &key)| (record, print, keyer.row(key)))
    };
    match IdIndex::placed(first, n, ids()) {
        Some(index) => index
            .with_table(keyed, prints, &|r| s.record_id(r))
            .map_err(|record| appears_twice(s, record)),
        None => {
            let listed: Vec<_> = ids()
                .map(|(record, print, row)| (record, print, first + u64::from(row)))
                .collect();
            listed_index(s, &listed, &[])
        }
    }
}

/// Whether a decoded snapshot's seqs are ones the engine could have written.
fn seqs_possible(seq: u64, ids: &[(RecordRef, u64, u64)]) -> bool {
    seq <= MAX_SEQ && ids.iter().all(|e| e.2 != 0 && e.2 <= seq)
}

fn rebuild(p: Payload, seal: Option<Seal<'_>>, two: bool) -> Result<State> {
    let mut s = State {
        seq: p.seq,
        ids: Default::default(),
        customers: p.customers,
        invoices: p.invoices,
        lines: p.lines,
        texts: p.texts,
        allocations: p.allocations,
        payments: p.payments,
        lots: p.lots,
        touches: p.touches,
        grants: p.grants,
        applications: p.applications,
        credit_notes: p.credit_notes,
        refunds: p.refunds,
        payment_voids: p.payment_voids,
        invoice_voids: p.invoice_voids,
        configs: p.configs,
        write_offs: p.write_offs,
        expiries: p.expiries,
        expired_lots: p.expired_lots,
        numbering: p.numbering,
        gl: GeneralLedger::from_accounts(p.accounts),
    };
    let held = Held {
        ids: &p.ids,
        id_hashes: &p.id_hashes,
        #[cfg(not(target_arch = "wasm32"))]
        placed: std::sync::Mutex::new(p.placed),
        entry_digest: p.entry_digest,
        lines_to_check: p.lines_to_check.as_deref(),
    };
    let (ids, books, invariants) = checked(&s, &held, seal, two)?;
    s.ids = ids;
    // Rebuild the books' indexes, their sums checked.
    match books {
        #[cfg(not(target_arch = "wasm32"))]
        Some(books) => {
            for (c, books) in s.customers.iter_mut().zip(books?) {
                for (book, index) in c.books.iter_mut().zip(books) {
                    book.open = index.open;
                    book.lots = index.lots;
                }
            }
        }
        _ => books_in_place(&mut s)?,
    }
    match invariants {
        Some(checked) => checked?,
        None => check_invariants(&s, held.entry_digest, held.lines_to_check)?,
    }
    Ok(s)
}

/// The books' indexes rebuilt in place (`Book::open`, `Book::lots`: not stored in
/// snapshots), their sums checked against the books': on one thread, and in the wasm
/// modules. The same checks as `book_indexes` (`checked_due`), written out here and
/// inlined for the shipped module's size budget (smaller gzipped than sharing them).
#[inline(always)]
fn books_in_place(s: &mut State) -> Result<()> {
    let mut sums: Vec<Vec<(Currency, Decimal, Decimal)>> = s
        .customers
        .iter()
        .map(|c| {
            c.books
                .iter()
                .map(|b| (b.currency, Decimal::ZERO, Decimal::ZERO))
                .collect()
        })
        .collect();
    let find = |sums: &mut Vec<Vec<(Currency, Decimal, Decimal)>>,
                c: Idx,
                cur: Currency|
     -> Result<usize> {
        sums[c as usize]
            .iter()
            .position(|b| b.0 == cur)
            .ok_or_else(|| {
                err!(
                    InvalidInput,
                    "snapshot: a record names a book the customer doesn't have"
                )
            })
    };
    // Each invoice viewed once: its references checked (`check_references` checks the
    // other tables') before its amounts are read.
    let (nc, np, nl) = (s.customers.len(), s.payments.len(), s.lots.len());
    for i in 0..s.invoices.next_idx() {
        let inv = s.invoices.get(i);
        if !invoice_references_ok(s, &inv, nc, np, nl) {
            return Err(err!(
                InvalidInput,
                "snapshot: an invoice points outside its table"
            ));
        }
        if !settled_within_total(&inv) {
            return Err(err!(
                InvalidInput,
                "snapshot: invoice '{}' is settled or credited beyond its total",
                inv.id
            ));
        }
        let due = inv.amount_due();
        if due.is_zero() {
            continue;
        }
        let b = find(&mut sums, inv.customer, inv.currency)?;
        sums[inv.customer as usize][b].1 += due;
        s.customers[inv.customer as usize].books[b]
            .open
            .insert(inv.open_key(i));
    }
    for (i, lot) in s.lots.iter().enumerate() {
        if lot.remaining.is_zero() {
            continue;
        }
        let b = find(&mut sums, lot.customer, lot.currency)?;
        sums[lot.customer as usize][b].2 += lot.remaining();
        s.customers[lot.customer as usize].books[b]
            .lots
            .insert(i as Idx);
    }
    for (c, books) in sums.iter().enumerate() {
        for (b, (_, outstanding, credit)) in books.iter().enumerate() {
            let book = &s.customers[c].books[b];
            if book.outstanding != *outstanding || book.credit != *credit {
                return Err(err!(
                    InvalidInput,
                    "snapshot: customer '{}' books don't add up to its invoices and credit",
                    s.customers[c].id
                ));
            }
        }
    }
    Ok(())
}

/// An invoice's amount due, viewed once: its references checked first
/// (`check_references` checks the other tables'), then its settlements, before its
/// amounts are read.
#[cfg(not(target_arch = "wasm32"))]
fn checked_due(s: &State, inv: &Invoice<'_>, nc: usize, np: usize, nl: usize) -> Result<Decimal> {
    if !invoice_references_ok(s, inv, nc, np, nl) {
        return Err(err!(
            InvalidInput,
            "snapshot: an invoice points outside its table"
        ));
    }
    if !settled_within_total(inv) {
        return Err(err!(
            InvalidInput,
            "snapshot: invoice '{}' is settled or credited beyond its total",
            inv.id
        ));
    }
    Ok(inv.amount_due())
}

#[cfg(not(target_arch = "wasm32"))]
fn no_such_book() -> crate::error::Error {
    err!(
        InvalidInput,
        "snapshot: a record names a book the customer doesn't have"
    )
}

#[cfg(not(target_arch = "wasm32"))]
fn books_disagree(s: &State, c: usize) -> crate::error::Error {
    err!(
        InvalidInput,
        "snapshot: customer '{}' books don't add up to its invoices and credit",
        s.customers[c].id
    )
}

/// A book's indexes as `book_indexes` builds them, with the sums that must be its own.
#[cfg(not(target_arch = "wasm32"))]
struct BookIndex {
    currency: Currency,
    outstanding: Decimal,
    credit: Decimal,
    open: SortedSet<(Date, Date, Idx)>,
    lots: SortedSet<Idx>,
}

/// `books_in_place`'s indexes built apart, from the state read only, for `rebuild` to
/// move into the books: natively on two threads, where they are built beside the
/// invariants (`checked`) once the references are checked.
#[cfg(not(target_arch = "wasm32"))]
fn book_indexes(s: &State) -> Result<Vec<Vec<BookIndex>>> {
    let mut books: Vec<Vec<BookIndex>> = s
        .customers
        .iter()
        .map(|c| {
            c.books
                .iter()
                .map(|b| BookIndex {
                    currency: b.currency,
                    outstanding: Decimal::ZERO,
                    credit: Decimal::ZERO,
                    open: SortedSet::new(),
                    lots: SortedSet::new(),
                })
                .collect()
        })
        .collect();
    let find = |books: &mut Vec<Vec<BookIndex>>, c: Idx, cur: Currency| -> Result<usize> {
        books[c as usize]
            .iter()
            .position(|b| b.currency == cur)
            .ok_or_else(no_such_book)
    };
    let (nc, np, nl) = (s.customers.len(), s.payments.len(), s.lots.len());
    for i in 0..s.invoices.next_idx() {
        let inv = s.invoices.get(i);
        let due = checked_due(s, &inv, nc, np, nl)?;
        if due.is_zero() {
            continue;
        }
        let b = find(&mut books, inv.customer, inv.currency)?;
        let book = &mut books[inv.customer as usize][b];
        book.outstanding += due;
        book.open.insert(inv.open_key(i));
    }
    for (i, lot) in s.lots.iter().enumerate() {
        if lot.remaining.is_zero() {
            continue;
        }
        let b = find(&mut books, lot.customer, lot.currency)?;
        let book = &mut books[lot.customer as usize][b];
        book.credit += lot.remaining();
        book.lots.insert(i as Idx);
    }
    for (c, indexes) in books.iter().enumerate() {
        for (book, index) in s.customers[c].books.iter().zip(indexes) {
            if book.outstanding != index.outstanding || book.credit != index.credit {
                return Err(books_disagree(s, c));
            }
        }
    }
    Ok(books)
}

/// The books' indexes built apart (`book_indexes`), natively; nothing in wasm.
#[cfg(not(target_arch = "wasm32"))]
type Books = Vec<Vec<BookIndex>>;
#[cfg(target_arch = "wasm32")]
type Books = std::convert::Infallible;

/// What a snapshot holds beside its tables, for `rebuild`'s checks (`Payload`).
struct Held<'a> {
    ids: &'a [(RecordRef, u64, u64)],
    id_hashes: &'a [u64],
    /// The id index's rows and keys (`Payload::placed`), taken by `id_index`.
    #[cfg(not(target_arch = "wasm32"))]
    placed: std::sync::Mutex<Option<PlacedIds>>,
    entry_digest: u64,
    lines_to_check: Option<&'a [Idx]>,
}

/// The seal, the references and the id index of a restored state, checked in that
/// order (the first refusal is the one returned), and natively on two threads (`two`)
/// the books' indexes (`book_indexes`) and the invariants' verdict too, for `rebuild`
/// to give in that order after them (`None`: they are left to it). Restore is a
/// function of the bytes alone, so natively the id index and then what is left of the
/// seal (most or all of it is hashed while the payload is decoded) are done on a second
/// thread beside the references, the books and the invariants: the same result, and
/// the same first refusal, as in order. The index checks its records are inside their
/// tables before it reads their ids; the books and `check_invariants` read a format 4
/// state safely once its references are checked (the reader checks each invoice's
/// lines are in the line table and adds up its totals), so they are built only once
/// the references are found sound, and each side is safe whatever the other finds.
#[allow(clippy::type_complexity)]
fn checked(
    s: &State,
    p: &Held<'_>,
    seal: Option<Seal<'_>>,
    two: bool,
) -> Result<(IdIndex, Option<Result<Books>>, Option<Result<()>>)> {
    #[cfg(not(target_arch = "wasm32"))]
    if two && seal.is_some() {
        let done = std::thread::scope(|scope| {
            let beside = scope.spawn(move || {
                let ids = id_index(s, p);
                let sealed = seal.map_or(Ok(()), Seal::check);
                (sealed, ids)
            });
            let checked = check_references(s);
            let books = checked.is_ok().then(|| book_indexes(s));
            let checked = checked.map(|()| check_invariants(s, p.entry_digest, p.lines_to_check));
            let beside = beside
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (beside, books, checked)
        });
        let ((sealed, ids), books, checked) = done;
        sealed?;
        let invariants = checked?;
        return Ok((ids?, books, Some(invariants)));
    }
    let _ = two;
    if let Some(seal) = seal {
        seal.check()?;
    }
    check_references(s)?;
    Ok((id_index(s, p)?, None, None))
}

/// The id index of a restored state (`s` with its ids still empty).
fn id_index(s: &State, p: &Held<'_>) -> Result<IdIndex> {
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(placed) = p.placed.lock().ok().and_then(|mut p| p.take()) {
        return placed_index(s, placed);
    }
    listed_index(s, p.ids, p.id_hashes)
}

/// The id index of listed ids (`Payload::ids`, `id_hashes` their hashes or empty).
fn listed_index(s: &State, ids: &[(RecordRef, u64, u64)], id_hashes: &[u64]) -> Result<IdIndex> {
    // The shipped module lists every id's seq (small books; its size budget) where the
    // others keep none when they run one per command.
    let dense = if FAST { dense_from(ids) } else { None };
    match dense {
        #[cfg(fast_paths)]
        Some(first) => ids_dense(s, ids, id_hashes, first),
        _ => ids_one_by_one(s, ids, id_hashes, dense),
    }
}

/// The id index of a snapshot, id by id (`dense`: the first seq when they were created
/// one per seq).
fn ids_one_by_one(
    s: &State,
    ids: &[(RecordRef, u64, u64)],
    id_hashes: &[u64],
    dense: Option<u64>,
) -> Result<IdIndex> {
    let mut index = IdIndex::for_restore(ids.len(), dense);
    for (k, &(record, fingerprint, seq)) in ids.iter().enumerate() {
        if !record_in_range(s, record) {
            return Err(outside_its_table());
        }
        let entry = IdEntry {
            record,
            fingerprint,
            seq,
        };
        if !index.restore(id_hash(s, ids, id_hashes, k), entry, &|r| s.record_id(r)) {
            return Err(appears_twice(s, record));
        }
    }
    Ok(index)
}

/// The id index of a snapshot whose ids were created one per seq, built in one pass
/// (`IdIndex::restored`).
#[cfg(fast_paths)]
fn ids_dense(
    s: &State,
    ids: &[(RecordRef, u64, u64)],
    id_hashes: &[u64],
    first: u64,
) -> Result<IdIndex> {
    if !ids.iter().all(|&(record, _, _)| record_in_range(s, record)) {
        return Err(outside_its_table());
    }
    let hash_of = |k: usize| id_hash(s, ids, id_hashes, k);
    IdIndex::restored(first, ids, &hash_of, &|r| s.record_id(r))
        .map_err(|record| appears_twice(s, record))
}

/// Id `k`'s hash: as the snapshot stored it, else from its text.
fn id_hash(s: &State, ids: &[(RecordRef, u64, u64)], id_hashes: &[u64], k: usize) -> u64 {
    match id_hashes.get(k) {
        Some(&h) => h,
        None => hash_id(s.record_id(ids[k].0)),
    }
}

fn outside_its_table() -> crate::error::Error {
    err!(
        InvalidInput,
        "snapshot: an id names a record outside its table"
    )
}

fn appears_twice(s: &State, record: RecordRef) -> crate::error::Error {
    let id = s.record_id(record);
    err!(InvalidInput, "snapshot: id '{id}' appears twice")
}

/// The first seq of a snapshot's ids when they were created by consecutive seqs, one
/// each (as the engine makes them, in any order of tables): the id index then keeps no
/// seq per id. `None` otherwise (a gap or a repeat), and the index lists them.
fn dense_from(ids: &[(RecordRef, u64, u64)]) -> Option<u64> {
    let first = ids.iter().map(|e| e.2).min()?;
    // Bits in `u32`s, a vector type the module already builds (size budget).
    let mut filled = vec![0u32; ids.len().div_ceil(32)];
    for e in ids {
        let at = usize::try_from(e.2 - first)
            .ok()
            .filter(|&at| at < ids.len())?;
        let (word, bit) = (&mut filled[at / 32], 1u32 << (at % 32));
        if *word & bit != 0 {
            return None;
        }
        *word |= bit;
    }
    Some(first)
}

/// `a + b`, or `None` if either is beyond half of what a `Decimal` holds (far beyond
/// any amount, and the one case where `+` could overflow and panic). Through `+`, which
/// the module has, rather than `checked_add`, another copy of the large addition.
fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
    (within_half(a) && within_half(b)).then(|| a + b)
}

/// Whether `|d| <= 2^95 - 1` (half of `Decimal::MAX`, rounded down), tested on the
/// mantissa `m` and scale `s` instead of comparing values (a comparison rescales).
/// Exactly equivalent: at `s = 0`, `|d| = |m|`, within half iff `|m| < 2^95`, iff bit
/// 95 of the 96-bit `|m|` is clear; at `s >= 1`, `|d| = |m| / 10^s <= (2^96 - 1) / 10
/// < 2^95 - 1`, always within (`tests::within_half_is_the_value_comparison`).
fn within_half(d: Decimal) -> bool {
    d.scale() != 0 || d.mantissa().unsigned_abs() >> 95 == 0
}

/// The ledger's invariants, checked on restore so a snapshot that decodes but doesn't
/// hang together (a bug in a writer, or bytes edited and re-checksummed) is refused
/// whole instead of failing later: invoice arithmetic, non-negative amounts, the trial
/// balance, customer accounts against their books, statements against balances.
/// `entry_digest` is the statement entries' dates and amounts as the snapshot held them
/// (the entries read theirs from their records); `lines_to_check` the invoices whose
/// line sums the reader didn't check as it read them (all of them when `None`).
fn check_invariants(s: &State, entry_digest: u64, lines_to_check: Option<&[Idx]>) -> Result<()> {
    let bad = |what: String| err!(InvalidInput, "snapshot: {what}");
    let every;
    let invoices = match lines_to_check {
        Some(listed) => listed,
        None => {
            every = (0..s.invoices.next_idx()).collect::<Vec<_>>();
            &every
        }
    };
    for &i in invoices {
        let inv = s.invoices.get(i);
        let (mut net, mut tax, mut lines_ok) = (Some(Decimal::ZERO), Some(Decimal::ZERO), true);
        for l in s.lines.iter(inv.lines) {
            net = net.and_then(|sum| add(sum, l.net));
            tax = tax.and_then(|sum| add(sum, l.tax));
            lines_ok &= add(l.net, l.tax) == Some(l.gross);
        }
        let adds_up = |sum: Option<Decimal>, stored: Decimal| sum == Some(stored);
        if !lines_ok
            || !adds_up(net, inv.subtotal())
            || !adds_up(tax, inv.tax())
            || !adds_up(net.zip(tax).and_then(|(n, t)| add(n, t)), inv.total())
        {
            return Err(bad(format!(
                "invoice '{}' does not add up to its lines",
                inv.id
            )));
        }
    }
    if s.lots
        .iter()
        .any(|l| l.remaining.units() < 0 || l.refunded.units() < 0)
    {
        return Err(bad("a credit lot holds a negative amount".into()));
    }
    let accounts = s.gl.accounts();
    let mut totals: Vec<(Currency, Decimal)> = Vec::new();
    for ((currency, account), balance) in &accounts {
        let customer = match account {
            Account::Receivable(c) | Account::CustomerCredit(c) => Some(*c),
            _ => None,
        };
        if customer.is_some_and(|c| c as usize >= s.customers.len()) {
            return Err(bad("an account names a customer that doesn't exist".into()));
        }
        match totals.iter_mut().find(|(c, _)| c == currency) {
            Some((_, sum)) => *sum += balance,
            None => totals.push((*currency, *balance)),
        }
    }
    if let Some((currency, _)) = totals.iter().find(|(_, sum)| !sum.is_zero()) {
        return Err(bad(format!(
            "the {currency} trial balance does not sum to zero"
        )));
    }
    let mut digest = 0;
    for (i, c) in s.customers.iter().enumerate() {
        for book in &c.books {
            let receivable = s.gl.balance(book.currency, Account::Receivable(i as Idx));
            let credit =
                s.gl.balance(book.currency, Account::CustomerCredit(i as Idx));
            let statement = s.entries_sum(book, &book.entries, &mut digest);
            if receivable != book.outstanding
                || -credit != book.credit
                || statement != book.balance()
            {
                return Err(bad(format!(
                    "customer '{}' ({}) accounts, book and statement disagree",
                    c.id, book.currency
                )));
            }
        }
    }
    if digest != entry_digest {
        return Err(bad(
            "a statement entry's date or amount is not its record's".into(),
        ));
    }
    Ok(())
}

/// Every index a record holds points inside its table, so no later lookup can panic
/// (invoices' own: `invoice_references_ok`, in `rebuild`'s pass over them).
fn check_references(s: &State) -> Result<()> {
    let bad = |what: &str| err!(InvalidInput, "snapshot: {what} points outside its table");
    let within = |i: Idx, len: usize| (i as usize) < len;
    let (nc, ni, np, nl) = (
        s.customers.len(),
        s.invoices.len(),
        s.payments.len(),
        s.lots.len(),
    );
    let source_ok = |src: &Source| match src {
        Source::Payment(p) => within(*p, np),
        Source::Lot(l) => within(*l, nl),
    };
    let mut allocations_from = 0;
    for p in s.payments.iter() {
        if !within(p.customer, nc)
            || !within(p.lot, nl)
            || p.allocations < allocations_from
            || p.allocations as usize > s.allocations.len()
        {
            return Err(bad("a payment"));
        }
        allocations_from = p.allocations;
    }
    if !s.allocations.iter().all(|a| within(a.invoice, ni)) {
        return Err(bad("a payment's allocation"));
    }
    // Each touch links only to an earlier one, so no list can loop.
    if !s
        .touches
        .iter()
        .enumerate()
        .all(|(k, t)| within(t.invoice, ni) && (t.prev as usize) <= k)
    {
        return Err(bad("a credit lot's invoice list"));
    }
    for lot in s.lots.iter() {
        let origin_ok = match lot.origin() {
            LotOrigin::Payment(p) => within(p, np),
            LotOrigin::Grant(g) => within(g, s.grants.len()),
            LotOrigin::CreditNote(n) => within(n, s.credit_notes.len()),
        };
        if !within(lot.customer, nc) || !origin_ok || lot.last_touch as usize > s.touches.len() {
            return Err(bad("a credit lot"));
        }
    }
    let grants_ok = s
        .grants
        .iter()
        .all(|g| within(g.customer, nc) && within(g.lot, nl));
    let apps_ok = s
        .applications
        .iter()
        .all(|a| within(a.customer, nc) && within(a.invoice, ni));
    let notes_ok = s.credit_notes.iter().all(|n| {
        within(n.customer, nc)
            && n.invoice.is_none_or(|i| within(i, ni))
            && n.lot.is_none_or(|l| within(l, nl))
    });
    let refunds_ok = s
        .refunds
        .iter()
        .all(|r| within(r.customer, nc) && r.taken.iter().all(|(l, _)| within(*l, nl)));
    let pvoids_ok = s
        .payment_voids
        .iter()
        .all(|v| within(v.payment, np) && v.reopened.iter().all(|(i, _)| within(*i, ni)));
    let ivoids_ok = s
        .invoice_voids
        .iter()
        .all(|v| within(v.invoice, ni) && v.returned.iter().all(|(src, _)| source_ok(src)));
    let write_offs_ok = s.write_offs.iter().all(|w| within(w.invoice, ni));
    let expiries_ok = s.expiries.iter().all(|x| {
        x.customer.is_none_or(|c| within(c, nc))
            && (x.first as usize)
                .checked_add(x.count as usize)
                .is_some_and(|end| end <= s.expired_lots.len())
    }) && s
        .expired_lots
        .iter()
        .all(|p| within(p.expiry, s.expiries.len()) && within(p.lot, nl));
    if !(grants_ok
        && apps_ok
        && notes_ok
        && refunds_ok
        && pvoids_ok
        && ivoids_ok
        && write_offs_ok
        && expiries_ok)
    {
        return Err(bad("a credit, credit note, refund or void"));
    }
    let record_ok = |r: &RecordRef| record_in_range(s, *r);
    for c in &s.customers {
        if !c
            .books
            .iter()
            .all(|b| b.entries.iter().all(|e| record_ok(&e.record())))
        {
            return Err(bad("a statement entry"));
        }
    }
    let voids_ok = s.payments.iter().all(|p| {
        p.voided_by
            .get()
            .is_none_or(|v| within(v, s.payment_voids.len()))
    });
    if !voids_ok {
        return Err(bad("a void mark"));
    }
    let accounts_ok =
        s.gl.accounts()
            .iter()
            .all(|((_, account), _)| match account {
                Account::Receivable(c) | Account::CustomerCredit(c) => within(*c, nc),
                _ => true,
            });
    if !accounts_ok {
        return Err(bad("a customer account"));
    }
    Ok(())
}

/// Whether an invoice's customer, lines, void mark and settlements' sources are inside
/// their tables (`nc` customers, `np` payments, `nl` lots).
fn invoice_references_ok(s: &State, inv: &Invoice<'_>, nc: usize, np: usize, nl: usize) -> bool {
    let within = |i: Idx, len: usize| (i as usize) < len;
    within(inv.customer, nc)
        && s.lines.holds(inv.lines)
        && inv
            .voided_by()
            .is_none_or(|v| within(v, s.invoice_voids.len()))
        && inv.latest_first().all(|(_, x)| match x.source {
            Source::Payment(p) => within(p, np),
            Source::Lot(l) => within(l, nl),
        })
}

/// Whether an invoice's settlements are positive and, with its credit notes and
/// write-offs (not negative), take no more than its total. Summed wide, so no sum of a
/// damaged snapshot's amounts can wrap; checked before anything reads its amount due.
fn settled_within_total(inv: &Invoice<'_>) -> bool {
    let r = inv.running();
    let mut taken = i128::from(r.credited.units()) + i128::from(r.written_off.units());
    for (_, x) in inv.latest_first() {
        if x.amount.units() <= 0 {
            return false;
        }
        taken += i128::from(x.amount.units());
    }
    r.credited.units() >= 0
        && r.written_off.units() >= 0
        && taken <= i128::from(inv.total_minor().units())
}

/// Whether a record reference points inside its table.
fn record_in_range(s: &State, record: RecordRef) -> bool {
    let within = |i: Idx, len: usize| (i as usize) < len;
    match record {
        RecordRef::Customer(i) => within(i, s.customers.len()),
        RecordRef::Invoice(i) => within(i, s.invoices.len()),
        RecordRef::Payment(i) => within(i, s.payments.len()),
        RecordRef::Grant(i) => within(i, s.grants.len()),
        RecordRef::Application(i) => within(i, s.applications.len()),
        RecordRef::CreditNote(i) => within(i, s.credit_notes.len()),
        RecordRef::Refund(i) => within(i, s.refunds.len()),
        RecordRef::PaymentVoid(i) => within(i, s.payment_voids.len()),
        RecordRef::InvoiceVoid(i) => within(i, s.invoice_voids.len()),
        RecordRef::Config(i) => within(i, s.configs.len()),
        RecordRef::WriteOff(i) => within(i, s.write_offs.len()),
        RecordRef::Expiry(i) => within(i, s.expiries.len()),
        RecordRef::ExpiredLot(i) => within(i, s.expired_lots.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stable_hash::checksum;

    fn ids(seqs: &[u64]) -> Vec<(RecordRef, u64, u64)> {
        seqs.iter()
            .enumerate()
            .map(|(i, &s)| (RecordRef::Invoice(i as Idx), s * 7, s))
            .collect()
    }

    #[test]
    fn within_half_is_the_value_comparison() {
        const HALF: Decimal = Decimal::from_parts(u32::MAX, u32::MAX, i32::MAX as u32, false, 0);
        let top = u32::MAX;
        let mut values = vec![Decimal::ZERO, Decimal::MAX, Decimal::MIN, HALF, -HALF];
        for scale in [0, 1, 2, 27, 28] {
            for (lo, mid, hi) in [
                (top, top, i32::MAX as u32),     // 2^95 - 1
                (0, 0, 1 << 31),                 // 2^95
                (1, 0, 1 << 31),                 // 2^95 + 1
                (top, top, top),                 // 2^96 - 1
                (top - 1, top, i32::MAX as u32), // 2^95 - 2
                (1, 0, 0),
            ] {
                for negative in [false, true] {
                    values.push(Decimal::from_parts(lo, mid, hi, negative, scale));
                }
            }
        }
        for d in values {
            assert_eq!(within_half(d), d.abs() <= HALF, "{d:?}");
        }
        // The largest values let through still add without overflowing.
        let max_in = Decimal::from_parts(top, top, i32::MAX as u32, false, 0);
        assert_eq!(add(max_in, max_in), max_in.checked_add(max_in));
        assert!(add(max_in, max_in).is_some());
        let wide = Decimal::from_parts(top, top, top, true, 1);
        assert_eq!(add(wide, -max_in), wide.checked_add(-max_in));
        assert_eq!(add(Decimal::MAX, Decimal::ONE), None);
    }

    #[test]
    fn ids_of_consecutive_seqs_in_any_order_are_dense() {
        assert_eq!(dense_from(&ids(&[14, 11, 13, 10, 12])), Some(10));
        assert_eq!(dense_from(&ids(&[7])), Some(7));
    }

    #[test]
    fn ids_with_a_gap_or_a_repeat_are_not_dense() {
        for seqs in [&[3u64, 1, 5][..], &[2, 1, 2], &[]] {
            assert_eq!(dense_from(&ids(seqs)), None, "{seqs:?}");
        }
    }

    /// A ledger with one customer and one invoice, plus an invoice `ix` with a line of
    /// the given net, tax and gross and a subtotal of `subtotal` (credited in full so
    /// that the books and the general ledger still agree), indexed as the engine would.
    fn with_odd_invoice(net: &str, tax: &str, gross: &str, subtotal: i64) -> Vec<u8> {
        with_odd_lines(&[(net, tax, gross)], subtotal)
    }

    /// `with_odd_invoice` with several lines, each of a net, tax and gross.
    fn with_odd_lines(amounts: &[(&str, &str, &str)], subtotal: i64) -> Vec<u8> {
        use crate::domain::LineInput;
        let mut ledger = Ledger::new();
        for c in [
            r#"{"type":"create_customer","id":"c1","name":"One","currency":"EUR"}"#,
            r#"{"type":"issue_invoice","id":"i1","customer":"c1","date":"2026-01-01","due_date":"2026-01-31","lines":[{"description":"Desk","quantity":"1","unit_price":"180.00","tax_rate":"0.20"}]}"#,
        ] {
            assert!(ledger.apply_json(c).is_ok(), "{c}");
        }
        let s = &mut ledger.state;
        let dec = |v: &str| v.parse::<Decimal>().unwrap();
        let lines: Vec<Line> = amounts
            .iter()
            .map(|&(net, tax, gross)| Line {
                input: LineInput {
                    description: "Odd".into(),
                    quantity: dec("1"),
                    unit_price: dec(net),
                    tax_rate: dec("0"),
                    discount_rate: dec("0"),
                },
                net: dec(net),
                tax: dec(tax),
                gross: dec(gross),
            })
            .collect();
        let lines = s.lines.push(&lines);
        let subtotal = crate::money::Minor::from_units(subtotal);
        with_credited_invoice(ledger, lines, subtotal, crate::money::Minor::ZERO)
    }

    /// The snapshot of `ledger` with an invoice "ix" added by hand, credited in full, on
    /// its first invoice's customer, currency and date, holding `lines`.
    fn with_credited_invoice(
        mut ledger: Ledger,
        lines: crate::state::lines::LineSpan,
        subtotal: crate::money::Minor,
        tax: crate::money::Minor,
    ) -> Vec<u8> {
        let s = &mut ledger.state;
        let first = s.invoices.get(0);
        let data = InvoiceData {
            id: "ix".into(),
            number: "X-1".into(),
            customer: first.customer,
            currency: first.currency,
            date: first.date,
            due_date: first.date,
            prices_include_tax: false,
            tax_rounding: crate::domain::TaxRounding::Line,
            lines,
            subtotal,
            tax,
            credit_applied_at_issue: crate::money::Minor::ZERO,
            running: Running {
                credited: subtotal,
                credited_tax: tax,
                ..Running::default()
            },
            settlements: Vec::new(),
        };
        let i = s.invoices.push(&data).unwrap();
        s.seq += 1;
        s.add_id(IdEntry {
            record: RecordRef::Invoice(i),
            fingerprint: 0,
            seq: s.seq,
        });
        ledger.snapshot()
    }

    #[test]
    fn a_line_or_an_invoice_that_does_not_add_up_is_refused_naming_the_invoice() {
        for (net, tax, gross, subtotal) in
            [("0.00", "0.00", "0.01", 0), ("1.00", "0.00", "1.00", 0)]
        {
            let refused = Ledger::restore(&with_odd_invoice(net, tax, gross, subtotal));
            let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(
                message.contains("invoice 'ix' does not add up to its lines"),
                "{net} {tax} {gross} {subtotal}: {message}"
            );
        }
    }

    #[test]
    fn lines_whose_sums_overflow_are_written_without_panicking_and_refused_on_restore() {
        // Only a state built by hand holds them (the engine's limits, restore's checks).
        let max = "79228162514264337593543950335";
        for amounts in [
            &[(max, "0", max), (max, "0", max)][..],
            &[("1", max, max), ("1", max, max)],
            &[(max, "0", max)],
        ] {
            let bytes = with_odd_lines(amounts, 0);
            let message = Ledger::restore(&bytes)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                message.contains("invoice 'ix' does not add up to its lines"),
                "{amounts:?}: {message}"
            );
        }
    }

    /// A ledger whose line table holds two distinct lines, three texts and a wide line.
    fn with_lines() -> Ledger {
        let mut ledger = Ledger::new();
        let line = |d: &str, p: &str| {
            format!(
                r#"{{"description":"{d}","quantity":"1","unit_price":"{p}","tax_rate":"0.20"}}"#
            )
        };
        let invoice = |id: &str, lines: &[String]| {
            format!(
                r#"{{"type":"issue_invoice","id":"{id}","customer":"c1","date":"2026-01-01","due_date":"2026-01-31","lines":[{}]}}"#,
                lines.join(",")
            )
        };
        for c in [
            r#"{"type":"create_customer","id":"c1","name":"One","currency":"EUR"}"#.to_string(),
            invoice("i1", &[line("Desk", "180.00"), line("Room", "25.00")]),
            invoice("i2", &[line("Desk", "180.00")]),
            invoice("i3", &[line("Wide", "123456789012345.6789012345")]),
        ] {
            assert!(ledger.apply_json(&c).is_ok(), "{c}");
        }
        assert_eq!(ledger.state.lines.distinct_len(), 2);
        assert_eq!(ledger.state.lines.wide_len(), 1);
        ledger
    }

    /// `bytes` with its checksum made right again.
    fn resealed(mut bytes: Vec<u8>) -> Vec<u8> {
        let end = bytes.len() - TRAILER;
        let sum = checksum(&bytes[..end]);
        bytes[end + 8..].copy_from_slice(&sum.to_le_bytes());
        bytes
    }

    fn start_of(ledger: &Ledger, section: write::Section) -> usize {
        write::section_starts(&ledger.state)
            .into_iter()
            .find(|&(s, _)| s == section)
            .map(|(_, at)| at)
            .unwrap()
    }

    fn refused_as_undecodable(bytes: Vec<u8>, what: &str) {
        let message = Ledger::restore(&resealed(bytes))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            message.contains("does not decode as a version 4 snapshot"),
            "{what}: {message}"
        );
    }

    #[test]
    fn a_line_table_that_points_outside_itself_is_refused() {
        let ledger = with_lines();
        let bytes = ledger.snapshot();
        assert!(Ledger::restore(&bytes).is_ok());
        // The runs: their count (one byte), then little-endian line numbers.
        let runs = start_of(&ledger, write::Section::LineRuns) + 1;
        assert_eq!(bytes[runs..runs + 12], [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
        let mut beyond = bytes.clone();
        beyond[runs + 4] = 2;
        refused_as_undecodable(beyond, "a line number beyond the distinct lines");
        let mut huge = bytes.clone();
        huge[runs + 7] = 0x80;
        refused_as_undecodable(huge, "a line number of 2^31");

        // The distinct lines: their count, then 48 bytes each (description first).
        let distinct = start_of(&ledger, write::Section::LineDistinct) + 1;
        let mut text = bytes.clone();
        text[distinct] = 9;
        refused_as_undecodable(text, "a description beyond the texts");
        let mut scale = bytes.clone();
        scale[distinct + 4] = 29;
        refused_as_undecodable(scale, "a scale beyond Decimal's");
        let mut twice = bytes.clone();
        twice.copy_within(distinct..distinct + 48, distinct + 48);
        refused_as_undecodable(twice, "a distinct line twice");

        // The recent texts: one item, its count, then the numbers.
        let recent = start_of(&ledger, write::Section::LineRecent);
        assert_eq!(bytes[recent..recent + 2], [1, 3]);
        let mut unknown = bytes.clone();
        unknown[recent + 2] = 7;
        refused_as_undecodable(unknown, "a recent text that isn't one");
    }

    /// `with_lines` and an invoice "ix" (credited in full) holding `count` packed lines
    /// from `first`, which must be inside the table.
    fn with_span(first: u32, count: u32) -> Vec<u8> {
        let mut ledger = with_lines();
        let s = &mut ledger.state;
        let lines = crate::state::lines::LineSpan::new(first, count, false).unwrap();
        let (net, tax) = super::write::line_sums(s.lines.iter(lines)).unwrap();
        let currency = s.invoices.get(0).currency;
        let subtotal = crate::money::Minor::of(net, currency).unwrap();
        let tax = crate::money::Minor::of(tax, currency).unwrap();
        with_credited_invoice(ledger, lines, subtotal, tax)
    }

    #[test]
    fn an_invoice_whose_lines_lie_beyond_the_table_is_refused() {
        // Where its span is: the byte that differs when only the start does (a zigzag
        // distance from the end of i2's lines), after the count and table (one byte).
        let base = with_span(0, 0);
        assert!(Ledger::restore(&base).is_ok());
        let body = base.len() - TRAILER;
        let differs = |other: Vec<u8>| {
            assert_eq!(other.len(), base.len());
            let at: Vec<usize> = (0..body).filter(|&k| other[k] != base[k]).collect();
            assert_eq!(at.len(), 1, "{at:?}");
            at[0]
        };
        let first_at = differs(with_span(1, 0));
        let count_at = first_at - 1;
        assert_eq!(
            (base[count_at], base[first_at]),
            (0, 5),
            "count 0, start -3"
        );
        let zigzag = |v: i8| ((v << 1) ^ (v >> 7)) as u8;
        for (count, wide, start, what) in [
            (1, false, -4, "starting before the table"),
            (3, false, -2, "ending beyond the runs"),
            (4, false, -3, "more lines than the runs hold"),
            (
                2,
                true,
                -1,
                "ending beyond the wide lines (from the end of i3's)",
            ),
        ] {
            let mut bytes = base.clone();
            bytes[count_at] = count << 1 | u8::from(wide);
            bytes[first_at] = zigzag(start);
            refused_as_undecodable(bytes, what);
        }
        // A start near 2^32 doesn't wrap around to inside the table.
        let table = &with_lines().state.lines;
        let wrapping = crate::state::lines::LineSpan::new(u32::MAX - 1, 3, false).unwrap();
        assert!(!table.holds(wrapping));
    }

    #[test]
    fn an_id_held_by_two_records_is_refused_naming_it() {
        let mut ledger = Ledger::new();
        for c in [
            r#"{"type":"create_customer","id":"cust-aaaa1","name":"One","currency":"EUR"}"#,
            r#"{"type":"create_customer","id":"cust-bbbb1","name":"Two","currency":"EUR"}"#,
        ] {
            assert!(ledger.apply_json(c).is_ok(), "{c}");
        }
        let mut bytes = ledger.snapshot();
        let at: Vec<usize> = (0..bytes.len() - 5)
            .filter(|&k| &bytes[k..k + 5] == b"bbbb1")
            .collect();
        assert_eq!(at.len(), 1);
        bytes[at[0]..at[0] + 5].copy_from_slice(b"aaaa1");
        let message = Ledger::restore(&resealed(bytes))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            message.contains("id 'cust-aaaa1' appears twice"),
            "{message}"
        );
    }

    /// A generated space of `commands` commands for `customers` customers, ingested.
    #[cfg(feature = "tools")]
    fn generated(customers: usize, commands: usize) -> Ledger {
        let texts: Vec<String> = crate::workload::generate(customers, commands, 7)
            .iter()
            .map(|c| c.to_string())
            .collect();
        let mut ledger = Ledger::new();
        for c in &texts {
            let _ = ledger.apply_json(c);
        }
        ledger
    }

    /// What a restore gives, to compare: the state as written and as held (indexes
    /// included), or the refusal.
    fn outcome(restored: Result<Ledger>) -> std::result::Result<(Vec<u8>, String), String> {
        restored
            .map(|l| (l.snapshot(), format!("{:?}", l.state)))
            .map_err(|e| e.to_string())
    }

    #[test]
    #[cfg(feature = "tools")]
    fn two_threads_restore_what_one_does() {
        let ledger = generated(40, 3_000);
        let bytes = ledger.snapshot();
        let (one, two) = (
            outcome(restore(&bytes, false)),
            outcome(restore(&bytes, true)),
        );
        assert_eq!(one, two);
        let (written, held) = two.expect("restores");
        assert_eq!(written, bytes);
        assert_eq!(
            held,
            format!("{:?}", Ledger::restore(&bytes).unwrap().state)
        );
        // The ids were decoded in place, not listed.
        let placed = |bytes: &[u8]| {
            let p = in_two(bytes);
            p.map(|p| (p.placed.is_some(), p.ids.len()))
        };
        assert_eq!(placed(&bytes), Some((true, 0)));
        // Where the second thread's tables start is where the first's decoding ends.
        let payments = start_of(&ledger, write::Section::Payments);
        let mark = skip::to_payments(&bytes[VERSION_END..], 0).map(|m| m.at + VERSION_END);
        // The payload starts after the seq, the numbering and the count of records.
        let head = start_of(&ledger, write::Section::Customers);
        let mark_from_head = skip::to_payments(&bytes[VERSION_END..], head - VERSION_END)
            .map(|m| m.at + VERSION_END);
        assert_ne!(mark, Some(payments), "the head is not a customer table");
        assert_eq!(mark_from_head, Some(payments));
    }

    /// A format 4 snapshot's payload decoded as on two threads, its seal given.
    #[cfg(feature = "tools")]
    fn in_two(bytes: &[u8]) -> Option<Payload> {
        let (p, seal) = current(bytes, FORMAT_VERSION, true).ok()?;
        assert!(seal.is_some(), "the seal is returned for the checks");
        Some(p)
    }

    /// Restored in order and on two threads: the same state, written back as `bytes`.
    #[cfg(feature = "tools")]
    fn restores_alike_both_ways(bytes: &[u8]) {
        let (one, two) = (
            outcome(restore(bytes, false)),
            outcome(restore(bytes, true)),
        );
        assert_eq!(one, two);
        assert_eq!(two.expect("restores").0, bytes);
    }

    #[test]
    #[cfg(feature = "tools")]
    fn ids_whose_first_seq_is_not_the_guess_are_listed_and_restore_the_same() {
        // Commands after the last id (a state only a hand can make): the ids' seqs end
        // before the state's, so they are read again listed, with the same result.
        let mut ledger = generated(12, 600);
        ledger.state.seq += 3;
        let bytes = ledger.snapshot();
        let p = in_two(&bytes).expect("decodes");
        assert!(p.placed.is_none() && p.ids.len() == all_record_count(&ledger.state));
        restores_alike_both_ways(&bytes);
    }

    #[test]
    #[cfg(feature = "tools")]
    fn two_ids_of_one_seq_decoded_in_place_restore_as_listed() {
        // Id 5 made by id 4's seq (a state only a hand can make): every seq is still
        // within the guess, so the ids are decoded in place, and their index is built
        // from them listed, as on one thread.
        let mut ledger = generated(12, 600);
        let s = &mut ledger.state;
        let entries: Vec<IdEntry> = s.ids.iter().collect();
        let mut index = IdIndex::for_restore(entries.len(), None);
        for (k, e) in entries.iter().enumerate() {
            let seq = if k == 5 { entries[4].seq } else { e.seq };
            let hash = hash_id(s.record_id(e.record));
            assert!(index.restore(hash, IdEntry { seq, ..*e }, &|r| s.record_id(r)));
        }
        s.ids = index;
        let bytes = ledger.snapshot();
        let p = in_two(&bytes).expect("decodes");
        assert!(p.placed.is_some());
        restores_alike_both_ways(&bytes);
    }

    #[test]
    #[cfg(feature = "tools")]
    fn two_threads_refuse_what_one_does() {
        // Each of a spread of bytes changed, with the checksum made right again and not:
        // the same refusal (or the same state) either way.
        let bytes = generated(12, 600).snapshot();
        let body = bytes.len() - TRAILER;
        let (mut refused, mut kept) = (0, 0);
        for at in (VERSION_END..body).step_by(31) {
            for change in [1u8, 0x80] {
                let mut damaged = bytes.clone();
                damaged[at] ^= change;
                for damaged in [resealed(damaged.clone()), damaged] {
                    let one = outcome(restore(&damaged, false));
                    assert_eq!(
                        one,
                        outcome(restore(&damaged, true)),
                        "byte {at} ^ {change}"
                    );
                    match one {
                        Ok(_) => kept += 1,
                        Err(_) => refused += 1,
                    }
                }
            }
        }
        assert!(refused > 300 && kept > 0, "{refused} refused, {kept} kept");
    }

    #[test]
    fn a_gross_of_its_own_that_adds_up_is_kept_as_it_was() {
        // Equal to net + tax in value but not in scale: written, read and kept as is.
        let bytes = with_odd_invoice("1.00", "0.00", "1.0", 100);
        let restored = Ledger::restore(&bytes).expect("restores");
        assert_eq!(restored.snapshot(), bytes);
    }
}
