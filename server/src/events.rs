//! Live heads: each space's newest seq, fed by PostgreSQL `LISTEN tally_head`, so a
//! commit made through any server process reaches every process's browsers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deadpool_postgres::Pool;
use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio_postgres::{AsyncMessage, NoTls};

/// The channel pushes notify on, with the payload `<space id>:<head seq>`.
pub const CHANNEL: &str = "tally_head";

/// Per space, a watch of its head seq that event streams follow.
#[derive(Default)]
pub struct Heads {
    spaces: Mutex<HashMap<i64, watch::Sender<u64>>>,
}

impl Heads {
    /// A receiver of the space's head, starting at least at `known`.
    pub fn subscribe(&self, space: i64, known: u64) -> watch::Receiver<u64> {
        let mut spaces = self.lock();
        let sender = spaces
            .entry(space)
            .or_insert_with(|| watch::channel(known).0);
        raise(sender, known);
        sender.subscribe()
    }

    /// Records a new head for the space (an older one is ignored: notifications may
    /// arrive out of order between processes).
    pub fn publish(&self, space: i64, head: u64) {
        if let Some(sender) = self.lock().get(&space) {
            raise(sender, head);
        }
    }

    fn known_spaces(&self) -> Vec<i64> {
        self.lock().keys().copied().collect()
    }

    /// Drops spaces nobody follows any more.
    fn sweep(&self) {
        self.lock().retain(|_, sender| sender.receiver_count() > 0);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, watch::Sender<u64>>> {
        self.spaces.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn raise(sender: &watch::Sender<u64>, head: u64) {
    sender.send_if_modified(|current| {
        let newer = head > *current;
        if newer {
            *current = head;
        }
        newer
    });
}

/// Listens for heads for as long as the process runs, reconnecting after a lost
/// connection; after each (re)connect it re-reads the heads of followed spaces, so a
/// notification missed while disconnected is not lost.
pub fn spawn_listener(url: String, pool: Pool, heads: Arc<Heads>) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = listen(&url, &pool, &heads).await {
                eprintln!("events: {e}; reconnecting in 1 s");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

async fn listen(url: &str, pool: &Pool, heads: &Heads) -> Result<(), String> {
    let (client, mut connection) = tokio_postgres::connect(url, NoTls)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if tx.send(n.payload().to_string()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    eprintln!("events: connection: {e}");
                    break;
                }
            }
        }
    });
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .await
        .map_err(|e| format!("listen: {e}"))?;
    catch_up(pool, heads).await;
    let mut sweep = tokio::time::interval(Duration::from_secs(60));
    loop {
        tokio::select! {
            payload = rx.recv() => match payload {
                Some(payload) => {
                    if let Some((space, head)) = parse(&payload) {
                        heads.publish(space, head);
                    }
                }
                None => break,
            },
            _ = sweep.tick() => heads.sweep(),
        }
    }
    driver.abort();
    Err("connection closed".into())
}

async fn catch_up(pool: &Pool, heads: &Heads) {
    let spaces = heads.known_spaces();
    if spaces.is_empty() {
        return;
    }
    let Ok(db) = pool.get().await else { return };
    let rows = db
        .query(
            "SELECT s, (SELECT coalesce(max(seq), 0) FROM journal WHERE space_id = s)
             FROM unnest($1::bigint[]) AS s",
            &[&spaces],
        )
        .await;
    for row in rows.into_iter().flatten() {
        let head: i64 = row.get(1);
        heads.publish(row.get(0), u64::try_from(head).unwrap_or(0));
    }
}

fn parse(payload: &str) -> Option<(i64, u64)> {
    let (space, head) = payload.split_once(':')?;
    Some((space.parse().ok()?, head.parse().ok()?))
}
