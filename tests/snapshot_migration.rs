#![cfg(not(target_arch = "wasm32"))]
//! Snapshots written by an earlier format still open. `fixtures/snapshot-v1.bin` is a
//! version 1 snapshot (written before write-offs, expiring credit and tax rounding)
//! of the commands in `fixtures/snapshot-v1.commands.jsonl`; `fixtures/snapshot-v2.bin`
//! a version 2 snapshot (postcard, written by the engine before format 3) of
//! `fixtures/snapshot-v2.commands.jsonl`, which adds write-offs, expiring credit,
//! invoice tax rounding, a number format and voids; `fixtures/snapshot-v3.bin` a
//! version 3 snapshot (each invoice's lines written in full with it, before format 4's
//! line table) of the same commands as version 2.

use std::path::PathBuf;

use tally::Ledger;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn a_version_1_snapshot_restores_to_what_replaying_its_commands_gives() {
    restores_to_its_replay(1);
}

#[test]
fn a_version_2_snapshot_restores_to_what_replaying_its_commands_gives() {
    restores_to_its_replay(2);
}

#[test]
fn a_version_3_snapshot_restores_to_what_replaying_its_commands_gives() {
    restores_to_its_replay(3);
}

/// The commands a fixture snapshot was written from (version 3's are version 2's).
fn commands_of(version: u32) -> String {
    let of = if version == 3 { 2 } else { version };
    std::fs::read_to_string(fixture(&format!("snapshot-v{of}.commands.jsonl"))).unwrap()
}

fn restores_to_its_replay(version: u32) {
    let bytes = std::fs::read(fixture(&format!("snapshot-v{version}.bin"))).unwrap();
    assert_eq!(
        u32::from_le_bytes(bytes[8..12].try_into().unwrap()),
        version
    );
    let restored = Ledger::restore(&bytes).expect("an older snapshot restores");

    let commands = commands_of(version);
    let mut replayed = Ledger::new();
    for line in commands.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            replayed.apply_json(line).is_ok(),
            "refused on replay: {line}"
        );
    }
    assert_eq!(restored.seq(), replayed.seq());
    // Same state, byte for byte, in the current format.
    assert_eq!(restored.snapshot(), replayed.snapshot());
    let tb = r#"{"type":"trial_balance"}"#;
    assert_eq!(
        serde_json::to_string(&restored.query_json(tb)).unwrap(),
        serde_json::to_string(&replayed.query_json(tb)).unwrap()
    );
    // And every invoice reads the same (lines, totals, scales, numbers).
    for invoice in replayed.state().invoices.iter() {
        let q = format!(r#"{{"type":"invoice","invoice":"{}"}}"#, invoice.id);
        assert_eq!(
            serde_json::to_string(&restored.query_json(&q)).unwrap(),
            serde_json::to_string(&replayed.query_json(&q)).unwrap()
        );
    }
}

#[test]
fn commands_resent_after_a_migration_are_duplicates_not_conflicts() {
    resent_commands_are_duplicates(1);
    resent_commands_are_duplicates(2);
    resent_commands_are_duplicates(3);
}

fn resent_commands_are_duplicates(version: u32) {
    let bytes = std::fs::read(fixture(&format!("snapshot-v{version}.bin"))).unwrap();
    let mut restored = Ledger::restore(&bytes).unwrap();
    let commands = commands_of(version);
    let mut kinds = std::collections::BTreeSet::new();
    for line in commands.lines().filter(|l| !l.trim().is_empty()) {
        let answer = serde_json::to_value(restored.apply_json(line)).unwrap();
        assert_eq!(answer["duplicate"], true, "{line} -> {answer}");
        kinds.insert(answer["type"].as_str().unwrap().to_string());
    }
    assert!(
        kinds.contains("add_credit") && kinds.contains("issue_invoice"),
        "{kinds:?}"
    );
}

#[test]
fn a_new_snapshot_is_version_4_and_restores() {
    let mut ledger = Ledger::new();
    ledger.apply_json(r#"{"type":"configure","id":"k1","tax_rounding":"invoice"}"#);
    let bytes = ledger.snapshot();
    assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()), 4);
    let restored = Ledger::restore(&bytes).unwrap();
    assert_eq!(restored.snapshot(), bytes);
}
