//! Issued invoices, packed: a 48-byte record each in a chunked table, amounts as
//! minor units (`Minor`) instead of 16-byte `Decimal`s (tax and credit at issue in 4
//! bytes when they fit), the id and number in one text arena (the number left out when
//! it is the previous invoice's counted on by one, as numbering prints a sequence: see
//! `Number`), the settlements in one linked table, and what most invoices never get (credit notes, write-offs, a void,
//! amounts too big for 4 bytes) in a side table only the invoices that have it point
//! into. Read through [`Invoice`], a view that gives amounts back as `Decimal`s
//! at the currency's minor units (how answers print them).

use rust_decimal::Decimal;

use super::chunked::Chunked;
use super::lines::LineSpan;
use super::record_ref::Idx;
use super::settlements::{Latest, Settlement, SettlementTable, Source, NO_SETTLEMENT};
use super::texts::{TextArena, TextRef};
use crate::date::Date;
use crate::domain::TaxRounding;
use crate::money::{Currency, Minor};
use crate::text::Text;

/// An amount a plan computed for an invoice, in minor units. Plans only settle, credit
/// and write off whole minor units of the invoice's currency, within its total, so
/// this always fits (a plan refuses an invoice whose total doesn't).
pub fn planned_minor(amount: Decimal, currency: Currency) -> Minor {
    Minor::of(amount, currency).expect("planned amount")
}

/// What credit notes, write-offs and a void have done to an invoice; all zero (and no
/// void) on most invoices, which then have no entry in the side table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Running {
    /// Sum of credit notes against it, tax included.
    pub credited: Minor,
    /// The tax part of `credited`: round(tax × credited / total), recomputed over the
    /// running sum at each credit note so that crediting the whole total reverses
    /// exactly all of its tax. A credit note's tax part is the change in this value.
    pub credited_tax: Minor,
    /// What write-offs took off it as bad debt, tax included.
    pub written_off: Minor,
    /// The tax part of `written_off`, reversed from tax payable.
    pub written_off_tax: Minor,
    /// The void that cancelled it (its index in `invoice_voids`), if any.
    pub voided_by: Option<Idx>,
}

/// An invoice's facts in owned form, before it joins the table: what a plan computes
/// (its settlements are the credit it would take) and what a snapshot reader decodes.
#[derive(Clone, Debug, PartialEq)]
pub struct InvoiceData {
    pub id: Text,
    pub number: Text,
    pub customer: Idx,
    pub currency: Currency,
    pub date: Date,
    pub due_date: Date,
    pub prices_include_tax: bool,
    /// How its tax was rounded when issued.
    pub tax_rounding: TaxRounding,
    /// Its lines, in the ledger's line table (empty in a plan: the lines are the plan's).
    pub lines: LineSpan,
    /// Sum of the lines' net amounts.
    pub subtotal: Minor,
    /// Sum of the lines' tax.
    pub tax: Minor,
    /// Credit applied when it was issued (for the issue command's answer).
    pub credit_applied_at_issue: Minor,
    pub running: Running,
    /// Settlements in the order they were made.
    pub settlements: Vec<Settlement>,
}

impl InvoiceData {
    /// The invoice as a view, like a stored one's.
    pub fn view(&self) -> Invoice<'_> {
        Invoice {
            id: &self.id,
            number: Number::text(&self.number),
            customer: self.customer,
            currency: self.currency,
            date: self.date,
            due_date: self.due_date,
            prices_include_tax: self.prices_include_tax,
            tax_rounding: self.tax_rounding,
            lines: self.lines,
            subtotal: self.subtotal,
            tax: self.tax,
            credit_at_issue: self.credit_applied_at_issue,
            running: self.running,
            settlements: Latest::planned(&self.settlements),
        }
    }
}

/// Bits of `Record::line_count` above the packed span's (`LineSpan::pack`).
const PRICES_INCLUDE_TAX: u16 = 1 << 14;
const TAX_ROUNDING_INVOICE: u16 = 1 << 15;

/// No entry in the side table.
const NO_SIDE: u32 = u32::MAX;

/// A 4-byte amount that is in the side table instead (it doesn't fit).
const IN_SIDE: i32 = i32::MIN;

