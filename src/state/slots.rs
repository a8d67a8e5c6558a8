//! An open-addressing table of row numbers, for the indexes whose keys live elsewhere
//! (ids in their records, accounts in their balances): each slot holds a position in
//! the holder's own table and a few bits of its key's hash, never the key. Written here
//! rather than taken from `hashbrown`: 4-byte slots at a load kept between half and four
//! fifths, and one copy of the code in the wasm for both indexes.

/// An open-addressing table of row numbers (linear probing), any size rather than a
/// power of two so it stays between half and four fifths full as it grows. Each slot is
/// `tag | row + 1` (0 where empty): the row in the low bits that the table's size
/// needs (the holder's rows are never more than its slots), and in the bits above it
/// part of the row's hash, compared before the row's key is read.
#[derive(Clone, Debug, Default)]
pub struct Slots {
    slots: Vec<u32>,
    len: usize,
}

/// Mixes a key's hash so both its halves are usable: the high one picks the home slot,
/// the low one gives the tag.
fn mix(hash: u64) -> u64 {
    (hash ^ hash >> 29).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl Slots {
    /// An empty table for `n` rows that won't grow before it holds them.
    pub fn with_room(n: usize) -> Slots {
        Slots {
            slots: vec![0; n + n / 3 + 1],
            len: 0,
        }
    }

    /// Bits of a slot that hold the row: enough for the table's size (rows are fewer).
    fn row_mask(&self) -> u32 {
        let bits = usize::BITS - self.slots.len().leading_zeros();
        ((1u64 << bits.min(32)) - 1) as u32
    }

    fn home(&self, mixed: u64) -> usize {
        (((mixed >> 32) * self.slots.len() as u64) >> 32) as usize
    }

    fn tag(&self, mixed: u64) -> u32 {
        (mixed >> 8) as u32 & !self.row_mask()
    }

    /// Whether one more row would take it past four fifths full.
    fn full(&self) -> bool {
        (self.len + 1) * 5 > self.slots.len() * 4
    }

    /// The row `is` accepts among those whose id hashes to `hash`; else the empty slot
    /// where such a row would go.
    pub fn find(&self, hash: u64, is: &dyn Fn(u32) -> bool) -> Result<u32, usize> {
        if self.slots.is_empty() {
            return Err(0);
        }
        let mixed = mix(hash);
        let (mask, tag) = (self.row_mask(), self.tag(mixed));
        let mut at = self.home(mixed);
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return Err(at);
            }
            if slot & !mask == tag && is((slot & mask) - 1) {
                return Ok((slot & mask) - 1);
            }
            at += 1;
            if at == self.slots.len() {
                at = 0;
            }
        }
    }

    /// Puts a row that is not in the table, with room for it (`full` is false).
    fn put(&mut self, hash: u64, row: u32) {
        if let Err(at) = self.find(hash, &|_| false) {
            let tag = self.tag(mix(hash));
            self.slots[at] = tag | (row + 1);
            self.len += 1;
        }
    }

    /// The table with `row` added, whose key hashes to `hash` and which is not in it;
    /// grown first if it would be more than four fifths full. `rows` bounds the row
    /// numbers (at least `row + 1`), `hash_of` gives a row's hash (to move them).
    pub fn with(self, hash: u64, row: u32, rows: usize, hash_of: &dyn Fn(u32) -> u64) -> Slots {
        let mut table = if self.full() {
            self.grown(rows, hash_of)
        } else {
            self
        };
        table.put(hash, row);
        table
    }

    /// The slot where a probe for a key hashing to `hash` starts (0 in an empty
    /// table): reading it early brings it into the cache before the probe.
    #[cfg(fast_paths)]
    pub fn home_slot(&self, hash: u64) -> u32 {
        self.slots
            .get(self.home(mix(hash)))
            .copied()
            .unwrap_or_default()
    }

    /// Asks the processor to bring the slot where a probe for `hash` starts into the
    /// cache, without waiting for it (where `home_slot`'s read would hold up the
    /// instructions after it once the miss outlasts the reorder window).
    #[cfg(all(fast_paths, target_arch = "x86_64"))]
    pub fn prefetch_home(&self, hash: u64) {
        if let Some(slot) = self.slots.get(self.home(mix(hash))) {
            super::warm::prefetch(slot);
        }
    }

    /// The first row whose slot's tag matches `hash`, its key not compared (`find`
    /// accepting any row): a guess at the row a lookup would give, good enough to warm
    /// what that row leads to.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn guess(&self, hash: u64) -> Option<u32> {
        self.find(hash, &|_| true).ok()
    }

    /// `with` for a row whose empty slot `find` gave (`Err(slot)`) with nothing put in
    /// the table since: the probe isn't repeated unless the table must grow first.
    #[cfg(fast_paths)]
    pub fn with_at(
        self,
        hash: u64,
        slot: usize,
        row: u32,
        rows: usize,
        hash_of: &dyn Fn(u32) -> u64,
    ) -> Slots {
        if self.full() {
            return self.with(hash, row, rows, hash_of);
        }
        debug_assert_eq!(self.find(hash, &|_| false), Err(slot), "a stale slot");
        let mut table = self;
        let tag = table.tag(mix(hash));
        table.slots[slot] = tag | (row + 1);
        table.len += 1;
        table
    }

    /// A table of `n` rows, each given once by `rows` as its key's hash and its number
    /// (below `n`), for a restore: `from_keyed` of the rows keyed by `Keyer::for_rows(n)`.
    #[cfg(fast_paths)]
    pub fn from_rows(
        n: usize,
        rows: &mut dyn Iterator<Item = (u64, u32)>,
        same: &dyn Fn(u32, u32) -> bool,
    ) -> Result<Slots, u32> {
        let keyer = Keyer::for_rows(n);
        let mut keyed = Vec::with_capacity(n);
        keyed.extend(rows.take(n).map(|(hash, row)| keyer.key(hash, row)));
        Slots::from_keyed(n, keyed, Vec::new(), same)
    }

    /// A table of `n` rows given as `Keyer::for_rows(n)` keyed them (each row once, below
    /// `n`), for a restore: the rows are sorted by home slot (`scratch`, any list, its
    /// second buffer: a restore passes one it has used, so no fresh pages) and laid down
    /// in one pass over the table, instead of one probe per row at a random place in a
    /// table far larger than the cache. `same(a, b)` says whether rows `a` and `b` have
    /// the same key, asked only of rows whose home and tag agree; `Err(b)`: row `b`'s
    /// key is another row's too.
    #[cfg(fast_paths)]
    pub fn from_keyed(
        n: usize,
        keyed: Vec<u64>,
        scratch: Vec<u64>,
        same: &dyn Fn(u32, u32) -> bool,
    ) -> Result<Slots, u32> {
        let mut table = Slots::with_room(n);
        let size = table.slots.len();
        let mask = table.row_mask();
        let keyed = sorted_by_home_with(keyed, scratch, usize::BITS - size.leading_zeros());
        // Rows with the same key share a home: each row is compared with the earlier
        // rows of its home's group only.
        let mut group = 0;
        table.lay_sorted(&keyed, |k| {
            let (home, slot) = ((keyed[k] >> 32) as usize, keyed[k] as u32);
            if k > 0 && (keyed[k - 1] >> 32) as usize != home {
                group = k;
            }
            let row = (slot & mask) - 1;
            for &earlier in &keyed[group..k] {
                let earlier = earlier as u32;
                if earlier & !mask == slot & !mask && same((earlier & mask) - 1, row) {
                    return Err(row);
                }
            }
            Ok(())
        })?;
        Ok(table)
    }

    /// Lays `keyed` (each a home above the slot's content, sorted by home) into this
    /// empty table in one forward pass, `check(k)` asked before the `k`th is laid (its
    /// error stops the laying). Linear probing's rule holds: every slot from a row's
    /// home to its own is filled, by rows whose homes are no later; rows pushed past the
    /// end continue from the start, after the rows there.
    #[cfg(fast_paths)]
    fn lay_sorted<E>(
        &mut self,
        keyed: &[u64],
        mut check: impl FnMut(usize) -> Result<(), E>,
    ) -> Result<(), E> {
        debug_assert_eq!(self.len, 0, "laying rows into a table that holds some");
        let size = self.slots.len();
        let (mut next, mut wrapped) = (0, Vec::new());
        for (k, &e) in keyed.iter().enumerate() {
            check(k)?;
            let (home, slot) = ((e >> 32) as usize, e as u32);
            let at = home.max(next);
            if at < size {
                self.slots[at] = slot;
                next = at + 1;
            } else {
                wrapped.push(slot);
            }
        }
        let mut at = 0;
        for slot in wrapped {
            while self.slots[at] != 0 {
                at += 1;
            }
            self.slots[at] = slot;
        }
        self.len = keyed.len();
        Ok(())
    }

    /// How many rows it holds and how many slots it has.
    #[cfg(test)]
    pub fn filled(&self) -> (usize, usize) {
        (self.len, self.slots.len())
    }

    /// The same rows in a table half again as large; `hash_of` gives a row's hash.
    /// `rows` bounds the row numbers it will hold (they must fit its slots).
    fn grown(self, rows: usize, hash_of: &dyn Fn(u32) -> u64) -> Slots {
        let size = (self.slots.len() * 3 / 2).max(rows + 1).max(16);
        let mut table = Slots {
            slots: vec![0; size],
            len: 0,
        };
        self.move_rows(&mut table, rows, hash_of);
        table
    }

    /// Puts every row into `table`, in row order rather than slot order: `hash_of` reads
    /// each row's key from its holder's tables, which are in row order, so the reads go
    /// forward through memory instead of jumping at random (a cache miss a row in a big
    /// ledger). A bitmap of the rows held gives the order without sorting. Only where
    /// big tables are grown (native, the bulk module); the shipped module keeps the
    /// smaller loop below.
    ///
    /// The rows are then laid into the new table in order of their home slots (radix
    /// sorted, as `from_rows` does), so the writes go forward through it too, instead of
    /// one probe at a random place per row.
    #[cfg(fast_paths)]
    fn move_rows(self, table: &mut Slots, rows: usize, hash_of: &dyn Fn(u32) -> u64) {
        let mask = self.row_mask();
        let mut held = vec![0u64; rows.div_ceil(64)];
        for slot in self.slots.into_iter().filter(|&s| s != 0) {
            let row = (slot & mask) - 1;
            if let Some(word) = held.get_mut(row as usize / 64) {
                *word |= 1 << (row % 64);
            }
        }
        if table.slots.len() < SORTED_MOVE_SLOTS {
            // A table this small stays in the cache: a probe a row costs less than sorting.
            for (w, mut word) in held.into_iter().enumerate() {
                while word != 0 {
                    let row = (w * 64) as u32 + word.trailing_zeros();
                    word &= word - 1;
                    table.put(hash_of(row), row);
                }
            }
            return;
        }
        // Each row as its new home above the slot it will fill (tag and row + 1).
        let mut keyed = Vec::with_capacity(self.len);
        for (w, mut word) in held.into_iter().enumerate() {
            while word != 0 {
                let row = (w * 64) as u32 + word.trailing_zeros();
                word &= word - 1;
                let mixed = mix(hash_of(row));
                keyed.push(
                    (table.home(mixed) as u64) << 32 | u64::from(table.tag(mixed) | (row + 1)),
                );
            }
        }
        let size = table.slots.len();
        let keyed = sorted_by_home(keyed, usize::BITS - size.leading_zeros());
        let laid: Result<(), std::convert::Infallible> = table.lay_sorted(&keyed, |_| Ok(()));
        let Ok(()) = laid;
    }

    /// Puts every row into `table`, in slot order.
    #[cfg(not(fast_paths))]
    fn move_rows(self, table: &mut Slots, _rows: usize, hash_of: &dyn Fn(u32) -> u64) {
        let mask = self.row_mask();
        for slot in self.slots.into_iter().filter(|&s| s != 0) {
            let row = (slot & mask) - 1;
            table.put(hash_of(row), row);
        }
    }
}

