//! Ingest on two threads (natively): one thread reads and validates JSON texts into
//! commands, which needs nothing of the ledger's state, while the caller's thread plans
//! and commits them in order. The answers, their order and the state are those of
//! [`Ledger::apply_json`] called on each text in turn; reading is about two fifths of
//! that work, so the ledger's thread spends its time on what only it can do.

use std::sync::mpsc::sync_channel;
use std::thread;

use super::{read_json, Ledger, RefusedAnswer};
use crate::answer::Answer;
use crate::input::command::{Command, CommandBody};
use crate::journal::{fingerprint, JournalEntry};
use crate::state::id_index::hash_id;
use crate::state::records::Idx;
use crate::state::warm::{prefetch, WARM_STEPS};

/// Texts read and validated per hand-over: enough that the channel's cost is nothing
/// beside the batch's, few enough that the batches in flight stay in the cache's reach.
const BATCH: usize = 1024;

/// Batches the reading thread may be ahead of the one being applied.
const AHEAD: usize = 4;

/// A command read and validated, with what else can be worked out of it without the
/// ledger: its fingerprint, and the hashes of its id and customer in the id index.
struct Validated {
    command: Command,
    print: u64,
    hashes: [Option<u64>; 2],
}

impl Validated {
    fn of(command: Command) -> Validated {
        Validated {
            print: fingerprint(&command.body),
            hashes: [Some(command.id.as_str()), command.body.customer()].map(|id| id.map(hash_id)),
            command,
        }
    }
}

impl Ledger {
    /// Applies each JSON text in order, exactly as [`Ledger::apply_json`] on each in
    /// turn would (same answers, same order, same state), reading and validating them
    /// on a second thread while this one applies. `answered` sees each answer on this
    /// thread, with the ledger (to store and forget its journal as it grows).
    pub fn apply_json_all<'t, T>(
        &mut self,
        texts: T,
        mut answered: impl FnMut(&mut Applying<'_>, Answer),
    ) where
        T: IntoIterator<Item = &'t str>,
        T::IntoIter: Send,
    {
        let read = |text| read_json(text).map(Validated::of);
        // The position among all the texts of the command after the one applied.
        let mut position = 0;
        let mut guesses = Guesses::default();
        two_stage(texts.into_iter(), read, |batch, forgotten| {
            let mut read = batch.drain(..);
            while let Some(command) = read.next() {
                position += 1;
                // The commands after this one are warmed a step each before and after
                // it (`warm_ahead`).
                self.warm_ahead(read.as_slice(), position, false, &mut guesses);
                let answer = match command {
                    Ok(valid) => {
                        let [id_hash, _] = valid.hashes;
                        self.execute_printed(valid.command, valid.print, id_hash)
                    }
                    Err(refused) => *refused,
                };
                self.warm_ahead(read.as_slice(), position, true, &mut guesses);
                let mut applying = Applying {
                    ledger: self,
                    forgotten: &mut *forgotten,
                };
                answered(&mut applying, answer);
            }
        });
    }
}

/// The customers guessed for the commands ahead (`State::guess_customer`), by their
/// position in the texts, so each command's customer is guessed once.
#[derive(Default)]
struct Guesses {
    /// `(position, customer)`, at `position % LOOKAHEAD`.
    ring: [Option<(usize, Idx)>; LOOKAHEAD],
}

impl Guesses {
    fn of(&self, position: usize) -> Option<Idx> {
        match self.ring[position % LOOKAHEAD] {
            Some((at, customer)) if at == position => Some(customer),
            _ => None,
        }
    }
}

impl Ledger {
    /// One step of warming the state for each of the next commands (`ahead`, in order,
    /// the first at `position`), before the command being applied (`after`: false) or
    /// after it: the third's id slots, then its customer link by link
    /// (`State::warm_customer`), one link a step, so each is asked for about half a
    /// command before the next step reads it, and the whole chain is warm by the time
    /// the command comes.
    fn warm_ahead(
        &self,
        ahead: &[Result<Validated, RefusedAnswer>],
        position: usize,
        after: bool,
        guesses: &mut Guesses,
    ) {
        for (k, command) in ahead.iter().take(LOOKAHEAD).enumerate() {
            let Ok(valid) = command else { continue };
            // Points from now until the command is applied: two a command.
            let points_before = 2 * (k + 1) - usize::from(after);
            // The customer's steps run at the last `WARM_STEPS` points, the id slots
            // at the one before them.
            let at = position + k;
            match points_before {
                TEXTS => warm_texts(&valid.command, false),
                DESCRIPTIONS => warm_texts(&valid.command, true),
                _ => {}
            }
            match (WARM_STEPS + 1).checked_sub(points_before) {
                Some(0) => self.warm_hashed(valid.hashes),
                Some(1) => {
                    let guess = valid.hashes[1].and_then(|h| self.state.guess_customer(h));
                    guesses.ring[at % LOOKAHEAD] = guess.map(|c| (at, c));
                }
                Some(step) => {
                    if let Some(customer) = guesses.of(at) {
                        self.state.warm_customer(customer, step - 1);
                    }
                }
                None => {}
            }
        }
    }
}

