//! The index from ids to records. Ids are unique across all records.
//!
//! The id text lives once, in its record; the index holds no text. Each id has a row
//! (its record and the fingerprint of the command that created it) in an append-only
//! table, and the hash table holds only row numbers: a lookup hashes the id, follows
//! the row to the record and compares against the record's id. The table is rehashed
//! through the records' ids when it grows, so it keeps no hashes either. Commands
//! create exactly one id each, so rows are usually in seq order with no gaps and the
//! seq is the row number plus a constant; only a snapshot whose ids don't cover its
//! seqs that way keeps a seq per row.

use std::hash::BuildHasher;

use hashbrown::HashTable;

use super::chunked::Chunked;
use super::records::RecordRef;

/// An id's record, the fingerprint of the command that created it (idempotency) and
/// that command's seq.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdEntry {
    pub record: RecordRef,
    /// `journal::fingerprint` of the creating command's body: a resend with the same
    /// fingerprint is a duplicate, a different one a conflict.
    pub fingerprint: u64,
    /// Journal sequence number of the command that created it.
    pub seq: u64,
}

/// One id's row: what it names and how it was created.
#[derive(Clone, Copy, Debug)]
struct Row {
    record: RecordRef,
    fingerprint: u64,
}

/// Each row's seq: implied by its position while ids arrive one per seq, else listed.
#[derive(Clone, Debug)]
enum Seqs {
    /// Row `k` was created by seq `first + k`.
    Dense { first: u64 },
    /// Row `k` was created by seq `listed[k]`.
    Listed(Vec<u64>),
}

/// Every id in the ledger, for uniqueness, lookups and idempotency. Holds no id text.
#[derive(Clone, Debug)]
pub struct IdIndex {
    /// Row numbers, hashed by their id's text.
    table: HashTable<u32>,
    rows: Chunked<Row>,
    seqs: Seqs,
}

impl Default for IdIndex {
    fn default() -> Self {
        IdIndex {
            table: HashTable::new(),
            rows: Chunked::default(),
            seqs: Seqs::Dense { first: 1 },
        }
    }
}

/// Hash of an id's text.
pub fn hash_id(id: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(id)
}

impl IdIndex {
    /// An empty index for ids created by seqs `first`, `first + 1`, ... in the order
    /// they will be inserted (a snapshot's ids sorted by seq).
    pub fn starting_at(first: u64) -> IdIndex {
        IdIndex {
            seqs: Seqs::Dense { first },
            ..IdIndex::default()
        }
    }

    /// The entry for `id`; `id_of` gives the id text of a record.
    pub fn get<'a>(&self, id: &str, id_of: &dyn Fn(RecordRef) -> &'a str) -> Option<IdEntry> {
        let rows = &self.rows;
        let same: &dyn Fn(&u32) -> bool = &|&r| id_of(rows[r as usize].record) == id;
        let &row = self.table.find(hash_id(id), same)?;
        Some(self.entry(row as usize))
    }

    fn entry(&self, row: usize) -> IdEntry {
        let r = self.rows[row];
        let seq = match &self.seqs {
            Seqs::Dense { first } => first.wrapping_add(row as u64),
            Seqs::Listed(listed) => listed[row],
        };
        IdEntry {
            record: r.record,
            fingerprint: r.fingerprint,
            seq,
        }
    }

    /// Adds an id that is not in the index yet (the caller has looked); `id_of` gives
    /// the id text of every record already indexed, to rehash them when the table
    /// grows.
    pub fn insert<'a>(&mut self, id: &str, entry: IdEntry, id_of: &dyn Fn(RecordRef) -> &'a str) {
        let row = u32::try_from(self.rows.len()).expect("id index exceeds u32 rows");
        let next = self.rows.len() as u64;
        match &mut self.seqs {
            Seqs::Dense { first } if first.wrapping_add(next) == entry.seq => {}
            Seqs::Dense { first } => {
                // Out of step (a snapshot with gaps): list every row's seq from now on.
                let first = *first;
                let mut listed = Vec::with_capacity(self.rows.len() + 1);
                for k in 0..next {
                    listed.push(first.wrapping_add(k));
                }
                listed.push(entry.seq);
                self.seqs = Seqs::Listed(listed);
            }
            Seqs::Listed(listed) => listed.push(entry.seq),
        }
        self.rows.push(Row {
            record: entry.record,
            fingerprint: entry.fingerprint,
        });
        let rows = &self.rows;
        let rehash: &dyn Fn(&u32) -> u64 = &|&r| hash_id(id_of(rows[r as usize].record));
        self.table.insert_unique(hash_id(id), row, rehash);
    }

    /// Makes room for `additional` more ids (snapshot restore); `id_of` as for `insert`.
    pub fn reserve<'a>(&mut self, additional: usize, id_of: &dyn Fn(RecordRef) -> &'a str) {
        let rows = &self.rows;
        let rehash: &dyn Fn(&u32) -> u64 = &|&r| hash_id(id_of(rows[r as usize].record));
        self.table.reserve(additional, rehash);
    }

    /// How many ids there are: one per record.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no ids yet.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Every entry, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = IdEntry> + '_ {
        (0..self.rows.len()).map(|k| self.entry(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("id-{i}")).collect()
    }

    fn entry(i: usize, seq: u64) -> IdEntry {
        IdEntry {
            record: RecordRef::Payment(i as u32),
            fingerprint: i as u64 * 7,
            seq,
        }
    }

    #[test]
    fn finds_every_id_across_growth_with_seqs_implied() {
        let texts = ids(5000);
        let id_of = |r: RecordRef| match r {
            RecordRef::Payment(i) => texts[i as usize].as_str(),
            _ => unreachable!(),
        };
        let mut index = IdIndex::default();
        for (i, id) in texts.iter().enumerate() {
            index.insert(id, entry(i, i as u64 + 1), &id_of);
        }
        assert!(matches!(index.seqs, Seqs::Dense { first: 1 }));
        for (i, id) in texts.iter().enumerate() {
            assert_eq!(index.get(id, &id_of), Some(entry(i, i as u64 + 1)));
        }
        assert_eq!(index.get("id-5000", &id_of), None);
        assert_eq!(index.len(), 5000);
    }

    #[test]
    fn seqs_out_of_step_are_listed() {
        let texts = ids(100);
        let id_of = |r: RecordRef| match r {
            RecordRef::Payment(i) => texts[i as usize].as_str(),
            _ => unreachable!(),
        };
        let mut index = IdIndex::starting_at(10);
        let seq = |i: usize| {
            if i < 40 {
                10 + i as u64
            } else {
                100 + 3 * i as u64
            }
        };
        for (i, id) in texts.iter().enumerate() {
            index.insert(id, entry(i, seq(i)), &id_of);
        }
        assert!(matches!(index.seqs, Seqs::Listed(_)));
        for (i, id) in texts.iter().enumerate() {
            assert_eq!(index.get(id, &id_of).map(|e| e.seq), Some(seq(i)));
        }
        assert!(index.iter().map(|e| e.seq).eq((0..100).map(seq)));
    }
}
