//! Format 4's writer: the state table by table, record by record, resumable after any
//! record so a snapshot can be handed out in pieces (`Ledger::snapshot_next`). Whatever
//! the piece sizes, the bytes are those of one whole `snapshot()`: every piece of
//! encoder state (front-coding, interning, running checksum) lives in the cursor.

use rust_decimal::Decimal;

use super::codec::{self as c, Front, Interner, StreamSum};
use super::{all_record_count, FORMAT_VERSION, MAGIC};
use crate::domain::{Method, TaxRounding};
use crate::money::{round_money, Minor};
use crate::state::book::Book;
use crate::state::ledger_accounts::Account;
use crate::state::records::*;
use crate::state::State;

/// Front-coded columns: one per table's ids, then invoice numbers and references.
pub(super) const F_NUMBER: usize = 12;
pub(super) const F_REFERENCE: usize = 13;
pub(super) const FRONTS: usize = 14;
/// Interned columns: reasons (line descriptions are numbered by the line table).
pub(super) const I_REASON: usize = 0;
pub(super) const INTERNED: usize = 1;

/// The tables in the order they are written; `Accounts` and the trailer end it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Section {
    Head,
    Customers,
    /// The invoice line table as the state holds it: descriptions, the most recently
    /// used ones, each distinct packed line once (fixed width), the runs of line numbers
    /// (fixed width, in blocks of `RUN_BLOCK`), the wide lines.
    LineTexts,
    LineRecent,
    LineDistinct,
    LineRuns,
    LineWide,
    Invoices,
    Payments,
    Lots,
    Grants,
    Applications,
    CreditNotes,
    Refunds,
    PaymentVoids,
    InvoiceVoids,
    Configs,
    WriteOffs,
    Expiries,
    ExpiredLots,
    Accounts,
    Trailer,
    Done,
}

impl Section {
    fn next(self) -> Section {
        use Section::*;
        match self {
            Head => Customers,
            Customers => LineTexts,
            LineTexts => LineRecent,
            LineRecent => LineDistinct,
            LineDistinct => LineRuns,
            LineRuns => LineWide,
            LineWide => Invoices,
            Invoices => Payments,
            Payments => Lots,
            Lots => Grants,
            Grants => Applications,
            Applications => CreditNotes,
            CreditNotes => Refunds,
            Refunds => PaymentVoids,
            PaymentVoids => InvoiceVoids,
            InvoiceVoids => Configs,
            Configs => WriteOffs,
            WriteOffs => Expiries,
            Expiries => ExpiredLots,
            ExpiredLots => Accounts,
            Accounts => Trailer,
            Trailer | Done => Done,
        }
    }
}

/// Where a snapshot being written is, and the encoder's memory of what it wrote.
#[derive(Clone, Debug)]
pub struct Cursor {
    section: Section,
    /// 0: the table's length is next; k: record k − 1 is next.
    item: usize,
    fronts: Vec<Front>,
    interned: Vec<Interner>,
    prev_seq: u64,
    prev_date: i64,
    /// Where the next invoice's lines would start if they follow the last's, in the
    /// runs and in the wide table (a span is written as its distance from there).
    next_run: u32,
    next_wide: u32,
    /// An invoice's settlements in the order made (scratch, reused).
    settlements: Vec<Settlement>,
    sum: StreamSum,
}

impl Default for Cursor {
    fn default() -> Self {
        Cursor {
            section: Section::Head,
            item: 0,
            fronts: vec![Front::default(); FRONTS],
            interned: vec![Interner::default(); INTERNED],
            prev_seq: 0,
            prev_date: 0,
            next_run: 0,
            next_wide: 0,
            settlements: Vec::new(),
            sum: StreamSum::default(),
        }
    }
}

impl Cursor {
    /// Whether every byte, trailer included, has been written.
    pub fn done(&self) -> bool {
        self.section == Section::Done
    }

