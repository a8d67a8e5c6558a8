//! Each space's engine, cached in memory and rebuilt from PostgreSQL (newest snapshot,
//! then the journal after it), and the push that runs commands through it.
//!
//! PostgreSQL is the record; an engine here is only a cache of it. A push holds the
//! space's row lock (`SELECT ... FOR UPDATE`) for its whole transaction, so across all
//! server processes one push per space runs at a time; inside the lock the engine first
//! replays what other processes appended, so it always runs new commands on the true head.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use deadpool_postgres::{GenericClient, Pool};
use futures_util::{pin_mut, TryStreamExt};
use serde_json::Value;
use tally::ledger::read_command;
use tally::{Answer, JournalEntry, Ledger};
use tokio_postgres::types::ToSql;

use crate::error::ApiError;
use crate::events::CHANNEL;
use crate::resident::Resident;
use crate::snapshots::{self, Newest, Stored};

/// A space's engine and the seq of the newest snapshot stored for it.
pub struct Cached {
    pub ledger: Ledger,
    snapshot_seq: u64,
}

/// One slot per space. `None` means "not loaded, or no longer trusted": the next user
/// loads it from the database.
type Slot = Arc<tokio::sync::Mutex<Option<Cached>>>;

pub struct Engines {
    slots: Mutex<HashMap<i64, Slot>>,
    /// Per space, held while a snapshot for a first sync is taken and stored, so first
    /// syncs arriving together take one between them.
    fresh: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    snapshot_every: u64,
    /// Each space's newest snapshot as stored, as this process took or read it.
    pub newest: Arc<Newest>,
    /// Which spaces' engines are loaded, within `TALLY_MAX_LOADED_SPACES`. Locked only
    /// briefly, never across an await; when a slot is held too, the slot is taken first.
    resident: Mutex<Resident>,
}

/// What a push answers: the engine's answer to each command, as JSON text, and the
/// journal head after it.
pub struct Pushed {
    pub answers: Vec<String>,
    pub head: u64,
    pub stored: usize,
}

/// An accepted command on its way into the journal.
struct Row {
    seq: i64,
    id: String,
    command: String,
    at: String,
}

impl Engines {
    pub fn new(snapshot_every: u64, max_loaded: usize) -> Engines {
        Engines {
            slots: Mutex::default(),
            fresh: Mutex::default(),
            snapshot_every,
            newest: Arc::default(),
            resident: Mutex::new(Resident::new(max_loaded)),
        }
    }

