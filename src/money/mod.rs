//! Money: ISO 4217 currencies, strict decimal parsing, rounding to minor units, and the
//! string form money takes in answers.
//!
//! Amounts are `rust_decimal::Decimal` throughout; no float ever touches money. Every
//! input is bounded (`MAX_AMOUNT`) so that no sum the ledger keeps can overflow a
//! `Decimal` (about 7.9e28): 2^32 commands of 10^15 each stay below 5e24. That bound is
//! what lets the apply step of a command use plain arithmetic after validation.

#![warn(missing_docs)]

mod currency;
mod minor;
mod serde_bin;

pub use currency::Currency;
pub use minor::{from_mantissa, Minor};
pub use serde_bin::{dec, dec_pairs};

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::{err, Error, ErrorCode, Result};

pub use crate::limits::{MAX_AMOUNT, MAX_RATE_DECIMALS};

/// Parses a decimal string of the form `-?digits(.digits)?` and nothing else: no
/// exponent, sign `+`, spaces or separators, which `Decimal::from_str` would let through.
/// `field` names the field in a refusal, written only if there is one.
pub fn parse_decimal(field: &dyn fmt::Display, text: &str, code: ErrorCode) -> Result<Decimal> {
    #[cfg(fast_paths)]
    if let Some(plain) = PlainDecimal::read(text) {
        return Ok(plain.decimal());
    }
    parse_any_decimal(field, text, code)
}

/// `parse_decimal` for every text: any length, and the refusals.
fn parse_any_decimal(field: &dyn fmt::Display, text: &str, code: ErrorCode) -> Result<Decimal> {
    let shown = || crate::error::clip(text);
    let bad = || {
        let shown = shown();
        Error::new(
            code,
            format!("{field}: '{shown}' is not a decimal number such as \"100.00\""),
        )
        .at(field.to_string())
        .rule("not_decimal")
        .with("value", shown.as_ref())
        .word("expected", "decimal")
    };
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return Err(bad());
    }
    // Up to 28 decimals and 29 significant digits: the i128 below can't overflow, and
    // `try_from_i128_with_scale` refuses what doesn't fit rust_decimal's 96 bits.
    let significant = int.trim_start_matches('0').len() + frac.map_or(0, str::len);
    if frac.map_or(0, str::len) > 28 || significant > 29 {
        let shown = shown();
        return Err(Error::new(
            code,
            format!("{field}: '{shown}' has more digits than the ledger can hold exactly"),
        )
        .at(field.to_string())
        .rule("too_many_digits")
        .with("value", shown.as_ref()));
    }
    // The grammar is checked, so the digits build the mantissa directly (28 digits fit in
    // 96 bits); this keeps rust_decimal's general string parser out of the wasm.
    let mantissa = int
        .bytes()
        .chain(frac.unwrap_or("").bytes())
        .fold(0i128, |m, b| m * 10 + i128::from(b - b'0'));
    let negative = text.starts_with('-');
    let scale = frac.map_or(0, str::len) as u32;
    Decimal::try_from_i128_with_scale(if negative { -mantissa } else { mantissa }, scale)
        .map_err(|_| bad())
}

/// A decimal text of at most 19 characters after its sign, `-?digits(.digits)?`: what
/// nearly every amount, price and rate is. Read in one pass into a `u64` mantissa, which
/// such a text can't overflow, where speed is worth the bytes; `parse_decimal`'s general
/// path (and every refusal) handles the rest.
#[cfg(fast_paths)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct PlainDecimal {
    mantissa: u64,
    scale: u32,
    negative: bool,
    /// The mantissa and scale without the fraction's trailing zeros, noted while reading:
    /// `normalized` then needs no division (a 64-bit division is a hardware divide in
    /// wasm, where natively it is a multiplication).
    significant: (u64, u32),
}

/// Powers of ten that fit a `u64`, and for each the largest `u64` that can be
/// multiplied by it without overflow: bounds are scaled with one plain multiplication
/// (a checked 128-bit multiply is a library call in wasm).
#[cfg(fast_paths)]
const POW10: [(u64, u64); 20] = {
    let mut p = [(1u64, u64::MAX); 20];
    let mut i = 1;
    while i < 20 {
        p[i].0 = p[i - 1].0 * 10;
        p[i].1 = u64::MAX / p[i].0;
        i += 1;
    }
    p
};