    /// Appends the next records to `out` until it holds at least `max_bytes` (a
    /// record is never split, so a piece may run a little over) or the snapshot ends.
    pub fn write(&mut self, s: &State, out: &mut Vec<u8>, max_bytes: usize) {
        let start = out.len();
        while out.len() - start < max_bytes && !self.done() {
            if self.section == Section::Trailer {
                // Everything before the trailer is in the checksum.
                self.sum.feed(&out[start..]);
                let sum = std::mem::take(&mut self.sum);
                out.extend_from_slice(&sum.total().to_le_bytes());
                out.extend_from_slice(&sum.finish().to_le_bytes());
                self.section = Section::Done;
                return;
            }
            self.step(s, out);
        }
        self.sum.feed(&out[start..]);
    }

    /// Writes one item of the current section (a length or a record) and moves on.
    fn step(&mut self, s: &State, out: &mut Vec<u8>) {
        let len = table_len(s, self.section);
        if self.section == Section::Head {
            out.extend_from_slice(MAGIC);
            out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
            out.extend_from_slice(&s.seq.to_le_bytes());
            c::uv(out, u128::from(s.numbering.next));
            c::text(out, &s.numbering.format);
            c::uv(out, all_record_count(s) as u128);
            self.section = self.section.next();
            return;
        }
        if self.item == 0 {
            // The runs are written in blocks; their length is the count of numbers.
            let count = match self.section {
                Section::LineRuns => s.lines.runs_len(),
                _ => len,
            };
            c::uv(out, count as u128);
        } else {
            self.record(s, out, (self.item - 1) as Idx);
        }
        if self.item == len {
            self.section = self.section.next();
            self.item = 0;
        } else {
            self.item += 1;
        }
    }

    /// An id (front-coded in its table's column), its creating command's fingerprint and
    /// seq (a delta from the previous id's).
    fn id(&mut self, s: &State, out: &mut Vec<u8>, r: RecordRef, column: usize) {
        let id = s.record_id(r);
        self.fronts[column].put(out, id);
        let (print, seq) = s.id_entry(id).map_or((0, 0), |e| (e.fingerprint, e.seq));
        out.extend_from_slice(&print.to_le_bytes());
        c::sv(out, seq.wrapping_sub(self.prev_seq) as i64);
        self.prev_seq = seq;
    }

    /// A date as a delta from the previous date written.
    fn date(&mut self, out: &mut Vec<u8>, d: crate::date::Date) {
        let n = i64::from(d.day_number());
        c::sv(out, n - self.prev_date);
        self.prev_date = n;
    }

