//! The browser binding: a thin `wasm-bindgen` layer over [`crate::Ledger`]. Commands,
//! queries and answers cross as plain JS objects in the contract's shapes; refusals are
//! answers, never exceptions.
//!
//! Answers are written as JSON text by serde_json and turned into plain objects by the
//! browser's `JSON.parse`, in one crossing. serde-wasm-bindgen's serializer, used before,
//! builds an object field by field, one boundary call per key and per string, and each
//! string is decoded by `TextDecoder`: measured in Chromium 156 (`npm run bench`), the
//! JSON route answers a command in 13 µs instead of 16 µs and a 10-line invoice preview
//! in 50 µs instead of 84 µs, and the module is 4 KB (gzipped) smaller.
//! Commands and queries are read by `js_input`, a direct walk of the JS value
//! into the same `RawMap` the JSON reader fills: the reader must classify every value
//! itself anyway (a number where an amount belongs is `invalid_amount`), and
//! serde-wasm-bindgen's deserializer error path alone would pull ~15 KB of float
//! formatting into the module.

use serde::Serialize;
use wasm_bindgen::prelude::*;

mod batch;
mod read;
#[cfg(feature = "json-api")]
mod text;

use read::{array_items, is_array, read_object};

use crate::answer::Answer;
use crate::error::err;
use crate::input::raw::Raw;
use crate::{Command, Error, JournalEntry, Query};

/// Reports a panic on the console with its message instead of a bare `unreachable`
/// trap. The engine is written not to panic on any input; this is the last line.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| console_error(&info.to_string())));
}

