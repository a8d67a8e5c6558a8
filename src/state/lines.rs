//! Invoice lines, packed: one table for the whole ledger instead of a `Vec` per invoice,
//! descriptions interned (a text table and a `u32`), and amounts as `i64` mantissas
//! with their scales packed in one word instead of 16-byte `Decimal`s. A line's gross
//! is not stored (it is net + tax). Packed lines are themselves interned: an operator
//! bills the same plans at the same prices month after month, so each distinct packed
//! line is kept once and an invoice holds the numbers of its lines (4 bytes a line).
//! Two lines share an entry only when every packed field is equal, scales included, so
//! interning never changes what a line reads back as. Lines whose amounts don't fit that form bit for bit
//! (a 20-digit unit price, a rate with a 10-digit mantissa) keep their `Decimal`s in a
//! second, wide table: every line reads back exactly as it was computed, scales and
//! all.

use rust_decimal::Decimal;

use super::chunked::Chunked;
use super::records::Line;
use crate::domain::LineInput;
use crate::money::from_mantissa as decimal;
use crate::text::Text;

/// Where an invoice's lines are: `count` lines from `first`, in the runs of packed line
/// numbers or, with the top bit of `count` set, in the wide table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineSpan {
    first: u32,
    count: u32,
}

const WIDE: u32 = 1 << 31;

impl LineSpan {
    /// How many lines.
    pub fn len(self) -> usize {
        (self.count & !WIDE) as usize
    }

    /// Whether there are none.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Its first line and its count in 13 bits (the next for the wide table), as an
    /// invoice record holds them; `None` beyond `MAX_PACKED_LINES` lines (commands allow
    /// far fewer).
    pub fn pack(self) -> Option<(u32, u16)> {
        let len = u16::try_from(self.len())
            .ok()
            .filter(|&n| n <= MAX_PACKED_LINES)?;
        let wide = if self.count & WIDE != 0 {
            PACKED_WIDE
        } else {
            0
        };
        Some((self.first, len | wide))
    }

    /// `count` lines from `first`, in the wide table if `wide` (a snapshot being read;
    /// `LineTable::holds` checks it lies inside the tables).
    pub fn new(first: u32, count: u32, wide: bool) -> Option<LineSpan> {
        (count < WIDE).then_some(LineSpan {
            first,
            count: count | if wide { WIDE } else { 0 },
        })
    }

    /// Its first line (in the runs or the wide table).
    pub fn first(self) -> u32 {
        self.first
    }

    /// Whether its lines are in the wide table.
    pub fn is_wide(self) -> bool {
        self.count & WIDE != 0
    }

    /// The span [`LineSpan::pack`] gave `(first, count)` for (its two top bits ignored).
    pub fn unpack(first: u32, count: u16) -> LineSpan {
        let wide = if count & PACKED_WIDE != 0 { WIDE } else { 0 };
        LineSpan {
            first,
            count: u32::from(count & MAX_PACKED_LINES) | wide,
        }
    }
}

/// Most lines a packed span holds (13 bits; above them the wide bit, and two bits left
/// to the holder).
pub const MAX_PACKED_LINES: u16 = (1 << 13) - 1;
const PACKED_WIDE: u16 = 1 << 13;

/// Bytes of a distinct packed line in a snapshot (`LineTable::distinct_bytes`).
pub const PACKED_LINE_BYTES: usize = 48;

/// A line as read back: the description borrowed from the text table, amounts rebuilt.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineView<'a> {
    pub description: &'a str,
    /// The description's number in the table's texts (`NOT_INTERNED` for a line not in
    /// the table: a plan's or a preview's).
    pub text: u32,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub tax_rate: Decimal,
    pub discount_rate: Decimal,
    /// Before tax, after the discount; rounded to minor units.
    pub net: Decimal,
    /// Rounded to minor units.
    pub tax: Decimal,
    /// net + tax, exactly.
    pub gross: Decimal,
}

