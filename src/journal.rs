//! The journal: every accepted command, numbered. The state is what replaying it gives;
//! entries are never edited or deleted.

#![warn(missing_docs)]

use std::hash::{Hash, Hasher};

use crate::stable_hash::StableHasher;

use serde::Serialize;

use crate::input::command::{Command, CommandBody};

/// One accepted command and its place in the journal. Its JSON form is
/// `{ "seq": 7, "command": { "type": ..., "id": ..., "at": ..., "by": ..., ... } }`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JournalEntry {
    /// Position in the journal, from 1 with no gaps: the ledger's `seq` once this
    /// command was accepted. Replay must present entries in exactly this order.
    pub seq: u64,
    /// The command as accepted, audit fields (`at`, `by`) included.
    pub command: Command,
}

/// A 64-bit fingerprint of what a command does (its body: not its id, `at` or `by`),
/// kept per id so a resent command is recognised as a duplicate and a different one
/// with a taken id as a conflict.
///
/// It hashes the typed body through `derive(Hash)` with `StableHasher`, which widens
/// lengths and enum discriminants to 64 bits, so native and wasm32 builds agree (std's
/// default hasher is randomly keyed and `usize` differs by platform). Decimals hash
/// normalized, so "100" and "100.00" are the same amount. Fingerprints are stored in
/// snapshots: `tests` pins known values, so any change to them fails loudly.
pub fn fingerprint(body: &CommandBody) -> u64 {
    let mut hasher = StableHasher::new();
    body.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::read_command;

    fn print(json: &str) -> u64 {
        fingerprint(
            &read_command(&mut serde_json::Deserializer::from_str(json))
                .unwrap()
                .body,
        )
    }

    #[test]
    fn same_command_same_fingerprint_whatever_the_audit_fields() {
        let a = print(
            r#"{"type":"record_payment","id":"p1","customer":"c1","amount":"100.00","method":"card","date":"2026-01-05"}"#,
        );
        let b = print(
            r#"{"type":"record_payment","id":"p2","customer":"c1","amount":"100","method":"card","date":"2026-01-05","at":"2026-01-05T10:00:00Z","by":"ana"}"#,
        );
        let c = print(
            r#"{"type":"record_payment","id":"p1","customer":"c1","amount":"90.00","method":"card","date":"2026-01-05"}"#,
        );
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    /// Fingerprints live in snapshots: they must not change between builds, compilers
    /// or platforms. If this fails, bump the snapshot format version.
    #[test]
    fn fingerprints_are_pinned() {
        let payment = print(
            r#"{"type":"record_payment","id":"p1","customer":"c1","amount":"100.00","method":"card","date":"2026-01-05","reference":"R1","allocate_to":["i1"]}"#,
        );
        let invoice = print(
            r#"{"type":"issue_invoice","id":"i1","customer":"c1","date":"2026-02-01","lines":[{"description":"Desk","quantity":"2","unit_price":"49.99","tax_rate":"0.20"}]}"#,
        );
        assert_eq!((payment, invoice), (PINNED_PAYMENT, PINNED_INVOICE));
    }

    const PINNED_PAYMENT: u64 = 11_018_204_839_503_895_525;
    const PINNED_INVOICE: u64 = 7_245_881_896_082_034_206;
}
