//! ISO 4217 currencies and their minor units.

#![warn(missing_docs)]

use std::fmt;

use crate::error::{err, Result};

include!(concat!(env!("OUT_DIR"), "/iso_4217.rs"));

/// An active ISO 4217 currency: its place in the sorted code table, one byte (records
/// that hold a currency are the ledger's most numerous), ordered as its code.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Currency(u8);

/// Hashed as its code and minor units, as when it held them: command fingerprints,
/// which are stored, hash currencies.
impl std::hash::Hash for Currency {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let (code, minor_units) = self.entry();
        code.hash(state);
        minor_units.hash(state);
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The table has fewer than 256 codes, so every place fits the byte.
const _: () = assert!(ISO_4217.len() <= 256);

impl Currency {
    /// Looks up an ISO 4217 code; an unknown or inactive code is `invalid_currency`.
    pub fn parse(field: &str, code: &str) -> Result<Currency> {
        let shown = crate::error::clip(code);
        Currency::from_code(code).ok_or_else(|| {
            err!(
                InvalidCurrency,
                "{field}: '{shown}' is not an ISO 4217 currency code in use"
            )
            .at(field)
            .rule("unknown_currency")
            .with("value", shown.as_ref())
            .word("expected", "ISO 4217")
        })
    }

    /// The currency for a code, if it is an active ISO 4217 code.
    pub fn from_code(code: &str) -> Option<Currency> {
        let bytes: [u8; 3] = code.as_bytes().try_into().ok()?;
        ISO_4217
            .binary_search_by(|(c, _)| c.cmp(&bytes))
            .ok()
            .map(|i| Currency(i as u8))
    }

    /// Its code and minor units (every `Currency` is a place in the table). Not
    /// inlined: one lookup for the many places that read minor units.
    #[inline(never)]
    fn entry(self) -> &'static ([u8; 3], u8) {
        const NONE: &([u8; 3], u8) = &(*b"???", 0);
        ISO_4217.get(usize::from(self.0)).unwrap_or(NONE)
    }

    /// The three-letter code.
    pub fn code(&self) -> &'static str {
        // The table holds ASCII codes only.
        std::str::from_utf8(&self.entry().0).unwrap_or("???")
    }

    /// Number of digits after the decimal point (2 for USD, 0 for JPY, 3 for BHD).
    pub fn minor_units(&self) -> u32 {
        u32::from(self.entry().1)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The code as a string in JSON; its three bytes packed in a u32 in binary formats.
impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(self.code())
        } else {
            let [a, b, c] = self.entry().0;
            s.serialize_u32(u32::from_le_bytes([a, b, c, 0]))
        }
    }
}

impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let unknown = |code: &str| serde::de::Error::custom(format!("unknown currency {code}"));
        if d.is_human_readable() {
            let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            Currency::from_code(&code).ok_or_else(|| unknown(&code))
        } else {
            let [a, b, c, _] = u32::deserialize(d)?.to_le_bytes();
            let code = [a, b, c];
            let text = std::str::from_utf8(&code).map_err(|_| unknown("(not text)"))?;
            Currency::from_code(text).ok_or_else(|| unknown(text))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_follow_iso_4217() {
        // VES and VED are both on ISO's current list (the crate marks VES superseded).
        let listed = [
            ("USD", 2),
            ("EUR", 2),
            ("JPY", 0),
            ("KRW", 0),
            ("BHD", 3),
            ("VES", 2),
            ("VED", 2),
        ];
        for (code, units) in listed {
            assert_eq!(
                Currency::from_code(code).unwrap().minor_units(),
                units,
                "{code}"
            );
        }
    }

    #[test]
    fn inactive_and_unknown_codes_are_refused() {
        for code in ["XYZ", "XAU", "HRK", "usd", "US", "USDD", ""] {
            assert!(Currency::from_code(code).is_none(), "{code}");
        }
    }

    #[test]
    fn hashes_as_its_code_and_minor_units_as_when_it_held_them() {
        use std::hash::{Hash, Hasher};
        let mut a = crate::stable_hash::StableHasher::new();
        let mut b = crate::stable_hash::StableHasher::new();
        Currency::from_code("BHD").unwrap().hash(&mut a);
        b"BHD".hash(&mut b);
        3u8.hash(&mut b);
        assert_eq!(a.finish(), b.finish());
        assert_eq!(format!("{:?}", Currency::from_code("EUR").unwrap()), "EUR");
    }

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(ISO_4217.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(ISO_4217.len() > 150);
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;

    #[test]
    fn currencies_sort_by_code() {
        let mut all: Vec<Currency> = ISO_4217
            .iter()
            .map(|(code, _)| Currency::from_code(std::str::from_utf8(code).unwrap()).unwrap())
            .collect();
        all.reverse();
        all.sort();
        let codes: Vec<&str> = all.iter().map(|c| c.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted);
    }
}
