//! The index from ids to records. Ids are unique across all records.
//!
//! The id text lives once, in its record; the index holds no text. Each id has a row
//! (its record and the fingerprint of the command that created it, 12 bytes) in an
//! append-only table, and the hash table holds only row numbers, each with a few bits
//! of its id's hash beside it: a lookup hashes the id, skips the rows whose bits differ,
//! follows the others to their records and compares against the record's id. The table
//! is rehashed through the records' ids when it grows, so it keeps no hashes either.
//! Commands create exactly one id each, so rows are usually in seq order with no gaps
//! and the seq is the row number plus a constant; only a snapshot whose ids don't cover
//! its seqs that way keeps a seq per row.

use std::hash::BuildHasher;

use super::chunked::Chunked;
use super::records::RecordRef;
use super::slots::Slots;

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

/// One id's row: its record packed in 4 bytes (`pack`) and the fingerprint in two
/// halves, so a row takes 12 bytes where a `RecordRef` and a `u64` take 16.
#[derive(Clone, Copy, Debug)]
struct Row {
    record: u32,
    fingerprint: [u32; 2],
}

/// Bits of a packed record that hold its index; the kind is above them.
const INDEX_BITS: u32 = 28;
/// A row whose record's index needs more bits: its record is in `IdIndex::wide`.
const WIDE: u32 = 15 << INDEX_BITS;
/// A row not yet given its id (`IdIndex::for_restore`).
const UNSET: u32 = u32::MAX;

/// A record as a row holds it: its kind above its index, or `WIDE`.
fn pack(record: RecordRef) -> u32 {
    let (kind, i) = record.parts();
    if i >> INDEX_BITS == 0 {
        u32::from(kind) << INDEX_BITS | i
    } else {
        WIDE
    }
}

/// Each row's seq: implied by its position while ids arrive one per seq, else listed.
#[derive(Clone, Debug)]
enum Seqs {
    /// Row `k` was created by seq `first + k`.
    Dense { first: u64 },
    /// Row `k` was created by seq `listed[k]`.
    Listed(Vec<u64>),
}

/// Where an id not in the index would go: its hash and the empty slot `lookup` found.
/// Valid until the next insert.
#[cfg(fast_paths)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vacancy {
    hash: u64,
    slot: usize,
}

/// Every id in the ledger, for uniqueness, lookups and idempotency. Holds no id text.
#[derive(Clone, Debug)]
pub struct IdIndex {
    /// Row numbers, hashed by their id's text.
    table: Slots,
    rows: Chunked<Row>,
    /// The records of the rows packed as `WIDE`, by row (none below 2^28 records of a
    /// kind).
    wide: Vec<(u32, RecordRef)>,
    seqs: Seqs,
}

impl Default for IdIndex {
    fn default() -> Self {
        IdIndex {
            table: Slots::default(),
            rows: Chunked::default(),
            wide: Vec::new(),
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
        let row = self.find(hash_id(id), id, id_of).ok()?;
        Some(self.entry(row as usize))
    }

    /// The entry for `id`, or where `id` would go (`insert_vacant`); `id_of` as for
    /// `get`.
    #[cfg(fast_paths)]
    pub fn lookup<'a>(
        &self,
        id: &str,
        id_of: &dyn Fn(RecordRef) -> &'a str,
    ) -> Result<IdEntry, Vacancy> {
        self.lookup_with(id, hash_id(id), id_of)
    }

