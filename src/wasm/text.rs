//! One command's JSON text in and out through the buffers the batch door uses
//! (`textInput`, `textOutput`; feature `json-api`, bench builds only): the page's glue
//! (bench/json-text.js) writes a command straight into wasm memory and reads the answer
//! from where it was written, instead of wasm-bindgen's `&str`/`String` crossing, which
//! allocates both texts anew on every call (docs/performance.md, "Session 7:
//! wasm/native").

use wasm_bindgen::prelude::*;

use super::WasmLedger;
use crate::answer::Answer;
use crate::error::err;

impl WasmLedger {
    /// Writes `answer` as the output; answers its length (negated when all ASCII).
    fn answer_text(&mut self, answer: &Answer) -> i32 {
        self.text.start_output();
        self.text.write(answer);
        self.text.finish()
    }
}

#[wasm_bindgen(js_class = Ledger)]
impl WasmLedger {
    /// Applies the command whose JSON text the glue wrote at `textInput`'s address,
    /// `len` bytes; writes the answer's JSON text at `textOutput()` and answers its length
    /// (negated when all ASCII).
    #[wasm_bindgen(js_name = applyJsonText)]
    pub fn apply_json_text(&mut self, len: usize) -> i32 {
        let answer = match self.text.text(len) {
            Some(command) => self.inner.apply_json(command),
            None => unreadable("command"),
        };
        self.answer_text(&answer)
    }

    /// `applyJsonText` for a query.
    #[wasm_bindgen(js_name = queryJsonText)]
    pub fn query_json_text(&mut self, len: usize) -> i32 {
        let answer = match self.text.text(len) {
            Some(query) => self.inner.query_json(query),
            None => unreadable("query"),
        };
        self.answer_text(&answer)
    }
}

/// The refusal of input text the module can't read.
pub(super) fn unreadable(what: &str) -> Answer {
    Answer::refused(
        err!(
            InvalidInput,
            "{what} text: not UTF-8, or longer than the buffer written"
        )
        .rule("unreadable"),
    )
}