/// An amount as a record holds it: its minor units if they fit in 4 bytes, else
/// `IN_SIDE`.
fn small(amount: Minor) -> i32 {
    i32::try_from(amount.units())
        .ok()
        .filter(|&u| u != IN_SIDE)
        .unwrap_or(IN_SIDE)
}

/// One invoice as stored, with no padding: the flags in the top bits of the line count.
#[derive(Clone, Copy, Debug)]
struct Record {
    subtotal: Minor,
    /// Its tax in minor units, `IN_SIDE` when that is in the side table.
    tax: i32,
    /// Credit applied when it was issued, likewise.
    credit_at_issue: i32,
    /// Where its lines start in the line table.
    lines_first: u32,
    customer: Idx,
    /// Its id and then its number, in the text arena; its id alone when its number is
    /// counted on from an earlier invoice's (`Invoices::runs`).
    texts: TextRef,
    date: Date,
    due_date: Date,
    /// Its latest settlement in the settlement table.
    settlements: u32,
    /// Its entry in the side table (`NO_SIDE`: running sums zero, amounts in 4 bytes).
    side: u32,
    /// The packed span's count (`LineSpan::pack`) and the flags above it.
    line_count: u16,
    currency: Currency,
    /// The id's length in bytes (where the number starts).
    id_len: u8,
}

/// What an invoice with an entry in the side table has besides its record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Side {
    /// Its tax (read when the record's doesn't fit in 4 bytes).
    tax: Minor,
    /// Its credit at issue, likewise.
    credit_at_issue: Minor,
    running: Running,
}

/// Every issued invoice; an invoice's `Idx` is its position.
#[derive(Clone, Debug, Default)]
pub struct Invoices {
    records: Chunked<Record>,
    pub(crate) texts: TextArena,
    /// The invoices whose number later invoices count on from, in issue order: an
    /// invoice stored without a number has the number of the last of them before it,
    /// its last group of digits raised by how many invoices lie between (`Number`).
    runs: Vec<Idx>,
    /// The invoices whose number is empty (no command makes one; a snapshot might), so
    /// they aren't read as counted on.
    empty: Vec<Idx>,
    pub(crate) side: Vec<Side>,
    pub(crate) settlements: SettlementTable,
}

impl Invoices {
    /// How many invoices.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The index the next invoice gets.
    pub fn next_idx(&self) -> Idx {
        Idx::try_from(self.len()).expect("record table exceeds u32 indexes")
    }

