//! Identifiers a person compares by eye: record ids and the customer, invoice and
//! payment references that point at them. Each visible text has one form: the text is
//! normalized to Unicode NFC (a composed "é" and "e" + combining accent are the same
//! id), and characters that print as nothing or reorder what is shown (zero-width
//! characters, the byte order mark, bidirectional controls, variation selectors, odd
//! spaces) are refused, as are spaces at either end, with a message naming the field
//! and the character.
//!
//! NFC comes from the `unicode-normalization` crate natively and from the browser's own
//! `String.prototype.normalize` in wasm, which adds no tables to the module (the crate
//! would add them; figures in docs/decisions.md). Both implement the same Unicode
//! algorithm; the parity tests compare them.

use crate::error::{err, Result};
use crate::text::Text;

/// What a refused character is, for the message; `None` for an allowed one.
fn hidden(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{200B}' => "a zero-width space",
        '\u{200C}' => "a zero-width non-joiner",
        '\u{200D}' => "a zero-width joiner",
        '\u{2060}' => "a word joiner",
        '\u{FEFF}' => "a byte order mark",
        '\u{00AD}' => "a soft hyphen",
        '\u{200E}' => "a left-to-right mark",
        '\u{200F}' => "a right-to-left mark",
        '\u{061C}' => "an Arabic letter mark",
        '\u{202A}'..='\u{202E}' => "a bidirectional embedding or override",
        '\u{2066}'..='\u{2069}' => "a bidirectional isolate",
        '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' => "a variation selector",
        '\u{00A0}'
        | '\u{1680}'
        | '\u{2000}'..='\u{200A}'
        | '\u{202F}'
        | '\u{205F}'
        | '\u{3000}' => "a space other than the ordinary space",
        // Other format characters and fillers that show nothing.
        '\u{034F}'
        | '\u{115F}'
        | '\u{1160}'
        | '\u{17B4}'
        | '\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{2061}'..='\u{2064}'
        | '\u{206A}'..='\u{206F}'
        | '\u{3164}'
        | '\u{FFA0}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E007F}' => "an invisible character",
        _ => return None,
    })
}

/// Checks an identifier and answers it in NFC.
pub fn identifier(field: &str, text: Text) -> Result<Text> {
    if text.is_ascii() {
        // Nothing to normalize; only the ends can be wrong.
        return ends(field, text);
    }
    if let Some((at, c, what)) = text
        .chars()
        .enumerate()
        .find_map(|(i, c)| hidden(c).map(|what| (i, c, what)))
    {
        return Err(err!(
            InvalidInput,
            "{field}: contains {what} (U+{:04X}) at character {}, which can make two ids look the same; type the id without it",
            c as u32,
            at + 1
        )
        .at(field)
        .rule("invisible_character")
        .with("code_point", format!("U+{:04X}", c as u32))
        .with("position", at + 1));
    }
    ends(field, Text::from(nfc(crate::text::into_string(text))))
}

fn ends(field: &str, text: Text) -> Result<Text> {
    if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
        return Err(err!(
            InvalidInput,
            "{field}: '{}' starts or ends with a space",
            crate::error::clip(&text)
        )
        .at(field)
        .rule("surrounding_space")
        .with("value", crate::error::clip(&text)));
    }
    Ok(text)
}

#[cfg(not(target_arch = "wasm32"))]
fn nfc(text: String) -> String {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        return text;
    }
    text.nfc().collect()
}

#[cfg(target_arch = "wasm32")]
fn nfc(text: String) -> String {
    let js = js_sys::JsString::from(text.as_str());
    js.normalize("NFC").as_string().unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composed_and_decomposed_accents_are_one_id() {
        let composed = identifier("id", "caf\u{e9}".into()).unwrap();
        let decomposed = identifier("id", "cafe\u{301}".into()).unwrap();
        assert_eq!(composed, decomposed);
        assert_eq!(composed, "caf\u{e9}");
    }

    #[test]
    fn invisible_and_bidi_characters_are_refused_by_name() {
        for (text, named) in [
            ("c\u{200B}1", "zero-width space (U+200B) at character 2"),
            ("\u{FEFF}c1", "byte order mark (U+FEFF) at character 1"),
            ("c1\u{202E}", "bidirectional embedding or override (U+202E)"),
            ("c\u{2067}1", "bidirectional isolate (U+2067)"),
            ("c\u{200F}1", "right-to-left mark"),
            ("c\u{00A0}1", "space other than the ordinary space"),
        ] {
            let e = identifier("customer", text.into()).unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::InvalidInput);
            assert!(e.message.starts_with("customer: contains"), "{}", e.message);
            assert!(e.message.contains(named), "{}", e.message);
        }
        assert!(identifier("id", " c1".into()).is_err());
        assert!(identifier("id", "c1 ".into()).is_err());
        assert_eq!(
            identifier("id", "Müller & Söhne".into()).unwrap(),
            "Müller & Söhne"
        );
    }
}
