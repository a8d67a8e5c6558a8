//! Invoice numbers: one sequence per ledger, in issue order, printed through a format
//! that `configure` may change (the sequence never restarts).

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::Result;
use crate::text::Text;

/// The format until `configure` changes it: `INV-0001`, `INV-0002`, ...
pub const DEFAULT_FORMAT: &str = "INV-{seq:0000}";

/// The invoice number sequence and the format numbers are printed with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Numbering {
    /// The sequence number the next invoice gets (starts at 1).
    pub next: u64,
    /// Text with placeholders: `{year}`, `{month}`, `{day}` (of the invoice date) and
    /// `{seq}` or `{seq:0000}` (zero-padded), which is required. Checked by `configure`.
    pub format: String,
}

impl Default for Numbering {
    fn default() -> Self {
        Numbering {
            next: 1,
            format: DEFAULT_FORMAT.to_string(),
        }
    }
}

enum Token<'a> {
    Text(&'a str),
    Year,
    Month,
    Day,
    /// `{seq}` or `{seq:0000}`: zero-padded to that many digits.
    Seq(usize),
}

/// A refusal of an invoice number format: `rule` names what is wrong with it.
fn format_error(message: String, rule: &'static str, shown: &str) -> crate::Error {
    crate::Error::new(crate::ErrorCode::InvalidInput, message)
        .at("invoice_number_format")
        .rule(rule)
        .with("value", shown)
}

fn tokens(format: &str) -> Result<Vec<Token<'_>>> {
    let shown = crate::error::clip(format);
    let mut out = Vec::new();
    let mut rest = format;
    let mut has_seq = false;
    // `split_once` rather than slicing by index: no panicking path (slicing links the
    // panic's formatting and Unicode tables into the wasm).
    while let Some((text, after_open)) = rest.split_once('{') {
        if text.contains('}') {
            return Err(format_error(
                format!("invoice_number_format: '{shown}' has a stray '}}'"),
                "stray_brace",
                &shown,
            ));
        }
        if !text.is_empty() {
            out.push(Token::Text(text));
        }
        let (name, after_close) = after_open.split_once('}').ok_or_else(|| {
            format_error(
                format!("invoice_number_format: '{shown}' has an unclosed '{{'"),
                "unclosed_brace",
                &shown,
            )
        })?;
        let token = match name {
            "year" => Token::Year,
            "month" => Token::Month,
            "day" => Token::Day,
            "seq" => Token::Seq(0),
            other => match other.strip_prefix("seq:") {
                Some(zeros) if !zeros.is_empty() && zeros.len() <= crate::limits::MAX_SEQ_PADDING && zeros.bytes().all(|b| b == b'0') => {
                    Token::Seq(zeros.len())
                }
                _ => {
                    return Err(format_error(
                        format!("invoice_number_format: '{{{other}}}' is not a placeholder ({{year}}, {{month}}, {{day}}, {{seq}}, {{seq:0000}})"),
                        "unknown_placeholder",
                        &shown,
                    ))
                }
            },
        };
        has_seq |= matches!(token, Token::Seq(_));
        out.push(token);
        rest = after_close;
    }
    if rest.contains('}') {
        return Err(format_error(
            format!("invoice_number_format: '{shown}' has a stray '}}'"),
            "stray_brace",
            &shown,
        ));
    }
    if !rest.is_empty() {
        out.push(Token::Text(rest));
    }
    if !has_seq {
        return Err(format_error(
            format!("invoice_number_format: '{shown}' needs a {{seq}} placeholder so numbers stay unique"),
            "missing_seq",
            &shown,
        ));
    }
    Ok(out)
}

/// Checks a format before `configure` accepts it.
pub fn check_format(format: &str) -> Result<()> {
    tokens(format).map(|_| ())
}

/// `INV-` and `n` zero-padded to 4 digits, as `format!("INV-{n:04}")` writes it, without
/// an allocation (at most 24 bytes: inline in a `Text`).
#[cfg(fast_paths)]
fn default_number(mut n: u64) -> Text {
    let mut text = *b"INV-00000000000000000000";
    let mut start = text.len();
    loop {
        start -= 1;
        text[start] += (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = start.min(text.len() - 4);
    text.copy_within(start.., 4);
    let end = 4 + text.len() - start;
    text[..end].iter().map(|&b| char::from(b)).collect()
}

impl Numbering {
    /// The number the next invoice dated `date` would get.
    pub fn peek(&self, date: Date) -> Text {
        use std::fmt::Write;
        // The default format is by far the most common: skip tokenizing it.
        if self.format == DEFAULT_FORMAT {
            // Natively written digit by digit, in place: `write!` costs more than the
            // rest of planning an invoice's number where ingest speed counts.
            #[cfg(fast_paths)]
            return default_number(self.next);
            #[cfg(not(fast_paths))]
            return format!("INV-{:04}", self.next);
        }
        let mut out = String::with_capacity(self.format.len() + 8);
        let (y, m, d) = date.ymd();
        // The stored format was checked when configured.
        for token in tokens(&self.format).unwrap_or_default() {
            let _ = match token {
                Token::Text(t) => out.write_str(t),
                Token::Year => write!(out, "{y:04}"),
                Token::Month => write!(out, "{m:02}"),
                Token::Day => write!(out, "{d:02}"),
                Token::Seq(width) => write!(out, "{:0width$}", self.next),
            };
        }
        Text::from(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let date = Date::parse("d", "2026-03-07").unwrap();
        let mut n = Numbering::default();
        assert_eq!(n.peek(date), "INV-0001");
        n.next = 201;
        n.format = "{year}-{seq:0000}".into();
        assert_eq!(n.peek(date), "2026-0201");
        n.format = "{year}{month}{day}/{seq}".into();
        assert_eq!(n.peek(date), "20260307/201");
    }

    #[test]
    fn default_numbers_are_padded_as_format_pads_them() {
        let date = Date::parse("d", "2026-03-07").unwrap();
        let mut n = Numbering::default();
        for next in [0, 1, 9, 10, 999, 1000, 9999, 10_000, 123_456_789, u64::MAX] {
            n.next = next;
            assert_eq!(n.peek(date), format!("INV-{next:04}"));
        }
    }

    #[test]
    fn bad_formats_are_refused() {
        for bad in ["INV", "INV-{seq", "{nope}-{seq}", "{seq:00x}", "x}{seq}"] {
            assert!(check_format(bad).is_err(), "{bad}");
        }
    }
}