    /// The invoice at `i` (which must exist, as every stored index does).
    pub fn get(&self, i: Idx) -> Invoice<'_> {
        self.view(i, &self.records[i as usize])
    }

    /// Every invoice, in issue order.
    pub fn iter(&self) -> impl Iterator<Item = Invoice<'_>> {
        (0..).zip(self.records.iter()).map(|(i, r)| self.view(i, r))
    }

    /// The currency of the invoice at `i`.
    pub fn currency(&self, i: Idx) -> Currency {
        self.records[i as usize].currency
    }

    /// The date of the invoice at `i`.
    pub fn date(&self, i: Idx) -> Date {
        self.records[i as usize].date
    }

    /// The id of the invoice at `i` (what the id index compares).
    pub fn id(&self, i: Idx) -> &str {
        self.texts(&self.records[i as usize]).0
    }

    /// A record's id and stored number (empty: counted on, `number`).
    fn texts(&self, r: &Record) -> (&str, &str) {
        let both = self.texts.get(r.texts);
        both.split_at_checked(usize::from(r.id_len))
            .unwrap_or(("", ""))
    }

    /// The number of the invoice at `i`, whose stored number is `stored`.
    fn number<'a>(&'a self, i: Idx, stored: &'a str) -> Number<'a> {
        if !stored.is_empty() || self.empty.binary_search(&i).is_ok() {
            return Number::text(stored);
        }
        let k = self.runs.partition_point(|&b| b <= i);
        match k.checked_sub(1).map(|k| self.runs[k]) {
            Some(base) => Number {
                base: self.texts(&self.records[base as usize]).1,
                step: u64::from(i - base),
            },
            None => Number::text(""),
        }
    }

    fn view<'a>(&'a self, i: Idx, r: &Record) -> Invoice<'a> {
        let (id, number) = self.texts(r);
        let side = self.side.get(r.side as usize).copied().unwrap_or_default();
        Invoice {
            id,
            number: self.number(i, number),
            customer: r.customer,
            currency: r.currency,
            date: r.date,
            due_date: r.due_date,
            prices_include_tax: r.line_count & PRICES_INCLUDE_TAX != 0,
            tax_rounding: if r.line_count & TAX_ROUNDING_INVOICE != 0 {
                TaxRounding::Invoice
            } else {
                TaxRounding::Line
            },
            lines: LineSpan::unpack(r.lines_first, r.line_count),
            subtotal: r.subtotal,
            tax: if r.tax == IN_SIDE {
                side.tax
            } else {
                Minor::from_units(r.tax.into())
            },
            credit_at_issue: if r.credit_at_issue == IN_SIDE {
                side.credit_at_issue
            } else {
                Minor::from_units(r.credit_at_issue.into())
            },
            running: side.running,
            settlements: self.settlements.iter(r.settlements),
        }
    }

    /// Appends an invoice, its settlements and running sums included; returns its
    /// index, or `None` (nothing appended) if its id is longer than 255 bytes, id and
    /// number together longer than the text arena holds, or its lines more than a
    /// packed span holds: no command makes one (ids are at most `MAX_ID_BYTES`, numbers
    /// a few times `MAX_TEXT` at most, lines `MAX_LINES`), so only a snapshot's can be.
    pub fn push(&mut self, data: &InvoiceData) -> Option<Idx> {
        let idx = self.next_idx();
        let id_len = u8::try_from(data.id.len()).ok()?;
        let (lines_first, line_count) = data.lines.pack()?;
        let counted = self.counts_on(idx, &data.number);
        let texts = if counted {
            self.texts.push(&data.id)?
        } else {
            let mut both = String::with_capacity(data.id.len() + data.number.len());
            both.push_str(&data.id);
            both.push_str(&data.number);
            self.texts.push(&both)?
        };
        if data.number.is_empty() {
            self.empty.push(idx);
        }
        let (tax, credit_at_issue) = (small(data.tax), small(data.credit_applied_at_issue));
        let side =
            if tax == IN_SIDE || credit_at_issue == IN_SIDE || data.running != Running::default() {
                self.side.push(Side {
                    tax: data.tax,
                    credit_at_issue: data.credit_applied_at_issue,
                    running: data.running,
                });
                (self.side.len() - 1) as u32
            } else {
                NO_SIDE
            };
        let mut head = NO_SETTLEMENT;
        for &s in &data.settlements {
            self.settlements.push(&mut head, s);
        }
        self.records.push(Record {
            subtotal: data.subtotal,
            tax,
            credit_at_issue,
            lines_first,
            customer: data.customer,
            texts,
            id_len,
            date: data.date,
            due_date: data.due_date,
            currency: data.currency,
            settlements: head,
            side,
            line_count: line_count
                | if data.prices_include_tax {
                    PRICES_INCLUDE_TAX
                } else {
                    0
                }
                | if data.tax_rounding == TaxRounding::Invoice {
                    TAX_ROUNDING_INVOICE
                } else {
                    0
                },
        });
        debug_assert_eq!(self.get(idx).number.to_string(), data.number);
        Some(idx)
    }

    /// Whether `number`, the number of the invoice issued next (at `i`), is the one
    /// before it counted on by one (its last group of digits raised by one, zero-padded
    /// to the same width); if so, the invoice it counts on from joins `runs`.
    fn counts_on(&mut self, i: Idx, number: &str) -> bool {
        let Some(prev) = i.checked_sub(1) else {
            return false;
        };
        let (_, stored) = self.texts(&self.records[prev as usize]);
        let base = if stored.is_empty() && self.empty.last() != Some(&prev) {
            match self.runs.last() {
                Some(&base) => base,
                None => return false,
            }
        } else {
            prev
        };
        let base_text = self.texts(&self.records[base as usize]).1;
        let (Some(from), Some(to)) = (last_digits(base_text), last_digits(number)) else {
            return false;
        };
        let value = from.value.checked_add(u64::from(i - base));
        let counted = from.head == to.head
            && from.tail == to.tail
            && value == Some(to.value)
            && to.width == from.width.max(decimal_digits(to.value));
        if counted && self.runs.last() != Some(&base) {
            self.runs.push(base);
        }
        counted
    }

    /// What the invoice at `i` still asks for in minor units ([`Invoice::due_minor`]),
    /// read from its record alone: a payment's plan asks it of each open invoice, and
    /// building the whole view would read its id and number for nothing.
    #[cfg(fast_paths)]
    pub fn due_minor(&self, i: Idx) -> Minor {
        let r = &self.records[i as usize];
        let side = self.side.get(r.side as usize).copied().unwrap_or_default();
        if side.running.voided_by.is_some() {
            return Minor::ZERO;
        }
        let tax = if r.tax == IN_SIDE {
            side.tax
        } else {
            Minor::from_units(r.tax.into())
        };
        let received: i64 = self
            .settlements
            .iter(r.settlements)
            .map(|(_, s)| s.amount.units())
            .sum();
        let taken = side.running.credited.units() + side.running.written_off.units() + received;
        let due = Minor::from_units(r.subtotal.units() + tax.units() - taken);
        debug_assert_eq!(due, self.get(i).due_minor());
        due
    }

    /// Asks for the record of invoice `i` to be brought into the cache
    /// (`super::warm::prefetch`).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn warm_record(&self, i: Idx) {
        if let Some(r) = self.records.get(i as usize) {
            super::warm::prefetch(r);
        }
    }

    /// Asks for what a payment's plan reads of invoice `i` beyond its record (its
    /// latest settlement, its side entry): reads the record, so best once that is warm.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn warm_settlements(&self, i: Idx) {
        if let Some(r) = self.records.get(i as usize) {
            self.settlements.warm(r.settlements);
            if let Some(side) = self.side.get(r.side as usize) {
                super::warm::prefetch(side);
            }
        }
    }

    /// The total of the invoice at `i` in minor units, read from its record (and its
    /// side entry, where its tax is kept there) alone where the build takes the fast
    /// paths: statements, snapshots and restore's check ask it of every invoice entry,
    /// and the whole view would read its id, number and settlements for nothing.
    pub fn total_minor(&self, i: Idx) -> Minor {
        if !cfg!(fast_paths) {
            return self.get(i).total_minor();
        }
        let r = &self.records[i as usize];
        let tax = if r.tax == IN_SIDE {
            self.side
                .get(r.side as usize)
                .copied()
                .unwrap_or_default()
                .tax
        } else {
            Minor::from_units(r.tax.into())
        };
        let total = Minor::from_units(r.subtotal.units() + tax.units());
        debug_assert_eq!(total, self.get(i).total_minor());
        total
    }

    /// Adds a settlement as the invoice's latest.
    pub fn settle(&mut self, i: Idx, s: Settlement) {
        let r = &mut self.records[i as usize];
        self.settlements.push(&mut r.settlements, s);
    }

    /// Lowers the settlement at `at` (a position from [`Invoice::latest_first`]) by
    /// `by`; one lowered to nothing is no longer listed. Returns where it came from.
    pub fn lower_settlement(&mut self, at: u32, by: Minor) -> Source {
        self.settlements.lower(at, by)
    }

    /// Removes the invoice's settlements that came from `sources`.
    pub fn remove_settlements_from(&mut self, i: Idx, sources: &[Source]) {
        self.settlements
            .remove_from(self.records[i as usize].settlements, sources);
    }

    /// The invoice's running sums, to change (its side-table entry made on first use).
    pub fn running_mut(&mut self, i: Idx) -> &mut Running {
        let r = &mut self.records[i as usize];
        if r.side == NO_SIDE {
            r.side = u32::try_from(self.side.len()).expect("fewer than 2^32 invoices");
            self.side.push(Side::default());
        }
        &mut self.side[r.side as usize].running
    }

    /// Frees the records and the side table (the memory breakdown's last invoice part).
    pub(crate) fn clear_records(&mut self) {
        self.records = Chunked::default();
        self.side = Vec::new();
    }
}

