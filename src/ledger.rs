//! `Ledger`: the engine's public face. Commands in, answers and journal entries out; no
//! clock, no I/O, no randomness, so the same commands always give the same state.

#![warn(missing_docs)]

use serde::Deserializer;

use crate::answer::{command_result, Accepted, Answer, QueryOk};
use crate::commands;
use crate::error::{err, Error, Result};
use crate::input::command::Command;
use crate::input::raw::RawMap;
use crate::journal::{fingerprint, JournalEntry};
use crate::queries::Query;
use crate::state::records::RecordRef;
use crate::state::{IdEntry, State};

/// A ledger: the state plus the journal entries accepted since it was created or
/// restored (older entries live in whatever stores the journal, e.g. IndexedDB).
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    pub(crate) state: State,
    /// Entries with seq > `journal_base`, in order.
    pub(crate) journal: Vec<JournalEntry>,
    /// Seq of the last entry no longer held (forgotten, or covered by the snapshot this
    /// ledger was restored from): `journal[0]` has seq `journal_base + 1`.
    pub(crate) journal_base: u64,
}

impl Ledger {
    /// An empty ledger: no customers, no records, sequence 0.
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Sequence number of the last accepted command (0 for an empty ledger).
    pub fn seq(&self) -> u64 {
        self.state.seq
    }

    /// Read access for invariant checks and custom reports.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Validates and applies one command. A refused command changes nothing; a command
    /// whose id is taken by an identical command answers the original result with
    /// `duplicate: true` and changes nothing.
    pub fn execute(&mut self, command: Command) -> Answer {
        match self.try_execute(command) {
            Ok(accepted) => Answer::Accepted(accepted),
            Err(error) => Answer::refused(error),
        }
    }

    fn try_execute(&mut self, command: Command) -> Result<Accepted> {
        check_id(&command.id)?;
        let print = fingerprint(&command.body);
        if let Some(entry) = self.state.id_entry(&command.id) {
            if entry.fingerprint != print {
                return Err(err!(
                    Conflict,
                    "id: '{}' is already taken by another record or a different command",
                    crate::error::clip(&command.id)
                ));
            }
            let (record, seq) = (entry.record, entry.seq);
            return Ok(self.accepted(&command.id, record, seq, true));
        }
        let seq = self.state.seq + 1;
        let record = commands::execute(&mut self.state, &command, seq)?;
        self.state.seq = seq;
        self.state
            .ids
            .insert(IdEntry::new(&command.id, record, print, seq));
        let answer = self.accepted(&command.id, record, seq, false);
        self.journal.push(JournalEntry { seq, command });
        Ok(answer)
    }

    fn accepted(&self, id: &str, record: RecordRef, seq: u64, duplicate: bool) -> Accepted {
        Accepted {
            ok: true,
            duplicate,
            seq,
            id: id.to_string(),
            result: command_result(&self.state, record),
        }
    }

    /// Reads a command object from any serde data format (JSON text, a JS value) and
    /// executes it. Malformed input is refused like any other bad command.
    pub fn apply_from<'de, D: Deserializer<'de>>(&mut self, input: D) -> Answer {
        match read_command(input) {
            Ok(command) => self.execute(command),
            Err(error) => Answer::refused(error),
        }
    }

    /// Executes one command given as JSON text.
    pub fn apply_json(&mut self, json: &str) -> Answer {
        self.apply_from(&mut serde_json::Deserializer::from_str(json))
    }

    /// Answers a query; never changes anything.
    pub fn query(&self, query: &Query) -> Answer {
        match query.run(&self.state) {
            Ok(answer) => Answer::Query(QueryOk { ok: true, answer }),
            Err(error) => Answer::refused(error),
        }
    }

    /// Reads a query object from any serde data format and answers it.
    pub fn query_from<'de, D: Deserializer<'de>>(&self, input: D) -> Answer {
        let query = RawMap::read(input)
            .map_err(|e| err!(InvalidInput, "query: {e}"))
            .and_then(Query::from_raw);
        match query {
            Ok(q) => self.query(&q),
            Err(error) => Answer::refused(error),
        }
    }

    /// Answers one query given as JSON text.
    pub fn query_json(&self, json: &str) -> Answer {
        self.query_from(&mut serde_json::Deserializer::from_str(json))
    }

    /// Journal entries after `seq` that this ledger still holds (since its creation or
    /// restore, unless forgotten).
    pub fn journal_since(&self, seq: u64) -> &[JournalEntry] {
        let start = seq.saturating_sub(self.journal_base);
        let start = usize::try_from(start)
            .unwrap_or(usize::MAX)
            .min(self.journal.len());
        &self.journal[start..]
    }

    /// Drops held journal entries up to and including `seq`, once the caller has stored
    /// them, to bound memory.
    pub fn forget_journal_through(&mut self, seq: u64) {
        let n = seq.saturating_sub(self.journal_base);
        let n = usize::try_from(n)
            .unwrap_or(usize::MAX)
            .min(self.journal.len());
        self.journal.drain(..n);
        self.journal_base += n as u64;
    }

    /// Replays one stored journal entry. It must be the next in sequence and must be
    /// accepted as it was the first time; otherwise nothing changes and the error says why.
    pub fn replay(&mut self, entry: JournalEntry) -> Result<()> {
        let expected = self.state.seq + 1;
        if entry.seq != expected {
            return Err(err!(
                InvalidInput,
                "journal entry {} is out of sequence: the ledger expects {expected}",
                entry.seq
            ));
        }
        match self.try_execute(entry.command)? {
            accepted if !accepted.duplicate => Ok(()),
            accepted => Err(err!(
                Conflict,
                "journal entry {}: '{}' was already applied",
                entry.seq,
                crate::error::clip(&accepted.id)
            )),
        }
    }
}

/// Reads and validates a command object.
pub fn read_command<'de, D: Deserializer<'de>>(input: D) -> Result<Command> {
    let raw = RawMap::read(input).map_err(|e| err!(InvalidInput, "command: {e}"))?;
    Command::from_raw(raw)
}

fn check_id(id: &str) -> Result<(), Error> {
    if id.len() > 200 {
        return Err(err!(InvalidInput, "id: longer than 200 bytes"));
    }
    Ok(())
}