    fn slot(&self, space: i64) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.entry(space).or_default().clone()
    }

    fn resident(&self) -> std::sync::MutexGuard<'_, Resident> {
        self.resident.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// After `used`'s engine was put back in its slot: unloads the least recently used
    /// engines beyond the limit, with the snapshot kept for each (PostgreSQL has it). An
    /// engine in use is left loaded; a later use unloads it.
    fn unload_over_limit(&self, used: i64) {
        let over = {
            let mut resident = self.resident();
            resident.touch(used);
            resident.over_limit(used)
        };
        for space in over {
            let slot = self.slot(space);
            let Ok(mut guard) = slot.try_lock() else {
                continue;
            };
            let unloaded = guard.take();
            let (loaded, limit) = {
                let mut resident = self.resident();
                resident.forget(space);
                (resident.count(), resident.limit())
            };
            self.newest.forget(space);
            drop(guard);
            if let Some(cached) = unloaded {
                eprintln!(
                    "space {space}: engine unloaded at seq {} (the least recently used; {loaded} loaded, at most {limit})",
                    cached.ledger.seq()
                );
            }
        }
    }

    /// Loads the space's engine now (at start), writing a snapshot when the journal has
    /// grown far past the newest one.
    pub async fn preload(&self, pool: &Pool, space: i64) -> Result<u64, ApiError> {
        let slot = self.slot(space);
        let mut guard = slot.lock().await;
        let db = pool.get().await?;
        let mut cached = match guard.take() {
            Some(cached) => cached,
            None => self.load(&db, space).await?,
        };
        let seq = cached.ledger.seq();
        let due = self.due_snapshot(&mut cached);
        *guard = Some(cached);
        drop(guard);
        self.unload_over_limit(space);
        if let Some((seq, bytes)) = due {
            store_snapshot(pool.clone(), self.newest.clone(), space, seq, bytes);
        }
        Ok(seq)
    }

    /// Runs `commands` (in the given order) through the space's engine at the journal's
    /// head, appends the accepted ones in one transaction with `NOTIFY`, and answers only
    /// after the commit. On any failure the cached engine is dropped (it may hold
    /// commands that were not stored) and rebuilt from the database on next use.
    pub async fn push(
        &self,
        pool: &Pool,
        space: i64,
        by: &str,
        commands: Vec<Value>,
    ) -> Result<Pushed, ApiError> {
        let slot = self.slot(space);
        let mut guard = slot.lock().await;
        let mut db = pool.get().await?;
        let tx = db.transaction().await?;
        let lock = tx
            .prepare_cached("SELECT id FROM spaces WHERE id = $1 FOR UPDATE")
            .await?;
        tx.query_one(&lock, &[&space]).await?;
        // Taken out of the slot while it works: if this future fails or is dropped
        // half-way, the slot stays empty and the next push reloads from the record.
        let mut cached = match guard.take() {
            Some(cached) => cached,
            None => self.load(&tx, space).await?,
        };
        catch_up(&tx, space, &mut cached.ledger).await?;

        let mut answers = Vec::with_capacity(commands.len());
        let mut rows = Vec::new();
        for command in commands {
            let at = now_rfc3339();
            let text = match command {
                Value::Object(mut fields) => {
                    fields.insert("at".into(), Value::String(at.clone()));
                    fields.insert("by".into(), Value::String(by.to_string()));
                    Value::Object(fields).to_string()
                }
                // Not an object: the engine refuses it with its own words.
                other => other.to_string(),
            };
            let before = cached.ledger.seq();
            let answer = cached.ledger.apply_json(&text);
            let moved = cached.ledger.seq() != before;
            match &answer {
                // Only a command the engine really applied is stored: a duplicate,
                // a refusal or a dry run leaves the seq where it was.
                Answer::Accepted(a) if !a.duplicate && moved && a.seq == before + 1 => {
                    rows.push(Row {
                        seq: seq_i64(a.seq)?,
                        id: a.id.to_string(),
                        command: text,
                        at,
                    });
                }
                _ if moved => {
                    return Err(ApiError::internal(
                        "the engine moved its seq without accepting a command",
                    ))
                }
                _ => {}
            }
            answers.push(
                serde_json::to_string(&answer).map_err(|e| {
                    ApiError::internal(format!("an answer could not be written: {e}"))
                })?,
            );
        }

        let head = cached.ledger.seq();
        if !rows.is_empty() {
            append(&tx, space, by, &rows).await?;
            let notify = tx.prepare_cached("SELECT pg_notify($1, $2)").await?;
            tx.execute(&notify, &[&CHANNEL, &format!("{space}:{head}")])
                .await?;
        }
        tx.commit().await?;

        cached.ledger.forget_journal_through(head);
        let due = self.due_snapshot(&mut cached);
        *guard = Some(cached);
        drop(guard);
        self.unload_over_limit(space);
        if let Some((seq, bytes)) = due {
            store_snapshot(pool.clone(), self.newest.clone(), space, seq, bytes);
        }
        Ok(Pushed {
            answers,
            head,
            stored: rows.len(),
        })
    }

    /// The space's engine state as snapshot bytes when one is due, marking it written.
    /// Due after `snapshot_every` commands, or after a tenth of the space when that is
    /// more: a snapshot's cost grows with the space, so this bounds its cost per command
    /// while a first sync still replays at most about a tenth of the space.
    fn due_snapshot(&self, cached: &mut Cached) -> Option<(u64, Vec<u8>)> {
        let seq = cached.ledger.seq();
        let gap = self.snapshot_every.max(cached.snapshot_seq / 10);
        if seq < cached.snapshot_seq + gap {
            return None;
        }
        cached.snapshot_seq = seq;
        Some((seq, cached.ledger.snapshot()))
    }

    /// For a first sync: when the newest snapshot (stored, or kept in memory) is more than
    /// `gap(head)` commands behind the journal's head, takes one at the head from the
    /// cached engine (loaded if needed, brought up to the committed head) and keeps it
    /// as the space's newest, stored in the background, so the browser replays a short
    /// tail instead of a long one. One at a
    /// time per space: a first sync that waited finds the snapshot taken meanwhile and
    /// takes none. The engine's slot is held only while the bytes are taken (this
    /// process's pushes to the space wait that long), not while they are compressed.
    pub async fn fresh_snapshot(
        &self,
        pool: &Pool,
        space: i64,
        gap: impl Fn(u64) -> u64,
    ) -> Result<(), ApiError> {
        let taking = {
            let mut fresh = self.fresh.lock().unwrap_or_else(|p| p.into_inner());
            fresh.entry(space).or_default().clone()
        };
        let _taking = taking.lock().await;
        let db = pool.get().await?;
        let head_sql = db
            .prepare_cached("SELECT coalesce(max(seq), 0) FROM journal WHERE space_id = $1")
            .await?;
        let head = restored_seq(db.query_one(&head_sql, &[&space]).await?.get(0));
        let kept = self.newest.get(space).map_or(0, |k| k.seq);
        if head <= newest_seq(&db, space).await?.max(kept) + gap(head) {
            return Ok(());
        }
        let slot = self.slot(space);
        let mut guard = slot.lock().await;
        // Out of the slot while it works, as in `push`: a failure leaves it empty.
        let mut cached = match guard.take() {
            Some(cached) => cached,
            None => self.load(&db, space).await?,
        };
        // Only committed entries are read: no writer lock is needed to replay them.
        catch_up(&db, space, &mut cached.ledger).await?;
        let seq = cached.ledger.seq();
        let started = Instant::now();
        let raw = cached.ledger.snapshot();
        eprintln!(
            "space {space}: snapshot at {seq} taken for a first sync in {} ms",
            started.elapsed().as_millis()
        );
        cached.snapshot_seq = cached.snapshot_seq.max(seq);
        *guard = Some(cached);
        drop(guard);
        drop(db);
        self.unload_over_limit(space);
        // Served as soon as it is compressed: it holds committed entries only, so it
        // needn't wait for its own write, which goes on in the background.
        let stored = compress(space, seq, raw).await?;
        self.newest.offer(space, stored.clone());
        let pool = pool.clone();
        tokio::spawn(async move {
            if let Err(e) = write_snapshot(&pool, space, &stored).await {
                eprintln!("space {space}: snapshot at {seq} not written: {e:?}");
            }
        });
        Ok(())
    }

    /// [`load`], keeping the snapshot it read as the space's newest.
    async fn load(&self, db: &impl GenericClient, space: i64) -> Result<Cached, ApiError> {
        let (cached, stored) = load(db, space).await?;
        if let Some(stored) = stored {
            self.newest.offer(space, stored);
        }
        Ok(cached)
    }
}

