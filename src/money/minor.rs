//! Money held in records as a whole number of its currency's minor units: 8 bytes where
//! a `Decimal` takes 16, and integer arithmetic where a record only adds and compares.
//!
//! Every amount a record keeps has already been rounded to its currency's minor units
//! (answers print exactly those units), so the integer loses nothing an answer or a
//! snapshot shows. The currency is not kept here: the record that holds the amount knows
//! it, and converting back needs it. `Decimal` stays the type of arithmetic that rounds
//! (tax, proportions, line amounts) and of the contract's edges.

use rust_decimal::Decimal;

use super::{Currency, DecimalText};
use crate::error::{clip, err, Result};

/// The decimal `mantissa × 10^-scale` (scale ≤ 28, as packed forms keep it). Through
/// `from_parts`, which has no panic path (`Decimal::new` checks the scale); zero is never
/// negative.
pub fn from_mantissa(mantissa: i64, scale: u32) -> Decimal {
    let magnitude = mantissa.unsigned_abs();
    Decimal::from_parts(
        magnitude as u32,
        (magnitude >> 32) as u32,
        0,
        mantissa < 0,
        scale,
    )
}

/// An amount in minor units of a currency the holder knows (cents for USD, fils for BHD).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Minor(i64);

impl Minor {
    /// Nothing.
    pub const ZERO: Minor = Minor(0);

    /// The amount, if it has no more decimals than the currency's minor units and its
    /// count of minor units fits in an `i64`; `None` otherwise (the caller refuses the
    /// command in its plan, or keeps a wide form).
    pub fn of(amount: Decimal, currency: Currency) -> Option<Minor> {
        let units = currency.minor_units();
        if amount.scale() == units {
            // What records hold, snapshots store and commands compute: no rescaling.
            return i64::try_from(amount.mantissa()).ok().map(Minor);
        }
        // Through `rescale` (already in the module for rounding) rather than 128-bit
        // division, which would link compiler-builtins' divide. Padding zeros is exact;
        // dropping decimals rounds, so the result is compared with the amount.
        let mut at_units = amount;
        at_units.rescale(units);
        if at_units.scale() != units || at_units != amount {
            return None;
        }
        i64::try_from(at_units.mantissa()).ok().map(Minor)
    }

    /// `Minor::of` for an amount a command brings in, for its plan: an amount with more
    /// minor units than an `i64` counts (only possible in currencies with four minor
    /// units, above about 9.2 × 10^14) is refused as `invalid_amount`, rule `too_large`,
    /// naming `field` and the most the currency can hold. Amounts are already checked
    /// to have no more decimals than the currency's minor units.
    pub fn fit(field: &str, amount: Decimal, currency: Currency) -> Result<Minor> {
        Minor::of(amount, currency).ok_or_else(|| {
            let max = Minor(i64::MAX).decimal(currency);
            let shown = DecimalText(amount.normalize()).to_string();
            err!(
                InvalidAmount,
                "{field}: '{}' is larger than the most the ledger holds in {currency} ({})",
                clip(&shown),
                DecimalText(max)
            )
            .at(field)
            .rule("too_large")
            .with("value", clip(&shown))
            .with("currency", currency)
            .with("max", max)
        })
    }

    /// The amount as a `Decimal` at exactly the currency's minor units (how answers
    /// print it).
    pub fn decimal(self, currency: Currency) -> Decimal {
        from_mantissa(self.0, currency.minor_units())
    }

    /// The count of minor units (for snapshots and sums).
    pub fn units(self) -> i64 {
        self.0
    }

    /// An amount from a count of minor units (a snapshot's).
    pub fn from_units(units: i64) -> Minor {
        Minor(units)
    }

    /// Whether it is nothing.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The sum, if it fits.
    pub fn checked_add(self, other: Minor) -> Option<Minor> {
        self.0.checked_add(other.0).map(Minor)
    }