impl<'a> LineView<'a> {
    /// The view of a computed line (an invoice not yet issued: a preview, a plan).
    pub fn of(line: &'a Line) -> LineView<'a> {
        LineView {
            description: &line.input.description,
            text: NOT_INTERNED,
            quantity: line.input.quantity,
            unit_price: line.input.unit_price,
            tax_rate: line.input.tax_rate,
            discount_rate: line.input.discount_rate,
            net: line.net,
            tax: line.tax,
            gross: line.gross,
        }
    }
}

/// `LineView::text` of a line that is not in a table.
pub const NOT_INTERNED: u32 = u32::MAX;

/// A line's description and amounts in a fixed form, compared and hashed field by field
/// (the same fields, scales included, read back as the same `Decimal`s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PackedLine {
    description: u32,
    /// Five bits per amount: quantity, unit price, tax rate, discount rate, net, tax.
    scales: u32,
    quantity: i64,
    unit_price: i64,
    net: i64,
    tax: i64,
    tax_rate: i32,
    discount_rate: i32,
}

/// Every invoice's lines.
#[derive(Clone, Debug, Default)]
pub struct LineTable {
    /// Every distinct packed line, once.
    distinct: Chunked<PackedLine>,
    /// Numbers of `distinct` lines, found by the line's hash.
    index: LineIndex,
    /// Each invoice's lines in order, as numbers of `distinct` lines; spans point here.
    runs: Chunked<u32>,
    wide: Vec<(u32, Line)>,
    texts: Texts,
    #[cfg(fast_paths)]
    /// One invoice's packed lines while it is appended (`append`); empty otherwise, and
    /// kept only so the next invoice's need no allocation. Not part of the table's facts.
    scratch: Vec<PackedLine>,
}

/// Interned descriptions. A new text is looked for among the most recently used ones
/// only (a hash index would cost more wasm than it saves): an operator's invoices
/// repeat a few dozen descriptions, and a text seen long ago is only stored twice.
#[derive(Clone, Debug, Default)]
struct Texts {
    all: Vec<Box<str>>,
    /// Numbers of the most recently used texts, most recent last.
    recent: Vec<u32>,
}

/// How many recent texts a new one is compared with.
const RECENT: usize = 64;

impl Texts {
    /// Appends a text as a new one and makes it the most recent.
    fn add(&mut self, text: &str) -> u32 {
        let n = u32::try_from(self.all.len()).expect("fewer than 2^32 descriptions");
        self.all.push(text.into());
        if self.recent.len() == RECENT {
            self.recent.remove(0);
        }
        self.recent.push(n);
        n
    }

    /// Makes a text the most recent (what `intern` does when it finds it).
    fn touch(&mut self, n: u32) {
        if let Some(at) = self.recent.iter().rposition(|&m| m == n) {
            self.recent.remove(at);
        } else if self.recent.len() == RECENT {
            self.recent.remove(0);
        }
        self.recent.push(n);
    }

    fn intern(&mut self, text: &str) -> u32 {
        let found = self
            .recent
            .iter()
            .rposition(|&n| &*self.all[n as usize] == text);
        let n = match found {
            Some(at) => self.recent.remove(at),
            None => {
                let n = u32::try_from(self.all.len()).expect("fewer than 2^32 descriptions");
                self.all.push(text.into());
                if self.recent.len() == RECENT {
                    self.recent.remove(0);
                }
                n
            }
        };
        self.recent.push(n);
        n
    }
}

/// An open-addressing set of line numbers (linear probing, at most half full). Written
/// here rather than taken from `hashbrown`, whose table for one more element type adds
/// about a kilobyte of gzipped wasm (docs/performance.md); this needs find and insert only.
#[derive(Clone, Debug, Default)]
struct LineIndex {
    /// Line number + 1 in each slot, 0 where empty; the length is a power of two.
    slots: Vec<u32>,
    len: usize,
}

