//! Panel backups: `{ "format": "tally-journal", "version": 1, "entries": [{ "seq",
//! "command" }] }`, replayed into a fresh ledger.

use serde_json::Value;

use crate::journal::JournalEntry;
use crate::ledger::{read_command, Ledger};

/// Replays a backup file's journal. Every entry must be accepted in sequence, as when
/// it was first written; otherwise the message says which entry and why.
pub fn ledger_from_backup(json: &str) -> Result<Ledger, String> {
    let backup: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    if backup.get("format").and_then(Value::as_str) != Some("tally-journal") {
        return Err("not a Tally backup (format is not \"tally-journal\")".into());
    }
    if backup.get("version").and_then(Value::as_u64) != Some(1) {
        return Err("unknown backup version (this build reads version 1)".into());
    }
    let entries = backup
        .get("entries")
        .and_then(Value::as_array)
        .ok_or("the backup has no \"entries\" array")?;
    let mut ledger = Ledger::new();
    for (i, entry) in entries.iter().enumerate() {
        let seq = entry
            .get("seq")
            .and_then(Value::as_u64)
            .ok_or_else(|| format!("entry {}: no seq", i + 1))?;
        let command = entry
            .get("command")
            .ok_or_else(|| format!("entry {seq}: no command"))
            .and_then(|c| read_command(c).map_err(|e| format!("entry {seq}: {e}")))?;
        ledger
            .replay(JournalEntry { seq, command })
            .map_err(|e| format!("entry {seq}: {e}"))?;
    }
    Ok(ledger)
}

#[cfg(test)]
mod tests {
    use super::ledger_from_backup;
    use crate::export::Format;

    const CUSTOMER: &str = r#"{"type":"create_customer","id":"c1","name":"Ada","currency":"EUR"}"#;

    #[test]
    fn a_backup_replays_into_the_ledger_it_was_taken_from() {
        let backup = format!(
            r#"{{"format":"tally-journal","version":1,"entries":[{{"seq":1,"command":{CUSTOMER}}},
            {{"seq":2,"command":{{"type":"add_credit","id":"g1","customer":"c1","amount":"5.00","date":"2026-01-01","reason":"Hi, \"you\""}}}}]}}"#
        );
        let ledger = ledger_from_backup(&backup).expect("replays");
        assert_eq!(ledger.seq(), 2);
        let csv = ledger.export(Format::Csv);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3, "{csv}");
        assert_eq!(
            lines[1],
            r#"2026-01-01,2,goodwill_credit,5.00,,EUR,g1,"Credit: Hi, ""you""""#
        );
        assert_eq!(
            lines[2],
            r#"2026-01-01,2,customer_credit:c1,,5.00,EUR,g1,"Credit: Hi, ""you""""#
        );
    }

    #[test]
    fn a_foreign_file_or_a_refused_entry_is_an_error_that_says_which() {
        assert!(ledger_from_backup("[]")
            .unwrap_err()
            .contains("not a Tally backup"));
        assert!(
            ledger_from_backup(r#"{"format":"tally-journal","version":2,"entries":[]}"#)
                .unwrap_err()
                .contains("version")
        );
        let gap = format!(
            r#"{{"format":"tally-journal","version":1,"entries":[{{"seq":2,"command":{CUSTOMER}}}]}}"#
        );
        assert!(ledger_from_backup(&gap).unwrap_err().starts_with("entry 2"));
        let refused = format!(
            r#"{{"format":"tally-journal","version":1,"entries":[{{"seq":1,"command":{CUSTOMER}}},
            {{"seq":2,"command":{{"type":"write_off_invoice","id":"w1","invoice":"nope","date":"2026-01-01","reason":"x"}}}}]}}"#
        );
        let e = ledger_from_backup(&refused).unwrap_err();
        assert!(
            e.starts_with("entry 2") && e.contains("unknown_invoice"),
            "{e}"
        );
    }
}
