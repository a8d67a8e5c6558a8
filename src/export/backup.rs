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
