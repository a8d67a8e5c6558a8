//! Which spaces' engines stay in memory: at most a limit, the least recently used
//! unloaded first. An engine is only a cache of PostgreSQL, so unloading one loses
//! nothing: its next use rebuilds it from the newest snapshot and the journal after it.
//! Without a limit a server's memory grows with every space it has ever served.

use std::collections::HashMap;

/// The spaces whose engines are loaded, with when each was last used.
#[derive(Debug)]
pub struct Resident {
    limit: usize,
    /// Counts uses; a space's number is the count at its last use.
    clock: u64,
    last_used: HashMap<i64, u64>,
}

impl Resident {
    /// At most `limit` engines loaded (at least one: the space in use).
    pub fn new(limit: usize) -> Resident {
        Resident {
            limit: limit.max(1),
            clock: 0,
            last_used: HashMap::new(),
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Notes that `space`'s engine is loaded and was just used.
    pub fn touch(&mut self, space: i64) {
        self.clock += 1;
        self.last_used.insert(space, self.clock);
    }

    /// The spaces beyond the limit, least recently used first; never `keep` (the space
    /// just used).
    pub fn over_limit(&self, keep: i64) -> Vec<i64> {
        let excess = self.last_used.len().saturating_sub(self.limit);
        if excess == 0 {
            return Vec::new();
        }
        let mut by_use: Vec<(u64, i64)> = self
            .last_used
            .iter()
            .filter(|(space, _)| **space != keep)
            .map(|(space, used)| (*used, *space))
            .collect();
        by_use.sort_unstable();
        by_use.into_iter().take(excess).map(|(_, s)| s).collect()
    }

    /// Notes that `space`'s engine is no longer loaded.
    pub fn forget(&mut self, space: i64) {
        self.last_used.remove(&space);
    }

    /// How many engines are loaded.
    pub fn count(&self) -> usize {
        self.last_used.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_go_first_and_never_the_one_in_use() {
        let mut resident = Resident::new(2);
        resident.touch(1);
        resident.touch(2);
        assert!(
            resident.over_limit(2).is_empty(),
            "two of two: nothing over"
        );
        resident.touch(3);
        assert_eq!(resident.over_limit(3), vec![1]);
        resident.touch(1); // used again: now 2 is the oldest
        assert_eq!(resident.over_limit(1), vec![2]);
        resident.forget(2);
        assert_eq!(resident.count(), 2);
        assert!(resident.over_limit(1).is_empty());
    }

    #[test]
    fn several_over_and_a_limit_of_zero_keeps_one() {
        let mut resident = Resident::new(0);
        assert_eq!(resident.limit(), 1);
        for space in [5, 6, 7] {
            resident.touch(space);
        }
        assert_eq!(resident.over_limit(7), vec![5, 6]);
        // The space in use is passed over even when it is the oldest.
        assert_eq!(resident.over_limit(5), vec![6, 7]);
    }
}
