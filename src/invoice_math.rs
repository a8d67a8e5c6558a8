//! Invoice line arithmetic, the contract's money rules in one place:
//!
//! - prices exclusive of tax: net = round(q × p × (1 − d)), tax = round(net × r), gross = net + tax
//! - prices inclusive of tax: gross = round(q × p × (1 − d)), tax = round(gross − gross / (1 + r)),
//!   net = gross − tax
//!
//! Rounding is per line, half away from zero, to the currency's minor units; invoice
//! totals are sums of the rounded lines, so they always add up exactly.

#![warn(missing_docs)]

use rust_decimal::Decimal;

use crate::error::{err, Result};
use crate::input::command::LineInput;
use crate::money::{round_money, Currency, Money, MAX_AMOUNT};
use crate::state::records::Line;

/// Computes one line's net, tax and gross, each rounded to the currency's minor units.
/// `index` only names the line in messages (`lines[2]`). Refuses a line whose exact
/// amount can't be computed in 28 digits or whose result exceeds `MAX_AMOUNT`.
pub fn compute_line(
    index: usize,
    input: &LineInput,
    currency: Currency,
    prices_include_tax: bool,
) -> Result<Line> {
    let too_precise = || {
        err!(
            InvalidAmount,
            "lines[{index}]: quantity × unit_price × (1 − discount_rate) has more digits than can be computed exactly"
        )
        .at(format!("lines[{index}]"))
        .rule("too_many_digits")
    };
    let amount = exact_mul(input.quantity, input.unit_price)
        .and_then(|v| exact_mul(v, Decimal::ONE - input.discount_rate))
        .ok_or_else(too_precise)?;
    let rounded = round_money(amount, currency);
    if rounded.abs() > MAX_AMOUNT {
        return Err(err!(
            InvalidAmount,
            "lines[{index}]: the line amount {rounded} is larger than the most the ledger accepts ({MAX_AMOUNT})"
        )
        .at(format!("lines[{index}]"))
        .rule("too_large")
        .with("value", Money::new(rounded, currency))
        .with("max", MAX_AMOUNT));
    }
    let (net, tax) = if prices_include_tax {
        let gross = rounded;
        // 1 + r ≥ 1 and |gross| ≤ 10^15, so the division can't overflow; it may be
        // inexact, and its 28 significant digits are far below the rounding position.
        let untaxed = gross
            .checked_div(Decimal::ONE + input.tax_rate)
            .ok_or_else(too_precise)?;
        let tax = round_money(gross - untaxed, currency);
        (gross - tax, tax)
    } else {
        let tax = exact_mul(rounded, input.tax_rate).ok_or_else(too_precise)?;
        (rounded, round_money(tax, currency))
    };
    Ok(Line {
        input: input.clone(),
        net,
        tax,
        gross: net + tax,
    })
}

/// `a × b` only when the product is exact (rust_decimal silently rounds past 28 digits).
fn exact_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let product = a.checked_mul(b)?;
    // A zero product comes back at scale 0; it is exact all the same.
    (product.is_zero() || product.scale() == a.scale() + b.scale()).then_some(product)
}

/// `(subtotal, tax, total)` of computed lines: the sums of their net, tax and gross, so
/// they add up exactly. Refuses a negative or oversized total.
pub fn totals(lines: &[Line]) -> Result<(Decimal, Decimal, Decimal)> {
    let subtotal: Decimal = lines.iter().map(|l| l.net).sum();
    let tax: Decimal = lines.iter().map(|l| l.tax).sum();
    let total = subtotal + tax;
    if total.is_sign_negative() && !total.is_zero() {
        return Err(err!(
            InvalidAmount,
            "lines: the invoice total would be {total}; an invoice can't be negative (use a credit note)"
        )
        .at("lines")
        .rule("negative_total")
        .with("total", total));
    }
    if total > MAX_AMOUNT {
        return Err(err!(
            InvalidAmount,
            "lines: the invoice total {total} is larger than the most the ledger accepts ({MAX_AMOUNT})"
        )
        .at("lines")
        .rule("too_large")
        .with("total", total)
        .with("max", MAX_AMOUNT));
    }
    Ok((subtotal, tax, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(q: &str, p: &str, r: &str, d: &str) -> LineInput {
        LineInput {
            description: "x".into(),
            quantity: q.parse().unwrap(),
            unit_price: p.parse().unwrap(),
            tax_rate: r.parse().unwrap(),
            discount_rate: d.parse().unwrap(),
        }
    }

    fn gbp() -> Currency {
        Currency::from_code("GBP").unwrap()
    }

    fn amounts(l: &Line) -> (String, String, String) {
        (l.net.to_string(), l.tax.to_string(), l.gross.to_string())
    }

    #[test]
    fn exclusive_line_with_discount() {
        let l = compute_line(0, &line("1", "10.00", "0.05", "0.15"), gbp(), false).unwrap();
        assert_eq!(amounts(&l), ("8.50".into(), "0.43".into(), "8.93".into()));
    }

    #[test]
    fn inclusive_line() {
        let l = compute_line(0, &line("3", "9.99", "0.07", "0"), gbp(), true).unwrap();
        assert_eq!(amounts(&l), ("28.01".into(), "1.96".into(), "29.97".into()));
    }

    #[test]
    fn yen_rounds_to_whole_units() {
        let jpy = Currency::from_code("JPY").unwrap();
        let l = compute_line(0, &line("1", "1005", "0.10", "0.5"), jpy, false).unwrap();
        // 502.5 → 503 (half away from zero), tax 50.3 → 50.
        assert_eq!(amounts(&l), ("503".into(), "50".into(), "553".into()));
    }

    #[test]
    fn negative_line_rounds_symmetrically() {
        let l = compute_line(0, &line("1", "-0.125", "0", "0"), gbp(), false).unwrap();
        assert_eq!(l.net.to_string(), "-0.13");
    }

    #[test]
    fn zero_tax_rate_is_exact() {
        let l = compute_line(0, &line("1", "120", "0", "0"), gbp(), false).unwrap();
        assert_eq!(
            amounts(&l),
            ("120.00".into(), "0.00".into(), "120.00".into())
        );
    }

    #[test]
    fn inexact_products_are_refused() {
        let e = compute_line(
            0,
            &line(
                "999999999.9999999999",
                "999999999999999.9999999999",
                "0",
                "0",
            ),
            gbp(),
            false,
        );
        assert!(e.is_err());
    }
}
