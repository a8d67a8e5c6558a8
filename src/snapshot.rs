//! Snapshots: the whole state as bytes, and its restore.
//!
//! Layout: `b"TALLYSNP"`, format version (u32 LE), payload length (u64 LE), checksum of
//! the payload (u64 LE, `stable_hash::checksum`), then the payload in postcard. Indexes (the id map's lookup
//! structure, open invoices, credit lots) are not stored but rebuilt, and the books'
//! sums are recomputed and compared, so a snapshot that decodes but doesn't hang
//! together is refused instead of half-loaded. A restored ledger's journal starts after
//! the snapshot's sequence number: replaying the entries after it gives the same state
//! as replaying everything.

#![warn(missing_docs)]

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{err, Result};
use crate::ledger::Ledger;
use crate::money::Currency;
use crate::stable_hash::checksum;
use crate::state::ledger_accounts::{Account, GeneralLedger};
use crate::state::numbering::Numbering;
use crate::state::records::*;
use crate::state::{IdEntry, IdIndex, State};

mod v1;

const MAGIC: &[u8; 8] = b"TALLYSNP";
/// Bumped whenever the payload's shape changes. Version 1 (before write-offs, expiring
/// credit and tax rounding) is read and migrated (`v1`); unknown versions are refused,
/// not guessed.
pub const FORMAT_VERSION: u32 = 2;
const HEADER: usize = 8 + 4 + 8 + 8;

/// The snapshot's content, as read. `PayloadRef` below is the same shape borrowed, for
/// writing without copying the state; postcard is positional, so the two must list the
/// same fields in the same order.
#[derive(Deserialize)]
struct Payload {
    seq: u64,
    numbering: Numbering,
    /// (record, fingerprint, seq) in table order; the id text is in the record.
    #[serde(deserialize_with = "presized::vec")]
    ids: Vec<(RecordRef, u64, u64)>,
    #[serde(deserialize_with = "presized::vec")]
    customers: Vec<Customer>,
    #[serde(deserialize_with = "presized::vec")]
    invoices: Vec<Invoice>,
    #[serde(deserialize_with = "presized::vec")]
    payments: Vec<Payment>,
    #[serde(deserialize_with = "presized::vec")]
    lots: Vec<Lot>,
    #[serde(deserialize_with = "presized::vec")]
    grants: Vec<Grant>,
    #[serde(deserialize_with = "presized::vec")]
    applications: Vec<Application>,
    #[serde(deserialize_with = "presized::vec")]
    credit_notes: Vec<CreditNote>,
    #[serde(deserialize_with = "presized::vec")]
    refunds: Vec<Refund>,
    #[serde(deserialize_with = "presized::vec")]
    payment_voids: Vec<PaymentVoid>,
    #[serde(deserialize_with = "presized::vec")]
    invoice_voids: Vec<InvoiceVoid>,
    configs: Vec<Config>,
    #[serde(deserialize_with = "presized::vec")]
    write_offs: Vec<WriteOff>,
    #[serde(deserialize_with = "presized::vec")]
    expiries: Vec<Expiry>,
    #[serde(deserialize_with = "presized::vec")]
    expired_lots: Vec<ExpiredLot>,
    #[serde(with = "crate::money::dec_pairs")]
    accounts: Vec<((Currency, Account), Decimal)>,
}

#[derive(Serialize)]
struct PayloadRef<'a> {
    seq: u64,
    numbering: &'a Numbering,
    ids: Vec<(RecordRef, u64, u64)>,
    customers: &'a [Customer],
    invoices: &'a [Invoice],
    payments: &'a [Payment],
    lots: &'a [Lot],
    grants: &'a [Grant],
    applications: &'a [Application],
    credit_notes: &'a [CreditNote],
    refunds: &'a [Refund],
    payment_voids: &'a [PaymentVoid],
    invoice_voids: &'a [InvoiceVoid],
    configs: &'a [Config],
    write_offs: &'a [WriteOff],
    expiries: &'a [Expiry],
    expired_lots: &'a [ExpiredLot],
    #[serde(with = "crate::money::dec_pairs")]
    accounts: Vec<((Currency, Account), Decimal)>,
}