impl LineIndex {
    /// The slot holding the number `is` accepts, or the empty slot where it would go.
    fn slot(&self, hash: u64, is: impl Fn(u32) -> bool) -> usize {
        if self.slots.is_empty() {
            return 0;
        }
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            match self.slots[i] {
                0 => return i,
                n if is(n - 1) => return i,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// The number in a slot `slot` found, if it holds one.
    fn at(&self, slot: usize) -> Option<u32> {
        self.slots.get(slot).and_then(|&n| n.checked_sub(1))
    }

    /// Puts `n` in the empty slot `slot` found (or anywhere, when growing first).
    fn insert(&mut self, slot: usize, n: u32, hash_of: impl Fn(u32) -> u64) {
        if (self.len + 1) * 2 > self.slots.len() {
            let size = (self.slots.len() * 2).max(64);
            let old = std::mem::replace(&mut self.slots, vec![0; size]);
            for m in old.into_iter().filter(|&m| m != 0) {
                let at = self.slot(hash_of(m - 1), |_| false);
                self.slots[at] = m;
            }
            let at = self.slot(hash_of(n), |_| false);
            self.slots[at] = n + 1;
        } else {
            self.slots[slot] = n + 1;
        }
        self.len += 1;
    }
}

/// A multiply-xor hash over the packed fields (what FxHash does, without the `Hash`
/// machinery's code).
fn hash_line(l: &PackedLine) -> u64 {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let words = [
        u64::from(l.description) << 32 | u64::from(l.scales),
        l.quantity as u64,
        l.unit_price as u64,
        l.net as u64,
        l.tax as u64,
        (l.tax_rate as u32 as u64) << 32 | l.discount_rate as u32 as u64,
    ];
    let h = words
        .iter()
        .fold(0u64, |h, &w| (h.rotate_left(26) ^ w).wrapping_mul(K));
    // The top bits are the best mixed; the index uses the low ones.
    h ^ (h >> 32)
}

/// `d` as (mantissa, scale) if those rebuild it bit for bit (negative zero doesn't).
fn pack64(d: Decimal) -> Option<(i64, u32)> {
    let m = i64::try_from(d.mantissa()).ok()?;
    let back = decimal(m, d.scale());
    (back.serialize() == d.serialize()).then_some((m, d.scale()))
}

fn pack32(d: Decimal) -> Option<(i32, u32)> {
    let (m, s) = pack64(d)?;
    Some((i32::try_from(m).ok()?, s))
}

fn same(a: Decimal, b: Decimal) -> bool {
    a.serialize() == b.serialize()
}

impl LineTable {
    /// Adds a description as a new text (a snapshot being read: the writer wrote it
    /// where the table first had it), keeping the recent texts as `push` would.
    pub fn add_text(&mut self, description: &str) -> u32 {
        self.texts.add(description)
    }

    /// A text used again (a snapshot being read), kept recent as `push` would; `None`
    /// if there is no such text.
    pub fn reuse_text(&mut self, n: u32) -> Option<u32> {
        ((n as usize) < self.texts.all.len()).then(|| {
            self.texts.touch(n);
            n
        })
    }

    /// The most recently used texts, most recent last (a snapshot keeps them, so a
    /// restored table interns new descriptions as the one written would).
    pub fn recent_texts(&self) -> &[u32] {
        &self.texts.recent
    }

    /// Sets the most recently used texts (a snapshot being read); `None` if one is not
    /// a text of the table or there are more than the table keeps.
    pub fn set_recent_texts(&mut self, recent: Vec<u32>) -> Option<()> {
        let all = self.texts.all.len();
        if recent.len() > RECENT || recent.iter().any(|&n| n as usize >= all) {
            return None;
        }
        self.texts.recent = recent;
        Some(())
    }

    /// Description `n`'s text.
    pub fn text(&self, n: u32) -> &str {
        &self.texts.all[n as usize]
    }

    /// How many distinct packed lines.
    pub fn distinct_len(&self) -> usize {
        self.distinct.len()
    }

    /// Distinct packed line `n` as a snapshot holds it ([`PACKED_LINE_BYTES`],
    /// little-endian: description, scales, quantity, unit price, net, tax, tax rate,
    /// discount rate).
    pub fn distinct_bytes(&self, n: usize, out: &mut Vec<u8>) {
        let p = &self.distinct[n];
        out.extend_from_slice(&p.description.to_le_bytes());
        out.extend_from_slice(&p.scales.to_le_bytes());
        for v in [p.quantity, p.unit_price, p.net, p.tax] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&p.tax_rate.to_le_bytes());
        out.extend_from_slice(&p.discount_rate.to_le_bytes());
    }

    /// Appends a distinct packed line from `distinct_bytes`'s form (a snapshot being
    /// read, after its texts); `None` if its description is not a text of the table, a
    /// scale is beyond `Decimal`'s, or the table already holds it.
    pub fn push_distinct_bytes(&mut self, b: &[u8; PACKED_LINE_BYTES]) -> Option<()> {
        let word = |at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        let long = |at: usize| u64::from(word(at)) | u64::from(word(at + 4)) << 32;
        let line = PackedLine {
            description: word(0),
            scales: word(4),
            quantity: long(8) as i64,
            unit_price: long(16) as i64,
            net: long(24) as i64,
            tax: long(32) as i64,
            tax_rate: word(40) as i32,
            discount_rate: word(44) as i32,
        };
        let scales_ok = line.scales >> 30 == 0
            && (0..6).all(|k| (line.scales >> (5 * k)) & 31 <= Decimal::MAX_SCALE);
        if !scales_ok || line.description as usize >= self.texts.all.len() {
            return None;
        }
        let before = self.distinct.len();
        (self.number_of(line) as usize == before).then_some(())
    }

    /// How many line numbers the runs hold.
    pub fn runs_len(&self) -> usize {
        self.runs.len()
    }

    /// Line number `i` of the runs.
    pub fn run(&self, i: usize) -> u32 {
        self.runs[i]
    }

    /// Appends line numbers given as little-endian `u32`s (a snapshot being read, after
    /// the distinct lines); `None` (some may be appended) if one is not a distinct line.
    pub fn push_run_bytes(&mut self, bytes: &[u8]) -> Option<()> {
        let distinct = self.distinct.len();
        for b in bytes.chunks_exact(4) {
            let n = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            if n as usize >= distinct {
                return None;
            }
            self.runs.push(n);
        }
        Some(())
    }

    /// How many lines the wide table holds.
    pub fn wide_len(&self) -> usize {
        self.wide.len()
    }

    /// Wide line `i` and its description's number.
    pub fn wide_line(&self, i: usize) -> (u32, &Line) {
        let (text, line) = &self.wide[i];
        (*text, line)
    }

    /// Appends a wide line whose description is text `text` of the table (a snapshot
    /// being read; the line's own description is replaced by it); `None` if there is
    /// no such text.
    pub fn push_wide(&mut self, text: u32, mut line: Line) -> Option<()> {
        line.input.description = Text::from(&**self.texts.all.get(text as usize)?);
        self.wide.push((text, line));
        Some(())
    }

    #[cfg(fast_paths)]
    /// The sums of a packed span's net and tax mantissas when every line holds both at
    /// `scale` (what the `Decimal` sums are then, at that scale); `None` otherwise.
    pub fn sums_at_scale(&self, span: LineSpan, scale: u32) -> Option<(i128, i128)> {
        if span.is_wide() {
            return None;
        }
        let both = scale << 20 | scale << 25;
        let (mut net, mut tax) = (0i128, 0i128);
        for i in span.first as usize..span.first as usize + span.len() {
            let p = &self.distinct[self.runs[i] as usize];
            if p.scales & (31 << 20 | 31 << 25) != both {
                return None;
            }
            net += i128::from(p.net);
            tax += i128::from(p.tax);
        }
        Some((net, tax))
    }

    /// How many distinct descriptions the table holds (`LineView::text` is below it).
    pub fn text_count(&self) -> usize {
        self.texts.all.len()
    }

    /// Appends an invoice's computed lines; returns where they are.
    #[cfg(fast_paths)]
    pub fn push(&mut self, lines: &[Line]) -> LineSpan {
        self.push_described(lines, |i| &lines[i].input.description)
    }

    /// Appends computed lines whose descriptions are given apart (`description(i)` for
    /// line `i`): a plan's lines leave theirs in the draft (`compute_line`).
    #[cfg(fast_paths)]
    pub fn push_described<'d>(
        &mut self,
        lines: &[Line],
        description: impl Fn(usize) -> &'d str,
    ) -> LineSpan {
        self.append(lines.len(), &mut |texts, i| {
            (texts.intern(description(i)), LineView::of(&lines[i]))
        })
    }

