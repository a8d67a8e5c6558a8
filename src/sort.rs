//! The engine's one sort. Every ordering the engine needs (invoices by date, postings by
//! seq, totals by currency, tax remainders) is expressed as `(key, tie)` pairs, so the
//! wasm module links a single instantiation of the standard library's sort instead of
//! one per element type and comparator (each is several KB; docs/performance.md, "Wasm
//! size").

/// Sorts pairs by key, then by tie. Callers make pairs unique (the tie is an index), so
/// the order is fully determined even though the sort is not stable.
pub fn sort_pairs(pairs: &mut [(u64, u32)]) {
    pairs.sort_unstable();
}

/// Positions `0..keys.len()` ordered by key, equal keys in position order.
pub fn order_by(keys: impl IntoIterator<Item = u64>) -> Vec<u32> {
    let mut pairs: Vec<(u64, u32)> = keys.into_iter().zip(0u32..).collect();
    sort_pairs(&mut pairs);
    pairs.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_keep_their_positions() {
        assert_eq!(order_by([3, 1, 3, 0, 1]), vec![3, 1, 4, 0, 2]);
        assert_eq!(order_by([]), Vec::<u32>::new());
    }

    #[test]
    fn pairs_sort_by_key_then_tie() {
        let mut pairs = vec![(2, 1), (1, 9), (2, 0), (u64::MAX, 0), (0, 5)];
        sort_pairs(&mut pairs);
        assert_eq!(pairs, vec![(0, 5), (1, 9), (2, 0), (2, 1), (u64::MAX, 0)]);
    }
}
