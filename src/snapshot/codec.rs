//! The byte-level pieces of format 3, written and read by hand (no serde on this path:
//! the derived visitors cost more wasm than the whole format): LEB128 varints, zigzag
//! for signed values, decimals as one varint of `zigzag(mantissa) << 5 | scale`, ids and
//! references front-coded against the previous one of the same column, repeated texts
//! (line descriptions, reasons) interned on first use, and a checksum fed as the bytes
//! go out so a snapshot can be written front to back.

use std::hash::Hasher;

use rust_decimal::Decimal;

use super::FAST;
use crate::date::Date;
use crate::money::{Currency, Minor};
use crate::stable_hash::StableHasher;
use crate::state::records::{Idx, RecordRef};

/// Unsigned LEB128.
pub fn uv(out: &mut Vec<u8>, mut v: u128) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Signed, zigzag-mapped to unsigned first.
pub fn sv(out: &mut Vec<u8>, v: i64) {
    uv(out, u128::from(((v << 1) ^ (v >> 63)) as u64));
}

/// A decimal with its scale kept ("100.00" stays "100.00").
pub fn dec(out: &mut Vec<u8>, d: Decimal) {
    let m = d.mantissa();
    let zigzag = ((m << 1) ^ (m >> 127)) as u128;
    uv(out, (zigzag << 5) | u128::from(d.scale()));
}

pub fn date(out: &mut Vec<u8>, d: Date) {
    sv(out, i64::from(d.day_number()));
}

pub fn opt_date(out: &mut Vec<u8>, d: Option<Date>) {
    match d {
        None => out.push(0),
        Some(d) => {
            out.push(1);
            date(out, d);
        }
    }
}

pub fn currency(out: &mut Vec<u8>, c: Currency) {
    out.extend_from_slice(c.code().as_bytes());
}

pub fn text(out: &mut Vec<u8>, s: &str) {
    uv(out, s.len() as u128);
    out.extend_from_slice(s.as_bytes());
}

pub fn opt_text(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            uv(out, s.len() as u128 + 1);
            out.extend_from_slice(s.as_bytes());
        }
    }
}

pub fn idx(out: &mut Vec<u8>, i: Idx) {
    uv(out, u128::from(i));
}

pub fn opt_idx(out: &mut Vec<u8>, i: Option<Idx>) {
    uv(out, i.map_or(0, |i| u128::from(i) + 1));
}

/// A record reference: its table's tag in the low four bits.
pub fn record(out: &mut Vec<u8>, r: RecordRef) {
    let (tag, i) = r.parts();
    uv(out, (u128::from(i) << 4) | u128::from(tag));
}

/// Front coding: a text as the length of the prefix it shares with the previous text
/// of its column, then the rest. Sequential ids (`i00000588`, `i00000589`) take a few
/// bytes instead of their whole length.
#[derive(Clone, Debug, Default)]
pub struct Front {
    prev: Vec<u8>,
}

impl Front {
    pub fn put(&mut self, out: &mut Vec<u8>, s: &str) {
        let s = s.as_bytes();
        let shared = self.prev.iter().zip(s).take_while(|(a, b)| a == b).count();
        uv(out, shared as u128);
        uv(out, (s.len() - shared) as u128);
        out.extend_from_slice(&s[shared..]);
        self.prev.clear();
        self.prev.extend_from_slice(s);
    }
}

/// Interning: a text seen before is its number in order of first use (plus one); a new
/// one is 0 and the text. The reader rebuilds the same table as it goes. The writer
/// looks among the most recent texts only (no hash map in the wasm); a text seen long
/// ago is written again, as a new one.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    recent: Vec<(String, u32)>,
    count: u32,
}

/// How many recent texts the writer compares a text with.
const RECENT: usize = 64;

