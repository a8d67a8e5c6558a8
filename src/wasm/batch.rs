//! The batch text door: many commands' JSON texts in one crossing, written by the page's
//! glue (www/engine.js `replayTexts`; bench/json-text.js `batchDoor`) into a buffer the
//! ledger keeps, and the answers written as one text into another. Per command this saves the object walk
//! of `apply`/`replay` (a boundary call per field) and the `JSON.parse` of each answer;
//! the journal the store keeps is JSON text already (docs/browser.md, "The batch text
//! door"; docs/performance.md, "Session 8: h-ratio").
//!
//! The shipped module reads the texts with the engine's direct JSON reader
//! (`input::json`), which declines what it doesn't read (a number, an escape): serde_json's
//! reader would add about 16 KB gzipped to the module. The door then stops before that
//! text and the glue gives that one command as an object (`apply`/`replay`), then goes on
//! with the door; the answers are the same either way (the same `RawMap`, the same
//! checks). The bulk module, which has serde_json's reader anyway, declines only text
//! that is not JSON.
//!
//! Texts are separated by the byte 0x1E (ASCII record separator, as in RFC 7464's JSON
//! text sequences): JSON text never holds it unescaped, and no byte of a multi-byte UTF-8
//! character is below 0x80, so the separator can't split a character.

use wasm_bindgen::prelude::*;

use super::WasmLedger;
use crate::answer::{write_json, Answer};
use crate::input::raw::RawMap;
use crate::{Command, JournalEntry};

/// Buffers larger than this are given back after the call that used them, so one big
/// batch doesn't hold its size for the rest of the session.
const KEEP_BYTES: usize = 64 * 1024;

/// What separates texts in a batch.
const SEPARATOR: char = '\u{1e}';

/// The texts written by the glue, and the last answer's text.
#[derive(Default)]
pub(super) struct TextBuffers {
    input: Vec<u8>,
    output: Vec<u8>,
    /// How many texts the last `applyTexts` applied (its answers' count).
    #[cfg(feature = "json-api")]
    applied: u32,
}

impl TextBuffers {
    /// The input's first `len` bytes as text; `None` if they aren't UTF-8 or `len` is
    /// past the buffer (neither happens with the glue, whose encoder writes UTF-8).
    #[cfg(feature = "json-api")]
    pub(super) fn text(&self, len: usize) -> Option<&str> {
        std::str::from_utf8(self.input.get(..len)?).ok()
    }

    /// Empties the output for the next answer (given back first when it grew big).
    pub(super) fn start_output(&mut self) {
        if self.output.capacity() > KEEP_BYTES {
            self.output = Vec::new();
        }
        self.output.clear();
    }

    /// Appends `answer` as JSON text to the output.
    pub(super) fn write(&mut self, answer: &Answer) {
        write_json(answer, &mut self.output);
    }

    /// The output's length in bytes, negated when all ASCII (the glue then reads it as
    /// one byte per character); gives back a big input buffer.
    pub(super) fn finish(&mut self) -> i32 {
        if self.input.capacity() > KEEP_BYTES {
            self.input = Vec::new();
        }
        let len = self.output.len() as i32;
        if self.output.is_ascii() {
            -len
        } else {
            len
        }
    }
}

/// A command object read from its JSON text, or `None` where the direct reader declines
/// it (the bulk module reads those with serde_json, as `Ledger::apply_json` does).
fn command_of(text: &str) -> Option<RawMap<'_>> {
    let raw = crate::input::json::read_object(text);
    #[cfg(feature = "bulk")]
    let raw = raw.or_else(|| RawMap::read(&mut serde_json::Deserializer::from_str(text)).ok());
    raw
}

/// Where each text of a batch of `bytes` is: the ranges between separators (none for
/// no bytes). The separator is looked for eight bytes at a time where speed is worth
/// the bytes (core's `memchr` reads four at a time on wasm32); else byte by byte.
fn text_ranges(bytes: &[u8]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut start = (!bytes.is_empty()).then_some(0);
    std::iter::from_fn(move || {
        let from = start?;
        let rest = bytes.get(from..)?;
        match find_separator(rest) {
            Some(i) => {
                start = Some(from + i + 1);
                Some(from..from + i)
            }
            None => {
                start = None;
                Some(from..bytes.len())
            }
        }
    })
}

/// The first separator in `bytes`.
fn find_separator(bytes: &[u8]) -> Option<usize> {
    let at = words_before_separator(bytes);
    let rest = bytes.get(at..)?;
    rest.iter()
        .position(|b| *b == SEPARATOR as u8)
        .map(|i| at + i)
}

/// How many bytes of `bytes`, in whole eight-byte words, come before the word that holds
/// the first separator.
#[cfg(fast_paths)]
fn words_before_separator(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut at = 0;
    for chunk in bytes.chunks_exact(8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        // Zero where a byte is the separator; the classic test for a zero byte.
        let word = u64::from_le_bytes(word) ^ (ONES * SEPARATOR as u64);
        if word.wrapping_sub(ONES) & !word & HIGHS != 0 {
            break;
        }
        at += 8;
    }
    at
}

/// The shipped module looks byte by byte (`find_separator`).
#[cfg(not(fast_paths))]
fn words_before_separator(_: &[u8]) -> usize {
    0
}