/// The newest snapshot stored for `space`, as stored (gzip, or an old row's engine bytes).
pub async fn newest_stored(
    db: &impl GenericClient,
    space: i64,
) -> Result<Option<Stored>, ApiError> {
    let newest = db
        .prepare_cached(
            "SELECT seq, bytes, raw_length FROM snapshots WHERE space_id = $1
             ORDER BY seq DESC LIMIT 1",
        )
        .await?;
    let Some(row) = db.query_opt(&newest, &[&space]).await? else {
        return Ok(None);
    };
    let bytes: &[u8] = row.get(1);
    let raw_length: Option<i64> = row.get(2);
    Ok(Some(Stored {
        seq: restored_seq(row.get(0)),
        raw_length: raw_length
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(bytes.len() as u64),
        bytes: bytes::Bytes::copy_from_slice(bytes),
    }))
}

/// The seq of the newest snapshot stored for `space` (0 when none): cheap, from the key.
pub async fn newest_seq(db: &impl GenericClient, space: i64) -> Result<u64, ApiError> {
    let sql = db
        .prepare_cached("SELECT coalesce(max(seq), 0) FROM snapshots WHERE space_id = $1")
        .await?;
    Ok(restored_seq(db.query_one(&sql, &[&space]).await?.get(0)))
}

/// Builds a space's engine from the record: the newest readable snapshot, then every
/// journal entry after it. A snapshot that can't be restored (e.g. an older format) is
/// skipped in favour of a full replay. Also answers the snapshot it restored, as stored.
pub async fn load(
    db: &impl GenericClient,
    space: i64,
) -> Result<(Cached, Option<Stored>), ApiError> {
    let started = Instant::now();
    let mut ledger = Ledger::new();
    let mut snapshot_seq = 0;
    let mut kept = None;
    if let Some(stored) = newest_stored(db, space).await? {
        let seq = stored.seq;
        let restored = snapshots::engine_bytes(&stored.bytes, Some(stored.raw_length))
            .and_then(|raw| Ledger::restore(&raw).map_err(|e| e.to_string()));
        match restored {
            Ok(restored) if restored.seq() == seq => {
                ledger = restored;
                snapshot_seq = seq;
                kept = Some(stored);
            }
            Ok(_) => eprintln!("space {space}: snapshot {seq} holds another seq; replaying all"),
            Err(e) => eprintln!("space {space}: snapshot {seq} unreadable ({e}); replaying all"),
        }
    }
    let replayed = catch_up(db, space, &mut ledger).await?;
    eprintln!(
        "space {space}: engine loaded at seq {} (snapshot {snapshot_seq}, {replayed} replayed) in {} ms",
        ledger.seq(),
        started.elapsed().as_millis()
    );
    Ok((
        Cached {
            ledger,
            snapshot_seq,
        },
        kept,
    ))
}

fn restored_seq(seq: i64) -> u64 {
    u64::try_from(seq).unwrap_or(0)
}