    /// `lookup` of `id`, whose hash is `hash`: the entry, or where it would go.
    #[cfg(fast_paths)]
    #[inline(always)]
    fn lookup_with<'a>(
        &self,
        id: &str,
        hash: u64,
        id_of: &dyn Fn(RecordRef) -> &'a str,
    ) -> Result<IdEntry, Vacancy> {
        match self.find(hash, id, id_of) {
            Ok(row) => Ok(self.entry(row as usize)),
            Err(slot) => Err(Vacancy { hash, slot }),
        }
    }

    /// The slot where a lookup of an id whose hash is `hash` (`hash_id`) starts, read
    /// now so that it is in the cache by the time the lookup comes (a command's id is
    /// known before it is validated).
    #[cfg(fast_paths)]
    pub fn warm(&self, hash: u64) -> u32 {
        self.table.home_slot(hash)
    }

    /// `warm` without waiting for the slot (x86-64's prefetch).
    #[cfg(all(fast_paths, target_arch = "x86_64"))]
    pub fn prefetch(&self, hash: u64) {
        self.table.prefetch_home(hash)
    }

    /// The record an id hashing to `hash` most likely names (`Slots::guess`: its text
    /// isn't compared), to warm what a coming lookup will read.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn guess(&self, hash: u64) -> Option<RecordRef> {
        let row = self.table.guess(hash)?;
        (row < self.rows.len() as u32).then(|| self.record(row))
    }

    /// `lookup` for an id whose hash is `hash` (`hash_id`, worked out beforehand).
    #[cfg(fast_paths)]
    pub fn lookup_hashed<'a>(
        &self,
        id: &str,
        hash: u64,
        id_of: &dyn Fn(RecordRef) -> &'a str,
    ) -> Result<IdEntry, Vacancy> {
        debug_assert_eq!(hash, hash_id(id), "a hash of another id");
        self.lookup_with(id, hash, id_of)
    }

    /// The row of `id`, whose hash is `hash`; else the empty slot where it would go.
    fn find<'a>(
        &self,
        hash: u64,
        id: &str,
        id_of: &dyn Fn(RecordRef) -> &'a str,
    ) -> Result<u32, usize> {
        self.table.find(hash, &|row| id_of(self.record(row)) == id)
    }

    /// The record of row `row`.
    fn record(&self, row: u32) -> RecordRef {
        let packed = self.rows[row as usize].record;
        if packed == WIDE {
            if let Ok(k) = self.wide.binary_search_by_key(&row, |w| w.0) {
                return self.wide[k].1;
            }
        }
        // A kind below 13 always (`pack`); an unset row (restore) names no record.
        RecordRef::from_parts((packed >> INDEX_BITS) as u8, packed & !WIDE)
            .unwrap_or(RecordRef::Customer(u32::MAX))
    }

    fn entry(&self, row: usize) -> IdEntry {
        let [low, high] = self.rows[row].fingerprint;
        let seq = match &self.seqs {
            Seqs::Dense { first } => first.wrapping_add(row as u64),
            Seqs::Listed(listed) => listed[row],
        };
        IdEntry {
            record: self.record(row as u32),
            fingerprint: u64::from(high) << 32 | u64::from(low),
            seq,
        }
    }

    /// Sets row `row` of a restore to `entry`, if it is one of the rows and not set yet:
    /// each seq of a snapshot's ids takes a row of its own.
    #[cfg(fast_paths)]
    fn place(&mut self, row: u32, entry: &IdEntry) -> bool {
        let free = self
            .rows
            .get(row as usize)
            .is_some_and(|r| r.record == UNSET);
        if free {
            self.set_row(row, entry);
        }
        free
    }

    /// Sets row `row` to `entry`'s record and fingerprint.
    fn set_row(&mut self, row: u32, entry: &IdEntry) {
        let record = pack(entry.record);
        if record == WIDE {
            let at = self.wide.partition_point(|w| w.0 < row);
            self.wide.insert(at, (row, entry.record));
        }
        self.rows[row as usize] = Row {
            record,
            fingerprint: [entry.fingerprint as u32, (entry.fingerprint >> 32) as u32],
        };
    }

    /// Adds an id that is not in the index yet (the caller has looked); `id_of` gives
    /// the id text of every record already indexed, to rehash them when the table
    /// grows.
    pub fn insert<'a>(&mut self, id: &str, entry: IdEntry, id_of: &dyn Fn(RecordRef) -> &'a str) {
        let row = self.push_row(&entry);
        self.add_slot(hash_id(id), row, id_of);
    }

    /// Appends `entry`'s row (not yet in the table) and answers its number.
    fn push_row(&mut self, entry: &IdEntry) -> u32 {
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
            record: UNSET,
            fingerprint: [0; 2],
        });
        self.set_row(row, entry);
        row
    }

    /// `insert` for the id that `lookup` answered `vacancy` for, nothing inserted since
    /// (a command's id: looked up before its plan, added after its commit): the id is
    /// neither hashed nor probed for again.
    #[cfg(fast_paths)]
    pub fn insert_vacant<'a>(
        &mut self,
        vacancy: Vacancy,
        entry: IdEntry,
        id_of: &dyn Fn(RecordRef) -> &'a str,
    ) {
        debug_assert_eq!(
            vacancy.hash,
            hash_id(id_of(entry.record)),
            "a vacancy for another id"
        );
        let row = self.push_row(&entry);
        let table = std::mem::take(&mut self.table);
        self.table = table.with_at(vacancy.hash, vacancy.slot, row, self.rows.len(), &|r| {
            hash_id(id_of(self.record(r)))
        });
    }

    /// Puts `row`, whose id hashes to `hash`, in the table (growing it first if full).
    fn add_slot<'a>(&mut self, hash: u64, row: u32, id_of: &dyn Fn(RecordRef) -> &'a str) {
        let table = std::mem::take(&mut self.table);
        self.table = table.with(hash, row, self.rows.len(), &|r| {
            hash_id(id_of(self.record(r)))
        });
    }

    /// An empty index sized for the `n` ids of a snapshot being restored (`restore`).
    /// With `first`, they were created by seqs `first..first + n`, one each, and may
    /// come in any order (each takes the row of its seq); without, their seqs are listed
    /// in the order they come.
    pub fn for_restore(n: usize, first: Option<u64>) -> IdIndex {
        let index = IdIndex {
            seqs: Seqs::Listed(Vec::with_capacity(n)),
            table: Slots::with_room(n),
            ..IdIndex::default()
        };
        // Only native and bulk builds restore big books (the shipped module lists seqs).
        #[cfg(fast_paths)]
        if let Some(first) = first {
            let mut index = index;
            index.seqs = Seqs::Dense { first };
            for _ in 0..n {
                index.rows.push(Row {
                    record: UNSET,
                    fingerprint: [0; 2],
                });
            }
            return index;
        }
        #[cfg(not(fast_paths))]
        let _ = first;
        index
    }

    /// Adds a restored id whose text hashes to `hash` (`hash_id`); `false` (nothing
    /// added) if the index holds it already, or if its seq has no row (an index made
    /// `for_restore` with `first`). `id_of` as for `insert`.
    pub fn restore<'a>(
        &mut self,
        hash: u64,
        entry: IdEntry,
        id_of: &dyn Fn(RecordRef) -> &'a str,
    ) -> bool {
        if self.find(hash, id_of(entry.record), id_of).is_ok() {
            return false;
        }
        let row = match &mut self.seqs {
            #[cfg(fast_paths)]
            Seqs::Dense { first } => {
                let row = entry.seq.wrapping_sub(*first);
                match u32::try_from(row)
                    .ok()
                    .filter(|&r| self.rows.get(r as usize).is_some_and(|r| r.record == UNSET))
                {
                    Some(row) => row,
                    None => return false,
                }
            }
            #[cfg(not(fast_paths))]
            Seqs::Dense { .. } => return false,
            Seqs::Listed(listed) => {
                listed.push(entry.seq);
                self.rows.push(Row {
                    record: UNSET,
                    fingerprint: [0; 2],
                });
                (self.rows.len() - 1) as u32
            }
        };
        self.set_row(row, &entry);
        self.add_slot(hash, row, id_of);
        true
    }

    /// The index of a restored snapshot's ids created by seqs `first..first + n`, one
    /// each, in any order (each `(record, fingerprint, seq)` of `ids` takes the row of
    /// its seq, and the text of `ids[k]` hashes to `hash_of(k)`), built in one pass (`Slots::
    /// from_rows`) rather than id by id as `restore` does. `Err(record)`: a record
    /// whose id text is another's too, or whose seq has no row of its own.
    #[cfg(fast_paths)]
    pub fn restored<'a>(
        first: u64,
        ids: &[(RecordRef, u64, u64)],
        hash_of: &dyn Fn(usize) -> u64,
        id_of: &dyn Fn(RecordRef) -> &'a str,
    ) -> Result<IdIndex, RecordRef> {
        let mut index = IdIndex::for_restore(ids.len(), Some(first));
        for &(record, fingerprint, seq) in ids {
            let entry = IdEntry {
                record,
                fingerprint,
                seq,
            };
            let row = u32::try_from(seq.wrapping_sub(first)).ok();
            if !row.is_some_and(|row| index.place(row, &entry)) {
                return Err(record);
            }
        }
        // Every seq took a row of its own, so each row comes once.
        let row_of = |seq: u64| seq.wrapping_sub(first) as u32;
        let mut rows = ids
            .iter()
            .enumerate()
            .map(|(k, e)| (hash_of(k), row_of(e.2)));
        let same = |a: u32, b: u32| id_of(index.record(a)) == id_of(index.record(b));
        index.table =
            Slots::from_rows(ids.len(), &mut rows, &same).map_err(|row| index.record(row))?;
        Ok(index)
    }

    /// The rows of a restored snapshot's `n` ids created by seqs `first..first + n`, one
    /// each, given in any order as `(record, fingerprint, row)` (the row is `seq -
    /// first`); `None` if a row is beyond `n`, given twice or not given. Its table is
    /// laid by `with_table` once the records hold their ids.
    #[cfg(fast_paths)]
    pub fn placed(
        first: u64,
        n: usize,
        ids: impl Iterator<Item = (RecordRef, u64, u32)>,
    ) -> Option<IdIndex> {
        let mut index = IdIndex::for_restore(n, Some(first));
        let mut given = 0;
        for (record, fingerprint, row) in ids {
            let seq = first.wrapping_add(u64::from(row));
            let entry = IdEntry {
                record,
                fingerprint,
                seq,
            };
            if !index.place(row, &entry) {
                return None;
            }
            given += 1;
        }
        (given == n).then_some(index)
    }

    /// This index (`placed`) with its table laid from its rows keyed by `Keyer::for_rows`
    /// (`Slots::from_keyed`, `scratch` any list). `Err(record)`: a record whose id text
    /// is another's too.
    #[cfg(fast_paths)]
    pub fn with_table<'a>(
        mut self,
        keyed: Vec<u64>,
        scratch: Vec<u64>,
        id_of: &dyn Fn(RecordRef) -> &'a str,
    ) -> Result<IdIndex, RecordRef> {
        let same = |a: u32, b: u32| id_of(self.record(a)) == id_of(self.record(b));
        let table = Slots::from_keyed(self.rows.len(), keyed, scratch, &same);
        self.table = table.map_err(|row| self.record(row))?;
        Ok(self)
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

    /// The id texts of payments `0..`, as the index reads them back.
    fn payment_ids<'t>(texts: &'t [String]) -> impl Fn(RecordRef) -> &'t str {
        move |r| match r {
            RecordRef::Payment(i) => texts[i as usize].as_str(),
            _ => unreachable!(),
        }
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
        let id_of = payment_ids(&texts);
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

    /// Ids added where `lookup` said they go, past the size from which growth lays rows
    /// in order of their homes (`Slots::move_rows`), are all found again.
    #[cfg(fast_paths)]
    #[test]
    fn ids_added_at_their_vacancies_are_found_across_sorted_growth() {
        let n = 240_000;
        let texts = ids(n);
        let id_of = payment_ids(&texts);
        let mut index = IdIndex::default();
        for (i, id) in texts.iter().enumerate() {
            let Err(vacancy) = index.lookup(id, &id_of) else {
                panic!("{id} found before it was added");
            };
            index.insert_vacant(vacancy, entry(i, i as u64 + 1), &id_of);
        }
        assert!(index.table.filled().1 > 1 << 18);
        for (i, id) in texts.iter().enumerate() {
            assert_eq!(index.lookup(id, &id_of), Ok(entry(i, i as u64 + 1)));
        }
        assert!(index.lookup("id-240000", &id_of).is_err());
        assert_eq!(index.table.filled().0, n);
    }

    #[test]
    fn seqs_out_of_step_are_listed() {
        let texts = ids(100);
        let id_of = payment_ids(&texts);
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

    #[test]
    fn restored_ids_take_the_rows_of_their_seqs_and_a_repeat_is_refused() {
        let texts = ids(3000);
        let id_of = payment_ids(&texts);
        // Dense: seqs 5.. in a shuffled order.
        let order: Vec<usize> = (0..3000).map(|k| (k * 7) % 3000).collect();
        let mut index = IdIndex::for_restore(3000, Some(5));
        for &i in &order {
            let e = entry(i, 5 + i as u64);
            assert!(index.restore(hash_id(&texts[i]), e, &id_of));
        }
        assert!(matches!(index.seqs, Seqs::Dense { first: 5 }));
        for (i, id) in texts.iter().enumerate() {
            assert_eq!(index.get(id, &id_of), Some(entry(i, 5 + i as u64)));
        }
        assert!(index.iter().map(|e| e.seq).eq(5..3005));
        // The same text again (another record naming it) is refused.
        let again = IdEntry {
            record: RecordRef::Payment(17),
            ..entry(17, 5 + 17)
        };
        assert!(!index.restore(hash_id(&texts[17]), again, &id_of));
        // Listed: seqs kept as they come.
        let mut listed = IdIndex::for_restore(3, None);
        for (i, seq) in [(0, 9u64), (1, 4), (2, 30)] {
            assert!(listed.restore(hash_id(&texts[i]), entry(i, seq), &id_of));
        }
        assert!(!listed.restore(hash_id(&texts[1]), entry(1, 31), &id_of));
        assert_eq!(listed.get("id-1", &id_of).map(|e| e.seq), Some(4));
        assert!(listed.iter().map(|e| e.seq).eq([9, 4, 30]));
    }

    #[test]
    fn restored_in_one_pass_finds_every_id_and_refuses_a_repeat() {
        // Enough ids that rows wrap past the table's end, in a shuffled seq order.
        let texts = ids(20_000);
        let id_of = payment_ids(&texts);
        let order: Vec<usize> = (0..20_000).map(|k| (k * 7919) % 20_000).collect();
        let listed: Vec<(RecordRef, u64, u64)> = order
            .iter()
            .map(|&i| {
                let e = entry(i, 5 + i as u64);
                (e.record, e.fingerprint, e.seq)
            })
            .collect();
        let hash_of = |k: usize| hash_id(&texts[order[k]]);
        let index = IdIndex::restored(5, &listed, &hash_of, &id_of).unwrap();
        assert!(matches!(index.seqs, Seqs::Dense { first: 5 }));
        for (i, id) in texts.iter().enumerate() {
            assert_eq!(index.get(id, &id_of), Some(entry(i, 5 + i as u64)));
        }
        assert_eq!(index.get("id-20000", &id_of), None);
        assert!(index.iter().map(|e| e.seq).eq(5..20_005));
        assert_eq!(index.table.filled().0, 20_000);
        // It grows like any other afterwards.
        let more = ids(30_000);
        let id_of = payment_ids(&more);
        let mut index = index;
        for (i, id) in more.iter().enumerate().skip(20_000) {
            index.insert(id, entry(i, 5 + i as u64), &id_of);
        }
        for (i, id) in more.iter().enumerate() {
            assert_eq!(index.get(id, &id_of), Some(entry(i, 5 + i as u64)));
        }
        // Two records with the same text: refused, naming the later row's record.
        let mut twice = texts.clone();
        twice[12_345] = twice[678].clone();
        let id_of = payment_ids(&twice);
        let hash_of = |k: usize| hash_id(&twice[order[k]]);
        let refused = IdIndex::restored(5, &listed, &hash_of, &id_of).unwrap_err();
        assert!([RecordRef::Payment(678), RecordRef::Payment(12_345)].contains(&refused));
        // A seq without a row of its own (beyond the ids, or taken twice): refused.
        let mut beyond = listed.clone();
        beyond[3].2 = 5 + 20_000;
        assert_eq!(
            IdIndex::restored(
                5,
                &beyond,
                &|k| hash_id(&texts[order[k]]),
                &payment_ids(&texts)
            )
            .err(),
            Some(beyond[3].0)
        );
    }

    #[test]
    fn records_beyond_the_packed_form_and_any_fingerprint_come_back() {
        const BIG: u32 = 1 << INDEX_BITS;
        let texts = ids(2000);
        // Every third record's index needs more than the packed bits.
        let record = |i: usize| {
            let i = i as u32;
            match i % 3 {
                0 => RecordRef::Grant(BIG + i),
                1 => RecordRef::Expiry(i),
                _ => RecordRef::Payment(u32::MAX - i),
            }
        };
        let id_of = |r: RecordRef| match r {
            RecordRef::Grant(i) => texts[(i - BIG) as usize].as_str(),
            RecordRef::Expiry(i) => texts[i as usize].as_str(),
            RecordRef::Payment(i) => texts[(u32::MAX - i) as usize].as_str(),
            _ => unreachable!(),
        };
        let entry = |i: usize| IdEntry {
            record: record(i),
            fingerprint: u64::MAX - i as u64 * 0x1_0000_0001,
            seq: 3 + i as u64,
        };
        let mut index = IdIndex::starting_at(3);
        for (i, id) in texts.iter().enumerate() {
            index.insert(id, entry(i), &id_of);
        }
        for (i, id) in texts.iter().enumerate() {
            assert_eq!(index.get(id, &id_of), Some(entry(i)));
        }
        assert!(index.iter().eq((0..2000).map(entry)));
        // Restored in another order, the wide records too.
        let mut again = IdIndex::for_restore(2000, Some(3));
        for i in (0..2000).rev() {
            assert!(again.restore(hash_id(&texts[i]), entry(i), &id_of));
        }
        assert!(again.iter().eq((0..2000).map(entry)));
        assert_eq!(again.get("id-2000", &id_of), None);
    }

    #[test]
    fn the_table_stays_between_half_and_four_fifths_full() {
        let texts = ids(100_000);
        let id_of = payment_ids(&texts);
        let mut index = IdIndex::default();
        for (i, id) in texts.iter().enumerate() {
            index.insert(id, entry(i, i as u64 + 1), &id_of);
            let (len, size) = index.table.filled();
            assert!(len * 5 <= size * 4 && (len < 16 || len * 2 >= size));
        }
        assert_eq!(index.table.filled().0, 100_000);
        assert_eq!(std::mem::size_of::<Row>(), 12);
    }
}