impl Interner {
    pub fn put(&mut self, out: &mut Vec<u8>, s: &str) {
        match self.recent.iter().rposition(|(t, _)| t == s) {
            Some(at) => {
                let seen = self.recent.remove(at);
                uv(out, u128::from(seen.1) + 1);
                self.recent.push(seen);
            }
            None => {
                out.push(0);
                text(out, s);
                if self.recent.len() == RECENT {
                    self.recent.remove(0);
                }
                self.recent.push((s.to_string(), self.count));
                self.count += 1;
            }
        }
    }
}

/// The payload checksum (`stable_hash::checksum`) computed over bytes given in pieces:
/// the same value as over all of them at once.
#[derive(Clone, Debug, Default)]
pub struct StreamSum {
    hasher: StableHasher,
    pending: Vec<u8>,
    total: u64,
}

impl StreamSum {
    pub fn feed(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        if !self.pending.is_empty() {
            let take = (8 - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() < 8 {
                return;
            }
            self.hasher.mix_word(&self.pending);
            self.pending.clear();
        }
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.hasher.mix_word(chunk);
        }
        self.pending.extend_from_slice(chunks.remainder());
    }

    /// Bytes fed so far.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The checksum of everything fed.
    pub fn finish(mut self) -> u64 {
        self.hasher.write(&self.pending);
        self.hasher.finish()
    }
}

/// Reading: every read checks it stays inside the input; `None` means the bytes don't
/// decode (the caller says so once, in words).
pub struct Src<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Interned texts in order of first use, per column.
    pub interned: Vec<Vec<String>>,
    /// The previous text of each front-coded column.
    pub fronts: Vec<String>,
    /// The first currencies read, looked up again without the table (natively and in
    /// the bulk module: a ledger has a handful).
    #[cfg(fast_paths)]
    currencies: Vec<([u8; 3], Currency)>,
}

pub type Got<T> = Option<T>;

impl<'a> Src<'a> {
    pub fn new(bytes: &'a [u8], interned: usize, fronts: usize) -> Src<'a> {
        Src {
            bytes,
            at: 0,
            interned: vec![Vec::new(); interned],
            fronts: vec![String::new(); fronts],
            #[cfg(fast_paths)]
            currencies: Vec::new(),
        }
    }

    /// Where the next read starts.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn at(&self) -> usize {
        self.at
    }