    fn record(&mut self, s: &State, out: &mut Vec<u8>, i: Idx) {
        let at = i as usize;
        match self.section {
            Section::Head | Section::Trailer | Section::Done => {}
            Section::Customers => {
                let x = &s.customers[at];
                self.id(s, out, RecordRef::Customer(i), 0);
                c::text(out, &x.name);
                c::opt_text(out, x.email.as_deref());
                c::currency(out, x.currency);
                c::uv(out, x.books.len() as u128);
                for b in &x.books {
                    self.book(s, out, b);
                }
            }
            Section::LineTexts => c::text(out, s.lines.text(i)),
            Section::LineRecent => {
                let recent = s.lines.recent_texts();
                c::uv(out, recent.len() as u128);
                for &n in recent {
                    c::idx(out, n);
                }
            }
            Section::LineDistinct => s.lines.distinct_bytes(at, out),
            Section::LineRuns => {
                let end = ((at + 1) * RUN_BLOCK).min(s.lines.runs_len());
                for k in at * RUN_BLOCK..end {
                    out.extend_from_slice(&s.lines.run(k).to_le_bytes());
                }
            }
            Section::LineWide => {
                let (text, l) = s.lines.wide_line(at);
                c::idx(out, text);
                for d in [
                    l.input.quantity,
                    l.input.unit_price,
                    l.input.tax_rate,
                    l.input.discount_rate,
                    l.net,
                    l.tax,
                    l.gross,
                ] {
                    c::dec(out, d);
                }
            }
            Section::Invoices => self.invoice(s, out, i),
            Section::Payments => {
                let x = &s.payments[at];
                self.id(s, out, RecordRef::Payment(i), 2);
                c::idx(out, x.customer);
                c::currency(out, x.currency);
                c::dec(out, x.amount.decimal(x.currency));
                out.push(method_code(x.method));
                self.date(out, x.date);
                match x.reference {
                    None => out.push(0),
                    Some(r) => {
                        out.push(1);
                        self.fronts[F_REFERENCE].put(out, s.texts.get(r));
                    }
                }
                c::idx(out, x.lot);
                pairs(out, &s.payment_allocations(i));
                c::opt_idx(out, x.voided_by.get());
            }
            Section::Lots => {
                let x = &s.lots[at];
                c::idx(out, x.customer);
                c::currency(out, x.currency);
                let (tag, o) = match x.origin() {
                    LotOrigin::Payment(p) => (0, p),
                    LotOrigin::Grant(g) => (1, g),
                    LotOrigin::CreditNote(n) => (2, n),
                };
                c::uv(out, (u128::from(o) << 2) | tag);
                c::dec(out, x.remaining());
                c::dec(out, x.refunded());
                let touched = s.lot_touched(i);
                c::uv(out, touched.len() as u128);
                for &t in &touched {
                    c::idx(out, t);
                }
                c::opt_date(out, x.valid_until());
            }
            Section::Grants => {
                let x = &s.grants[at];
                self.id(s, out, RecordRef::Grant(i), 3);
                c::idx(out, x.customer);
                c::currency(out, x.currency);
                c::dec(out, x.amount);
                self.date(out, x.date);
                self.interned[I_REASON].put(out, &x.reason);
                c::idx(out, x.lot);
            }
            Section::Applications => {
                let x = &s.applications[at];
                self.id(s, out, RecordRef::Application(i), 4);
                c::idx(out, x.customer);
                c::idx(out, x.invoice);
                c::dec(out, x.amount);
                self.date(out, x.date);
            }
            Section::CreditNotes => {
                let x = &s.credit_notes[at];
                self.id(s, out, RecordRef::CreditNote(i), 5);
                c::idx(out, x.customer);
                c::opt_idx(out, x.invoice);
                c::currency(out, x.currency);
                c::dec(out, x.amount);
                self.date(out, x.date);
                self.interned[I_REASON].put(out, &x.reason);
                c::dec(out, x.reduced_due);
                c::dec(out, x.released);
                c::opt_idx(out, x.lot);
            }
            Section::Refunds => {
                let x = &s.refunds[at];
                self.id(s, out, RecordRef::Refund(i), 6);
                c::idx(out, x.customer);
                c::currency(out, x.currency);
                c::dec(out, x.amount);
                out.push(method_code(x.method));
                self.date(out, x.date);
                match &x.reference {
                    None => out.push(0),
                    Some(r) => {
                        out.push(1);
                        self.fronts[F_REFERENCE].put(out, r);
                    }
                }
                pairs(out, &x.taken);
            }
            Section::PaymentVoids => {
                let x = &s.payment_voids[at];
                self.id(s, out, RecordRef::PaymentVoid(i), 7);
                c::idx(out, x.payment);
                self.date(out, x.date);
                self.opt_reason(out, x.reason.as_deref());
                pairs(out, &x.reopened);
                // At minor units, like the books' sums: a lot never credited once
                // gave a bare zero here.
                let currency = s.payments[x.payment as usize].currency;
                c::dec(out, round_money(x.withdrawn, currency));
            }
            Section::InvoiceVoids => {
                let x = &s.invoice_voids[at];
                self.id(s, out, RecordRef::InvoiceVoid(i), 8);
                c::idx(out, x.invoice);
                self.date(out, x.date);
                self.opt_reason(out, x.reason.as_deref());
                c::dec(out, x.cancelled);
                c::uv(out, x.returned.len() as u128);
                for &(source, amount) in &x.returned {
                    source_code(out, source);
                    c::dec(out, amount);
                }
            }
            Section::Configs => {
                let x = &s.configs[at];
                self.id(s, out, RecordRef::Config(i), 9);
                c::opt_text(out, x.invoice_number_format.as_deref());
                out.push(rounding_code(x.tax_rounding));
            }
            Section::WriteOffs => {
                let x = &s.write_offs[at];
                self.id(s, out, RecordRef::WriteOff(i), 10);
                c::idx(out, x.invoice);
                self.date(out, x.date);
                self.interned[I_REASON].put(out, &x.reason);
                c::dec(out, x.amount);
                c::dec(out, x.tax);
            }
            Section::Expiries => {
                let x = &s.expiries[at];
                self.id(s, out, RecordRef::Expiry(i), 11);
                self.date(out, x.date);
                c::opt_idx(out, x.customer);
                c::idx(out, x.first);
                c::uv(out, u128::from(x.count));
            }
            Section::ExpiredLots => {
                let x = &s.expired_lots[at];
                c::idx(out, x.expiry);
                c::idx(out, x.lot);
                c::dec(out, x.amount);
            }
            Section::Accounts => {
                // Few (two per customer and a handful per currency): written as one item.
                let accounts = s.gl.accounts();
                c::uv(out, accounts.len() as u128);
                for ((currency, account), balance) in accounts {
                    c::currency(out, currency);
                    account_code(out, account);
                    c::dec(out, balance);
                }
            }
        }
    }

