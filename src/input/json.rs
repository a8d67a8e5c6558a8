//! A direct reader of the JSON that commands nearly always are: an object of strings
//! without escapes, booleans, nulls, and arrays and objects of those. It builds the same
//! `RawMap` that `RawMap::read` builds through serde_json, without serde's visitor
//! machinery, and gives up (`None`) on anything else: a number, an escape, a control
//! character, nesting deeper than `MAX_DEPTH`, `MAX_ITEMS` items, malformed JSON, text
//! after the object. The caller then reads the text through serde_json, which decides,
//! its messages included. Only where speed is worth the bytes (native, the bulk build).

use std::borrow::Cow;

#[cfg(fast_paths)]
use super::raw::Key;
use super::raw::{Raw, RawMap, MAX_DEPTH, MAX_ITEMS};

/// Reads a command or query object, or `None` for serde_json to read it.
pub fn read_object(text: &str) -> Option<RawMap<'_>> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    reader.space();
    let map = reader.object(0)?;
    reader.space();
    (reader.at == reader.bytes.len()).then_some(map)
}

struct Reader<'de> {
    text: &'de str,
    bytes: &'de [u8],
    at: usize,
}

impl<'de> Reader<'de> {
    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Takes `byte` (after any whitespace) if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        let next = self.peek() == Some(byte);
        self.at += usize::from(next);
        next
    }

    /// A string without escapes or control characters, the opening quote next.
    fn string(&mut self) -> Option<&'de str> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.at + 1;
        let end = start + special_byte(&self.bytes[start..])?;
        if self.bytes[end] != b'"' {
            return None;
        }
        self.at = end + 1;
        // Both ends are ASCII quotes, so they are character boundaries.
        self.text.get(start..end)
    }

    /// A value at `depth` (the object read first is at 0, its fields' values at 1), as
    /// `RawSeed` reads it.
    fn value(&mut self, depth: u8) -> Option<Raw<'de>> {
        self.space();
        let word = |reader: &mut Self, word: &[u8], value: Raw<'de>| {
            let end = reader.at + word.len();
            (reader.bytes.get(reader.at..end) == Some(word)).then(|| {
                reader.at = end;
                value
            })
        };
        match self.peek()? {
            b'"' => self.string().map(|s| Raw::Str(Cow::Borrowed(s))),
            b't' => word(self, b"true", Raw::Bool(true)),
            b'f' => word(self, b"false", Raw::Bool(false)),
            b'n' => word(self, b"null", Raw::Null),
            b'[' => self.list(depth),
            b'{' => self.object(depth).map(Raw::Map),
            _ => None,
        }
    }

    fn list(&mut self, depth: u8) -> Option<Raw<'de>> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.at += 1;
        let mut items = Vec::new();
        if self.eat(b']') {
            return Some(Raw::List(items));
        }
        loop {
            if items.len() == MAX_ITEMS {
                return None;
            }
            items.push(self.value(depth + 1)?);
            if self.eat(b']') {
                return Some(Raw::List(items));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn object(&mut self, depth: u8) -> Option<RawMap<'de>> {
        if depth >= MAX_DEPTH || self.peek() != Some(b'{') {
            return None;
        }
        self.at += 1;
        let mut map = RawMap::with_capacity(if depth == 0 {
            super::raw::FIELDS_GUESS
        } else {
            super::raw::LINE_FIELDS_GUESS
        });
        if self.eat(b'}') {
            return Some(map);
        }
        // Natively, the known names read so far, one bit each: a name not among them
        // goes in without `push`'s search for it.
        #[cfg(fast_paths)]
        let mut seen = 0u64;
        loop {
            self.space();
            let name = self.string()?;
            if !self.eat(b':') {
                return None;
            }
            let value = self.value(depth + 1)?;
            #[cfg(fast_paths)]
            match Key::from_name(name) {
                Some(key) if seen & key_bit(key) == 0 => {
                    seen |= key_bit(key);
                    map.push_new(key, value);
                }
                _ => map.push(name, value),
            }
            #[cfg(not(fast_paths))]
            map.push(name, value);
            if self.eat(b'}') {
                return Some(map);
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }
}

/// A key's bit in `Reader::object`'s names read.
#[cfg(fast_paths)]
fn key_bit(key: Key) -> u64 {
    const _: () = assert!(Key::COUNT <= 64);
    1 << (key as u32)
}

/// Where the first quote, backslash or control character is, eight bytes at a time
/// (a byte-by-byte search was most of the reading).
fn special_byte(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    // High bit set in each byte of `x` that is zero, or below `n` (n ≤ 128); borrows
    // only carry upward, so the lowest flagged byte is always a true one.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        let x = u64::from_le_bytes(chunk.try_into().ok()?);
        let found = zero(x ^ (ONES * u64::from(b'"')))
            | zero(x ^ (ONES * u64::from(b'\\')))
            | below(x, 0x20);
        if found != 0 {
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    let rest = chunks.remainder();
    rest.iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| offset + i)
}

#[cfg(test)]
mod tests {
    use super::read_object;
    use crate::input::raw::RawMap;
    use proptest::prelude::*;

    /// What serde_json reads, where the direct reader reads anything.
    fn same(text: &str) -> Result<bool, TestCaseError> {
        let Some(direct) = read_object(text) else {
            return Ok(false);
        };
        let serde = RawMap::read(&mut serde_json::Deserializer::from_str(text));
        prop_assert_eq!(Some(direct), serde.ok(), "{}", text);
        Ok(true)
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            r#"{"type":"issue_invoice","id":"i1","lines":[{"description":"Desk","unit_price":"10.00"}],"use_credit":false,"at":null}"#,
            " {\"type\" : \"x\" ,\n\"dry_run\":true}\r\n",
            r#"{}"#,
            r#"{"lines":[]}"#,
            r#"{"lines":[[]]}"#,
            r#"{"bogus":{"a":"b"},"id":"x","id":"y"}"#,
            r#"{"allocate_to":["a","b","é"]}"#,
            r#"{"reason":"Ünïcødé ✓ 😀"}"#,
        ] {
            assert!(same(text).unwrap(), "{text}");
        }
    }

    #[test]
    fn leaves_the_rest_to_serde_json() {
        for text in [
            r#"{"amount":100}"#,
            r#"{"reason":"a\"b"}"#,
            "{\"reason\":\"a\tb\"}",
            r#"{"lines":[{"a":[1]}]}"#,
            r#"{"lines":[{"description":{"x":"y"}}]}"#,
            r#"{"type":"x"} trailing"#,
            r#"{"type":"x",}"#,
            r#"{"type" "x"}"#,
            r#"{"type":"x""#,
            r#"["type"]"#,
            r#"{"type":tru}"#,
            "",
        ] {
            assert!(read_object(text).is_none(), "{text}");
        }
    }

    proptest! {
        #[test]
        fn finds_the_first_special_byte(bytes in prop::collection::vec(
            prop_oneof![4 => 0x20u8..0x80, 1 => Just(b'"'), 1 => Just(b'\\'), 1 => 0u8..0x20, 2 => 0x80u8..=0xff],
            0..40,
        )) {
            let expected = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            prop_assert_eq!(super::special_byte(&bytes), expected);
        }
    }

    fn json_value(depth: u32) -> BoxedStrategy<String> {
        let leaf = prop_oneof![
            "[a-z0-9 .é\\-]{0,6}".prop_map(|s| format!("\"{s}\"")),
            Just("true".to_string()),
            Just("false".to_string()),
            Just("null".to_string()),
            Just("12".to_string()),
            Just("\"a\\nb\"".to_string()),
        ];
        if depth == 0 {
            return leaf.boxed();
        }
        let key = prop_oneof![
            Just("type"),
            Just("id"),
            Just("lines"),
            Just("unit_price"),
            Just("bogus"),
            Just("amount")
        ];
        prop_oneof![
            3 => leaf,
            1 => prop::collection::vec(json_value(depth - 1), 0..4)
                .prop_map(|items| format!("[{}]", items.join(","))),
            1 => prop::collection::vec((key, json_value(depth - 1)), 0..5).prop_map(|fields| {
                let fields: Vec<String> =
                    fields.iter().map(|(k, v)| format!("\"{k}\" : {v}")).collect();
                format!("{{ {} }}", fields.join(" ,"))
            }),
        ]
        .boxed()
    }

    proptest! {
        #[test]
        fn agrees_with_serde_json(value in json_value(4), cut in 0usize..200) {
            let text = format!("{{\"x\":{value}}}");
            same(&text)?;
            // Truncated or damaged text is never read differently.
            let cut = text.char_indices().map(|(i, _)| i).find(|&i| i >= cut).unwrap_or(text.len());
            same(&text[..cut])?;
            same(&value)?;
        }
    }
}