#[cfg(fast_paths)]
impl PlainDecimal {
    fn read(text: &str) -> Option<PlainDecimal> {
        let bytes = text.as_bytes();
        let (negative, digits) = match bytes.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, bytes),
        };
        if digits.is_empty() || digits.len() > 19 {
            return None;
        }
        let (mut mantissa, mut dot) = (0u64, None);
        // The mantissa and the count of fraction digits up to the last one that is not 0.
        let (mut significant, mut fraction) = (0u64, 0u32);
        for (i, &b) in digits.iter().enumerate() {
            match b {
                b'0'..=b'9' => {
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    if dot.is_none() || b != b'0' {
                        significant = mantissa;
                        fraction = dot.map_or(0, |d| (i - d) as u32);
                    }
                }
                // A dot with digits on both sides, once.
                b'.' if dot.is_none() && i > 0 && i + 1 < digits.len() => dot = Some(i),
                _ => return None,
            }
        }
        let scale = dot.map_or(0, |i| digits.len() - 1 - i) as u32;
        Some(PlainDecimal {
            mantissa,
            scale,
            negative,
            significant: (significant, fraction),
        })
    }

    /// Without trailing zeros in the fraction, as `Decimal::normalize` leaves it.
    fn normalized(self) -> PlainDecimal {
        let (mantissa, scale) = self.significant;
        PlainDecimal {
            mantissa,
            scale,
            ..self
        }
    }

    /// Whether `min ≤ self ≤ max`: in integers for whole bounds (every bound the
    /// engine uses), without rescaling decimals.
    fn within(self, min: Decimal, max: Decimal) -> bool {
        if min.scale() != 0 || max.scale() != 0 {
            let value = self.decimal();
            return min <= value && value <= max;
        }
        let value = if self.negative {
            -i128::from(self.mantissa)
        } else {
            i128::from(self.mantissa)
        };
        // A whole bound times 10^scale, when that fits a `u64`.
        let scaled = |bound: i128| {
            let magnitude = u64::try_from(bound.unsigned_abs()).ok()?;
            let (one, max_magnitude) = *POW10.get(self.scale as usize)?;
            (magnitude <= max_magnitude).then(|| {
                let scaled = i128::from(magnitude * one);
                if bound < 0 {
                    -scaled
                } else {
                    scaled
                }
            })
        };
        match (scaled(min.mantissa()), scaled(max.mantissa())) {
            (Some(low), Some(high)) => low <= value && value <= high,
            _ => min <= self.decimal() && self.decimal() <= max,
        }
    }

    /// The same value as the general path builds (`-0` is zero, without a sign).
    fn decimal(self) -> Decimal {
        let mut d = Decimal::from(self.mantissa);
        // A scale of at most 18 is within rust_decimal's 28.
        let _ = d.set_scale(self.scale);
        d.set_sign_negative(self.negative && self.mantissa != 0);
        d
    }
}

/// The rules for an amount a person enters as money, in the two steps the engine
/// applies them: `check_entered` when the command is read (> 0, at most `MAX_AMOUNT`),
/// `check_units` once the currency is known (no more decimals than it allows).
/// `parse_money` is both at once.
pub fn parse_money(field: &str, text: &str, currency: Currency) -> Result<Decimal> {
    let value = parse_decimal(&field, text, ErrorCode::InvalidAmount)?;
    let value = check_entered(field, value, text)?;
    check_units(field, value, currency)
}

/// An entered amount must be more than zero and at most `MAX_AMOUNT`; `text` is how
/// the caller wrote it, for the message. Returns it normalized (`100.00` → `100`).
pub fn check_entered(field: &str, value: Decimal, text: &str) -> Result<Decimal> {
    let shown = crate::error::clip(text);
    if value <= Decimal::ZERO {
        return Err(
            err!(InvalidAmount, "{field}: '{shown}' must be more than zero")
                .at(field)
                .rule("not_positive")
                .with("value", shown),
        );
    }
    if value > MAX_AMOUNT {
        return Err(err!(
            InvalidAmount,
            "{field}: '{shown}' is larger than the most the ledger accepts ({})",
            DecimalText(MAX_AMOUNT)
        )
        .at(field)
        .rule("too_large")
        .with("value", shown)
        .with("max", MAX_AMOUNT));
    }
    Ok(value.normalize())
}

