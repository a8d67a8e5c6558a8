//! The browser binding: a thin `wasm-bindgen` layer over [`crate::Ledger`]. Commands,
//! queries and answers cross as plain JS objects in the contract's shapes
//! (serde-wasm-bindgen, maps as plain objects); refusals are answers, never exceptions.
//! JSON-string entry points exist too, for the boundary benchmark and bulk imports.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::answer::Answer;
use crate::error::ErrorCode;
use crate::ledger::read_command;
use crate::{Error, JournalEntry};

/// Reports a panic on the console with its message instead of a bare `unreachable`
/// trap. The engine is written not to panic on any input; this is the last line.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).unwrap_or_else(|e| {
        JsValue::from_str(&format!("tally: answer could not be converted: {e}"))
    })
}

fn refused(code: ErrorCode, message: String) -> JsValue {
    to_js(&Answer::refused(Error::new(code, message)))
}

/// A ledger living in wasm memory.
#[wasm_bindgen(js_name = Ledger)]
pub struct WasmLedger {
    inner: crate::Ledger,
}

#[wasm_bindgen(js_class = Ledger)]
impl WasmLedger {
    /// An empty ledger.
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmLedger {
        WasmLedger {
            inner: crate::Ledger::new(),
        }
    }

    /// Restores a ledger from `snapshot()` bytes; throws an Error naming what is wrong
    /// with a damaged or foreign snapshot (nothing is half-loaded).
    pub fn restore(bytes: &[u8]) -> Result<WasmLedger, JsError> {
        crate::Ledger::restore(bytes)
            .map(|inner| WasmLedger { inner })
            .map_err(|e| JsError::new(&e.message))
    }

    /// Applies one command object; answers `{ ok: true, ... }` or `{ ok: false, error }`.
    pub fn apply(&mut self, command: JsValue) -> JsValue {
        to_js(
            &self
                .inner
                .apply_from(serde_wasm_bindgen::Deserializer::from(command)),
        )
    }

    /// Answers one query object.
    pub fn query(&self, query: JsValue) -> JsValue {
        to_js(
            &self
                .inner
                .query_from(serde_wasm_bindgen::Deserializer::from(query)),
        )
    }

    /// `apply` with JSON text in and out.
    #[wasm_bindgen(js_name = applyJson)]
    pub fn apply_json(&mut self, command: &str) -> String {
        serde_json::to_string(&self.inner.apply_json(command)).unwrap_or_default()
    }

    /// `query` with JSON text in and out.
    #[wasm_bindgen(js_name = queryJson)]
    pub fn query_json(&self, query: &str) -> String {
        serde_json::to_string(&self.inner.query_json(query)).unwrap_or_default()
    }

    /// Sequence number of the last accepted command.
    pub fn seq(&self) -> f64 {
        self.inner.seq() as f64
    }

    /// The whole state as bytes (versioned, checksummed).
    pub fn snapshot(&self) -> Vec<u8> {
        self.inner.snapshot()
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
        let Some(seq) = get("seq").and_then(|v| v.as_f64()) else {
            return refused(
                ErrorCode::InvalidInput,
                "journal entry: 'seq' must be a number".into(),
            );
        };
        let Some(command) = get("command") else {
            return refused(
                ErrorCode::InvalidInput,
                "journal entry: 'command' is missing".into(),
            );
        };
        let command = match read_command(serde_wasm_bindgen::Deserializer::from(command)) {
            Ok(c) => c,
            Err(e) => return to_js(&Answer::refused(e)),
        };
        match self.inner.replay(JournalEntry {
            seq: seq as u64,
            command,
        }) {
            Ok(()) => to_js(&serde_json::json!({ "ok": true, "seq": seq })),
            Err(e) => to_js(&Answer::refused(e)),
        }
    }
}

impl Default for WasmLedger {
    fn default() -> Self {
        WasmLedger::new()
    }
}