    /// The difference, if it fits.
    pub fn checked_sub(self, other: Minor) -> Option<Minor> {
        self.0.checked_sub(other.0).map(Minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn cur(code: &str) -> Currency {
        Currency::from_code(code).unwrap()
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn round_trips_at_the_currency_scale() {
        for (text, code, units, back) in [
            ("12.34", "USD", 1234, "12.34"),
            ("12.3", "USD", 1230, "12.30"),
            ("12", "USD", 1200, "12.00"),
            ("12.3400", "USD", 1234, "12.34"),
            ("-0.01", "USD", -1, "-0.01"),
            ("1500", "JPY", 1500, "1500"),
            ("1.250", "BHD", 1250, "1.250"),
            ("0.0001", "CLF", 1, "0.0001"),
            ("0.00", "USD", 0, "0.00"),
            ("-0.00", "USD", 0, "0.00"),
        ] {
            let m = Minor::of(dec(text), cur(code)).expect(text);
            assert_eq!(m.units(), units, "{text} {code}");
            assert_eq!(m.decimal(cur(code)).to_string(), back, "{text} {code}");
            assert_eq!(m.decimal(cur(code)), dec(text), "{text} {code}: same value");
        }
    }

    #[test]
    fn refuses_what_it_cannot_hold_exactly() {
        assert_eq!(Minor::of(dec("0.001"), cur("USD")), None);
        assert_eq!(Minor::of(dec("0.5"), cur("JPY")), None);
        // The engine's largest amount fits at every minor unit count up to three...
        assert!(Minor::of(crate::limits::MAX_AMOUNT, cur("BHD")).is_some());
        // ...and at four only below i64's range.
        assert_eq!(Minor::of(crate::limits::MAX_AMOUNT, cur("CLF")), None);
        assert!(Minor::of(dec("900000000000000"), cur("CLF")).is_some());
        assert_eq!(Minor::of(Decimal::MAX, cur("JPY")), None);
        assert_eq!(Minor::of(Decimal::MAX, cur("CLF")), None);
        assert_eq!(
            Minor::of(dec("0.10000000000000000000000001"), cur("USD")),
            None
        );
        assert_eq!(
            Minor::of(dec("12.340000000000000000000"), cur("USD")),
            Some(Minor(1234))
        );
        assert_eq!(
            Minor::of(dec("922337203685477.5807"), cur("CLF")),
            Some(Minor(i64::MAX))
        );
        assert_eq!(Minor::of(dec("922337203685477.5808"), cur("CLF")), None);
        assert_eq!(
            Minor::of(dec("-922337203685477.5808"), cur("CLF")),
            Some(Minor(i64::MIN))
        );
    }

    #[test]
    fn a_plan_refuses_what_does_not_fit_naming_the_field_and_the_most() {
        let e = Minor::fit("amount", crate::limits::MAX_AMOUNT, cur("CLF")).unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::InvalidAmount);
        let shown = serde_json::to_value(&e).unwrap();
        assert_eq!(shown["field"], "amount");
        assert_eq!(shown["details"]["currency"], "CLF");
        assert_eq!(shown["details"]["rule"], "too_large");
        assert_eq!(shown["details"]["max"], "922337203685477.5807");
        assert!(e.message.contains("922337203685477.5807"), "{}", e.message);
        assert_eq!(
            Minor::fit("amount", dec("922337203685477.5807"), cur("CLF")).map(Minor::units),
            Ok(i64::MAX)
        );
        assert!(Minor::fit("amount", crate::limits::MAX_AMOUNT, cur("BHD")).is_ok());
    }

    #[test]
    fn arithmetic_is_checked() {
        let a = Minor::from_units(i64::MAX);
        assert_eq!(a.checked_add(Minor::from_units(1)), None);
        assert_eq!(
            Minor::from_units(5).checked_sub(Minor::from_units(7)),
            Some(Minor::from_units(-2))
        );
        assert!(Minor::ZERO.is_zero());
    }
}