/// Reads the id index's slots of a command's `id` and `customer` now, as
/// `Ledger::apply_json` does natively: in a big index they are cache misses, fetched
/// while the command is validated instead of when its lookups stall on them.
#[cfg(fast_paths)]
fn warm(ledger: &crate::Ledger, raw: &RawMap<'_>) {
    use crate::input::raw::Key;
    for key in [Key::Id, Key::Customer] {
        if let Some(id) = raw.text(key) {
            let hash = crate::state::id_index::hash_id(id);
            std::hint::black_box(ledger.state.ids.warm(hash));
        }
    }
}

#[wasm_bindgen(js_class = Ledger)]
impl WasmLedger {
    /// Room for at least `max_bytes` of text in wasm memory, keeping what was written
    /// there before; answers its address, valid until the next call of this method
    /// (memory growth detaches the JS view of the memory, never moves it). After a call
    /// that read more than 64 KB the room is given back: ask again.
    #[wasm_bindgen(js_name = textInput)]
    pub fn text_input(&mut self, max_bytes: usize) -> *mut u8 {
        let input = &mut self.text.input;
        if input.len() < max_bytes {
            input.resize(max_bytes, 0);
        }
        input.as_mut_ptr()
    }

    /// Where the last answer's text is.
    #[wasm_bindgen(js_name = textOutput)]
    pub fn text_output(&self) -> *const u8 {
        self.text.output.as_ptr()
    }

    /// Applies the commands whose JSON texts the glue wrote at `textInput`'s address
    /// (`len` bytes, texts separated by 0x1E), in order, each judged on its own as
    /// `applyBatch` does: a refused command changes nothing and the next is applied.
    /// Stops before a text its reader declines (module docs). Writes the answers of the
    /// commands it applied as one JSON array at `textOutput()` (fewer answers than texts:
    /// the next text was declined); answers its length in bytes (negated when all
    /// ASCII). Unreadable input answers one refusal, not an array. Bench builds only
    /// (feature `json-api`): the store applies few commands at a time.
    #[cfg(feature = "json-api")]
    #[wasm_bindgen(js_name = applyTexts)]
    pub fn apply_texts(&mut self, len: usize) -> i32 {
        self.text.start_output();
        let TextBuffers { input, output, .. } = &mut self.text;
        let Some(texts) = input.get(..len).and_then(|b| std::str::from_utf8(b).ok()) else {
            self.text.applied = 0;
            self.text.write(&super::text::unreadable("command"));
            return self.text.finish();
        };
        // Room for answers as long as the commands (they are shorter on average), so
        // the output doesn't grow by doubling, copying, in every crossing after a big
        // one gave it back.
        output.reserve(len);
        output.push(b'[');
        let mut applied = 0;
        for range in text_ranges(texts.as_bytes()) {
            // A separator is one byte of ASCII: each range is on character boundaries.
            let Some(raw) = texts.get(range).and_then(command_of) else {
                break;
            };
            #[cfg(fast_paths)]
            warm(&self.inner, &raw);
            if applied > 0 {
                output.push(b',');
            }
            write_json(&self.inner.apply_raw(raw), output);
            applied += 1;
        }
        output.push(b']');
        self.text.applied = applied;
        self.text.finish()
    }

    /// How many texts the last `applyTexts` applied: the number of answers it wrote (0
    /// after unreadable input). Bench builds only (feature `json-api`).
    #[cfg(feature = "json-api")]
    #[wasm_bindgen(js_name = textsApplied)]
    pub fn texts_applied(&self) -> u32 {
        self.text.applied
    }

    /// Replays stored journal entries whose commands' JSON texts the glue wrote at
    /// `textInput`'s address (`len` bytes, texts separated by 0x1E), the first with seq
    /// `first_seq` and each after it the next, as `replay` does one by one. Stops at
    /// the first refused entry, or before a text its reader declines (module docs; so
    /// it does before text that is not UTF-8, and before the first entry when
    /// `first_seq` is not a whole number from 1, which the glue never writes): those
    /// before stay replayed (`seq()` says how far it went). A refused entry changes
    /// nothing; its refusal's JSON text is written at `textOutput()` and its length
    /// answered (negated when all ASCII); 0 when no entry was refused.
    #[wasm_bindgen(js_name = replayTexts)]
    pub fn replay_texts(&mut self, len: usize, first_seq: f64) -> i32 {
        self.text.start_output();
        let mut refused = None;
        if let (Some(bytes), Ok(first)) =
            (self.text.input.get(..len), super::journal_seq(first_seq))
        {
            for (seq, range) in (first..).zip(text_ranges(bytes)) {
                let text = bytes.get(range).and_then(|t| std::str::from_utf8(t).ok());
                let Some(raw) = text.and_then(command_of) else {
                    break;
                };
                #[cfg(fast_paths)]
                warm(&self.inner, &raw);
                let replayed = Command::from_raw(raw)
                    .and_then(|command| self.inner.replay(JournalEntry { seq, command }));
                if let Err(e) = replayed {
                    refused = Some(Answer::refused(e));
                    break;
                }
            }
        }
        if let Some(answer) = refused {
            self.text.write(&answer);
        }
        self.text.finish()
    }
}