/// An invoice's number as read: its stored text, or (`step` above zero) an earlier
/// invoice's number with its last group of digits raised by `step`, zero-padded to that
/// group's width, which is how numbering prints a sequence (`Invoices::counts_on`
/// keeps a number this way only when it reads back the same).
#[derive(Clone, Copy, Debug)]
pub struct Number<'a> {
    base: &'a str,
    step: u64,
}

impl<'a> Number<'a> {
    /// A number as it is written.
    pub fn text(text: &'a str) -> Number<'a> {
        Number {
            base: text,
            step: 0,
        }
    }
}

impl std::fmt::Display for Number<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match last_digits(self.base).filter(|_| self.step > 0) {
            Some(d) => {
                let (head, width, tail) = (d.head, d.width, d.tail);
                let value = d.value.wrapping_add(self.step);
                write!(f, "{head}{value:0width$}{tail}")
            }
            None => f.write_str(self.base),
        }
    }
}

/// A text around its last group of ASCII digits.
struct Digits<'a> {
    head: &'a str,
    value: u64,
    width: usize,
    tail: &'a str,
}

/// `text` split around its last group of digits; `None` if it has none, or more than
/// 19 of them (beyond what a `u64` counts).
fn last_digits(text: &str) -> Option<Digits<'_>> {
    let bytes = text.as_bytes();
    let end = bytes.iter().rposition(u8::is_ascii_digit)? + 1;
    let start = bytes
        .get(..end)?
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |p| p + 1);
    let digits = bytes.get(start..end)?;
    if digits.len() > 19 {
        return None;
    }
    let value = digits
        .iter()
        .fold(0u64, |v, &d| v * 10 + u64::from(d - b'0'));
    Some(Digits {
        head: text.get(..start)?,
        value,
        width: digits.len(),
        tail: text.get(end..)?,
    })
}

