//! Snapshots at rest: gzip-compressed (RFC 1952) once, when the server takes them, stored
//! so in PostgreSQL and served so to browsers, which decompress them before restoring
//! (docs/sync.md, "Snapshots"). Snapshots stored before compression (the engine's bytes,
//! starting `TALLYSNP`) are still read and served as they are.
//!
//! The newest snapshot of each space is also kept in memory, as the bytes that are
//! stored, by the process that took or read it, so a first sync doesn't read it out of
//! PostgreSQL again; it is served only while PostgreSQL holds no newer one.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use flate2::write::GzEncoder;
use flate2::Compression;

/// gzip's first two bytes (RFC 1952, ID1 and ID2).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A snapshot as stored: its seq, its bytes (gzip, or the engine's own in an old row) and
/// the length of the engine's bytes.
#[derive(Clone, Debug)]
pub struct Stored {
    pub seq: u64,
    pub bytes: Bytes,
    pub raw_length: u64,
}

impl Stored {
    /// Whether the stored bytes are gzip (else the engine's bytes as they are).
    pub fn is_gzip(&self) -> bool {
        is_gzip(&self.bytes)
    }
}

pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&GZIP_MAGIC)
}

/// The engine's snapshot as gzip. Level 1 ("fast"): a snapshot is mostly small
/// integers and repeated ids, which the fast level already shrinks several times, at a
/// fraction of the default level's time (docs/performance.md, "Sync server").
pub fn compress(raw: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(raw.len() / 4), Compression::fast());
    // Writing into a Vec can't fail.
    let _ = encoder.write_all(raw);
    encoder.finish().unwrap_or_default()
}

/// The engine's bytes of a stored snapshot: gunzipped when gzip, else as they are.
pub fn engine_bytes(stored: &[u8], raw_length: Option<u64>) -> Result<Vec<u8>, String> {
    if !is_gzip(stored) {
        return Ok(stored.to_vec());
    }
    let capacity = raw_length
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(stored.len() * 4);
    let mut raw = Vec::with_capacity(capacity);
    flate2::read::GzDecoder::new(stored)
        .read_to_end(&mut raw)
        .map_err(|e| format!("the snapshot's gzip can't be read: {e}"))?;
    Ok(raw)
}

/// The newest snapshot of each space this process took or read.
#[derive(Default)]
pub struct Newest {
    spaces: Mutex<HashMap<i64, Arc<Stored>>>,
}

impl Newest {
    /// The snapshot kept for `space`, if any.
    pub fn get(&self, space: i64) -> Option<Arc<Stored>> {
        self.lock().get(&space).cloned()
    }

    /// Keeps `stored` for `space` unless a newer one is kept already.
    pub fn offer(&self, space: i64, stored: Stored) {
        let mut spaces = self.lock();
        if spaces.get(&space).is_none_or(|kept| kept.seq < stored.seq) {
            spaces.insert(space, Arc::new(stored));
        }
    }

    /// Drops the snapshot kept for `space` (its engine was unloaded; PostgreSQL has it).
    pub fn forget(&self, space: i64) {
        self.lock().remove(&space);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<Stored>>> {
        self.spaces.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_round_trip_and_old_bytes_pass_through() {
        let raw: Vec<u8> = b"TALLYSNP"
            .iter()
            .copied()
            .chain((0..100_000u32).flat_map(|i| (i % 251).to_le_bytes()))
            .collect();
        let gz = compress(&raw);
        assert!(is_gzip(&gz));
        assert!(gz.len() < raw.len() / 2);
        assert_eq!(engine_bytes(&gz, Some(raw.len() as u64)).unwrap(), raw);
        assert_eq!(engine_bytes(&gz, None).unwrap(), raw);
        assert!(!is_gzip(&raw));
        assert_eq!(engine_bytes(&raw, None).unwrap(), raw);
        let mut cut = gz.clone();
        cut.truncate(gz.len() / 2);
        assert!(engine_bytes(&cut, None).is_err());
    }

    #[test]
    fn the_newest_kept_is_never_replaced_by_an_older_one() {
        let newest = Newest::default();
        let at = |seq| Stored {
            seq,
            bytes: Bytes::from(vec![seq as u8]),
            raw_length: 1,
        };
        newest.offer(1, at(10));
        newest.offer(1, at(5));
        assert_eq!(newest.get(1).map(|s| s.seq), Some(10));
        newest.offer(1, at(20));
        assert_eq!(newest.get(1).map(|s| s.seq), Some(20));
        assert!(newest.get(2).is_none());
    }
}
