//! `Ledger`: the engine's public face. Commands in, answers and journal entries out; no
//! clock, no I/O, no randomness, so the same commands always give the same state.

#![warn(missing_docs)]

use serde::Deserializer;

use crate::answer::{command_result, Accepted, Answer, QueryOk};
use crate::commands::{self, Commit, DryRun};
use crate::error::{clip, err, Error, Result};
use crate::input::command::{Command, CommandBody};
use crate::input::raw::{Key, RawMap};
use crate::journal::{fingerprint, JournalEntry};
use crate::money::Currency;
use crate::queries::Query;
use crate::state::records::RecordRef;
use crate::state::{IdEntry, State, Vacancy};

#[cfg(not(target_arch = "wasm32"))]
mod pipelined;
#[cfg(not(target_arch = "wasm32"))]
pub use pipelined::Applying;

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
    /// A snapshot being written in pieces (`snapshot_begin`); dropped by any change.
    pub(crate) snapshot_cursor: Option<Box<crate::snapshot::Cursor>>,
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
    /// `duplicate: true` and changes nothing. A command with `dry_run: true` is
    /// answered by [`Ledger::dry_run`].
    pub fn execute(&mut self, command: Command) -> Answer {
        if command.dry_run {
            return self.dry_run(command);
        }
        let print = fingerprint(&command.body);
        self.execute_printed(command, print, None)
    }

    /// `execute` for a command whose fingerprint is `print` and, if given, the hash of
    /// whose id is `id_hash` (both worked out beforehand).
    fn execute_printed(&mut self, command: Command, print: u64, id_hash: Option<u64>) -> Answer {
        if command.dry_run {
            return self.dry_run(command);
        }
        match self.try_execute(command, print, id_hash) {
            Ok(accepted) => Answer::Accepted(accepted),
            Err(error) => Answer::refused(error),
        }
    }

    /// Answers exactly what executing the command would answer now (accepted,
    /// duplicate or refused, with everything it would do, and the `seq` it would get),
    /// marked `dry_run: true`, and changes nothing: it runs the command's own plan and
    /// renders the answer from it instead of committing.
    pub fn dry_run(&self, mut command: Command) -> Answer {
        let answer = match self.try_dry_run(&mut command) {
            Ok(accepted) => Answer::Accepted(accepted),
            Err(error) => Answer::refused(error),
        };
        answer.as_dry_run()
    }

    fn try_dry_run(&self, command: &mut Command) -> Result<Accepted> {
        let print = fingerprint(&command.body);
        if let Ok(duplicate) = self.existing(command, print, None)? {
            return Ok(duplicate);
        }
        let seq = self.state.seq + 1;
        let result = commands::run(DryRun(&self.state), command, seq)?;
        Ok(Accepted {
            ok: true,
            duplicate: false,
            seq,
            id: command.id.clone(),
            dry_run: false,
            result,
        })
    }

    /// The answer to a command whose id is already taken: the original's result for an
    /// identical command, `conflict` for a different one; where the id goes when it is
    /// free.
    fn existing(
        &self,
        command: &mut Command,
        print: u64,
        id_hash: Option<u64>,
    ) -> Result<Result<Accepted, Vacancy>> {
        check_id(&command.id)?;
        let found = match id_hash {
            Some(hash) => self.state.id_lookup_hashed(&command.id, hash),
            None => self.state.id_lookup(&command.id),
        };
        let entry = match found {
            Ok(entry) => entry,
            Err(vacancy) => return Ok(Err(vacancy)),
        };
        if entry.fingerprint != print
            && !self.same_with_defaults(&mut command.body, entry.fingerprint)
        {
            return Err(err!(
                Conflict,
                "id: '{}' is already taken by another record or a different command",
                clip(&command.id)
            )
            .at("id")
            .rule("id_taken")
            .with("id", clip(&command.id)));
        }
        let (record, seq) = (entry.record, entry.seq);
        Ok(Ok(self.accepted(&command.id, record, seq, true)))
    }

    /// Whether `body` is the command whose fingerprint is `stored` with a default
    /// written out or left out: `currency` given as the one it defaults to (the
    /// customer's, or for a credit note or `apply_credit` the invoice's), an invoice's
    /// `due_date` as its `date`, `apply_credit`'s `date` as its invoice's date. Both
    /// forms do the same thing, so a resend written the other way is a duplicate, not a
    /// conflict. Asked only when the fingerprints differ, so the fingerprints stored
    /// in snapshots stay as they are. It writes the other forms into `body` (which the
    /// caller drops: a taken id's command is never run) rather than copying it.
    fn same_with_defaults(&self, body: &mut CommandBody, stored: u64) -> bool {
        // The record the defaults come from: the customer, or the invoice.
        let (from, date) = match &*body {
            CommandBody::IssueInvoice(c) => (&c.customer, Some(c.date)),
            CommandBody::RecordPayment(c) => (&c.customer, None),
            CommandBody::AddCredit(c) => (&c.customer, None),
            CommandBody::RefundCredit(c) => (&c.customer, None),
            CommandBody::IssueCreditNote(c) => (c.invoice.as_ref().unwrap_or(&c.customer), None),
            CommandBody::ApplyCredit(c) => (&c.invoice, None),
            _ => return false,
        };
        let state = &self.state;
        let (currency, date) = match state.lookup(from) {
            Some(RecordRef::Customer(c)) => (state.customers[c as usize].currency, date),
            Some(RecordRef::Invoice(i)) => {
                (state.invoices.currency(i), Some(state.invoices.date(i)))
            }
            _ => return false,
        };
        let currency = Some(currency);
        let Some((given, given_date)) = default_slots(body) else {
            return false;
        };
        let given = *given;
        let given_date = given_date.map(|slot| *slot);
        let other = flip(given, currency);
        let other_date = given_date.and_then(|slot| flip(slot, date));
        // The other currency, the other date, then both.
        for k in 1..4 {
            let currency = match (k & 1, other) {
                (0, _) => given,
                (_, Some(other)) => other,
                _ => continue,
            };
            let date = match (k & 2, other_date) {
                (0, _) => given_date,
                (_, Some(other)) => Some(other),
                _ => continue,
            };
            if let Some((slot, date_slot)) = default_slots(body) {
                *slot = currency;
                if let (Some(slot), Some(date)) = (date_slot, date) {
                    *slot = date;
                }
            }
            if fingerprint(body) == stored {
                return true;
            }
        }
        false
    }

    /// Executes a command that isn't a dry run, whose fingerprint is `print` (and the
    /// hash of whose id is `id_hash`, if given).
    fn try_execute(
        &mut self,
        mut command: Command,
        print: u64,
        id_hash: Option<u64>,
    ) -> Result<Accepted> {
        let vacancy = match self.existing(&mut command, print, id_hash)? {
            Ok(duplicate) => return Ok(duplicate),
            Err(vacancy) => vacancy,
        };
        let seq = self.state.seq + 1;
        // Plans read ids and commits add none, so the id's slot is still free after it.
        let record = commands::run(Commit(&mut self.state), &command, seq)?;
        // The state changed: a snapshot being written in pieces is no longer of it.
        self.snapshot_cursor = None;
        self.state.seq = seq;
        self.state.add_id_at(
            vacancy,
            IdEntry {
                record,
                fingerprint: print,
                seq,
            },
        );
        let answer = self.accepted(&command.id, record, seq, false);
        self.journal.push(JournalEntry { seq, command });
        Ok(answer)
    }

    fn accepted(&self, id: &str, record: RecordRef, seq: u64, duplicate: bool) -> Accepted {
        Accepted {
            ok: true,
            duplicate,
            seq,
            id: id.into(),
            dry_run: false,
            result: command_result(&self.state, record),
        }
    }

    /// Reads a command object from any serde data format (JSON text, a JS value) and
    /// executes it. Malformed input is refused like any other bad command.
    pub fn apply_from<'de, D: Deserializer<'de>>(&mut self, input: D) -> Answer {
        match RawMap::read(input) {
            Ok(raw) => self.apply_raw(raw),
            Err(e) => Answer::refused(unreadable("command", e)),
        }
    }

    /// Validates and executes a command object as read. A dry run refused for its
    /// input is marked `dry_run: true` like any other dry run's answer.
    pub fn apply_raw(&mut self, raw: RawMap<'_>) -> Answer {
        match validate(raw) {
            Ok(command) => self.execute(command),
            Err(refused) => *refused,
        }
    }

    /// Executes one command given as JSON text.
    pub fn apply_json(&mut self, json: &str) -> Answer {
        #[cfg(fast_paths)]
        if let Some(raw) = crate::input::json::read_object(json) {
            // Warmed before the command is validated, so memory fetches them meanwhile.
            self.warm([raw.text(Key::Id), raw.text(Key::Customer)]);
            return self.apply_raw(raw);
        }
        self.apply_from(&mut serde_json::Deserializer::from_str(json))
    }

    /// Reads the slots of a command's id and customer in the id index, which in a big
    /// index are cache misses, so that they are in the cache when its plan looks them
    /// up: called a little before the lookups.
    #[cfg(fast_paths)]
    fn warm(&self, ids: [Option<&str>; 2]) {
        self.warm_hashed(ids.map(|id| id.map(crate::state::id_index::hash_id)));
    }

    /// `warm` for ids given by their hashes (`hash_id`).
    #[cfg(fast_paths)]
    fn warm_hashed(&self, hashes: [Option<u64>; 2]) {
        for hash in hashes.into_iter().flatten() {
            #[cfg(target_arch = "x86_64")]
            self.state.ids.prefetch(hash);
            #[cfg(not(target_arch = "x86_64"))]
            std::hint::black_box(self.state.ids.warm(hash));
        }
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
            .map_err(|e| unreadable("query", e))
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

    /// `forget_journal_through`, moving the entries forgotten to `forgotten`.
    #[cfg(not(target_arch = "wasm32"))]
    fn forget_journal_into(&mut self, seq: u64, forgotten: &mut Vec<JournalEntry>) {
        let n = seq.saturating_sub(self.journal_base);
        let n = usize::try_from(n)
            .unwrap_or(usize::MAX)
            .min(self.journal.len());
        forgotten.extend(self.journal.drain(..n));
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
            )
            .at("seq")
            .rule("out_of_sequence")
            .with("seq", entry.seq)
            .with("expected", expected));
        }
        let print = fingerprint(&entry.command.body);
        match self.try_execute(entry.command, print, None)? {
            accepted if !accepted.duplicate => Ok(()),
            accepted => Err(err!(
                Conflict,
                "journal entry {}: '{}' was already applied",
                entry.seq,
                crate::error::clip(&accepted.id)
            )
            .at("command.id")
            .rule("already_applied")
            .with("seq", entry.seq)
            .with("id", crate::error::clip(&accepted.id))),
        }
    }
}