    /// All the bytes it reads from.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The same bytes, read from `at` with fresh columns (the payments' reader on a
    /// second thread, `read::in_two`).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from(&self, at: usize) -> Src<'a> {
        let mut src = Src::new(self.bytes, self.interned.len(), self.fronts.len());
        src.at = at.min(self.bytes.len());
        src
    }

    pub fn left(&self) -> usize {
        self.bytes.len() - self.at
    }

    pub fn byte(&mut self) -> Got<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    pub fn take(&mut self, n: usize) -> Got<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(s)
    }

    /// An unsigned varint of at most 64 bits. Natively and in the bulk module (`FAST`)
    /// read without 128-bit arithmetic first, as nearly every number a snapshot holds
    /// fits; both ways accept the same bytes.
    #[inline]
    pub fn u64(&mut self) -> Got<u64> {
        if FAST {
            if let Some(v) = self.one_byte() {
                return Some(v);
            }
            let start = self.at;
            if let Some(v) = self.short() {
                return Some(v);
            }
            self.at = start;
        }
        u64::try_from(self.uv()?).ok()
    }

    /// A varint of one byte (most of a snapshot's), read inline where it is needed.
    #[inline(always)]
    fn one_byte(&mut self) -> Option<u64> {
        let b = *self.bytes.get(self.at)?;
        (b < 0x80).then(|| {
            self.at += 1;
            u64::from(b)
        })
    }

    /// `u64`'s fast path: `None` past the end or beyond ten bytes or 64 bits.
    fn short(&mut self) -> Got<u64> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                // The tenth byte holds bit 63 only.
                return (shift < 63 || b < 2).then_some(v);
            }
            shift += 7;
            if shift > 63 {
                return None;
            }
        }
    }

    #[inline]
    pub fn uv(&mut self) -> Got<u128> {
        if FAST {
            if let Some(v) = self.one_byte() {
                return Some(v.into());
            }
            let start = self.at;
            if let Some(v) = self.short() {
                return Some(v.into());
            }
            self.at = start;
        }
        let mut v = 0u128;
        for shift in (0..128).step_by(7) {
            let b = self.byte()?;
            v |= u128::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    pub fn u32(&mut self) -> Got<u32> {
        u32::try_from(self.u64()?).ok()
    }

    pub fn sv(&mut self) -> Got<i64> {
        let z = self.u64()?;
        Some(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    /// A table's length: each element takes at least a byte, so a length beyond the
    /// bytes left is a lie and allocates nothing.
    pub fn len(&mut self) -> Got<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.left()).then_some(n)
    }

    pub fn dec(&mut self) -> Got<Decimal> {
        let (m, scale) = self.raw_dec()?;
        Decimal::try_from_i128_with_scale(m, scale).ok()
    }

    /// A decimal's mantissa and scale as written, unchecked.
    fn raw_dec(&mut self) -> Got<(i128, u32)> {
        let v = self.uv()?;
        let z = v >> 5;
        Some((((z >> 1) as i128) ^ -((z & 1) as i128), (v & 31) as u32))
    }

    /// A decimal as its mantissa and scale, checked to make a `Decimal` (at most 96 bits
    /// and 28 decimals), without making it.
    #[cfg(fast_paths)]
    pub fn dec_parts(&mut self) -> Got<(i128, u32)> {
        let (m, scale) = self.raw_dec()?;
        let fits = m.unsigned_abs() < 1 << 96 && scale <= Decimal::MAX_SCALE;
        fits.then_some((m, scale))
    }

    /// An amount in minor units of `currency`, as `Minor::of` reads its decimal.
    pub fn money(&mut self, currency: Currency) -> Got<Minor> {
        #[cfg(fast_paths)]
        {
            // Nearly every amount is at minor units with a mantissa of under 59 bits:
            // one 64-bit varint, read without 128-bit arithmetic (the same value).
            let start = self.at;
            if let Some(v) = self.u64() {
                let z = v >> 5;
                if (v & 31) as u32 == currency.minor_units() {
                    return Some(Minor::from_units(((z >> 1) as i64) ^ -((z & 1) as i64)));
                }
            }
            self.at = start;
            let (m, scale) = self.dec_parts()?;
            if scale == currency.minor_units() {
                return i64::try_from(m).ok().map(Minor::from_units);
            }
            Minor::of(Decimal::try_from_i128_with_scale(m, scale).ok()?, currency)
        }
        #[cfg(not(fast_paths))]
        Minor::of(self.dec()?, currency)
    }

    pub fn date(&mut self) -> Got<Date> {
        Date::from_day_number(i32::try_from(self.sv()?).ok()?)
    }

    pub fn opt_date(&mut self) -> Got<Option<Date>> {
        match self.byte()? {
            0 => Some(None),
            1 => Some(Some(self.date()?)),
            _ => None,
        }
    }

    pub fn currency(&mut self) -> Got<Currency> {
        let code = self.take(3)?;
        #[cfg(fast_paths)]
        if let Some(&(_, c)) = self.currencies.iter().find(|(k, _)| k == code) {
            return Some(c);
        }
        let c = Currency::from_code(std::str::from_utf8(code).ok()?)?;
        #[cfg(fast_paths)]
        if self.currencies.len() < 8 {
            self.currencies.push(([code[0], code[1], code[2]], c));
        }
        Some(c)
    }

    pub fn text(&mut self) -> Got<String> {
        let n = self.len()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }

    pub fn opt_text(&mut self) -> Got<Option<String>> {
        let n = usize::try_from(self.uv()?).ok()?;
        if n == 0 {
            return Some(None);
        }
        let bytes = self.take(n - 1)?;
        Some(Some(String::from_utf8(bytes.to_vec()).ok()?))
    }

    pub fn idx(&mut self) -> Got<Idx> {
        self.u32()
    }

    pub fn opt_idx(&mut self) -> Got<Option<Idx>> {
        Some(self.u32()?.checked_sub(1))
    }

    pub fn record(&mut self) -> Got<RecordRef> {
        let v = self.u64()?;
        RecordRef::from_parts((v & 15) as u8, u32::try_from(v >> 4).ok()?)
    }

    /// The next text of a front-coded column, kept in the column until its next one
    /// (`Src::last`); only its new bytes are checked to be UTF-8, cut from the previous
    /// text at a character boundary.
    pub fn front(&mut self, column: usize) -> Got<&str> {
        let shared = usize::try_from(self.u64()?).ok()?;
        let rest = self.len()?;
        let tail = std::str::from_utf8(self.take(rest)?).ok()?;
        let prev = self.fronts.get_mut(column)?;
        if !prev.is_char_boundary(shared) {
            return None;
        }
        prev.truncate(shared);
        prev.push_str(tail);
        Some(prev)
    }

    /// The text `front` read last in `column`.
    pub fn last(&self, column: usize) -> &str {
        self.fronts.get(column).map_or("", |s| s.as_str())
    }

    pub fn interned(&mut self, column: usize) -> Got<String> {
        let n = usize::try_from(self.uv()?).ok()?;
        if n == 0 {
            let s = self.text()?;
            self.interned[column].push(s.clone());
            Some(s)
        } else {
            self.interned[column].get(n - 1).cloned()
        }
    }

    pub fn fixed_u64(&mut self) -> Got<u64> {
        let b = self.take(8)?;
        Some(u64::from_le_bytes(b.try_into().ok()?))
    }

    pub fn at_end(&self) -> bool {
        self.at == self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_decimals_and_texts_round_trip() {
        let decimals = [
            "0",
            "0.00",
            "100.00",
            "-0.125",
            "1000000000000000",
            "0.0000000000000000000000000001",
            "-79228162514264337593543950335",
        ];
        let mut out = Vec::new();
        for d in decimals {
            dec(&mut out, d.parse().unwrap());
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX] {
            sv(&mut out, v);
        }
        let mut front = Front::default();
        for id in ["i00000588", "i00000589", "i00000590", "x", "é1", "é2"] {
            front.put(&mut out, id);
        }
        let mut src = Src::new(&out, 0, 1);
        for d in decimals {
            let read = src.dec().unwrap();
            assert_eq!(read.to_string(), d, "scale kept");
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX] {
            assert_eq!(src.sv(), Some(v));
        }
        for id in ["i00000588", "i00000589", "i00000590", "x", "é1", "é2"] {
            assert_eq!(src.front(0), Some(id));
        }
        assert!(src.at_end());
        // A text cut from the previous one inside a character doesn't decode.
        let mut out = Vec::new();
        Front::default().put(&mut out, "é1");
        out.extend_from_slice(&[1, 1, b'x']);
        let mut src = Src::new(&out, 0, 1);
        assert_eq!(src.front(0), Some("é1"));
        assert_eq!(src.front(0), None);
    }

    #[test]
    fn a_lying_length_allocates_no_more_than_the_input_holds() {
        let mut out = Vec::new();
        uv(&mut out, 1 << 62);
        out.push(1);
        assert_eq!(Src::new(&out, 0, 0).len(), None);
        // A scale byte beyond 28 or an overlong varint doesn't decode.
        let mut out = Vec::new();
        uv(&mut out, (2 << 5) | 29);
        assert_eq!(Src::new(&out, 0, 0).dec(), None);
        assert_eq!(Src::new(&[0xff; 20], 0, 0).uv(), None);
    }

    #[test]
    fn a_checksum_fed_in_pieces_is_the_checksum_of_the_whole() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        for step in [1, 3, 8, 13, 999, 1000] {
            let mut sum = StreamSum::default();
            for chunk in bytes.chunks(step) {
                sum.feed(chunk);
            }
            assert_eq!(sum.total(), 1000);
            assert_eq!(sum.finish(), crate::stable_hash::checksum(&bytes), "{step}");
        }
    }
}