impl Ledger {
    /// The whole state as bytes. Deterministic: the same state gives the same bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        let s = &self.state;
        // In table order (deterministic, no sort): every record has exactly one id.
        let ids: Vec<(RecordRef, u64, u64)> = all_records(s)
            .filter_map(|r| s.id_entry(s.record_id(r)))
            .map(|e| (e.record, e.fingerprint, e.seq))
            .collect();
        let payload = PayloadRef {
            seq: s.seq,
            numbering: &s.numbering,
            ids,
            customers: &s.customers,
            invoices: &s.invoices,
            payments: &s.payments,
            lots: &s.lots,
            grants: &s.grants,
            applications: &s.applications,
            credit_notes: &s.credit_notes,
            refunds: &s.refunds,
            payment_voids: &s.payment_voids,
            invoice_voids: &s.invoice_voids,
            configs: &s.configs,
            write_offs: &s.write_offs,
            expiries: &s.expiries,
            expired_lots: &s.expired_lots,
            accounts: s.gl.accounts(),
        };
        // Encoding owned records into a Vec has no failure path (no unsized sequences, no
        // unsupported types); a static message keeps postcard's Debug text out of the wasm.
        let Ok(body) = postcard::to_allocvec(&payload) else {
            panic!("snapshot encoding failed");
        };
        let mut out = Vec::with_capacity(HEADER + body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&checksum(&body).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// Restores a ledger from `snapshot()` bytes. A damaged, truncated, foreign or
    /// inconsistent snapshot is refused with a message saying which.
    pub fn restore(bytes: &[u8]) -> Result<Ledger> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(err!(
                InvalidInput,
                "snapshot: not a Tally snapshot (bad header)"
            ));
        }
        let word = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let long = |at: usize| u64::from(word(at)) | (u64::from(word(at + 4)) << 32);
        let version = word(8);
        if version != FORMAT_VERSION && version != 1 {
            return Err(err!(
                InvalidInput,
                "snapshot: format version {version}; this engine reads version {FORMAT_VERSION}"
            ));
        }
        let len = long(12);
        let body = &bytes[HEADER..];
        if body.len() as u64 != len {
            return Err(err!(
                InvalidInput,
                "snapshot: {} payload bytes, header says {len} (truncated or padded)",
                body.len()
            ));
        }
        let stored = long(20);
        if checksum(body) != stored {
            return Err(err!(
                InvalidInput,
                "snapshot: checksum mismatch (the bytes are damaged)"
            ));
        }
        // postcard's own error text is not worth its size in the wasm.
        let undecodable = || {
            err!(
                InvalidInput,
                "snapshot: the payload does not decode as a version {version} snapshot"
            )
        };
        let (p, rest): (Payload, &[u8]) = if version == 1 {
            // Older formats are migrated natively and by the wasm bulk module; the shipped
            // module leaves their decoders out (size budget) and the page migrates first.
            if !cfg!(any(feature = "bulk", not(target_arch = "wasm32"))) {
                return Err(err!(
                    InvalidInput,
                    "snapshot: format version {version} must be migrated first (migrateSnapshot)"
                ));
            }
            let (old, rest) =
                postcard::take_from_bytes::<v1::PayloadV1>(body).map_err(|_| undecodable())?;
            (old.migrate()?, rest)
        } else {
            postcard::take_from_bytes(body).map_err(|_| undecodable())?
        };
        // Bytes after the state (counted in the header and the checksum, so put there on
        // purpose) mean a snapshot this engine did not write.
        if !rest.is_empty() {
            return Err(err!(
                InvalidInput,
                "snapshot: {} bytes follow the state (not a snapshot this engine wrote)",
                rest.len()
            ));
        }
        let state = rebuild(p)?;
        Ok(Ledger {
            journal_base: state.seq,
            state,
            journal: Vec::new(),
        })
    }
}

