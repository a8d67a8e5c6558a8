//! Ingest on two threads (natively): one thread reads and validates JSON texts into
//! commands, which needs nothing of the ledger's state, while the caller's thread plans
//! and commits them in order. The answers, their order and the state are those of
//! [`Ledger::apply_json`] called on each text in turn; reading is about two fifths of
//! that work, so the ledger's thread spends its time on what only it can do.

use std::sync::mpsc::sync_channel;
use std::thread;

use super::{read_json, Ledger};
use crate::answer::Answer;

/// Texts read and validated per hand-over: enough that the channel's cost is nothing
/// beside the batch's, few enough that the batches in flight stay in the cache's reach.
const BATCH: usize = 1024;

/// Batches the reading thread may be ahead of the one being applied.
const AHEAD: usize = 4;

impl Ledger {
    /// Applies each JSON text in order, exactly as [`Ledger::apply_json`] on each in
    /// turn would (same answers, same order, same state), reading and validating them
    /// on a second thread while this one applies. `answered` sees each answer on this
    /// thread, with the ledger (to store and forget its journal as it grows).
    pub fn apply_json_all<'t, T>(&mut self, texts: T, mut answered: impl FnMut(&mut Ledger, Answer))
    where
        T: IntoIterator<Item = &'t str>,
        T::IntoIter: Send,
    {
        two_stage(texts.into_iter(), read_json, |batch| {
            let mut read = batch.drain(..).peekable();
            while let Some(command) = read.next() {
                if let Some(Ok(next)) = read.peek() {
                    // Its lookups come after this command's plan and commit.
                    self.warm([Some(&next.id), next.body.customer()]);
                }
                let answer = match command {
                    Ok(command) => self.execute(command),
                    Err(refused) => *refused,
                };
                answered(self, answer);
            }
        });
    }
}

/// Runs `read` on each item on a second thread, in batches handed over a bounded
/// channel, and `apply` on each batch in order on this one. Emptied batches go back to
/// the reading thread to be filled again.
fn two_stage<I, R>(
    items: I,
    mut read: impl FnMut(I::Item) -> R + Send,
    mut apply: impl FnMut(&mut Vec<R>),
) where
    I: Iterator + Send,
    R: Send,
{
    let (full, filled) = sync_channel::<Vec<R>>(AHEAD);
    let (emptied, empty) = sync_channel::<Vec<R>>(AHEAD + 2);
    thread::scope(|scope| {
        scope.spawn(move || {
            let mut items = items;
            loop {
                let mut batch = empty
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(BATCH));
                batch.extend(items.by_ref().take(BATCH).map(&mut read));
                // Stops at the end, or if the applying side is gone (it panicked).
                if batch.is_empty() || full.send(batch).is_err() {
                    break;
                }
            }
        });
        for mut batch in filled {
            apply(&mut batch);
            batch.clear();
            // Dropped if the reading thread has enough spare batches already.
            let _ = emptied.try_send(batch);
        }
    });
}