/// The points before a command is applied (`Ledger::warm_ahead`) where the texts of
/// it that the applying thread reads are asked for, and where its lines' descriptions
/// are (their list asked for at the first).
const TEXTS: usize = 4;
const DESCRIPTIONS: usize = 3;

/// Asks for the texts of a command that applying it reads (its id, its customer's, an
/// invoice's lines): the reading thread wrote them, so they are in the other core's
/// cache. With `descriptions`, the lines' descriptions, whose list must have been
/// asked for a step before; else the id, customer and list of lines.
fn warm_texts(command: &Command, descriptions: bool) {
    let lines = match &command.body {
        CommandBody::IssueInvoice(draft) => &draft.lines[..],
        _ => &[],
    };
    if descriptions {
        for line in lines {
            warm_text(&line.description);
        }
        return;
    }
    warm_text(&command.id);
    if let Some(customer) = command.body.customer() {
        warm_text(customer);
    }
    // The other text each kind of command looks up or stores.
    let other = match &command.body {
        CommandBody::RecordPayment(c) => c.reference.as_deref(),
        CommandBody::RefundCredit(c) => c.reference.as_deref(),
        CommandBody::ApplyCredit(c) => Some(&c.invoice[..]),
        CommandBody::IssueCreditNote(c) => c.invoice.as_deref(),
        CommandBody::VoidInvoice(c) => Some(&c.invoice[..]),
        CommandBody::WriteOffInvoice(c) => Some(&c.invoice[..]),
        CommandBody::VoidPayment(c) => Some(&c.payment[..]),
        CommandBody::CreateCustomer(c) => Some(&c.name[..]),
        CommandBody::AddCredit(c) => Some(&c.reason[..]),
        CommandBody::IssueInvoice(_) | CommandBody::Configure(_) | CommandBody::ExpireCredit(_) => {
            None
        }
    };
    if let Some(text) = other {
        warm_text(text);
    }
    for line in lines {
        prefetch(line);
    }
}

fn warm_text(text: &str) {
    if let Some(first) = text.as_bytes().first() {
        prefetch(first);
    }
}

/// How many commands ahead warming starts (`Ledger::warm_ahead`): at two points a
/// command, the id slots and every step of [`WARM_STEPS`].
const LOOKAHEAD: usize = (WARM_STEPS + 2) / 2;

/// The ledger as [`Ledger::apply_json_all`] applies texts to it: read it (it derefs to
/// the [`Ledger`]) and forget the journal entries stored.
pub struct Applying<'a> {
    ledger: &'a mut Ledger,
    /// Entries forgotten, to be dropped on the reading thread: their texts were
    /// allocated there, and given back there they are reused by its next commands.
    forgotten: &'a mut Vec<JournalEntry>,
}

impl Applying<'_> {
    /// [`Ledger::forget_journal_through`].
    pub fn forget_journal_through(&mut self, seq: u64) {
        self.ledger.forget_journal_into(seq, self.forgotten);
    }
}

impl std::ops::Deref for Applying<'_> {
    type Target = Ledger;

    fn deref(&self) -> &Ledger {
        self.ledger
    }
}

/// Runs `read` on each item on a second thread, in batches handed over a bounded
/// channel, and `apply` on each batch in order on this one. Emptied batches go back to
/// the reading thread to be filled again, with what `apply` put aside to be dropped
/// there.
fn two_stage<I, R, G>(
    items: I,
    mut read: impl FnMut(I::Item) -> R + Send,
    mut apply: impl FnMut(&mut Vec<R>, &mut Vec<G>),
) where
    I: Iterator + Send,
    R: Send,
    G: Send,
{
    let (full, filled) = sync_channel::<Vec<R>>(AHEAD);
    let (emptied, empty) = sync_channel::<(Vec<R>, Vec<G>)>(AHEAD + 2);
    thread::scope(|scope| {
        scope.spawn(move || {
            let mut items = items;
            loop {
                let mut batch = match empty.try_recv() {
                    Ok((batch, garbage)) => {
                        drop(garbage);
                        batch
                    }
                    Err(_) => Vec::with_capacity(BATCH),
                };
                batch.extend(items.by_ref().take(BATCH).map(&mut read));
                // Stops at the end, or if the applying side is gone (it panicked).
                if batch.is_empty() || full.send(batch).is_err() {
                    break;
                }
            }
        });
        for mut batch in filled {
            let mut garbage = Vec::new();
            apply(&mut batch, &mut garbage);
            batch.clear();
            // Dropped here if the reading thread has enough spare batches already.
            let _ = emptied.try_send((batch, garbage));
        }
    });
}
