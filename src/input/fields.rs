//! Typed access to the fields of a `RawMap`, with errors that name the field and value.

use std::borrow::Cow;
use std::fmt;

use rust_decimal::Decimal;

use super::raw::{Key, Raw, RawMap};
use crate::date::{check_timestamp, Date};
use crate::error::{err, Result};
use crate::money::{check_entered, parse_decimal, parse_factor, Currency};
use crate::text::Text;
use crate::ErrorCode;

pub use crate::limits::MAX_TEXT;

/// The fields of one object being validated. `line` is set for an invoice line, so
/// messages say `lines[2].unit_price`. Field names are only formatted on error paths
/// (checks that may refuse take a `FieldName`, written only into a refusal): validating
/// a good command formats and allocates nothing for messages.
pub struct Fields<'de> {
    map: RawMap<'de>,
    line: Option<usize>,
}

/// A field's name as messages write it (`amount`, `lines[2].unit_price`), written only
/// when a message needs it.
#[derive(Clone, Copy)]
pub struct FieldName {
    line: Option<usize>,
    key: Key,
}

impl fmt::Display for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(i) = self.line {
            write!(f, "lines[{i}].")?;
        }
        f.write_str(self.key.name())
    }
}

impl<'de> Fields<'de> {
    /// Fields of a command or query (`line: None`) or of invoice line `line`.
    pub fn new(map: RawMap<'de>, line: Option<usize>) -> Fields<'de> {
        Fields { map, line }
    }

    /// How messages name a field of this object.
    pub fn name(&self, key: Key) -> Cow<'static, str> {
        match self.line {
            None => Cow::Borrowed(key.name()),
            Some(_) => Cow::Owned(self.field(key).to_string()),
        }
    }

    /// A field's name, to be written only if a message needs it.
    fn field(&self, key: Key) -> FieldName {
        FieldName {
            line: self.line,
            key,
        }
    }

    fn missing(&self, key: Key) -> crate::Error {
        let name = self.name(key);
        err!(InvalidInput, "{name} is required")
            .at(name)
            .rule("required")
    }

    /// A value of the wrong JSON type: names what was expected and what came.
    fn wrong_type(
        &self,
        code: ErrorCode,
        key: Key,
        expected: &'static str,
        got: &Raw,
        message: String,
    ) -> crate::Error {
        crate::Error::new(code, message)
            .at(self.name(key))
            .rule("wrong_type")
            .word("expected", expected)
            .word("got", got.json_type())
    }

    /// A string field, trimmed of nothing, non-empty, at most `MAX_TEXT` characters.
    pub fn opt_text(&mut self, key: Key) -> Result<Option<Text>> {
        Ok(self.opt_str(key)?.map(crate::text::from_cow))
    }