    /// Appends lines whose descriptions are already in the table (`add_text`,
    /// `reuse_text`); the views' own descriptions are not read.
    #[cfg(fast_paths)]
    pub fn push_interned(&mut self, lines: &[(u32, LineView<'_>)]) -> LineSpan {
        self.append(lines.len(), &mut |_, i| lines[i])
    }

    /// Appends `count` lines, `next(texts, i)` giving line `i`'s description number and
    /// amounts (called once a line, in order): packed if every line packs, else all in
    /// the wide table. Packed lines wait in `scratch`, kept from one invoice to the
    /// next, so appending allocates nothing but the tables' own growth.
    #[cfg(fast_paths)]
    fn append<'v>(
        &mut self,
        count: usize,
        next: &mut dyn FnMut(&mut Texts, usize) -> (u32, LineView<'v>),
    ) -> LineSpan {
        let mut packed = std::mem::take(&mut self.scratch);
        packed.clear();
        // Once a line doesn't pack, every line as the wide table holds it (the lines
        // packed before it read back from their packed form, which is exact).
        let mut wide: Option<Vec<(u32, Line)>> = None;
        for i in 0..count {
            let (text, line) = next(&mut self.texts, i);
            match &mut wide {
                Some(wide) => wide.push(self.as_wide(text, line)),
                None => match Self::pack(text, line) {
                    Some(p) => packed.push(p),
                    None => {
                        let mut all = Vec::with_capacity(count);
                        for p in &packed {
                            all.push(self.as_wide(p.description, self.unpack(p)));
                        }
                        all.push(self.as_wide(text, line));
                        wide = Some(all);
                    }
                },
            }
        }
        let span = match wide {
            None => {
                let first = self.first_run();
                for &p in &packed {
                    let n = self.number_of(p);
                    self.runs.push(n);
                }
                LineSpan {
                    first,
                    count: count as u32,
                }
            }
            Some(lines) => {
                let first = self.first_wide();
                self.wide.extend(lines);
                LineSpan {
                    first,
                    count: count as u32 | WIDE,
                }
            }
        };
        self.scratch = packed;
        span
    }

    // The shipped module's versions below append the same lines in less code: every
    // line is packed twice (checked, then stored) and no scratch vector is kept; its
    // plans' lines hold their descriptions (`compute_line`).
    /// Appends an invoice's computed lines; returns where they are.
    #[cfg(not(fast_paths))]
    pub fn push(&mut self, lines: &[Line]) -> LineSpan {
        // Checked before any description is interned, as `push_interned` checks: no
        // vector of the lines' parts is built for one invoice (an allocation a command).
        if lines
            .iter()
            .all(|l| Self::pack(0, LineView::of(l)).is_some())
        {
            let first = self.first_run();
            for l in lines {
                let description = self.texts.intern(&l.input.description);
                self.push_run(description, LineView::of(l));
            }
            return LineSpan {
                first,
                count: lines.len() as u32,
            };
        }
        let first = self.first_wide();
        for l in lines {
            let description = self.texts.intern(&l.input.description);
            self.push_wide_line(description, LineView::of(l));
        }
        LineSpan {
            first,
            count: lines.len() as u32 | WIDE,
        }
    }

    /// Appends lines whose descriptions are already in the table (`add_text`,
    /// `reuse_text`); the views' own descriptions are not read.
    #[cfg(not(fast_paths))]
    pub fn push_interned(&mut self, lines: &[(u32, LineView<'_>)]) -> LineSpan {
        if lines.iter().all(|&(d, l)| Self::pack(d, l).is_some()) {
            let first = self.first_run();
            for &(d, l) in lines {
                self.push_run(d, l);
            }
            LineSpan {
                first,
                count: lines.len() as u32,
            }
        } else {
            let first = self.first_wide();
            for &(d, l) in lines {
                self.push_wide_line(d, l);
            }
            LineSpan {
                first,
                count: lines.len() as u32 | WIDE,
            }
        }
    }

    fn first_run(&self) -> u32 {
        u32::try_from(self.runs.len()).expect("fewer than 2^31 lines")
    }

    fn first_wide(&self) -> u32 {
        u32::try_from(self.wide.len()).expect("fewer than 2^31 lines")
    }

    /// Appends one line that packs (the caller checked with `pack`).
    #[cfg(not(fast_paths))]
    fn push_run(&mut self, description: u32, line: LineView<'_>) {
        if let Some(packed) = Self::pack(description, line) {
            let n = self.number_of(packed);
            self.runs.push(n);
        }
    }

    #[cfg(not(fast_paths))]
    fn push_wide_line(&mut self, d: u32, l: LineView<'_>) {
        let wide = self.as_wide(d, l);
        self.wide.push(wide);
    }

    /// A line as the wide table holds it, its description `d` copied from the table.
    fn as_wide(&self, d: u32, l: LineView<'_>) -> (u32, Line) {
        (
            d,
            Line {
                input: LineInput {
                    description: Text::from(&*self.texts.all[d as usize]),
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    tax_rate: l.tax_rate,
                    discount_rate: l.discount_rate,
                },
                net: l.net,
                tax: l.tax,
                gross: l.gross,
            },
        )
    }

    /// Appends lines given as their description's number (in the table, as for
    /// `push_interned`) and their amounts as (mantissa, scale): quantity, unit price, tax
    /// rate, discount rate, net and tax, with gross = net + tax (a snapshot being read).
    /// What `push_interned` does with the same lines as `Decimal`s, without making them;
    /// `None` (nothing appended) if one doesn't fit the packed form, for `push_interned`.
    #[cfg(fast_paths)]
    pub fn push_parts(&mut self, lines: &[(u32, [(i64, u32); 6])]) -> Option<LineSpan> {
        let fits = |&(_, a): &(u32, [(i64, u32); 6])| {
            a.iter().all(|&(_, scale)| scale <= Decimal::MAX_SCALE)
                && i32::try_from(a[2].0).is_ok()
                && i32::try_from(a[3].0).is_ok()
        };
        if !lines.iter().all(fits) {
            return None;
        }
        let first = u32::try_from(self.runs.len()).expect("fewer than 2^31 lines");
        for &(description, [q, p, r, d, net, tax]) in lines {
            let n = self.number_of(PackedLine {
                description,
                scales: q.1 | p.1 << 5 | r.1 << 10 | d.1 << 15 | net.1 << 20 | tax.1 << 25,
                quantity: q.0,
                unit_price: p.0,
                net: net.0,
                tax: tax.0,
                tax_rate: r.0 as i32,
                discount_rate: d.0 as i32,
            });
            self.runs.push(n);
        }
        Some(LineSpan {
            first,
            count: lines.len() as u32,
        })
    }

    /// The number of a packed line in `distinct`, added if it is new.
    fn number_of(&mut self, line: PackedLine) -> u32 {
        let distinct = &self.distinct;
        let slot = self
            .index
            .slot(hash_line(&line), |n| distinct[n as usize] == line);
        if let Some(n) = self.index.at(slot) {
            return n;
        }
        let n = u32::try_from(self.distinct.len()).expect("fewer than 2^32 distinct lines");
        self.distinct.push(line);
        let distinct = &self.distinct;
        self.index
            .insert(slot, n, |m| hash_line(&distinct[m as usize]));
        n
    }

    fn pack(description: u32, l: LineView<'_>) -> Option<PackedLine> {
        let (quantity, s0) = pack64(l.quantity)?;
        let (unit_price, s1) = pack64(l.unit_price)?;
        let (tax_rate, s2) = pack32(l.tax_rate)?;
        let (discount_rate, s3) = pack32(l.discount_rate)?;
        let (net, s4) = pack64(l.net)?;
        let (tax, s5) = pack64(l.tax)?;
        if !same(l.net + l.tax, l.gross) {
            return None;
        }
        Some(PackedLine {
            description,
            scales: s0 | s1 << 5 | s2 << 10 | s3 << 15 | s4 << 20 | s5 << 25,
            quantity,
            unit_price,
            net,
            tax,
            tax_rate,
            discount_rate,
        })
    }

    /// Whether a span lies inside the tables (a restored snapshot's, checked).
    pub fn holds(&self, span: LineSpan) -> bool {
        // In 64 bits: a damaged span's end must not wrap (`usize` is 32 bits in wasm).
        let end = u64::from(span.first) + span.len() as u64;
        let len = if span.count & WIDE != 0 {
            self.wide.len()
        } else {
            self.runs.len()
        };
        end <= len as u64
    }

    /// An invoice's lines, in the order entered.
    pub fn iter(&self, span: LineSpan) -> impl Iterator<Item = LineView<'_>> + Clone + '_ {
        let range = span.first as usize..span.first as usize + span.len();
        let wide = span.count & WIDE != 0;
        range.map(move |i| {
            if wide {
                let (text, line) = &self.wide[i];
                LineView {
                    text: *text,
                    ..LineView::of(line)
                }
            } else {
                self.unpack(&self.distinct[self.runs[i] as usize])
            }
        })
    }

    fn unpack(&self, p: &PackedLine) -> LineView<'_> {
        let scale = |k: u32| (p.scales >> (5 * k)) & 31;
        let net = decimal(p.net, scale(4));
        let tax = decimal(p.tax, scale(5));
        LineView {
            description: &self.texts.all[p.description as usize],
            text: p.description,
            quantity: decimal(p.quantity, scale(0)),
            unit_price: decimal(p.unit_price, scale(1)),
            tax_rate: decimal(i64::from(p.tax_rate), scale(2)),
            discount_rate: decimal(i64::from(p.discount_rate), scale(3)),
            net,
            tax,
            gross: net + tax,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_pack_into_a_count_with_two_bits_to_spare() {
        for (first, count) in [(0, 0), (7, 3), (u32::MAX, 1000 | WIDE), (9, 8191)] {
            let span = LineSpan { first, count };
            let (f, c) = span.pack().unwrap();
            assert_eq!(c & (3 << 14), 0);
            assert_eq!(LineSpan::unpack(f, c | 3 << 14), span);
        }
        assert_eq!(
            LineSpan {
                first: 0,
                count: 8192
            }
            .pack(),
            None
        );
        assert_eq!(
            LineSpan {
                first: 0,
                count: 8192 | WIDE
            }
            .pack(),
            None
        );
    }

    fn line(desc: &str, q: &str, p: &str, r: &str, d: &str, net: &str, tax: &str) -> Line {
        let dec = |s: &str| s.parse::<Decimal>().unwrap();
        Line {
            input: LineInput {
                description: desc.into(),
                quantity: dec(q),
                unit_price: dec(p),
                tax_rate: dec(r),
                discount_rate: dec(d),
            },
            net: dec(net),
            tax: dec(tax),
            gross: dec(net) + dec(tax),
        }
    }

    fn bits(v: LineView<'_>) -> Vec<[u8; 16]> {
        [
            v.quantity,
            v.unit_price,
            v.tax_rate,
            v.discount_rate,
            v.net,
            v.tax,
            v.gross,
        ]
        .iter()
        .map(Decimal::serialize)
        .collect()
    }

    #[test]
    fn lines_read_back_bit_for_bit_packed_or_wide() {
        let mut table = LineTable::default();
        let ordinary = vec![
            line("Desk", "1", "180.00", "0.20", "0", "180.00", "36.00"),
            line("Desk", "2.5", "-10.005", "0.0", "0.10", "-22.51", "0.00"),
        ];
        let huge = vec![
            line(
                "Desk",
                "1",
                "123456789012345.6789012345",
                "0.20",
                "0",
                "1.00",
                "0.20",
            ),
            line("Other", "1", "1", "0.1234567891", "0", "1.00", "0.12"),
        ];
        let a = table.push(&ordinary);
        let b = table.push(&huge);
        assert_eq!(table.runs.len(), 2, "ordinary lines are packed");
        assert_eq!(
            table.wide.len(),
            2,
            "an invoice with an unpackable line is wide"
        );
        assert_eq!(table.texts.all.len(), 2, "descriptions interned");
        // Lines that pack before one that doesn't: read back from their packed form.
        let mixed = vec![ordinary[1].clone(), huge[0].clone(), ordinary[0].clone()];
        let c = table.push(&mixed);
        assert_eq!((table.runs.len(), table.wide.len()), (2, 5));
        for (span, lines) in [(a, &ordinary), (b, &huge), (c, &mixed)] {
            let read: Vec<_> = table.iter(span).collect();
            assert_eq!(read.len(), lines.len());
            for (r, l) in read.iter().zip(lines.iter()) {
                assert_eq!(r.description, l.input.description);
                assert_eq!(bits(*r), bits(LineView::of(l)));
            }
        }
        assert!(table.holds(a) && table.holds(b) && table.holds(c));
    }

    #[test]
    fn repeated_lines_are_kept_once_and_read_back_as_they_were() {
        let mut table = LineTable::default();
        let desk = line("Desk", "1", "180.00", "0.20", "0", "180.00", "36.00");
        // Same value, another scale: a different line (it prints differently).
        let desk_rescaled = line("Desk", "1", "180.0", "0.20", "0", "180.00", "36.00");
        let room = line("Room", "3", "25.00", "0.20", "0.10", "67.50", "13.50");
        let first = vec![desk.clone(), room.clone()];
        let second = vec![room.clone(), desk.clone(), desk_rescaled.clone()];
        let a = table.push(&first);
        let b = table.push(&second);
        let c = table.push(&first);
        assert_eq!(table.runs.len(), 7, "every invoice keeps its own order");
        assert_eq!(table.distinct.len(), 3, "each distinct line once");
        for (span, lines) in [(a, &first), (b, &second), (c, &first)] {
            let read: Vec<_> = table.iter(span).collect();
            assert_eq!(read.len(), lines.len());
            for (r, l) in read.iter().zip(lines.iter()) {
                assert_eq!(r.description, l.input.description);
                assert_eq!(bits(*r), bits(LineView::of(l)));
            }
        }
        let read: Vec<_> = table.iter(b).collect();
        assert_eq!(read[2].unit_price.to_string(), "180.0");
        assert_eq!(read[1].unit_price.to_string(), "180.00");
    }

    #[test]
    fn the_index_finds_every_line_as_it_grows() {
        let mut table = LineTable::default();
        let many: Vec<Line> = (0..1500)
            .map(|i| {
                let price = format!("{i}.00");
                line("Desk", "1", &price, "0", "0", &price, "0.00")
            })
            .collect();
        let spans: Vec<LineSpan> = many.chunks(7).map(|c| table.push(c)).collect();
        let again: Vec<LineSpan> = many.chunks(7).map(|c| table.push(c)).collect();
        assert_eq!(table.distinct.len(), 1500);
        assert_eq!(table.index.len, 1500);
        for (span, chunk) in spans.iter().chain(again.iter()).zip(many.chunks(7).cycle()) {
            let prices: Vec<Decimal> = table.iter(*span).map(|l| l.unit_price).collect();
            let want: Vec<Decimal> = chunk.iter().map(|l| l.input.unit_price).collect();
            assert_eq!(prices, want);
        }
    }
}