/// The size from which a growing table is filled in order of home slots (`move_rows`):
/// about the cache a core has to itself.
#[cfg(fast_paths)]
const SORTED_MOVE_SLOTS: usize = 1 << 18;

/// How `Slots::with_room(n)` keys a row for `Slots::from_keyed`: its home slot above
/// the slot's content (its tag and row + 1), as `home` and `tag` compute them for a
/// table of that size. Restore keys each id as it decodes it, so it keeps no list of
/// hashes.
#[cfg(fast_paths)]
#[derive(Clone, Copy, Debug)]
pub struct Keyer {
    /// The table's size in slots.
    size: usize,
}

#[cfg(fast_paths)]
impl Keyer {
    /// The keys of a table for `n` rows (`Slots::with_room(n)`'s size).
    pub fn for_rows(n: usize) -> Keyer {
        Keyer {
            size: n + n / 3 + 1,
        }
    }

    /// The row a key holds.
    pub fn row(&self, key: u64) -> u32 {
        let bits = usize::BITS - self.size.leading_zeros();
        let mask = ((1u64 << bits.min(32)) - 1) as u32;
        (key as u32 & mask).wrapping_sub(1)
    }

    /// Row `row` (below the `n` rows), whose key hashes to `hash`, keyed (any other row
    /// gives a key of no use, without panicking: a decoder keys an id before it knows
    /// whether its row is one).
    pub fn key(&self, hash: u64, row: u32) -> u64 {
        let size = self.size;
        let mixed = mix(hash);
        let home = ((mixed >> 32) * size as u64) >> 32;
        let bits = usize::BITS - size.leading_zeros();
        let mask = ((1u64 << bits.min(32)) - 1) as u32;
        let tag = (mixed >> 8) as u32 & !mask;
        home << 32 | u64::from(tag | row.wrapping_add(1))
    }
}

