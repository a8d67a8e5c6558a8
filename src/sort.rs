//! The engine's one sort. Every ordering the engine needs (invoices by date, postings by
//! seq, totals by currency, tax remainders) is expressed as `(key, tie)` pairs, so the
//! wasm module links one sort instead of one per element type and comparator. It is a
//! byte-wise radix sort rather than the standard library's pattern-defeating quicksort,
//! whose code in the wasm module is several times larger (docs/performance.md, "Wasm
//! size"); passes over a byte every pair shares are skipped, so typical keys (dates, seqs,
//! currency codes) take a few passes.

use crate::money::Currency;

/// Sorts pairs by key, then by tie: least significant digit first, a byte at a time, the
/// tie's four bytes (unless already ascending) then the key's eight, each pass stable.
pub fn sort_pairs(pairs: &mut [(u64, u32)]) {
    // Already in order (postings by seq, lists by date mostly are): nothing to move.
    if pairs.windows(2).all(|w| w[0] <= w[1]) {
        return;
    }
    // Ties already ascending (as `order_by` makes them): each pass being stable, the
    // key's bytes alone finish the order.
    let first = if pairs.windows(2).all(|w| w[0].1 < w[1].1) {
        4
    } else {
        0
    };
    let mut from = pairs.to_vec();
    let mut to = from.clone();
    for digit in first..12 {
        let byte = |&(key, tie): &(u64, u32)| {
            usize::from(if digit < 4 {
                (tie >> (8 * digit)) as u8
            } else {
                (key >> (8 * (digit - 4))) as u8
            })
        };
        let mut starts = [0usize; 256];
        for pair in &from {
            starts[byte(pair)] += 1;
        }
        if starts.contains(&from.len()) {
            continue; // every pair has this byte: the pass would move nothing
        }
        let mut at = 0;
        for start in &mut starts {
            (*start, at) = (at, at + *start);
        }
        for pair in &from {
            let slot = &mut starts[byte(pair)];
            to[*slot] = *pair;
            *slot += 1;
        }
        std::mem::swap(&mut from, &mut to);
    }
    pairs.copy_from_slice(&from);
}

/// Positions `0..keys.len()` ordered by key, equal keys in position order.
pub fn order_by(keys: impl IntoIterator<Item = u64>) -> Vec<u32> {
    let mut pairs: Vec<(u64, u32)> = keys.into_iter().zip(0u32..).collect();
    sort_pairs(&mut pairs);
    pairs.into_iter().map(|(_, i)| i).collect()
}

/// A key that orders currencies by code (as `Currency` orders).
pub fn currency_key(currency: Currency) -> u64 {
    currency
        .code()
        .bytes()
        .fold(0, |key, b| key << 8 | u64::from(b))
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
    fn currency_keys_order_as_currencies() {
        let c = |code| Currency::from_code(code).unwrap();
        let codes = ["USD", "CHF", "EUR", "JPY", "AED", "GBP"];
        let mut by_key: Vec<Currency> = codes.iter().map(|code| c(code)).collect();
        let mut by_ord = by_key.clone();
        by_key.sort_by_key(|&x| currency_key(x));
        by_ord.sort();
        assert_eq!(by_key, by_ord);
    }

    proptest::proptest! {
        /// The same order as the standard library's sort: small values with many
        /// duplicates, and values over every byte.
        #[test]
        fn sorts_as_the_standard_sort(
            small in proptest::collection::vec((0u64..4, 0u32..4), 0..40),
            any in proptest::collection::vec(proptest::prelude::any::<(u64, u32)>(), 0..300),
        ) {
            for mut pairs in [small, any] {
                let mut expected = pairs.clone();
                expected.sort_unstable();
                sort_pairs(&mut pairs);
                proptest::prop_assert_eq!(pairs, expected);
            }
        }
    }

    #[test]
    fn pairs_sort_by_key_then_tie() {
        let mut pairs = vec![(2, 1), (1, 9), (2, 0), (u64::MAX, 0), (0, 5)];
        sort_pairs(&mut pairs);
        assert_eq!(pairs, vec![(0, 5), (1, 9), (2, 0), (2, 1), (u64::MAX, 0)]);
    }
}
