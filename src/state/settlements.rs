//! Every invoice's settlements in one table instead of a `Vec` per invoice: each
//! invoice holds the position of its latest settlement, and each settlement the
//! position of the one made before it. Latest first is the order credit notes and voids
//! release them in. A settlement released in full, or removed by its payment's void,
//! stays in the table at zero and is skipped when read (those are rare; unlinking them
//! would cost more code in the wasm module than the bytes it saves).

use serde::{Deserialize, Serialize};

use super::chunked::Chunked;
use super::record_ref::Idx;
use crate::money::Minor;

/// Where an invoice's list ends (no settlement), and the end of the free list.
pub const NO_SETTLEMENT: u32 = u32::MAX;

/// Where a settlement of an invoice came from. Released settlement returns there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// Paid directly by a payment (counts as `paid`).
    Payment(Idx),
    /// Taken from a credit lot (counts as `credit_applied`).
    Lot(Idx),
}

/// Part of an invoice paid by one source, in minor units of the invoice's currency. A
/// credit note's release lowers it (a release of all of it removes it), and voiding its
/// payment removes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settlement {
    pub source: Source,
    pub amount: Minor,
}

/// Which table a node's source is in: the top bit of `source`.
const LOT: u32 = 1 << 31;

/// 12 bytes against 24 for a `Settlement` of `Decimal` in a `Vec` of its own.
#[derive(Clone, Copy, Debug)]
struct Node {
    /// The amount in minor units, or `WIDE_AMOUNT`: it is in `SettlementTable::wide`.
    amount: i32,
    /// The payment or lot index, `LOT` set for a lot.
    source: u32,
    /// The settlement made before it on the same invoice (`NO_SETTLEMENT`: none).
    next: u32,
}

/// A node amount that doesn't fit 32 bits (beyond 21 million in cents) is kept aside.
const WIDE_AMOUNT: i32 = i32::MIN;

impl Node {
    fn source(self) -> Source {
        let i = self.source & !LOT;
        if self.source & LOT == 0 {
            Source::Payment(i)
        } else {
            Source::Lot(i)
        }
    }
}

/// Every invoice's settlements.
#[derive(Clone, Debug, Default)]
pub struct SettlementTable {
    nodes: Chunked<Node>,
    /// The amounts of the nodes marked `WIDE_AMOUNT`, by position.
    wide: Vec<(u32, i64)>,
}

impl SettlementTable {
    /// Adds `s` as the latest settlement of the list that starts at `head`.
    pub fn push(&mut self, head: &mut u32, s: Settlement) {
        let (i, tag) = match s.source {
            Source::Payment(i) => (i, 0),
            Source::Lot(i) => (i, LOT),
        };
        // Payments and lots are far fewer than 2^31, and settlements than 2^32: memory
        // runs out long before (a payment or lot takes more than 16 bytes, a wasm
        // module has 4 GiB).
        debug_assert!(i < LOT && self.nodes.len() < NO_SETTLEMENT as usize);
        let at = self.nodes.len() as u32;
        self.nodes.push(Node {
            amount: 0,
            source: i | tag,
            next: *head,
        });
        self.set_amount(at, s.amount.units());
        *head = at;
    }

    /// The amount of the node at `at`.
    fn amount(&self, at: u32, node: Node) -> i64 {
        if node.amount != WIDE_AMOUNT {
            return i64::from(node.amount);
        }
        match self.wide.binary_search_by_key(&at, |w| w.0) {
            Ok(k) => self.wide[k].1,
            Err(_) => 0,
        }
    }

    /// Sets the amount of the node at `at` (once kept aside, it stays aside).
    fn set_amount(&mut self, at: u32, units: i64) {
        let node = &mut self.nodes[at as usize];
        let narrow = i32::try_from(units).ok().filter(|&a| a != WIDE_AMOUNT);
        match (node.amount, narrow) {
            (WIDE_AMOUNT, _) => {}
            (_, Some(a)) => {
                node.amount = a;
                return;
            }
            _ => node.amount = WIDE_AMOUNT,
        }
        match self.wide.binary_search_by_key(&at, |w| w.0) {
            Ok(k) => self.wide[k].1 = units,
            Err(k) => self.wide.insert(k, (at, units)),
        }
    }

    fn settlement(&self, at: u32, node: Node) -> Settlement {
        Settlement {
            source: node.source(),
            amount: Minor::from_units(self.amount(at, node)),
        }
    }

    /// Asks for the settlement at `head` to be brought into the cache.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn warm(&self, head: u32) {
        if let Some(node) = self.nodes.get(head as usize) {
            super::warm::prefetch(node);
        }
    }

    /// The list that starts at `head`, latest first, each with its position.
    pub fn iter(&self, head: u32) -> Latest<'_> {
        Latest {
            planned: &[],
            table: Some(self),
            at: head,
        }
    }

    /// Lowers the settlement at `at` by `by` (a settlement lowered to nothing is no
    /// longer listed); returns where it came from.
    pub fn lower(&mut self, at: u32, by: Minor) -> Source {
        let node = self.nodes[at as usize];
        self.set_amount(at, self.amount(at, node) - by.units());
        node.source()
    }

    /// Removes the settlements of the list at `head` that came from `sources`.
    pub fn remove_from(&mut self, head: u32, sources: &[Source]) {
        let mut at = head;
        while let Some(&node) = self.nodes.get(at as usize) {
            if sources.contains(&node.source()) {
                self.set_amount(at, 0);
            }
            at = node.next;
        }
    }
}