/// A command refused before it reached the ledger: its answer (boxed, since refusals
/// are rare and an answer is several times a command's size).
type RefusedAnswer = Box<Answer>;

/// Validates a command object as read, or answers why it is refused: nothing here
/// reads the ledger's state, so it can run on another thread than the ledger's.
fn validate(raw: RawMap<'_>) -> Result<Command, RefusedAnswer> {
    let dry_run = raw.is_true(Key::DryRun);
    Command::from_raw(raw).map_err(|error| {
        Box::new(match dry_run {
            true => Answer::refused(error).as_dry_run(),
            false => Answer::refused(error),
        })
    })
}

/// Reads and validates one command given as JSON text, as [`Ledger::apply_json`] reads
/// it, or answers why it is refused; touches no state.
#[cfg(not(target_arch = "wasm32"))]
fn read_json(json: &str) -> Result<Command, RefusedAnswer> {
    if let Some(raw) = crate::input::json::read_object(json) {
        return validate(raw);
    }
    match RawMap::read(&mut serde_json::Deserializer::from_str(json)) {
        Ok(raw) => validate(raw),
        Err(e) => Err(Box::new(Answer::refused(unreadable("command", e)))),
    }
}

/// Reads and validates a command object.
pub fn read_command<'de, D: Deserializer<'de>>(input: D) -> Result<Command> {
    let raw = RawMap::read(input).map_err(|e| unreadable("command", e))?;
    Command::from_raw(raw)
}