/// `sorted_by_home` with `scratch` as its second buffer (its content is overwritten, so a
/// list done with can serve and no fresh pages are touched).
#[cfg(fast_paths)]
fn sorted_by_home_with(keyed: Vec<u64>, scratch: Vec<u64>, bits: u32) -> Vec<u64> {
    const DIGIT: u32 = 11;
    let (mut from, mut to) = (keyed, scratch);
    let mut shift = 32;
    while shift < 32 + bits {
        let digit = |e: u64| (e >> shift) as usize & ((1 << DIGIT) - 1);
        let mut starts = vec![0usize; 1 << DIGIT];
        for &e in &from {
            starts[digit(e)] += 1;
        }
        let mut sum = 0;
        for start in starts.iter_mut() {
            (*start, sum) = (sum, sum + *start);
        }
        // Every place is written below: only a list of another length is resized.
        to.resize(from.len(), 0);
        for &e in &from {
            let at = &mut starts[digit(e)];
            to[*at] = e;
            *at += 1;
        }
        std::mem::swap(&mut from, &mut to);
        shift += DIGIT;
    }
    from
}

/// `keyed` sorted by its high 32 bits, of which only the low `bits` may be set: a least
/// significant digit radix sort (a few passes over the rows, each read and written in
/// order or into one of 2,048 runs), where a comparison sort would cost several times it.
#[cfg(fast_paths)]
fn sorted_by_home(keyed: Vec<u64>, bits: u32) -> Vec<u64> {
    sorted_by_home_with(keyed, Vec::new(), bits)
}