    fn opt_reason(&mut self, out: &mut Vec<u8>, reason: Option<&str>) {
        match reason {
            None => out.push(0),
            Some(r) => {
                out.push(1);
                self.interned[I_REASON].put(out, r);
            }
        }
    }

    fn book(&mut self, s: &State, out: &mut Vec<u8>, b: &Book) {
        c::currency(out, b.currency);
        // At the currency's minor units: the sums' scales depend on the path history
        // took (a void of an empty lot once left a bare zero), their values don't.
        c::dec(out, round_money(b.outstanding, b.currency));
        c::dec(out, round_money(b.credit, b.currency));
        c::uv(out, b.entries.len() as u128);
        let mut prev_seq = 0u64;
        for e in &b.entries {
            self.date(out, s.entry_date(e));
            c::sv(out, e.seq().wrapping_sub(prev_seq) as i64);
            prev_seq = e.seq();
            c::record(out, e.record());
            c::dec(out, s.entry_amount(e).decimal(b.currency));
        }
    }

    fn invoice(&mut self, s: &State, out: &mut Vec<u8>, i: Idx) {
        let x = s.invoices.get(i);
        let cur = x.currency;
        self.id(s, out, RecordRef::Invoice(i), 1);
        self.fronts[F_NUMBER].put(out, &x.number.to_string());
        c::idx(out, x.customer);
        c::currency(out, cur);
        self.date(out, x.date);
        c::sv(out, i64::from(x.date.days_until(x.due_date)));
        let (subtotal, tax, credit_at_issue) = x.issued_minor();
        let running = x.running();
        // Amounts are kept at the currency's minor units, so they are written at that
        // scale; totals the lines add up to are left out.
        let derived = line_sums(s.lines.iter(x.lines)).is_some_and(|(net, tax_sum)| {
            Minor::of(net, cur) == Some(subtotal) && Minor::of(tax_sum, cur) == Some(tax)
        });
        let flags = u8::from(x.prices_include_tax)
            | u8::from(x.tax_rounding == TaxRounding::Invoice) << 1
            | u8::from(running.voided_by.is_some()) << 2
            | u8::from(!(running.credited.is_zero() && running.credited_tax.is_zero())) << 3
            | u8::from(!credit_at_issue.is_zero()) << 4
            | u8::from(!(running.written_off.is_zero() && running.written_off_tax.is_zero())) << 5
            | u8::from(!derived) << 6;
        out.push(flags);
        // Its lines: count and table, then where they start as a distance from where
        // the last invoice's in that table ended (zero as the engine makes them).
        let span = x.lines;
        let (count, wide) = (span.len() as u32, span.is_wide());
        c::uv(out, u128::from(count) << 1 | u128::from(wide));
        let next = if wide {
            &mut self.next_wide
        } else {
            &mut self.next_run
        };
        c::sv(out, i64::from(span.first()) - i64::from(*next));
        *next = span.first().wrapping_add(count);
        let money = |out: &mut Vec<u8>, m: Minor| c::dec(out, m.decimal(cur));
        if !derived {
            money(out, subtotal);
            money(out, tax);
            money(out, x.total_minor());
        }
        if flags & 8 != 0 {
            money(out, running.credited);
            money(out, running.credited_tax);
        }
        if flags & 16 != 0 {
            money(out, credit_at_issue);
        }
        if flags & 32 != 0 {
            money(out, running.written_off);
            money(out, running.written_off_tax);
        }
        x.settlements_into(&mut self.settlements);
        c::uv(out, self.settlements.len() as u128);
        for st in &self.settlements {
            source_code(out, st.source);
            money(out, st.amount);
        }
        if let Some(v) = running.voided_by {
            c::idx(out, v);
        }
    }
}

