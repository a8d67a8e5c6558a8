//! JSON text in and out through buffers the module keeps (feature `json-api`): the page's
//! glue (bench/json-text.js) writes a command straight into wasm memory and reads the
//! answer from where it was written, instead of wasm-bindgen's `&str`/`String` crossing,
//! which allocates both texts anew on every call (docs/performance.md, "Session 7:
//! wasm/native").

use wasm_bindgen::prelude::*;

use super::WasmLedger;
use crate::answer::Answer;
use crate::error::err;

/// Buffers larger than this are given back after the call that needed them, so one big
/// command or answer doesn't hold its size for the rest of the session.
const KEEP_BYTES: usize = 64 * 1024;

/// The command text written by the glue, and the last answer's text.
#[derive(Default)]
pub(super) struct TextBuffers {
    input: Vec<u8>,
    output: Vec<u8>,
}

impl TextBuffers {
    /// The input's first `len` bytes as text; `None` if they aren't UTF-8 or `len` is
    /// past the buffer (neither happens with the glue, whose encoder writes UTF-8).
    fn command(&self, len: usize) -> Option<&str> {
        std::str::from_utf8(self.input.get(..len)?).ok()
    }

    /// Writes `answer` as JSON text into the output; answers its length in bytes, negated
    /// when the text is all ASCII (the glue then reads it as one byte per character).
    fn answer(&mut self, answer: &Answer) -> i32 {
        if self.output.capacity() > KEEP_BYTES {
            self.output = Vec::new();
        }
        self.output.clear();
        // Answers have only string keys and write into memory: this can't fail.
        let _ = serde_json::to_writer(&mut self.output, answer);
        let len = self.output.len() as i32;
        if self.output.is_ascii() {
            -len
        } else {
            len
        }
    }
}

/// The refusal of input text the module can't read.
fn unreadable(what: &str) -> Answer {
    Answer::refused(
        err!(
            InvalidInput,
            "{what} text: not UTF-8, or longer than the buffer written"
        )
        .rule("unreadable"),
    )
}

#[wasm_bindgen(js_class = Ledger)]
impl WasmLedger {
    /// Room for `max_bytes` of command text in wasm memory; answers its address, valid
    /// until the next call of this method (memory growth detaches the JS view of the
    /// memory, never moves it).
    #[wasm_bindgen(js_name = textInput)]
    pub fn text_input(&mut self, max_bytes: usize) -> *mut u8 {
        let input = &mut self.text.input;
        if input.capacity() < max_bytes
            || (input.capacity() > KEEP_BYTES && max_bytes <= KEEP_BYTES)
        {
            *input = Vec::with_capacity(max_bytes);
        }
        // Initialized once per buffer, so `command` can read the glue's bytes as a slice.
        input.resize(input.capacity(), 0);
        input.as_mut_ptr()
    }

    /// Applies the command whose JSON text the glue wrote at `textInput`'s address,
    /// `len` bytes; writes the answer's JSON text at `textOutput()` and answers its length
    /// (negated when all ASCII).
    #[wasm_bindgen(js_name = applyJsonText)]
    pub fn apply_json_text(&mut self, len: usize) -> i32 {
        let answer = match self.text.command(len) {
            Some(command) => self.inner.apply_json(command),
            None => unreadable("command"),
        };
        self.text.answer(&answer)
    }

    /// `applyJsonText` for a query.
    #[wasm_bindgen(js_name = queryJsonText)]
    pub fn query_json_text(&mut self, len: usize) -> i32 {
        let answer = match self.text.command(len) {
            Some(query) => self.inner.query_json(query),
            None => unreadable("query"),
        };
        self.text.answer(&answer)
    }

    /// Where the last answer's text is.
    #[wasm_bindgen(js_name = textOutput)]
    pub fn text_output(&self) -> *const u8 {
        self.text.output.as_ptr()
    }
}