#[wasm_bindgen]
extern "C" {
    /// `console.error`: the panic's message and where it happened (the JS side's stack
    /// shows the call that trapped).
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// An answer as a plain JS object: JSON text (serde_json) parsed by `JSON.parse`.
/// Answers hold only strings, booleans, integers, arrays and maps, so the object is the
/// same as serde-wasm-bindgen's `json_compatible` output (maps as plain objects, `None`
/// as `null`).
/// Answers have only string keys, so serialization can't fail; the fallback names no
/// serde_json error (its messages would add their text and formatting to the module).
fn to_js<T: Serialize>(value: &T) -> JsValue {
    serde_json::to_string(value)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .unwrap_or_else(|| JsValue::from_str("tally: answer could not be converted"))
}

fn refused(error: Error) -> JsValue {
    to_js(&Answer::refused(error))
}

/// The snapshot format version this module writes and restores. A snapshot of an older
/// version is brought to it by the bulk module's `migrateSnapshot`.
#[wasm_bindgen(js_name = snapshotFormatVersion)]
pub fn snapshot_format_version() -> u32 {
    crate::snapshot::FORMAT_VERSION
}

/// A snapshot written by an older version, rewritten in the current format (feature
/// `bulk`); throws like `Ledger.restore` on a damaged or foreign snapshot.
#[cfg(feature = "bulk")]
#[wasm_bindgen(js_name = migrateSnapshot)]
pub fn migrate_snapshot(bytes: &[u8]) -> Result<Vec<u8>, JsError> {
    crate::Ledger::restore(bytes)
        .map(|ledger| ledger.snapshot())
        .map_err(|e| JsError::new(&e.message))
}

/// A ledger living in wasm memory.
#[wasm_bindgen(js_name = Ledger)]
pub struct WasmLedger {
    inner: crate::Ledger,
    /// The buffers the text doors read and write (`applyTexts`, `replayTexts`; in bench
    /// builds `applyJsonText` and `queryJsonText` too).
    text: batch::TextBuffers,
}

#[wasm_bindgen(js_class = Ledger)]
impl WasmLedger {
    /// An empty ledger.
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmLedger {
        WasmLedger::wrap(crate::Ledger::new())
    }

    /// Restores a ledger from `snapshot()` bytes; throws an Error naming what is wrong
    /// with a damaged or foreign snapshot (nothing is half-loaded).
    pub fn restore(bytes: &[u8]) -> Result<WasmLedger, JsError> {
        crate::Ledger::restore(bytes)
            .map(WasmLedger::wrap)
            .map_err(|e| JsError::new(&e.message))
    }

    /// Applies one command object; answers `{ ok: true, ... }` or `{ ok: false, error }`.
    pub fn apply(&mut self, command: JsValue) -> JsValue {
        to_js(&self.apply_one(&command))
    }

    /// Applies an array of command objects in order; answers an array of answers.
    /// (One boundary crossing for a batch, e.g. an import.)
    /// Anything but an array answers a single refusal.
    #[wasm_bindgen(js_name = applyBatch)]
    pub fn apply_batch(&mut self, commands: JsValue) -> JsValue {
        let items = match is_array(&commands) {
            Ok(true) => array_items(&commands),
            _ => Err(Raw::Unreadable("not an array")),
        };
        match items {
            Ok(items) => {
                let answers: Vec<Answer> = items.iter().map(|c| self.apply_one(c)).collect();
                to_js(&answers)
            }
            Err(raw) => refused(
                err!(
                    InvalidInput,
                    "applyBatch: expected an array of commands, got {}",
                    raw.kind()
                )
                .rule("wrong_type")
                .word("expected", "array")
                .word("got", raw.json_type()),
            ),
        }
    }

    /// Answers one query object.
    pub fn query(&self, query: JsValue) -> JsValue {
        let answer = match read_object(&query, "query").and_then(Query::from_raw) {
            Ok(q) => self.inner.query(&q),
            Err(e) => Answer::refused(e),
        };
        to_js(&answer)
    }

    /// `apply` with JSON text in and out (feature `json-api`).
    #[cfg(feature = "json-api")]
    #[wasm_bindgen(js_name = applyJson)]
    pub fn apply_json(&mut self, command: &str) -> String {
        serde_json::to_string(&self.inner.apply_json(command)).unwrap_or_default()
    }

    /// `query` with JSON text in and out (feature `json-api`).
    #[cfg(feature = "json-api")]
    #[wasm_bindgen(js_name = queryJson)]
    pub fn query_json(&self, query: &str) -> String {
        serde_json::to_string(&self.inner.query_json(query)).unwrap_or_default()
    }

    /// The general ledger as an accountant's file: `"csv"` (one line per posting) or
    /// `"beancount"`; throws on another format name. Only in the bulk module (feature
    /// `bulk`).
    #[cfg(feature = "bulk")]
    #[wasm_bindgen(js_name = exportLedger)]
    pub fn export_ledger(&self, format: &str) -> Result<String, JsError> {
        crate::export::Format::from_name(format)
            .map(|f| self.inner.export(f))
            .ok_or_else(|| JsError::new("export format: use \"csv\" or \"beancount\""))
    }

    /// Sequence number of the last accepted command.
    pub fn seq(&self) -> f64 {
        self.inner.seq() as f64
    }

    /// The whole state as bytes (versioned, checksummed).
    pub fn snapshot(&self) -> Vec<u8> {
        self.inner.snapshot()
    }

    /// Starts a snapshot of the state as it is now, taken in pieces by `snapshotNext`
    /// (so no single call holds the main thread long).
    #[wasm_bindgen(js_name = snapshotBegin)]
    pub fn snapshot_begin(&mut self) {
        self.inner.snapshot_begin();
    }

    /// The next piece of the snapshot begun by `snapshotBegin`, about `maxBytes` long;
    /// `undefined` once every piece was given. Throws an Error whose message starts with
    /// `snapshot_interrupted:` when the state changed since `snapshotBegin` (or none
    /// was begun): start again later. The pieces joined are `snapshot()`'s bytes.
    #[wasm_bindgen(js_name = snapshotNext)]
    pub fn snapshot_next(&mut self, max_bytes: f64) -> Result<Option<Vec<u8>>, JsError> {
        // Any number: NaN and negatives ask for the smallest piece, huge ones for the rest.
        let max = if max_bytes >= 1.0 {
            max_bytes.min(1e15) as usize
        } else {
            1
        };
        match self.inner.snapshot_next(max) {
            crate::SnapshotPiece::Bytes(bytes) => Ok(Some(bytes)),
            crate::SnapshotPiece::Done => Ok(None),
            crate::SnapshotPiece::Interrupted => Err(JsError::new(
                "snapshot_interrupted: the ledger changed since snapshotBegin (or no snapshot was begun); begin again",
            )),
        }
    }

    /// Journal entries after `seq` still held: `[{ seq, command }]`.
    #[wasm_bindgen(js_name = journalSince)]
    pub fn journal_since(&self, seq: f64) -> JsValue {
        to_js(&self.inner.journal_since(seq as u64))
    }

    /// Lets the ledger drop held journal entries once they are stored.
    #[wasm_bindgen(js_name = forgetJournalThrough)]
    pub fn forget_journal_through(&mut self, seq: f64) {
        self.inner.forget_journal_through(seq as u64);
    }

    /// Replays a stored journal entry `{ seq, command }`; answers like `apply`, refusing
    /// an entry out of sequence or one that would not be accepted as it was.
    pub fn replay(&mut self, entry: JsValue) -> JsValue {
        let get = |key: &str| js_sys::Reflect::get(&entry, &JsValue::from_str(key)).ok();
        let seq = match journal_seq(get("seq").and_then(|v| v.as_f64()).unwrap_or(0.0)) {
            Ok(seq) => seq,
            Err(e) => return refused(e),
        };
        let Some(command) = get("command") else {
            return refused(
                err!(InvalidInput, "journal entry: 'command' is missing")
                    .at("command")
                    .rule("required"),
            );
        };
        let command = match read_object(&command, "command").and_then(Command::from_raw) {
            Ok(c) => c,
            Err(e) => return to_js(&Answer::refused(e)),
        };
        match self.inner.replay(JournalEntry { seq, command }) {
            Ok(()) => to_js(&Replayed { ok: true, seq }),
            Err(e) => to_js(&Answer::refused(e)),
        }
    }
}

/// A journal entry's seq as JS gives it: a whole number from 1 (anything else can't be
/// the next one), or why not.
fn journal_seq(seq: f64) -> Result<u64, Error> {
    if seq >= 1.0 && seq.fract() == 0.0 && seq < 9e15 {
        Ok(seq as u64)
    } else {
        Err(err!(
            InvalidInput,
            "journal entry: 'seq' must be a whole number from 1"
        )
        .at("seq")
        .rule("wrong_type")
        .word("expected", "whole_number"))
    }
}

/// `{ ok: true, seq }`. The seq is a `u64`: serializing an `f64` would pull float
/// formatting into the wasm.
#[derive(Serialize)]
struct Replayed {
    ok: bool,
    seq: u64,
}

impl WasmLedger {
    fn wrap(inner: crate::Ledger) -> WasmLedger {
        WasmLedger {
            inner,
            text: batch::TextBuffers::default(),
        }
    }

    fn apply_one(&mut self, command: &JsValue) -> Answer {
        match read_object(command, "command") {
            Ok(raw) => self.inner.apply_raw(raw),
            Err(e) => Answer::refused(e),
        }
    }
}

impl Default for WasmLedger {
    fn default() -> Self {
        WasmLedger::new()
    }
}
