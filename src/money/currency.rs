//! ISO 4217 currencies and their minor units.

#![warn(missing_docs)]

use std::fmt;

use crate::error::{err, Result};

include!(concat!(env!("OUT_DIR"), "/iso_4217.rs"));

/// An active ISO 4217 currency. Carries its minor units so money can be rounded and
/// printed without a table lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

/// Ordered by code then minor units, as a derived order would be, but as one integer
/// compare: the general ledger's map compares currencies at every step of a search.
impl Ord for Currency {
    fn cmp(&self, other: &Currency) -> std::cmp::Ordering {
        self.order().cmp(&other.order())
    }
}

impl PartialOrd for Currency {
    fn partial_cmp(&self, other: &Currency) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Currency {
    /// The order as one integer: the code's bytes, then the minor units.
    fn order(self) -> u32 {
        let [a, b, c] = self.code;
        u32::from_be_bytes([a, b, c, self.minor_units])
    }

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
            .map(|i| Currency {
                code: bytes,
                minor_units: ISO_4217[i].1,
            })
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // The table holds ASCII codes only.
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// Number of digits after the decimal point (2 for USD, 0 for JPY, 3 for BHD).
    pub fn minor_units(&self) -> u32 {
        u32::from(self.minor_units)
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
            let [a, b, c] = self.code;
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
        for (code, units) in [("USD", 2), ("EUR", 2), ("JPY", 0), ("KRW", 0), ("BHD", 3)] {
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
            .map(|(code, units)| Currency {
                code: *code,
                minor_units: *units,
            })
            .collect();
        all.reverse();
        all.sort();
        let codes: Vec<[u8; 3]> = all.iter().map(|c| c.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted);
    }
}