/// A command or query that could not be read as an object at all.
fn unreadable(what: &str, e: impl std::fmt::Display) -> Error {
    err!(InvalidInput, "{what}: {e}").rule("unreadable")
}

pub use crate::limits::MAX_ID_BYTES;

fn check_id(id: &str) -> Result<(), Error> {
    if id.len() > MAX_ID_BYTES {
        return Err(err!(InvalidInput, "id: longer than {MAX_ID_BYTES} bytes")
            .at("id")
            .rule("too_long")
            .with("value", clip(id))
            .with("max_bytes", MAX_ID_BYTES));
    }
    Ok(())
}

/// A command's field that defaults to a currency and, if it has one, its field that
/// defaults to a date (`Ledger::same_with_defaults`).
fn default_slots(
    body: &mut CommandBody,
) -> Option<(
    &mut Option<Currency>,
    Option<&mut Option<crate::date::Date>>,
)> {
    Some(match body {
        CommandBody::IssueInvoice(c) => (&mut c.currency, Some(&mut c.due_date)),
        CommandBody::RecordPayment(c) => (&mut c.currency, None),
        CommandBody::AddCredit(c) => (&mut c.currency, None),
        CommandBody::RefundCredit(c) => (&mut c.currency, None),
        CommandBody::IssueCreditNote(c) => (&mut c.currency, None),
        CommandBody::ApplyCredit(c) => (&mut c.currency, Some(&mut c.date.0)),
        _ => return None,
    })
}

/// The other way of writing an optional field whose default is `default`: left out if
/// it is given as the default, the default if it is left out; `None` if neither.
fn flip<T: PartialEq + Copy>(given: Option<T>, default: Option<T>) -> Option<Option<T>> {
    match (given, default?) {
        (Some(given), default) if given == default => Some(None),
        (None, default) => Some(Some(default)),
        _ => None,
    }
}
