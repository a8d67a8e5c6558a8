//! The journal: every accepted command, numbered. The state is what replaying it gives;
//! entries are never edited or deleted.

use std::io;

use serde::Serialize;

use crate::input::command::{Command, CommandBody};

/// One accepted command and its place in the journal. Its JSON form is
/// `{ "seq": 7, "command": { "type": ..., "id": ..., "at": ..., "by": ..., ... } }`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JournalEntry {
    pub seq: u64,
    pub command: Command,
}

/// A stable 64-bit fingerprint of what a command does (its body: not its id, `at` or
/// `by`), kept per id so a resent command is recognised as a duplicate and a different
/// one with a taken id as a conflict. FNV-1a over the canonical JSON of the body: the
/// same on every platform and build, unlike `std`'s hasher.
pub fn fingerprint(body: &CommandBody) -> u64 {
    let mut hasher = Fnv1a(0xcbf2_9ce4_8422_2325);
    // Writing to a hasher can't fail, and the body's Serialize impl has no failing path.
    let _ = serde_json::to_writer(&mut hasher, body);
    hasher.0
}

struct Fnv1a(u64);

impl io::Write for Fnv1a {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