/// A list of settlements, latest first: `(position, settlement)`. A stored invoice's
/// list is in the table; a plan's is a slice in the order made, its positions its
/// indexes.
#[derive(Clone, Copy, Debug)]
pub struct Latest<'a> {
    planned: &'a [Settlement],
    table: Option<&'a SettlementTable>,
    at: u32,
}

impl<'a> Latest<'a> {
    /// A plan's settlements (in the order made), latest first.
    pub fn planned(list: &'a [Settlement]) -> Latest<'a> {
        Latest {
            planned: list,
            table: None,
            at: NO_SETTLEMENT,
        }
    }
}

impl Iterator for Latest<'_> {
    type Item = (u32, Settlement);

    fn next(&mut self) -> Option<(u32, Settlement)> {
        if let Some((last, rest)) = self.planned.split_last() {
            self.planned = rest;
            return Some((rest.len() as u32, *last));
        }
        loop {
            let at = self.at;
            let table = self.table?;
            let node = *table.nodes.get(at as usize)?;
            self.at = node.next;
            let s = table.settlement(at, node);
            if !s.amount.is_zero() {
                return Some((at, s));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(source: Source, units: i64) -> Settlement {
        Settlement {
            source,
            amount: Minor::from_units(units),
        }
    }

    fn listed(t: &SettlementTable, head: u32) -> Vec<Settlement> {
        t.iter(head).map(|(_, s)| s).collect()
    }

    #[test]
    fn lists_are_latest_first_and_skip_what_was_removed() {
        let mut t = SettlementTable::default();
        let (mut a, mut b) = (NO_SETTLEMENT, NO_SETTLEMENT);
        t.push(&mut a, s(Source::Payment(1), 100));
        t.push(&mut b, s(Source::Lot(7), 5));
        t.push(&mut a, s(Source::Lot(2), 30));
        t.push(&mut a, s(Source::Payment(3), 40));
        assert_eq!(
            listed(&t, a),
            vec![
                s(Source::Payment(3), 40),
                s(Source::Lot(2), 30),
                s(Source::Payment(1), 100)
            ]
        );
        let (middle, _) = t.iter(a).nth(1).unwrap();
        assert_eq!(t.lower(middle, Minor::from_units(30)), Source::Lot(2));
        assert_eq!(
            listed(&t, a),
            vec![s(Source::Payment(3), 40), s(Source::Payment(1), 100)]
        );
        t.remove_from(a, &[Source::Payment(3), Source::Lot(9)]);
        assert_eq!(listed(&t, a), vec![s(Source::Payment(1), 100)]);
        t.push(&mut b, s(Source::Lot(LOT - 1), 2));
        assert_eq!(
            listed(&t, b),
            vec![s(Source::Lot(LOT - 1), 2), s(Source::Lot(7), 5)]
        );
        t.push(&mut a, s(Source::Payment(4), 1));
        assert_eq!(
            listed(&t, a),
            vec![s(Source::Payment(4), 1), s(Source::Payment(1), 100)]
        );
    }

    #[test]
    fn amounts_beyond_32_bits_are_kept_aside_and_lowered_exactly() {
        let mut t = SettlementTable::default();
        let mut a = NO_SETTLEMENT;
        let big = i64::from(i32::MAX) * 3;
        t.push(&mut a, s(Source::Payment(1), big));
        t.push(&mut a, s(Source::Lot(2), i64::from(i32::MIN)));
        t.push(&mut a, s(Source::Payment(3), 7));
        t.push(&mut a, s(Source::Payment(4), -big));
        assert_eq!(
            listed(&t, a),
            vec![
                s(Source::Payment(4), -big),
                s(Source::Payment(3), 7),
                s(Source::Lot(2), i64::from(i32::MIN)),
                s(Source::Payment(1), big)
            ]
        );
        let (first, _) = t.iter(a).last().unwrap();
        assert_eq!(
            t.lower(first, Minor::from_units(big - 5)),
            Source::Payment(1)
        );
        let (third, _) = t.iter(a).nth(1).unwrap();
        t.lower(third, Minor::from_units(-big));
        assert_eq!(
            listed(&t, a),
            vec![
                s(Source::Payment(4), -big),
                s(Source::Payment(3), 7 + big),
                s(Source::Lot(2), i64::from(i32::MIN)),
                s(Source::Payment(1), 5)
            ]
        );
        t.remove_from(a, &[Source::Payment(4), Source::Payment(1)]);
        assert_eq!(
            listed(&t, a),
            vec![
                s(Source::Payment(3), 7 + big),
                s(Source::Lot(2), i64::from(i32::MIN))
            ]
        );
        assert_eq!(std::mem::size_of::<Node>(), 12);
    }
}