/// An entered amount may have no more decimals than its currency allows (trailing zeros
/// don't count); returns it at exactly the currency's minor units.
pub fn check_units(field: &str, amount: Decimal, currency: Currency) -> Result<Decimal> {
    let units = currency.minor_units();
    if amount.normalize().scale() > units {
        return Err(err!(
            InvalidAmount,
            "{field}: '{}' has more decimals than {currency} allows ({units})",
            DecimalText(amount)
        )
        .at(field)
        .rule("too_many_decimals")
        .with("value", DecimalText(amount).to_string())
        .with("currency", currency)
        .with("max_decimals", units));
    }
    Ok(at_minor_units(amount.normalize(), currency))
}

/// Parses a quantity, unit price or rate: decimal string, at most `MAX_RATE_DECIMALS`
/// places, within `[min, max]`.
/// `field` names the field in a refusal, written only if there is one.
pub fn parse_factor(
    field: &dyn fmt::Display,
    text: &str,
    min: Decimal,
    max: Decimal,
) -> Result<Decimal> {
    let shown = || crate::error::clip(text);
    // A plain text within the rules is answered at once; anything else, refusals
    // included, goes the general way.
    #[cfg(fast_paths)]
    if let Some(plain) = PlainDecimal::read(text).map(PlainDecimal::normalized) {
        if plain.scale <= MAX_RATE_DECIMALS && plain.within(min, max) {
            return Ok(plain.decimal());
        }
    }
    let value = parse_decimal(field, text, ErrorCode::InvalidAmount)?.normalize();
    if value.scale() > MAX_RATE_DECIMALS {
        let shown = shown();
        return Err(err!(
            InvalidAmount,
            "{field}: '{shown}' has more than {MAX_RATE_DECIMALS} decimals"
        )
        .at(field.to_string())
        .rule("too_many_decimals")
        .with("value", shown)
        .with("max_decimals", MAX_RATE_DECIMALS));
    }
    if value < min || value > max {
        let shown = shown();
        return Err(err!(
            InvalidAmount,
            "{field}: '{shown}' must be between {} and {}",
            DecimalText(min),
            DecimalText(max)
        )
        .at(field.to_string())
        .rule("out_of_range")
        .with("value", shown)
        .with("min", min)
        .with("max", max));
    }
    Ok(value)
}

/// Rounds half away from zero to the currency's minor units (never banker's rounding),
/// and sets the scale to exactly those units so the value prints as the contract wants.
pub fn round_money(value: Decimal, currency: Currency) -> Decimal {
    let units = currency.minor_units();
    at_minor_units(
        value.round_dp_with_strategy(units, RoundingStrategy::MidpointAwayFromZero),
        currency,
    )
}

fn at_minor_units(mut value: Decimal, currency: Currency) -> Decimal {
    // Only ever called on values with at most `units` decimals: rescale just pads zeros.
    value.rescale(currency.minor_units());
    if value.is_zero() {
        value.set_sign_positive(true);
    }
    value
}

/// A decimal written as text the way `Decimal`'s `Display` writes it (`-12.50`: a minus
/// for a negative sign, every digit of the scale kept), for answers and messages.
/// rust_decimal's own `Display` goes through its precision handling, a capacity-checked
/// string buffer with its panic path, and `str` joining, all of which the wasm would carry
/// for nothing: the engine never formats a decimal with a width or a precision.
#[derive(Clone, Copy)]
pub struct DecimalText(pub Decimal);

impl fmt::Display for DecimalText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = [0u8; 64];
        let at = decimal_digits(self.0, &mut text);
        f.write_str(std::str::from_utf8(&text[at..]).map_err(|_| fmt::Error)?)
    }
}

