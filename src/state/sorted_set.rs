//! A small ordered set kept as a sorted `Vec`: the books' open-invoice and lot indexes.
//! A book's sets are short (a customer's open invoices, its lots with credit left) and
//! mostly grow at the end (new invoices fall due last, new lots are the newest), so a
//! binary search and a short move beat a B-tree here: no node sized for many values
//! holding one, and no B-tree code in the wasm module (each `BTreeSet` element type was its
//! own copy of insert, remove and rebalancing; docs/performance.md, "Wasm size").

/// Distinct values in ascending order.
#[derive(Clone, Debug, PartialEq)]
pub struct SortedSet<T> {
    items: Vec<T>,
}

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        SortedSet { items: Vec::new() }
    }
}

impl<T: Ord + Copy> SortedSet<T> {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `value`; false if it was already there.
    pub fn insert(&mut self, value: T) -> bool {
        // The usual case, a value past the last, without a search.
        if self.items.last().is_none_or(|last| *last < value) {
            self.items.push(value);
            return true;
        }
        match self.items.binary_search(&value) {
            Ok(_) => false,
            Err(at) => {
                self.items.insert(at, value);
                true
            }
        }
    }

    /// Removes `value`; false if it was not there.
    pub fn remove(&mut self, value: &T) -> bool {
        match self.items.binary_search(value) {
            Ok(at) => {
                self.items.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    /// Whether `value` is in the set.
    pub fn contains(&self, value: &T) -> bool {
        self.items.binary_search(value).is_ok()
    }
}

impl<T> SortedSet<T> {
    /// The values in ascending order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// How many values.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<'a, T> IntoIterator for &'a SortedSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn keeps_values_distinct_and_in_order() {
        let mut set = SortedSet::new();
        assert!(set.is_empty());
        for v in [5, 1, 9, 5, 3, 9, 0] {
            set.insert(v);
        }
        assert_eq!(set.iter().copied().collect::<Vec<_>>(), vec![0, 1, 3, 5, 9]);
        assert!(set.remove(&5));
        assert!(!set.remove(&5));
        assert!(!set.contains(&5));
        assert!(set.contains(&9));
        assert_eq!(set.len(), 4);
    }

    proptest::proptest! {
        /// Any sequence of inserts and removes leaves what a `BTreeSet` would hold, and
        /// each call answers as the `BTreeSet`'s does.
        #[test]
        fn matches_a_btree_set(ops in proptest::collection::vec((proptest::bool::ANY, 0u8..40), 0..200)) {
            let mut set = SortedSet::new();
            let mut model = BTreeSet::new();
            for (insert, v) in ops {
                if insert {
                    proptest::prop_assert_eq!(set.insert(v), model.insert(v));
                } else {
                    proptest::prop_assert_eq!(set.remove(&v), model.remove(&v));
                }
                proptest::prop_assert_eq!(set.iter().collect::<Vec<_>>(), model.iter().collect::<Vec<_>>());
            }
        }
    }
}