/// How many decimal digits `n` takes.
fn decimal_digits(mut n: u64) -> usize {
    let mut digits = 1;
    while n >= 10 {
        n /= 10;
        digits += 1;
    }
    digits
}

/// An invoice as read: what it was issued for and what has happened to it since.
/// Amounts come back as `Decimal`s at the currency's minor units.
#[derive(Clone, Copy, Debug)]
pub struct Invoice<'a> {
    pub id: &'a str,
    pub number: Number<'a>,
    pub customer: Idx,
    pub currency: Currency,
    pub date: Date,
    pub due_date: Date,
    pub prices_include_tax: bool,
    /// How its tax was rounded when issued.
    pub tax_rounding: TaxRounding,
    /// Its lines, in the ledger's line table (`State::lines`).
    pub lines: LineSpan,
    subtotal: Minor,
    tax: Minor,
    credit_at_issue: Minor,
    running: Running,
    settlements: Latest<'a>,
}

impl<'a> Invoice<'a> {
    fn money(&self, amount: Minor) -> Decimal {
        amount.decimal(self.currency)
    }

    /// Sum of the lines' net amounts.
    pub fn subtotal(&self) -> Decimal {
        self.money(self.subtotal)
    }

    /// Sum of the lines' tax.
    pub fn tax(&self) -> Decimal {
        self.money(self.tax)
    }

    /// subtotal + tax: what the invoice asked for when issued.
    pub fn total(&self) -> Decimal {
        self.money(self.total_minor())
    }

    /// The total in minor units (a plan and a restore checked that it fits).
    pub fn total_minor(&self) -> Minor {
        Minor::from_units(self.subtotal.units() + self.tax.units())
    }

    /// Subtotal, tax and credit at issue in minor units (a snapshot writes them).
    pub fn issued_minor(&self) -> (Minor, Minor, Minor) {
        (self.subtotal, self.tax, self.credit_at_issue)
    }

    /// Credit notes, write-offs and the void, in minor units.
    pub fn running(&self) -> Running {
        self.running
    }

    /// Sum of credit notes against it, tax included.
    pub fn credited(&self) -> Decimal {
        self.money(self.running.credited)
    }

    /// The tax part of `credited`.
    pub fn credited_tax(&self) -> Decimal {
        self.money(self.running.credited_tax)
    }

    /// What write-offs took off it as bad debt, tax included.
    pub fn written_off(&self) -> Decimal {
        self.money(self.running.written_off)
    }