/// Writes `value` as [`DecimalText`] does at the end of `text`; answers where it starts.
/// 64 bytes hold any decimal: at most 29 digits, a leading zero, a point and a sign; or
/// a zero, a point and 28 decimals, and a sign.
pub(crate) fn decimal_digits(value: Decimal, text: &mut [u8; 64]) -> usize {
    // The 96-bit mantissa as three words, most significant first (`serialize` is the
    // documented layout: flags, then lo, mid, hi, each little-endian).
    let bytes = value.serialize();
    let word =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let mut words = [word(12), word(8), word(4)];
    let scale = value.scale() as usize;
    let mut at = text.len();
    let mut digits = 0;
    while digits <= scale || words != [0; 3] {
        if digits == scale && scale > 0 {
            at -= 1;
            text[at] = b'.';
        }
        // Below 2^64 (most amounts): one 64-bit division, not three; below 2^32 one
        // 32-bit division, which wasm does as a multiplication where a 64-bit one is a
        // hardware divide (where speed is worth the bytes; the shipped module keeps the
        // one loop).
        let rest = if cfg!(fast_paths) && words[0] == 0 && words[1] == 0 {
            let low = words[2];
            words[2] = low / 10;
            u64::from(low % 10)
        } else if cfg!(fast_paths) && words[0] == 0 {
            let low = u64::from(words[1]) << 32 | u64::from(words[2]);
            let quotient = low / 10;
            words[1] = (quotient >> 32) as u32;
            words[2] = quotient as u32;
            low % 10
        } else {
            let mut rest = 0u64;
            for w in &mut words {
                let part = rest << 32 | u64::from(*w);
                *w = (part / 10) as u32;
                rest = part % 10;
            }
            rest
        };
        at -= 1;
        text[at] = b'0' + rest as u8;
        digits += 1;
    }
    if value.is_sign_negative() {
        at -= 1;
        text[at] = b'-';
    }
    at
}

/// Money as it appears in answers: a string at exactly the currency's minor units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money {
    /// The amount in major units (dollars, not cents); printed rounded to `currency`.
    pub amount: Decimal,
    /// The currency whose minor units decide how the amount prints.
    pub currency: Currency,
}

impl Money {
    /// An amount in a currency, for an answer.
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        DecimalText(round_money(self.amount, self.currency)).fmt(f)
    }
}

impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::from_code("USD").unwrap()
    }

    #[test]
    fn decimal_text_is_what_decimal_display_writes() {
        let mut values = vec![
            Decimal::ZERO,
            -Decimal::ZERO,
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(0, 2),
            Decimal::new(-0, 28),
            Decimal::new(1, 28),
            Decimal::new(-1, 28),
            Decimal::from_i128_with_scale(79_228_162_514_264_337_593_543_950_335, 28),
        ];
        let mut m: i128 = 1;
        for _ in 0..96 {
            for scale in [0, 1, 2, 3, 4, 6, 9, 15, 27, 28] {
                for mantissa in [m, m - 1, -m, m / 3 * 2 + 7] {
                    if let Ok(d) = Decimal::try_from_i128_with_scale(mantissa, scale) {
                        values.push(d);
                    }
                }
            }
            m *= 2;
        }
        for d in values {
            assert_eq!(DecimalText(d).to_string(), d.to_string(), "{d:?}");
        }
    }

    #[test]
    fn max_amount_is_ten_to_the_fifteenth() {
        assert_eq!(MAX_AMOUNT.to_string(), "1000000000000000");
    }

    /// The fast path reads exactly what the general one does, to the scale and sign,
    /// and `Decimal::from_str` agrees on the value.
    #[cfg(not(target_arch = "wasm32"))]
    mod plain {
        use super::super::{parse_any_decimal, PlainDecimal, MAX_AMOUNT};
        use crate::error::ErrorCode;
        use proptest::prelude::*;
        use rust_decimal::Decimal;
        use std::str::FromStr;

        fn same(text: &str) -> Result<(), TestCaseError> {
            let general = parse_any_decimal(&"f", text, ErrorCode::InvalidAmount);
            match PlainDecimal::read(text) {
                Some(plain) => {
                    let general = general.expect("the general path reads what the fast one does");
                    let fast = plain.decimal();
                    prop_assert_eq!(fast.serialize(), general.serialize(), "{}", text);
                    prop_assert_eq!(fast, Decimal::from_str(text).unwrap());
                    let normalized = plain.normalized().decimal();
                    prop_assert_eq!(normalized.serialize(), general.normalize().serialize());
                    for (min, max) in [
                        (Decimal::ZERO, Decimal::from(1_000_000_000)),
                        (-MAX_AMOUNT, MAX_AMOUNT),
                        (Decimal::ZERO, Decimal::ONE),
                        (Decimal::MIN, Decimal::MAX),
                        (Decimal::new(-15, 1), Decimal::new(25, 1)),
                        // Whole bounds on both sides of what 10^scale times them fits
                        // in 64 bits.
                        (Decimal::from(-184), Decimal::from(184)),
                        (Decimal::from(-185), Decimal::from(u64::MAX)),
                        (
                            Decimal::from(1),
                            Decimal::from(18_446_744_073_709_551_615u64 / 10),
                        ),
                    ] {
                        let within = min <= general && general <= max;
                        prop_assert_eq!(plain.within(min, max), within, "{}", text);
                        prop_assert_eq!(plain.normalized().within(min, max), within);
                    }
                }
                // Only long texts are left to the general path, or ones it refuses.
                None => prop_assert!(
                    general.is_err() || text.trim_start_matches('-').len() > 19,
                    "{}",
                    text
                ),
            }
            Ok(())
        }

        #[test]
        fn edges() {
            for text in [
                "0",
                "-0",
                "0.0",
                "-0.00",
                "00",
                "1",
                "-1",
                "9999999999999999999",
                "-999999999999999999.9",
                "0.000000000000000001",
                "18446744073709551615",
                "99999999999999999999",
                "1.",
                ".1",
                "-",
                "",
                "1..2",
                "1.2.3",
                "+1",
                "1e5",
                "12.340",
                "100.00",
                "-",
                "--1",
                "1-",
                " 1",
            ] {
                same(text).unwrap();
            }
        }

        proptest! {
            #[test]
            fn agrees_with_the_general_path(text in "-?[0-9]{1,20}(\\.[0-9]{0,20})?") {
                same(&text)?;
            }

            #[test]
            fn agrees_on_any_text(text in "[-0-9.e+ ]{0,24}") {
                same(&text)?;
            }
        }
    }

    #[test]
    fn strict_grammar() {
        for ok in ["1", "1.5", "-2.25", "0.001", "007"] {
            assert!(
                parse_decimal(&"f", ok, ErrorCode::InvalidAmount).is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "", "1e5", "+1", " 1", "1_000", "1,5", ".5", "5.", "--1", "NaN", "1.2.3",
        ] {
            let e = parse_decimal(&"f", bad, ErrorCode::InvalidAmount).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidAmount, "{bad}");
        }
    }

    #[test]
    fn parsed_values_are_exact() {
        for (text, shown) in [
            ("0", "0"),
            ("-0.50", "-0.50"),
            ("007.10", "7.10"),
            (
                "1234567890123456789012345678",
                "1234567890123456789012345678",
            ),
            (
                "0.0000000000000000000000000001",
                "0.0000000000000000000000000001",
            ),
        ] {
            assert_eq!(
                parse_decimal(&"f", text, ErrorCode::InvalidAmount)
                    .unwrap()
                    .to_string(),
                shown
            );
        }
        assert!(parse_decimal(
            &"f",
            "12345678901234567890123456789",
            ErrorCode::InvalidAmount
        )
        .is_ok());
        for too_big in [
            "123456789012345678901234567890",
            "99999999999999999999999999999",
            "0.00000000000000000000000000001",
        ] {
            assert!(
                parse_decimal(&"f", too_big, ErrorCode::InvalidAmount).is_err(),
                "{too_big}"
            );
        }
    }

    #[test]
    fn money_rules() {
        assert_eq!(
            parse_money("amount", "100", usd()).unwrap().to_string(),
            "100.00"
        );
        assert_eq!(
            parse_money("amount", "10.50", usd()).unwrap().to_string(),
            "10.50"
        );
        assert_eq!(
            parse_money("amount", "10.500", usd()).unwrap().to_string(),
            "10.50"
        );
        for bad in ["10.001", "0", "0.00", "-5.00", "1000000000000000.01"] {
            assert!(parse_money("amount", bad, usd()).is_err(), "{bad}");
        }
        let jpy = Currency::from_code("JPY").unwrap();
        assert!(parse_money("amount", "1.5", jpy).is_err());
        assert_eq!(
            parse_money("amount", "500", jpy).unwrap().to_string(),
            "500"
        );
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        let r = |s: &str| round_money(s.parse().unwrap(), usd()).to_string();
        assert_eq!(r("0.125"), "0.13");
        assert_eq!(r("0.135"), "0.14");
        assert_eq!(r("-0.125"), "-0.13");
        assert_eq!(r("2.5"), "2.50");
        assert_eq!(r("-0.001"), "0.00");
        let bhd = Currency::from_code("BHD").unwrap();
        assert_eq!(
            round_money("1.25".parse().unwrap(), bhd).to_string(),
            "1.250"
        );
    }

    #[test]
    fn error_names_field_and_value() {
        let e = parse_money("amount", "10.001", usd()).unwrap_err();
        assert!(e.message.contains("amount") && e.message.contains("10.001"));
    }
}
