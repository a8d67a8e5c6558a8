//! Ingest on two threads (natively): one thread reads and validates JSON texts into
//! commands, which needs nothing of the ledger's state, while the caller's thread plans
//! and commits them in order. The answers, their order and the state are those of
//! [`Ledger::apply_json`] called on each text in turn; reading is about two fifths of
//! that work, so the ledger's thread spends its time on what only it can do.

use std::sync::mpsc::sync_channel;
use std::thread;

use super::{read_json, Ledger};
use crate::answer::Answer;
use crate::input::command::Command;
use crate::journal::{fingerprint, JournalEntry};
use crate::state::id_index::hash_id;

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
        two_stage(texts.into_iter(), read, |batch, forgotten| {
            let mut read = batch.drain(..).peekable();
            while let Some(command) = read.next() {
                if let Some(Ok(next)) = read.peek() {
                    // Its lookups come after this command's plan and commit.
                    self.warm_hashed(next.hashes);
                }
                let answer = match command {
                    Ok(valid) => self.execute_printed(valid.command, valid.print),
                    Err(refused) => *refused,
                };
                let mut applying = Applying {
                    ledger: self,
                    forgotten: &mut *forgotten,
                };
                answered(&mut applying, answer);
            }
        });
    }
}

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