    /// The tax part of `written_off`.
    pub fn written_off_tax(&self) -> Decimal {
        self.money(self.running.written_off_tax)
    }

    /// Credit applied when it was issued (for the issue command's answer).
    pub fn credit_applied_at_issue(&self) -> Decimal {
        self.money(self.credit_at_issue)
    }

    /// The void that cancelled it (its index in `invoice_voids`), if any.
    pub fn voided_by(&self) -> Option<Idx> {
        self.running.voided_by
    }

    /// Its settlements, latest first (the order releases take them in), each with its
    /// position.
    pub fn latest_first(&self) -> Latest<'a> {
        self.settlements
    }

    /// Its settlements in the order they were made, into `out` (emptied first).
    pub fn settlements_into(&self, out: &mut Vec<Settlement>) {
        out.clear();
        for (_, s) in self.latest_first() {
            out.push(s);
        }
        out.reverse();
    }

    /// Its settlements in the order they were made.
    pub fn settlements(&self) -> Vec<Settlement> {
        let mut out = Vec::new();
        self.settlements_into(&mut out);
        out
    }

    /// What payments settled directly and what credit lots settled, in minor units.
    fn settled(&self) -> (i64, i64) {
        let (mut paid, mut credit) = (0, 0);
        for (_, s) in self.latest_first() {
            match s.source {
                Source::Payment(_) => paid += s.amount.units(),
                Source::Lot(_) => credit += s.amount.units(),
            }
        }
        (paid, credit)
    }

    fn received_units(&self) -> i64 {
        let (paid, credit) = self.settled();
        paid + credit
    }

    /// What credit lots have settled now (the answer's `credit_applied`).
    pub fn credit_applied(&self) -> Decimal {
        self.money(Minor::from_units(self.settled().1))
    }

    /// What payments have settled directly now (the answer's `paid`).
    pub fn paid(&self) -> Decimal {
        self.money(Minor::from_units(self.settled().0))
    }

    /// Everything settled now: paid + credit applied.
    pub fn received(&self) -> Decimal {
        self.money(Minor::from_units(self.received_units()))
    }

    /// What it still asks for in minor units: total − credit notes − settlements −
    /// write-offs; nothing once void.
    pub fn due_minor(&self) -> Minor {
        if self.running.voided_by.is_some() {
            return Minor::ZERO;
        }
        let taken = self.running.credited.units()
            + self.running.written_off.units()
            + self.received_units();
        Minor::from_units(self.total_minor().units() - taken)
    }

    /// What it still asks for: total − credit notes − settlements − write-offs;
    /// nothing once void.
    pub fn amount_due(&self) -> Decimal {
        self.money(self.due_minor())
    }

    /// Why it can take no more money, `None` while something is due: in words for a
    /// refusal ("is void") and as its `details.rule` (`void`, `written_off`, `paid`).
    pub fn closed(&self) -> Option<(&'static str, &'static str)> {
        if self.running.voided_by.is_some() {
            Some(("is void", "void"))
        } else if !self.due_minor().is_zero() {
            None
        } else if !self.running.written_off.is_zero() {
            Some(("was written off", "written_off"))
        } else {
            Some(("is already paid", "paid"))
        }
    }

    /// What it asks for in all: its total less its credit notes.
    pub fn asks(&self) -> Decimal {
        self.money(Minor::from_units(
            self.total_minor().units() - self.running.credited.units(),
        ))
    }

    /// The contract's status: `void`; else, when nothing is due, `written_off` if a
    /// write-off took part of it and `paid` otherwise (credit notes included); else
    /// `open` when nothing was received; else `partially_paid`.
    pub fn status(&self) -> &'static str {
        if self.running.voided_by.is_some() {
            "void"
        } else if self.due_minor().is_zero() {
            if self.running.written_off.is_zero() {
                "paid"
            } else {
                "written_off"
            }
        } else if self.received_units() == 0 {
            "open"
        } else {
            "partially_paid"
        }
    }

    /// The key of this invoice in its book's index of open invoices.
    pub fn open_key(&self, idx: Idx) -> (Date, Date, Idx) {
        (self.due_date, self.date, idx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_48_bytes() {
        assert_eq!(std::mem::size_of::<Record>(), 48);
    }

    #[test]
    fn amounts_too_big_for_the_record_come_back_from_the_side_table() {
        let day = Date::from_day_number(20_000).unwrap();
        let data = |tax: i64, credit: i64, voided: Option<Idx>| InvoiceData {
            id: format!("i{tax}").into(),
            number: "INV-1".into(),
            customer: 0,
            currency: Currency::from_code("EUR").unwrap(),
            date: day,
            due_date: day,
            prices_include_tax: tax % 2 == 0,
            tax_rounding: if credit % 2 == 0 {
                TaxRounding::Invoice
            } else {
                TaxRounding::Line
            },
            lines: LineSpan::default(),
            subtotal: Minor::from_units(5),
            tax: Minor::from_units(tax),
            credit_applied_at_issue: Minor::from_units(credit),
            running: Running {
                voided_by: voided,
                ..Running::default()
            },
            settlements: Vec::new(),
        };
        let mut invoices = Invoices::default();
        let cases = [
            (12, 3, None),
            (i64::from(i32::MAX), 0, Some(2)),
            (i64::from(i32::MAX) + 1, i64::from(i32::MIN), None),
            (i64::from(i32::MIN) + 1, 1 << 40, None),
        ];
        for (tax, credit, voided) in cases {
            invoices.push(&data(tax, credit, voided)).unwrap();
        }
        assert_eq!(invoices.side.len(), 3);
        for (i, (tax, credit, voided)) in cases.into_iter().enumerate() {
            let want = data(tax, credit, voided);
            let got = invoices.get(i as Idx);
            assert_eq!(
                got.issued_minor(),
                (want.subtotal, want.tax, want.credit_applied_at_issue)
            );
            assert_eq!(got.voided_by(), voided);
            assert_eq!(got.prices_include_tax, want.prices_include_tax);
            assert_eq!(got.tax_rounding, want.tax_rounding);
            assert_eq!(
                (got.id, got.number.to_string()),
                (want.id.as_str(), "INV-1".into())
            );
        }
    }

    #[test]
    fn numbers_that_count_on_are_kept_once_and_read_back_the_same() {
        let day = Date::from_day_number(20_000).unwrap();
        let numbers = [
            "INV-0001",
            "INV-0002",
            "INV-0003",
            "2026-0004",
            "2026-0005",
            "",
            "7",
            "8",
            "",
            "INV-9998",
            "INV-9999",
            "INV-10000",
            "INV-10002",
            "A9B",
            "A10B",
            "A11B",
            "A011B",
            "a-1-x",
            "a-2-x",
            "INV-0001",
            "18446744073709551615",
            "18446744073709551616",
            "",
            "N09",
            "N10",
        ];
        let mut invoices = Invoices::default();
        for (k, n) in numbers.iter().enumerate() {
            let data = InvoiceData {
                id: format!("inv{k}").into(),
                number: (*n).into(),
                customer: 0,
                currency: Currency::from_code("EUR").unwrap(),
                date: day,
                due_date: day,
                prices_include_tax: false,
                tax_rounding: TaxRounding::Line,
                lines: LineSpan::default(),
                subtotal: Minor::ZERO,
                tax: Minor::ZERO,
                credit_applied_at_issue: Minor::ZERO,
                running: Running::default(),
                settlements: Vec::new(),
            };
            invoices.push(&data).unwrap();
        }
        for (k, n) in numbers.iter().enumerate() {
            let got = invoices.get(k as Idx);
            assert_eq!(
                (got.id, got.number.to_string()),
                (format!("inv{k}").as_str(), (*n).into())
            );
        }
        let stored = (0..numbers.len() as Idx)
            .filter(|&i| !invoices.texts(&invoices.records[i as usize]).1.is_empty())
            .count();
        // Counted on: 0002, 0003, 0005, 8, 9999, 10000, A10B, A11B, a-2-x and N10; the
        // three empty numbers have no text either.
        assert_eq!(stored, numbers.len() - 10 - 3);
        assert!(invoices
            .iter()
            .map(|v| v.number.to_string())
            .eq(numbers.iter().map(|n| n.to_string())));
    }
}