#[cfg(all(test, fast_paths))]
mod tests {
    use super::*;

    /// A hash that `mix` turns into `mixed` (both of its steps are invertible).
    fn unmix(mixed: u64) -> u64 {
        let mut inverse: u64 = 1;
        for _ in 0..6 {
            inverse = inverse
                .wrapping_mul(2u64.wrapping_sub(0x9e37_79b9_7f4a_7c15u64.wrapping_mul(inverse)));
        }
        let x = mixed.wrapping_mul(inverse);
        x ^ x >> 29 ^ x >> 58
    }

    #[test]
    fn keyed_as_the_table_keys_and_sorted_by_home_in_a_used_buffer() {
        for n in [0, 1, 5, 3_000, 100_000] {
            let table = Slots::with_room(n);
            let keyer = Keyer::for_rows(n);
            let keyed: Vec<u64> = (0..n as u32)
                .map(|row| {
                    let hash = u64::from(row).wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0xabc;
                    let mixed = mix(hash);
                    let key = keyer.key(hash, row);
                    let slot = table.tag(mixed) | (row + 1);
                    assert_eq!(key, (table.home(mixed) as u64) << 32 | u64::from(slot));
                    key
                })
                .collect();
            let bits = usize::BITS - table.slots.len().leading_zeros();
            // A stable sort by home: the radix sort is one too, so the two agree exactly.
            let mut expected = keyed.clone();
            expected.sort_by_key(|e| e >> 32);
            let sorted = sorted_by_home(keyed.clone(), bits);
            let scratch = vec![u64::MAX; n / 2];
            let keyed = sorted_by_home_with(keyed, scratch, bits);
            assert_eq!(sorted, expected, "{n}");
            assert_eq!(keyed, sorted, "{n}");
        }
    }

    #[test]
    fn built_from_rows_past_the_end_wrap_and_repeats_are_refused() {
        // Ten rows whose home is the last slot, with different tags, and a row at home 0.
        let mut hashes: Vec<u64> = (0..10u64)
            .map(|r| unmix(0xffff_ffff_0000_0000 | r << 20))
            .collect();
        hashes.push(unmix(7 << 20));
        assert!(hashes.iter().enumerate().all(|(r, &h)| mix(h)
            == if r < 10 {
                0xffff_ffff_0000_0000 | (r as u64) << 20
            } else {
                7 << 20
            }));
        let rows =
            |hashes: &[u64]| -> Vec<(u64, u32)> { hashes.iter().copied().zip(0..).collect() };
        let build = |hashes: &[u64], same: &dyn Fn(u32, u32) -> bool| {
            Slots::from_rows(hashes.len(), &mut rows(hashes).into_iter(), same)
        };
        let table = build(&hashes, &|_, _| false).unwrap();
        assert_eq!(table.filled().0, 11);
        for (row, &hash) in hashes.iter().enumerate() {
            assert_eq!(table.find(hash, &|r| r as usize == row), Ok(row as u32));
        }
        // The same key twice (same hash, `same` says so): the later row is named.
        let mut twice = hashes.clone();
        twice.push(hashes[4]);
        let refused = build(&twice, &|a, b| (a, b) == (4, 11) || (a, b) == (11, 4));
        assert!(matches!(refused, Err(4) | Err(11)));
        // Same hash, different keys: both kept.
        let kept = build(&twice, &|_, _| false).unwrap();
        assert_eq!(kept.find(hashes[4], &|r| r == 11), Ok(11));
    }
}
