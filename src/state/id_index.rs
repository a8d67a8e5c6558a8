//! The index from ids to records. Ids are unique across all records.
//!
//! Entries hold the record they name, not the id text: the text lives once, in the
//! record, and a lookup compares against it. That halves the memory ids take and lets a
//! snapshot restore without allocating a second copy of every id.

use std::hash::BuildHasher;

use hashbrown::HashTable;

use super::records::RecordRef;

/// An id's record and the fingerprint of the command that created it (idempotency).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdEntry {
    pub record: RecordRef,
    /// `journal::fingerprint` of the creating command's body: a resend with the same
    /// fingerprint is a duplicate, a different one a conflict.
    pub fingerprint: u64,
    /// Journal sequence number of the command that created it.
    pub seq: u64,
    /// `hash_id` of the id text, kept so the table can grow (rehash) without looking
    /// each record up to rehash its id.
    hash: u64,
}

/// Every id in the ledger, for uniqueness, lookups and idempotency. Holds no id text.
#[derive(Clone, Debug, Default)]
pub struct IdIndex {
    table: HashTable<IdEntry>,
}

/// Hash of an id's text.
pub fn hash_id(id: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(id)
}

impl IdEntry {
    /// The entry for `id` (hashed now; the text itself is not kept).
    pub fn new(id: &str, record: RecordRef, fingerprint: u64, seq: u64) -> IdEntry {
        IdEntry {
            record,
            fingerprint,
            seq,
            hash: hash_id(id),
        }
    }
}

impl IdIndex {
    /// The entry for `id`; `id_of` gives the id text of a record.
    pub fn get<'a>(
        &'a self,
        id: &str,
        id_of: impl Fn(RecordRef) -> &'a str,
    ) -> Option<&'a IdEntry> {
        self.table.find(hash_id(id), |e| id_of(e.record) == id)
    }

    /// Adds an entry whose id is not in the index yet.
    pub fn insert(&mut self, entry: IdEntry) {
        self.table.insert_unique(entry.hash, entry, |e| e.hash);
    }

    /// Makes room for `additional` more entries (snapshot restore).
    pub fn reserve(&mut self, additional: usize) {
        self.table.reserve(additional, |e| e.hash);
    }

    /// How many ids there are: one per record.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether there are no ids yet.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Every entry, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &IdEntry> {
        self.table.iter()
    }
}