fn rebuild(p: Payload) -> Result<State> {
    let mut s = State {
        seq: p.seq,
        ids: Default::default(),
        customers: p.customers,
        invoices: p.invoices,
        payments: p.payments,
        lots: p.lots,
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
    check_references(&s)?;
    let mut ids = IdIndex::default();
    ids.reserve(p.ids.len());
    for (record, fingerprint, seq) in p.ids {
        if !record_in_range(&s, record) {
            return Err(err!(
                InvalidInput,
                "snapshot: an id names a record outside its table"
            ));
        }
        let id = s.record_id(record);
        if s.ids_contains(&ids, id) {
            return Err(err!(InvalidInput, "snapshot: id '{id}' appears twice"));
        }
        ids.insert(IdEntry::new(id, record, fingerprint, seq));
    }
    s.ids = ids;
    // Rebuild the indexes and recompute the books' sums.
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
    for (i, inv) in s.invoices.iter().enumerate() {
        let due = inv.amount_due();
        if due.is_zero() {
            continue;
        }
        let b = find(&mut sums, inv.customer, inv.currency)?;
        sums[inv.customer as usize][b].1 += due;
        s.customers[inv.customer as usize].books[b]
            .open
            .insert(inv.open_key(i as Idx));
    }
    for (i, lot) in s.lots.iter().enumerate() {
        if lot.remaining.is_zero() {
            continue;
        }
        let b = find(&mut sums, lot.customer, lot.currency)?;
        sums[lot.customer as usize][b].2 += lot.remaining;
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
    check_invariants(&s)?;
    Ok(s)
}

/// The ledger's invariants, checked on restore so a snapshot that decodes but doesn't
/// hang together (a bug in a writer, or bytes edited and re-checksummed) is refused
/// whole instead of failing later: invoice arithmetic, non-negative amounts, the trial
/// balance, customer accounts against their books, statements against balances.
fn check_invariants(s: &State) -> Result<()> {
    let bad = |what: String| err!(InvalidInput, "snapshot: {what}");
    for inv in &s.invoices {
        let net: Decimal = inv.lines.iter().map(|l| l.net).sum();
        let tax: Decimal = inv.lines.iter().map(|l| l.tax).sum();
        let lines_ok = inv.lines.iter().all(|l| l.gross == l.net + l.tax);
        let received = inv.received();
        if !lines_ok || net != inv.subtotal || tax != inv.tax || inv.total != net + tax {
            return Err(bad(format!(
                "invoice '{}' does not add up to its lines",
                inv.id
            )));
        }
        let settled_ok = inv.settlements.iter().all(|x| x.amount > Decimal::ZERO);
        if !settled_ok
            || inv.credited.is_sign_negative()
            || inv.written_off.is_sign_negative()
            || inv.credited + received + inv.written_off > inv.total
        {
            return Err(bad(format!(
                "invoice '{}' is settled or credited beyond its total",
                inv.id
            )));
        }
    }
    if s.lots
        .iter()
        .any(|l| l.remaining.is_sign_negative() || l.refunded.is_sign_negative())
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
    for (i, c) in s.customers.iter().enumerate() {
        for book in &c.books {
            let receivable = s.gl.balance(book.currency, Account::Receivable(i as Idx));
            let credit =
                s.gl.balance(book.currency, Account::CustomerCredit(i as Idx));
            let statement: Decimal = book.entries.iter().map(|e| e.amount).sum();
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
    Ok(())
}

/// Every index a record holds points inside its table, so no later lookup can panic.
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
    for inv in &s.invoices {
        if !within(inv.customer, nc) || !inv.settlements.iter().all(|x| source_ok(&x.source)) {
            return Err(bad("an invoice"));
        }
    }
    for p in &s.payments {
        if !within(p.customer, nc)
            || !within(p.lot, nl)
            || !p.allocations.iter().all(|(i, _)| within(*i, ni))
        {
            return Err(bad("a payment"));
        }
    }
    for lot in &s.lots {
        let origin_ok = match lot.origin {
            LotOrigin::Payment(p) => within(p, np),
            LotOrigin::Grant(g) => within(g, s.grants.len()),
            LotOrigin::CreditNote(n) => within(n, s.credit_notes.len()),
        };
        if !within(lot.customer, nc) || !origin_ok || !lot.touched.iter().all(|i| within(*i, ni)) {
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
            .all(|b| b.entries.iter().all(|e| record_ok(&e.record)))
        {
            return Err(bad("a statement entry"));
        }
    }
    let voids_ok = s
        .invoices
        .iter()
        .all(|i| i.voided_by.is_none_or(|v| within(v, s.invoice_voids.len())))
        && s.payments
            .iter()
            .all(|p| p.voided_by.is_none_or(|v| within(v, s.payment_voids.len())));
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

/// Every record, table by table, in creation order.
fn all_records(s: &State) -> impl Iterator<Item = RecordRef> + '_ {
    let n = |len: usize| 0..len as Idx;
    n(s.customers.len())
        .map(RecordRef::Customer)
        .chain(n(s.invoices.len()).map(RecordRef::Invoice))
        .chain(n(s.payments.len()).map(RecordRef::Payment))
        .chain(n(s.grants.len()).map(RecordRef::Grant))
        .chain(n(s.applications.len()).map(RecordRef::Application))
        .chain(n(s.credit_notes.len()).map(RecordRef::CreditNote))
        .chain(n(s.refunds.len()).map(RecordRef::Refund))
        .chain(n(s.payment_voids.len()).map(RecordRef::PaymentVoid))
        .chain(n(s.invoice_voids.len()).map(RecordRef::InvoiceVoid))
        .chain(n(s.configs.len()).map(RecordRef::Config))
        .chain(n(s.write_offs.len()).map(RecordRef::WriteOff))
        .chain(n(s.expiries.len()).map(RecordRef::Expiry))
}

/// Tables read at their full length at once. serde's `Vec` reader caps its first
/// allocation at 1 MiB (a guard against lengths a damaged input lies about) and then
/// doubles, copying: in wasm, where `realloc` of a large block is a copy, restoring 1M
/// commands peaked 117 MB higher. postcard already answers no `size_hint` when the
/// stated length exceeds the bytes left (every element takes at least one), so a lying
/// length still can't allocate more than the input justifies.
mod presized {
    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};

    pub fn vec<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        struct Items<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Items<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(items)
            }
        }
        d.deserialize_seq(Items(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::presized;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Table(#[serde(deserialize_with = "presized::vec")] Vec<u64>);

    #[test]
    fn a_table_reads_at_its_stated_length() {
        let bytes = postcard::to_allocvec(&vec![1u64, 300, 7]).unwrap();
        let table: Table = postcard::from_bytes(&bytes).expect("decodes");
        assert_eq!(table.0, vec![1, 300, 7]);
    }

    #[test]
    fn a_lying_length_allocates_no_more_than_the_input_holds() {
        // Stated length 2^62 (varint), then one element's byte: reserving that many u64s
        // would overflow, and any length the input can't hold is a lie.
        let bytes = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x01];
        let read = postcard::from_bytes::<Table>(&bytes);
        assert!(read.is_err(), "ran out of input instead of allocating");
    }
}