/// Where each section starts in `s`'s snapshot (tests that damage one).
#[cfg(test)]
pub(super) fn section_starts(s: &State) -> Vec<(Section, usize)> {
    let (mut cursor, mut out, mut starts) = (Cursor::default(), Vec::new(), Vec::new());
    while !cursor.done() {
        if starts
            .last()
            .is_none_or(|&(section, _)| section != cursor.section)
        {
            starts.push((cursor.section, out.len()));
        }
        cursor.write(s, &mut out, 1);
    }
    starts
}

/// Line numbers in one item of `Section::LineRuns`.
pub(super) const RUN_BLOCK: usize = 4096;

/// The sums an invoice's totals are made of, as `invoice_math::totals` adds them;
/// `None` if they overflow `Decimal`. The engine's limits keep every invoice's far
/// inside it and restore refuses a snapshot whose sums don't fit, so only a state built
/// by hand gets `None`: its totals are then written in full (not derived), and restore
/// refuses them as not adding up, where a plain `sum` would panic while writing.
pub(super) fn line_sums<'a>(
    lines: impl Iterator<Item = LineView<'a>>,
) -> Option<(Decimal, Decimal)> {
    let (mut net, mut tax) = (Decimal::ZERO, Decimal::ZERO);
    for l in lines {
        net = super::add(net, l.net)?;
        tax = super::add(tax, l.tax)?;
    }
    Some((net, tax))
}

fn pairs(out: &mut Vec<u8>, v: &[(Idx, Decimal)]) {
    c::uv(out, v.len() as u128);
    for &(i, d) in v {
        c::idx(out, i);
        c::dec(out, d);
    }
}

fn source_code(out: &mut Vec<u8>, s: Source) {
    let (tag, i) = match s {
        Source::Payment(p) => (0, p),
        Source::Lot(l) => (1, l),
    };
    c::uv(out, (u128::from(i) << 1) | tag);
}

pub(super) fn method_code(m: Method) -> u8 {
    Method::ALL.iter().position(|(_, x)| *x == m).unwrap_or(0) as u8
}

pub(super) fn rounding_code(r: TaxRounding) -> u8 {
    match r {
        TaxRounding::Line => 0,
        TaxRounding::Invoice => 1,
    }
}

fn account_code(out: &mut Vec<u8>, a: Account) {
    let (tag, i): (u8, u32) = match a {
        Account::Receivable(c) => (0, c),
        Account::CustomerCredit(c) => (1, c),
        Account::Cash(m) => (2, u32::from(method_code(m))),
        Account::Revenue => (3, 0),
        Account::TaxPayable => (4, 0),
        Account::CreditNotes => (5, 0),
        Account::GoodwillCredit => (6, 0),
        Account::BadDebt => (7, 0),
    };
    c::uv(out, (u128::from(i) << 3) | u128::from(tag));
}

/// How many items a section holds (the accounts are one item).
fn table_len(s: &State, section: Section) -> usize {
    match section {
        Section::Head | Section::Trailer | Section::Done => 0,
        Section::Customers => s.customers.len(),
        Section::LineTexts => s.lines.text_count(),
        Section::LineRecent => 1,
        Section::LineDistinct => s.lines.distinct_len(),
        Section::LineRuns => s.lines.runs_len().div_ceil(RUN_BLOCK),
        Section::LineWide => s.lines.wide_len(),
        Section::Invoices => s.invoices.len(),
        Section::Payments => s.payments.len(),
        Section::Lots => s.lots.len(),
        Section::Grants => s.grants.len(),
        Section::Applications => s.applications.len(),
        Section::CreditNotes => s.credit_notes.len(),
        Section::Refunds => s.refunds.len(),
        Section::PaymentVoids => s.payment_voids.len(),
        Section::InvoiceVoids => s.invoice_voids.len(),
        Section::Configs => s.configs.len(),
        Section::WriteOffs => s.write_offs.len(),
        Section::Expiries => s.expiries.len(),
        Section::ExpiredLots => s.expired_lots.len(),
        Section::Accounts => 1,
    }
}