    /// `opt_text`'s checks, the text still borrowed from the input where it can be
    /// (for words that are compared and dropped, like `type` or `method`).
    pub fn opt_str(&mut self, key: Key) -> Result<Option<Cow<'de, str>>> {
        match self.map.take(key) {
            None => Ok(None),
            Some(Raw::Str(s)) => {
                let shape = TextShape::of(&s);
                if shape.blank {
                    let name = self.name(key);
                    Err(err!(InvalidInput, "{name} must not be empty")
                        .at(name)
                        .rule("empty"))
                } else if shape.chars > MAX_TEXT {
                    let name = self.name(key);
                    Err(
                        err!(InvalidInput, "{name} is longer than {MAX_TEXT} characters")
                            .at(name)
                            .rule("too_long")
                            .with("value", crate::error::clip(&s))
                            .with("max_length", MAX_TEXT),
                    )
                } else if shape.control {
                    let name = self.name(key);
                    Err(err!(InvalidInput, "{name} contains control characters")
                        .at(name)
                        .rule("control_characters")
                        .with("value", crate::error::clip(&s)))
                } else {
                    Ok(Some(s))
                }
            }
            Some(other) => Err(self.wrong_type(
                ErrorCode::InvalidInput,
                key,
                "string",
                &other,
                format!("{} must be a string, got {}", self.name(key), other.shown()),
            )),
        }
    }

    /// An identifier field (an id, or a reference to a customer, invoice or payment):
    /// the rules of `opt_text`, then those of `ids::identifier` (NFC, nothing invisible).
    pub fn opt_id(&mut self, key: Key) -> Result<Option<Text>> {
        match self.opt_text(key)? {
            None => Ok(None),
            Some(text) => super::ids::identifier(&self.name(key), text).map(Some),
        }
    }

    /// A required identifier field.
    pub fn id(&mut self, key: Key) -> Result<Text> {
        self.opt_id(key)?.ok_or_else(|| self.missing(key))
    }

    /// A required string field, with the rules of `opt_text`.
    pub fn text(&mut self, key: Key) -> Result<Text> {
        self.opt_text(key)?.ok_or_else(|| self.missing(key))
    }

    /// A decimal string where money belongs: > 0, at most `MAX_AMOUNT`. Its decimals are
    /// checked against the currency once the currency is known (`commands::money_in`).
    pub fn opt_amount(&mut self, key: Key) -> Result<Option<Decimal>> {
        match self.map.take(key) {
            None => Ok(None),
            Some(Raw::Str(s)) => {
                let name = self.name(key);
                let value = parse_decimal(&name, &s, ErrorCode::InvalidAmount)?;
                check_entered(&name, value, &s).map(Some)
            }
            Some(Raw::Num(n)) => {
                let message = format!(
                    "{} must be a decimal string such as \"{n}\", not the number {n} (numbers lose cents)",
                    self.name(key)
                );
                let got = Raw::Num(n);
                Err(self
                    .wrong_type(ErrorCode::InvalidAmount, key, "decimal", &got, message)
                    .with("value", got.text()))
            }
            Some(other) => Err(self.wrong_type(
                ErrorCode::InvalidAmount,
                key,
                "decimal",
                &other,
                format!(
                    "{} must be a decimal string such as \"100.00\", got {}",
                    self.name(key),
                    other.shown()
                ),
            )),
        }
    }

    /// A required money field, with the rules of `opt_amount`.
    pub fn amount(&mut self, key: Key) -> Result<Decimal> {
        self.opt_amount(key)?.ok_or_else(|| self.missing(key))
    }

    /// A quantity, price or rate: decimal string within `[min, max]`.
    pub fn opt_factor(&mut self, key: Key, min: Decimal, max: Decimal) -> Result<Option<Decimal>> {
        match self.map.take(key) {
            None => Ok(None),
            Some(Raw::Str(s)) => parse_factor(&self.field(key), &s, min, max).map(Some),
            Some(Raw::Num(n)) => {
                let message = format!(
                    "{} must be a decimal string such as \"{n}\", not the number {n}",
                    self.name(key)
                );
                let got = Raw::Num(n);
                Err(self
                    .wrong_type(ErrorCode::InvalidAmount, key, "decimal", &got, message)
                    .with("value", got.text()))
            }
            Some(other) => Err(self.wrong_type(
                ErrorCode::InvalidAmount,
                key,
                "decimal",
                &other,
                format!(
                    "{} must be a decimal string, got {}",
                    self.name(key),
                    other.shown()
                ),
            )),
        }
    }

    /// An ISO 4217 code in active use; anything else is `invalid_currency`.
    pub fn opt_currency(&mut self, key: Key) -> Result<Option<Currency>> {
        match self.map.take(key) {
            None => Ok(None),
            Some(Raw::Str(s)) => Currency::parse(key.name(), &s).map(Some),
            Some(other) => Err(self.wrong_type(
                ErrorCode::InvalidCurrency,
                key,
                "ISO 4217",
                &other,
                format!(
                    "{} must be an ISO 4217 code such as \"EUR\", got {}",
                    self.name(key),
                    other.shown()
                ),
            )),
        }
    }

    /// A required currency field.
    pub fn currency(&mut self, key: Key) -> Result<Currency> {
        self.opt_currency(key)?.ok_or_else(|| self.missing(key))
    }

    /// A `YYYY-MM-DD` calendar day; anything else is `invalid_date`.
    pub fn opt_date(&mut self, key: Key) -> Result<Option<Date>> {
        match self.map.take(key) {
            None => Ok(None),
            Some(Raw::Str(s)) => Date::parse(key.name(), &s).map(Some),
            Some(other) => Err(self.wrong_type(
                ErrorCode::InvalidDate,
                key,
                "YYYY-MM-DD",
                &other,
                format!(
                    "{} must be a date string such as \"2026-01-31\", got {}",
                    self.name(key),
                    other.shown()
                ),
            )),
        }
    }

    /// A required date field.
    pub fn date(&mut self, key: Key) -> Result<Date> {
        self.opt_date(key)?.ok_or_else(|| self.missing(key))
    }

    /// An RFC 3339 timestamp kept as given.
    pub fn opt_timestamp(&mut self, key: Key) -> Result<Option<Text>> {
        match self.map.take(key) {
            None => Ok(None),
            Some(Raw::Str(s)) => {
                check_timestamp(key.name(), &s).map(|()| Some(crate::text::from_cow(s)))
            }
            Some(other) => Err(self.wrong_type(
                ErrorCode::InvalidDate,
                key,
                "RFC 3339",
                &other,
                format!(
                    "{} must be an RFC 3339 timestamp string, got {}",
                    self.name(key),
                    other.shown()
                ),
            )),
        }
    }

    /// A JSON `true` or `false` (not the strings).
    pub fn opt_bool(&mut self, key: Key) -> Result<Option<bool>> {
        match self.map.take(key) {
            None => Ok(None),
            Some(Raw::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(self.wrong_type(
                ErrorCode::InvalidInput,
                key,
                "boolean",
                &other,
                format!(
                    "{} must be true or false, got {}",
                    self.name(key),
                    other.shown()
                ),
            )),
        }
    }

    /// A non-negative whole number given as a JSON number (query paging only).
    pub fn opt_count(&mut self, key: Key) -> Result<Option<u64>> {
        match self.map.take(key) {
            None => Ok(None),
            Some(Raw::Num(n)) => n.parse::<u64>().map(Some).map_err(|_| {
                err!(
                    InvalidInput,
                    "{} must be a whole number ≥ 0, got {n}",
                    self.name(key)
                )
                .at(self.name(key))
                .rule("not_whole_number")
                .with("value", crate::error::clip(&n))
                .word("expected", "whole_number")
            }),
            Some(other) => Err(self.wrong_type(
                ErrorCode::InvalidInput,
                key,
                "whole_number",
                &other,
                format!(
                    "{} must be a whole number, got {}",
                    self.name(key),
                    other.shown()
                ),
            )),
        }
    }

    /// An array, its items still unvalidated.
    pub fn opt_list(&mut self, key: Key) -> Result<Option<Vec<Raw<'de>>>> {
        match self.map.take(key) {
            None => Ok(None),
            Some(Raw::List(items)) => Ok(Some(items)),
            Some(other) => Err(self.wrong_type(
                ErrorCode::InvalidInput,
                key,
                "array",
                &other,
                format!("{} must be an array, got {}", self.name(key), other.shown()),
            )),
        }
    }

    /// One of a fixed set of words, e.g. a payment method (the refusal is built out of
    /// line, once for every `T`).
    pub fn choice<T: Copy>(
        &mut self,
        key: Key,
        options: &[(&'static str, T)],
    ) -> Result<Option<T>> {
        let Some(word) = self.opt_str(key)? else {
            return Ok(None);
        };
        options
            .iter()
            .find(|(name, _)| *name == &*word)
            .map(|(_, v)| Some(*v))
            .ok_or_else(|| {
                let names: Vec<&'static str> = options.iter().map(|(n, _)| *n).collect();
                not_one_of(self.name(key).into_owned(), &word, names)
            })
    }

    /// Refuses any field the object's type does not take (`what` names the type).
    pub fn finish(self, what: impl FnOnce() -> String) -> Result<()> {
        match self.map.leftover() {
            None => Ok(()),
            Some(key) => Err(err!(
                InvalidInput,
                "{} is not a field of {}",
                self.name(key),
                what()
            )
            .at(self.name(key))
            .rule("unknown_field")),
        }
    }
}

/// Whether ASCII `bytes` hold a byte below 0x20 or DEL, eight at a time: a text
/// without any (nearly all) needs no byte-by-byte look for control characters.
#[cfg(fast_paths)]
fn may_hold_control(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    // High bit set in some byte of `x` below 0x20 or equal to 0x7f (bytes are ASCII, so
    // below 0x80: no false alarm from a byte's own high bit).
    let flagged = |x: u64| {
        (x.wrapping_sub(ONES * 0x20) | (x ^ (ONES * 0x7f)).wrapping_sub(ONES)) & !x & HIGH != 0
    };
    let mut chunks = bytes.chunks_exact(8);
    if chunks.by_ref().any(|c| {
        flagged(u64::from_le_bytes([
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
        ]))
    }) {
        return true;
    }
    let mut last = [b' '; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    flagged(u64::from_le_bytes(last))
}

/// What `opt_str` checks of a text, found in one pass over its characters.
struct TextShape {
    /// How many characters it has.
    chars: usize,
    /// Whether it is empty or only whitespace (what `trim` would remove).
    blank: bool,
    /// Whether it holds a control character other than a newline or a tab.
    control: bool,
}

impl TextShape {
    fn of(text: &str) -> TextShape {
        // Most text is ASCII: its bytes answer all three questions without decoding
        // characters. Only where speed is worth the bytes (the shipped wasm keeps the
        // one loop below).
        #[cfg(fast_paths)]
        if text.is_ascii() {
            let bytes = text.as_bytes();
            return TextShape {
                chars: bytes.len(),
                // `char::is_whitespace` on ASCII, which counts the vertical tab too.
                blank: bytes
                    .iter()
                    .all(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')),
                control: may_hold_control(bytes)
                    && bytes
                        .iter()
                        .any(|&b| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f),
            };
        }
        let mut shape = TextShape {
            chars: 0,
            blank: true,
            control: false,
        };
        for c in text.chars() {
            shape.chars += 1;
            shape.blank &= c.is_whitespace();
            shape.control |= c.is_control() && c != '\n' && c != '\t';
        }
        shape
    }
}

/// The refusal of a word that is not one of `names`.
#[inline(never)]
fn not_one_of(field: String, word: &str, names: Vec<&'static str>) -> crate::Error {
    err!(
        InvalidInput,
        "{}: '{}' is not one of {}",
        field,
        crate::error::clip(word),
        crate::error::listed(&names)
    )
    .at(field)
    .rule("not_allowed")
    .with("value", crate::error::clip(word))
    .with("allowed", names)
}

#[cfg(test)]
mod tests {
    use super::TextShape;

    #[test]
    fn text_shape_agrees_with_the_char_methods() {
        let ascii: Vec<String> = (0u8..128)
            .flat_map(|b| {
                let c = char::from(b);
                // Short texts and longer ones with the byte at each place of an
                // eight-byte word (`may_hold_control` reads eight at a time).
                let mut texts = vec![format!("{c}"), format!(" {c}"), format!("{c}a\t")];
                texts.extend((0..17).map(|at| {
                    let mut t = "Private office, 4".to_string();
                    t.insert(at, c);
                    t
                }));
                texts
            })
            .collect();
        for text in ascii.iter().map(String::as_str).chain([
            "",
            " ",
            " \t\n",
            "\u{3000}",
            "a",
            " a ",
            "Desk\n",
            "a\tb",
            "a\rb",
            "\u{7f}",
            "\u{80}",
            "\u{9f}",
            "\u{a0}",
            "é",
            "Müller\u{85}",
            "\u{1F600}x",
            "\u{0}",
            "\u{b}",
            " \u{b}\u{c}\r",
            "\u{1f}",
            "a\u{1b}",
            "~\u{7f}",
            "Desk 2 (Jan)",
        ]) {
            let shape = TextShape::of(text);
            assert_eq!(shape.chars, text.chars().count(), "{text:?}");
            assert_eq!(shape.blank, text.trim().is_empty(), "{text:?}");
            let control = text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t');
            assert_eq!(shape.control, control, "{text:?}");
        }
    }
}