/// Replays the journal entries after the engine's seq (those appended by other
/// processes, or since the snapshot). Returns how many.
async fn catch_up(
    db: &impl GenericClient,
    space: i64,
    ledger: &mut Ledger,
) -> Result<u64, ApiError> {
    let after = seq_i64(ledger.seq())?;
    let params: [&(dyn ToSql + Sync); 2] = [&space, &after];
    let tail = db
        .prepare_cached(
            "SELECT seq, command FROM journal WHERE space_id = $1 AND seq > $2 ORDER BY seq",
        )
        .await?;
    let rows = db.query_raw(&tail, params).await?;
    pin_mut!(rows);
    let mut count = 0;
    while let Some(row) = rows.try_next().await? {
        let seq: i64 = row.get(0);
        let text: &str = row.get(1);
        let command = read_command(&mut serde_json::Deserializer::from_str(text))
            .map_err(|e| ApiError::internal(format!("journal entry {seq} can't be read: {e}")))?;
        ledger
            .replay(JournalEntry {
                seq: restored_seq(seq),
                command,
            })
            .map_err(|e| ApiError::internal(format!("journal entry {seq} does not replay: {e}")))?;
        count += 1;
    }
    ledger.forget_journal_through(ledger.seq());
    Ok(count)
}

/// Appends accepted commands in one statement.
async fn append(
    db: &impl GenericClient,
    space: i64,
    by: &str,
    rows: &[Row],
) -> Result<(), ApiError> {
    let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let commands: Vec<&str> = rows.iter().map(|r| r.command.as_str()).collect();
    let ats: Vec<&str> = rows.iter().map(|r| r.at.as_str()).collect();
    let insert = db
        .prepare_cached(
            "INSERT INTO journal (space_id, seq, id, command, at, by)
             SELECT $1, seq, id, command, at::timestamptz, $6
             FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) AS t (seq, id, command, at)",
        )
        .await?;
    db.execute(&insert, &[&space, &seqs, &ids, &commands, &ats, &by])
        .await?;
    Ok(())
}

/// Compresses and stores a snapshot in the background, keeping it in memory as the
/// space's newest first: kept only after the write, a first sync arriving in between
/// found PostgreSQL newer than memory and read the bytes back out of it. Kept before
/// the write, it is served as a first sync's is while its write is under way (a
/// snapshot is the journal's state at its seq whether or not its row is written yet).
fn store_snapshot(pool: Pool, newest: Arc<Newest>, space: i64, seq: u64, raw: Vec<u8>) {
    tokio::spawn(async move {
        let result = async {
            let stored = compress(space, seq, raw).await?;
            newest.offer(space, stored.clone());
            write_snapshot(&pool, space, &stored).await?;
            Ok::<_, ApiError>(())
        }
        .await;
        if let Err(e) = result {
            eprintln!("space {space}: snapshot at {seq} not written: {e:?}");
        }
    });
}

/// The snapshot as stored (gzip), compressed on a blocking thread.
async fn compress(space: i64, seq: u64, raw: Vec<u8>) -> Result<Stored, ApiError> {
    let raw_length = raw.len() as u64;
    let started = Instant::now();
    let gz = tokio::task::spawn_blocking(move || snapshots::compress(&raw))
        .await
        .map_err(|_| ApiError::internal("the snapshot could not be compressed"))?;
    eprintln!(
        "space {space}: snapshot at {seq}: {raw_length} bytes, {} gzipped in {} ms",
        gz.len(),
        started.elapsed().as_millis()
    );
    Ok(Stored {
        seq,
        bytes: bytes::Bytes::from(gz),
        raw_length,
    })
}

/// Writes a snapshot (unless that seq is stored already: answers false then) and keeps
/// only the two newest per space.
async fn write_snapshot(pool: &Pool, space: i64, stored: &Stored) -> Result<bool, ApiError> {
    let started = Instant::now();
    let db = pool.get().await?;
    let seq = seq_i64(stored.seq)?;
    let length =
        i64::try_from(stored.raw_length).map_err(|_| ApiError::internal("snapshot too large"))?;
    let bytes: &[u8] = &stored.bytes;
    let inserted = db
        .execute(
            "INSERT INTO snapshots (space_id, seq, bytes, raw_length) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
            &[&space, &seq, &bytes, &length],
        )
        .await?;
    db.execute(
        "DELETE FROM snapshots WHERE space_id = $1 AND seq < (
             SELECT min(seq) FROM (SELECT seq FROM snapshots WHERE space_id = $1
                                   ORDER BY seq DESC LIMIT 2) AS newest)",
        &[&space],
    )
    .await?;
    eprintln!(
        "space {space}: snapshot at {seq} stored in {} ms",
        started.elapsed().as_millis()
    );
    Ok(inserted == 1)
}

fn seq_i64(seq: u64) -> Result<i64, ApiError> {
    i64::try_from(seq).map_err(|_| ApiError::internal("seq out of range"))
}

/// The server's clock as RFC 3339 UTC with milliseconds.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}
