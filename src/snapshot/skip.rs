//! Natively: where format 4's invoices and payments begin, found by stepping over the
//! customers, the line table and the invoices without building them, so a second
//! thread can decode the payments and everything after them while the first decodes
//! what comes before (`read::in_two`). Only a guess: the first thread checks it against where its own
//! decoding ended and drops the second's work if they differ, so nothing here decides
//! what a snapshot holds or whether it is refused.

use crate::state::lines::PACKED_LINE_BYTES;

/// Where the payments start, and the running seq and date the reader carries into them
/// (ids' seqs and every date are written as differences from the previous one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Mark {
    pub at: usize,
    pub prev_seq: u64,
    pub prev_date: i64,
}

struct Steps<'a> {
    bytes: &'a [u8],
    at: usize,
    prev_seq: u64,
    prev_date: i64,
    /// Ids stepped over.
    ids: usize,
}

impl Steps<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    /// A varint's low 64 bits.
    fn uv(&mut self) -> Option<u64> {
        let b = self.byte()?;
        if b < 0x80 {
            return Some(u64::from(b));
        }
        let (mut v, mut shift) = (u64::from(b & 0x7f), 7);
        loop {
            let b = self.byte()?;
            if shift < 64 {
                v |= u64::from(b & 0x7f) << shift;
            }
            if b < 0x80 {
                return Some(v);
            }
            shift += 7;
        }
    }

    fn sv(&mut self) -> Option<i64> {
        let z = self.uv()?;
        Some(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        let end = self.at.checked_add(n)?;
        (end <= self.bytes.len()).then(|| self.at = end)
    }

    fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.uv()?).ok()?;
        (n <= self.bytes.len() - self.at).then_some(n)
    }

    fn text(&mut self) -> Option<()> {
        let n = self.len()?;
        self.skip(n)
    }

    /// A front-coded text: the shared length, then the rest.
    fn front(&mut self) -> Option<()> {
        self.uv()?;
        self.text()
    }

    fn id(&mut self) -> Option<()> {
        self.front()?;
        self.skip(8)?;
        self.prev_seq = self.prev_seq.wrapping_add(self.sv()? as u64);
        self.ids += 1;
        Some(())
    }

    fn date(&mut self) -> Option<()> {
        self.prev_date = self.prev_date.checked_add(self.sv()?)?;
        Some(())
    }

    fn customers(&mut self) -> Option<()> {
        for _ in 0..self.len()? {
            self.id()?;
            self.text()?;
            let email = usize::try_from(self.uv()?).ok()?;
            self.skip(email.saturating_sub(1))?;
            self.skip(3)?;
            for _ in 0..self.len()? {
                self.skip(3)?;
                self.uv()?;
                self.uv()?;
                for _ in 0..self.len()? {
                    self.date()?;
                    self.uv()?;
                    self.uv()?;
                    self.uv()?;
                }
            }
        }
        Some(())
    }

    fn line_table(&mut self) -> Option<()> {
        for _ in 0..self.len()? {
            self.text()?;
        }
        for _ in 0..self.len()? {
            for _ in 0..self.len()? {
                self.uv()?;
            }
        }
        let distinct = self.len()?;
        self.skip(distinct.checked_mul(PACKED_LINE_BYTES)?)?;
        let runs = self.len()?;
        self.skip(runs.checked_mul(4)?)?;
        for _ in 0..self.len()? {
            for _ in 0..8 {
                self.uv()?;
            }
        }
        Some(())
    }

    fn invoices(&mut self) -> Option<()> {
        for _ in 0..self.len()? {
            self.id()?;
            self.front()?;
            self.uv()?;
            self.skip(3)?;
            self.date()?;
            self.uv()?;
            let flags = self.byte()?;
            self.uv()?;
            self.uv()?;
            let amounts = [(64, 3), (8, 2), (16, 1), (32, 2)]
                .iter()
                .filter(|&&(flag, _)| flags & flag != 0)
                .map(|&(_, n)| n)
                .sum::<usize>();
            for _ in 0..amounts {
                self.uv()?;
            }
            for _ in 0..self.len()? {
                self.uv()?;
                self.uv()?;
            }
            if flags & 4 != 0 {
                self.uv()?;
            }
        }
        Some(())
    }
}

/// Steps over the customers, the line table and the invoices of a format 4 payload
/// from `at` (just after the count of records); `None` where the bytes end first.
#[cfg(test)]
pub(super) fn to_payments(bytes: &[u8], at: usize) -> Option<Mark> {
    let (invoices, _) = to_invoices(bytes, at)?;
    over_invoices(bytes, invoices)
}

/// Steps over the customers and the line table of a format 4 payload from `at` (just
/// after the count of records), to where the invoices start: that place, and how many
/// ids the customers and the invoices hold (the invoices' count, read ahead). `None`
/// where the bytes end first.
pub(super) fn to_invoices(bytes: &[u8], at: usize) -> Option<(Mark, usize)> {
    let mut s = Steps {
        bytes,
        at,
        prev_seq: 0,
        prev_date: 0,
        ids: 0,
    };
    s.customers()?;
    s.line_table()?;
    let mark = Mark {
        at: s.at,
        prev_seq: s.prev_seq,
        prev_date: s.prev_date,
    };
    let invoices = s.len()?;
    Some((mark, s.ids.checked_add(invoices)?))
}

/// Steps over the invoices from where they start (`to_invoices`), to where the payments
/// start; `None` where the bytes end first.
pub(super) fn over_invoices(bytes: &[u8], from: Mark) -> Option<Mark> {
    let mut s = Steps {
        bytes,
        at: from.at,
        prev_seq: from.prev_seq,
        prev_date: from.prev_date,
        ids: 0,
    };
    s.invoices()?;
    Some(Mark {
        at: s.at,
        prev_seq: s.prev_seq,
        prev_date: s.prev_date,
    })
}
