//! Open event streams (`GET /api/events`) per signed-in user or API token, in this
//! process's memory: each stream holds a task, a socket and a database check every
//! `TALLY_SESSION_RECHECK_SECONDS`, so one account can't open them without end.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Streams one user or token may hold open at once: a tab holds one, so this is many
/// tabs and devices, not a limit anyone meets by working.
pub const PER_ACCOUNT: usize = 32;

/// The count of open streams by account (`space:user` or `space:token name`).
#[derive(Default)]
pub struct OpenStreams {
    open: Arc<Mutex<HashMap<String, usize>>>,
}

/// One open stream, counted until it is dropped (the stream ended or was closed).
pub struct StreamSlot {
    open: Arc<Mutex<HashMap<String, usize>>>,
    account: String,
}

impl OpenStreams {
    /// A slot for one more stream of `account`, or `None` when it holds `max` already.
    pub fn open(&self, account: String, max: usize) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(account.clone()).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(StreamSlot {
            open: self.open.clone(),
            account,
        })
    }

    /// Streams open now for `account`.
    #[cfg(test)]
    fn count(&self, account: &str) -> usize {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(account).copied().unwrap_or(0)
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.account) {
            *count -= 1;
            // Accounts with nothing open are forgotten, so the map holds only the living.
            if *count == 0 {
                open.remove(&self.account);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_counted_until_dropped_and_the_limit_holds() {
        let streams = OpenStreams::default();
        let a: Vec<StreamSlot> = (0..3)
            .map(|_| streams.open("1:a".into(), 3).expect("under the limit"))
            .collect();
        assert!(
            streams.open("1:a".into(), 3).is_none(),
            "a fourth is refused"
        );
        let b = streams
            .open("1:b".into(), 3)
            .expect("another account counts apart");
        assert_eq!((streams.count("1:a"), streams.count("1:b")), (3, 1));
        drop(a);
        assert_eq!(streams.count("1:a"), 0);
        assert!(
            streams.open("1:a".into(), 3).is_some(),
            "room again once closed"
        );
        drop(b);
        assert!(
            streams.open.lock().unwrap().is_empty(),
            "nothing kept for closed accounts"
        );
    }
}
