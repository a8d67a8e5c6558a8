//! Versions 1 and 2: a 28-byte header (magic, version, payload length, payload
//! checksum) and a postcard payload through serde's derived decoders. Read natively and
//! by the bulk module only; a restored ledger writes the current format.

use rust_decimal::Decimal;
use serde::Deserialize;

use super::{v1, Payload};
use crate::date::Date;
use crate::domain::Method;
use crate::error::{err, Result};
use crate::money::{Currency, Minor};
use crate::stable_hash::checksum;
use crate::state::book::{entry_digest, Book, Entry};
use crate::state::chunked::Chunked;
use crate::state::invoices::Invoices;
use crate::state::ledger_accounts::Account;
use crate::state::lines::LineTable;
use crate::state::numbering::Numbering;
use crate::state::records::*;
use crate::state::texts::TextArena;

const HEADER: usize = 8 + 4 + 8 + 8;

/// Version 2's payload; postcard is positional, so this lists exactly the fields
/// version 2 wrote, in order.
#[derive(Deserialize)]
struct PayloadV2 {
    seq: u64,
    numbering: Numbering,
    #[serde(deserialize_with = "presized::vec")]
    ids: Vec<(RecordRef, u64, u64)>,
    #[serde(deserialize_with = "presized::vec")]
    customers: Vec<CustomerV2>,
    #[serde(deserialize_with = "presized::vec")]
    invoices: Vec<InvoiceV2>,
    #[serde(deserialize_with = "presized::vec")]
    payments: Vec<PaymentV2>,
    #[serde(deserialize_with = "presized::vec")]
    lots: Vec<LotV2>,
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

/// A customer as versions 1 and 2 held it: its books with `Decimal` entries.
#[derive(Deserialize)]
pub(super) struct CustomerV2 {
    id: String,
    name: String,
    email: Option<String>,
    currency: Currency,
    books: Vec<BookV2>,
}

#[derive(Deserialize)]
struct BookV2 {
    currency: Currency,
    #[serde(with = "crate::money::dec")]
    outstanding: Decimal,
    #[serde(with = "crate::money::dec")]
    credit: Decimal,
    entries: Vec<EntryV2>,
}

#[derive(Deserialize)]
struct EntryV2 {
    date: Date,
    seq: u64,
    record: RecordRef,
    #[serde(with = "crate::money::dec")]
    amount: Decimal,
}

impl CustomerV2 {
    /// The customer with its entries' amounts in minor units; an amount that isn't a
    /// whole number of them (or a seq beyond 48 bits) is not something the engine wrote.
    pub(super) fn into_customer(self, digest: &mut u64) -> Result<Customer> {
        let mut books = Vec::with_capacity(self.books.len());
        for b in self.books {
            let mut book = Book::new(b.currency);
            book.outstanding = b.outstanding;
            book.credit = b.credit;
            book.entries.reserve_exact(b.entries.len());
            for e in b.entries {
                let amount = Minor::of(e.amount, b.currency)
                    .filter(|_| e.seq >> 48 == 0)
                    .ok_or_else(|| {
                        err!(
                            InvalidInput,
                            "snapshot: customer '{}' has a statement entry this engine can't hold",
                            self.id
                        )
                    })?;
                *digest = entry_digest(*digest, e.date, amount);
                book.entries.push(Entry::new(e.seq, e.record));
            }
            books.push(book);
        }
        Ok(Customer {
            id: self.id,
            name: self.name,
            email: self.email,
            currency: self.currency,
            books,
        })
    }
}

/// The customers of a version 1 or 2 payload, brought to the current shape.
/// The customers, and the digest of their statement entries' dates and amounts.
pub(super) fn customers(old: Vec<CustomerV2>) -> Result<(Vec<Customer>, u64)> {
    let mut out = Vec::with_capacity(old.len());
    let mut digest = 0;
    for c in old {
        out.push(c.into_customer(&mut digest)?);
    }
    Ok((out, digest))
}

/// A payment as versions 1 and 2 held it: texts and allocations of its own.
#[derive(Deserialize)]
pub(super) struct PaymentV2 {
    id: String,
    customer: Idx,
    currency: Currency,
    #[serde(with = "crate::money::dec")]
    amount: Decimal,
    method: Method,
    date: Date,
    reference: Option<String>,
    lot: Idx,
    #[serde(with = "crate::money::dec_pairs")]
    allocations: Vec<(Idx, Decimal)>,
    voided_by: Option<Idx>,
}

/// Payments (their texts in `texts`, allocations in `allocations`) from versions 1
/// and 2.
pub(super) fn payments(
    old: Vec<PaymentV2>,
    texts: &mut TextArena,
    allocations: &mut Chunked<PaymentAllocation>,
) -> Result<Chunked<Payment>> {
    let unheld = |id: &str| {
        err!(
            InvalidInput,
            "snapshot: payment '{}' holds an amount or text this engine can't hold",
            crate::error::clip(id)
        )
    };
    let mut out = Chunked::default();
    for p in old {
        let minor = |d: Decimal| Minor::of(d, p.currency).ok_or_else(|| unheld(&p.id));
        let first = u32::try_from(allocations.len()).map_err(|_| unheld(&p.id))?;
        for &(invoice, amount) in &p.allocations {
            let amount = minor(amount)?;
            allocations.push(PaymentAllocation { invoice, amount });
        }
        let reference = match &p.reference {
            None => None,
            Some(r) => Some(texts.push(r).ok_or_else(|| unheld(&p.id))?),
        };
        out.push(Payment {
            id: texts.push(&p.id).ok_or_else(|| unheld(&p.id))?,
            customer: p.customer,
            currency: p.currency,
            amount: minor(p.amount)?,
            method: p.method,
            date: p.date,
            reference,
            lot: p.lot,
            allocations: first,
            voided_by: MaybeIdx::of(p.voided_by).ok_or_else(|| unheld(&p.id))?,
        });
    }
    Ok(out)
}

/// A credit lot as versions 1 and 2 held it: amounts as `Decimal`s, its invoices in a
/// `Vec` of its own.
#[derive(Deserialize)]
pub(super) struct LotV2 {
    pub customer: Idx,
    pub currency: Currency,
    pub origin: LotOrigin,
    #[serde(with = "crate::money::dec")]
    pub remaining: Decimal,
    #[serde(with = "crate::money::dec")]
    pub refunded: Decimal,
    pub touched: Vec<Idx>,
    pub valid_until: Option<Date>,
}

/// Lots (their invoice lists in `touches`) from versions 1 and 2.
pub(super) fn lots(
    old: impl IntoIterator<Item = LotV2>,
    touches: &mut Chunked<Touch>,
) -> Result<Chunked<Lot>> {
    let unheld = || {
        err!(
            InvalidInput,
            "snapshot: a credit lot holds an amount this engine can't hold"
        )
    };
    let mut out = Chunked::default();
    for l in old {
        let mut lot = Lot::new(l.customer, l.currency, l.origin, l.valid_until);
        lot.remaining = Minor::of(l.remaining, l.currency).ok_or_else(unheld)?;
        lot.refunded = Minor::of(l.refunded, l.currency).ok_or_else(unheld)?;
        for invoice in l.touched {
            touches.push(Touch {
                invoice,
                prev: lot.last_touch,
            });
            lot.last_touch = u32::try_from(touches.len()).map_err(|_| unheld())?;
        }
        out.push(lot);
    }
    Ok(out)
}

/// An invoice as versions 1 and 2 held it: its lines in a `Vec` of its own.
#[derive(Deserialize)]
pub(super) struct InvoiceV2 {
    pub id: String,
    pub number: String,
    pub customer: Idx,
    pub currency: Currency,
    pub date: Date,
    pub due_date: Date,
    pub prices_include_tax: bool,
    pub lines: Vec<Line>,
    #[serde(with = "crate::money::dec")]
    pub subtotal: Decimal,
    #[serde(with = "crate::money::dec")]
    pub tax: Decimal,
    #[serde(with = "crate::money::dec")]
    pub total: Decimal,
    #[serde(with = "crate::money::dec")]
    pub credited: Decimal,
    #[serde(with = "crate::money::dec")]
    pub credited_tax: Decimal,
    pub settlements: Vec<SettlementV2>,
    #[serde(with = "crate::money::dec")]
    pub credit_applied_at_issue: Decimal,
    pub voided_by: Option<Idx>,
    #[serde(with = "crate::money::dec")]
    pub written_off: Decimal,
    #[serde(with = "crate::money::dec")]
    pub written_off_tax: Decimal,
    pub tax_rounding: TaxRounding,
}

/// A settlement as versions 1 and 2 held it.
#[derive(Deserialize)]
pub(super) struct SettlementV2 {
    source: Source,
    #[serde(with = "crate::money::dec")]
    amount: Decimal,
}

impl InvoiceV2 {
    /// The invoice with its lines moved into the ledger's line table and its amounts
    /// in minor units; refused if an amount isn't whole minor units that fit, or the
    /// total isn't its subtotal and tax.
    pub(super) fn into_invoice(self, table: &mut LineTable) -> Result<InvoiceData> {
        let cur = self.currency;
        let id = self.id;
        let unfit = || {
            err!(
                InvalidInput,
                "snapshot: invoice '{}' holds an amount that isn't whole {cur} minor units the ledger can hold",
                crate::error::clip(&id)
            )
        };
        let minor = |d: Decimal| Minor::of(d, cur).ok_or_else(unfit);
        let (subtotal, tax) = (minor(self.subtotal)?, minor(self.tax)?);
        if subtotal.checked_add(tax) != Some(minor(self.total)?) {
            return Err(unfit());
        }
        let mut settlements = Vec::with_capacity(self.settlements.len());
        for s in &self.settlements {
            settlements.push(Settlement {
                source: s.source,
                amount: minor(s.amount)?,
            });
        }
        Ok(InvoiceData {
            running: Running {
                credited: minor(self.credited)?,
                credited_tax: minor(self.credited_tax)?,
                written_off: minor(self.written_off)?,
                written_off_tax: minor(self.written_off_tax)?,
                voided_by: self.voided_by,
            },
            credit_applied_at_issue: minor(self.credit_applied_at_issue)?,
            subtotal,
            tax,
            settlements,
            id: id.into(),
            number: self.number.into(),
            customer: self.customer,
            currency: cur,
            date: self.date,
            due_date: self.due_date,
            prices_include_tax: self.prices_include_tax,
            lines: table.push(&self.lines),
            tax_rounding: self.tax_rounding,
        })
    }
}

/// The refusal of an invoice whose id or number is longer than the invoice table holds
/// (no engine wrote one).
pub(super) fn text_too_long() -> crate::Error {
    err!(
        InvalidInput,
        "snapshot: an invoice id or number is longer than the ledger holds"
    )
}

impl PayloadV2 {
    fn migrate(self) -> Result<Payload> {
        let p = self;
        let mut texts = TextArena::default();
        let mut allocations = Chunked::default();
        let mut touches = Chunked::default();
        let mut lines = LineTable::default();
        let mut invoices = Invoices::default();
        for i in p.invoices {
            invoices
                .push(&i.into_invoice(&mut lines)?)
                .ok_or_else(text_too_long)?;
        }
        let (customers, entry_digest) = customers(p.customers)?;
        Ok(Payload {
            seq: p.seq,
            #[cfg(not(target_arch = "wasm32"))]
            placed: None,
            numbering: p.numbering,
            entry_digest,
            ids: p.ids,
            id_hashes: Vec::new(),
            lines_to_check: None,
            customers,
            payments: payments(p.payments, &mut texts, &mut allocations)?,
            texts,
            allocations,
            invoices,
            lines,
            lots: lots(p.lots, &mut touches)?,
            touches,
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
            accounts: p.accounts,
        })
    }
}

/// Checks a version 1 or 2 snapshot's header and checksum and decodes its payload.
pub(super) fn read(version: u32, bytes: &[u8]) -> Result<Payload> {
    if bytes.len() < HEADER {
        return Err(err!(
            InvalidInput,
            "snapshot: not a Tally snapshot (bad header)"
        ));
    }
    let long = |at: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(word)
    };
    let len = long(12);
    let body = &bytes[HEADER..];
    if body.len() as u64 != len {
        return Err(err!(
            InvalidInput,
            "snapshot: {} payload bytes, header says {len} (truncated or padded)",
            body.len()
        ));
    }
    if checksum(body) != long(20) {
        return Err(err!(
            InvalidInput,
            "snapshot: checksum mismatch (the bytes are damaged)"
        ));
    }
    let undecodable = || {
        err!(
            InvalidInput,
            "snapshot: the payload does not decode as a version {version} snapshot"
        )
    };
    let (p, rest): (Payload, &[u8]) = if version == 1 {
        let (old, rest) =
            postcard::take_from_bytes::<v1::PayloadV1>(body).map_err(|_| undecodable())?;
        (old.migrate()?, rest)
    } else {
        let (p, rest) = postcard::take_from_bytes::<PayloadV2>(body).map_err(|_| undecodable())?;
        (p.migrate()?, rest)
    };
    if !super::seqs_possible(p.seq, &p.ids) {
        return Err(undecodable());
    }
    // Bytes after the state (counted in the header and the checksum, so put there on
    // purpose) mean a snapshot this engine did not write.
    if !rest.is_empty() {
        return Err(err!(
            InvalidInput,
            "snapshot: {} bytes follow the state (not a snapshot this engine wrote)",
            rest.len()
        ));
    }
    Ok(p)
}

/// Tables read at their full length at once. serde's `Vec` reader caps its first
/// allocation at 1 MiB (a guard against lengths a damaged input lies about) and then
/// doubles, copying. postcard already answers no `size_hint` when the stated length
/// exceeds the bytes left (every element takes at least one), so a lying length still
/// can't allocate more than the input justifies.
pub(super) mod presized {
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
