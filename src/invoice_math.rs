//! Invoice line arithmetic, the contract's money rules in one place:
//!
//! - prices exclusive of tax: net = round(q × p × (1 − d)), tax = round(net × r), gross = net + tax
//! - prices inclusive of tax: gross = round(q × p × (1 − d)), tax = round(gross − gross / (1 + r)),
//!   net = gross − tax
//!
//! Rounding is per line, half away from zero, to the currency's minor units; invoice
//! totals are sums of the rounded lines, so they always add up exactly. With invoice
//! tax rounding (`share_tax_per_rate`), tax is rounded once per rate over the invoice
//! and shared out over that rate's lines, so the lines still add up exactly.

#![warn(missing_docs)]

use rust_decimal::Decimal;

use crate::domain::LineInput;
use crate::error::{err, Result};
#[cfg(fast_paths)]
use crate::limits::MAX_AMOUNT_UNITS;
use crate::money::{round_money, Currency, DecimalText, Money, MAX_AMOUNT};
use crate::sort::{order_by, sort_pairs};
use crate::state::records::Line;

/// Computes one line's net, tax and gross, each rounded to the currency's minor units.
/// Natively and in the bulk module, the line's description is left empty (no copy a
/// line): the caller holds the input it came from. `index` only names the line in
/// messages (`lines[2]`). Refuses a line whose exact amount can't be computed in 28
/// digits or whose result exceeds `MAX_AMOUNT`.
pub fn compute_line(
    index: usize,
    input: &LineInput,
    currency: Currency,
    prices_include_tax: bool,
) -> Result<Line> {
    #[cfg(fast_paths)]
    if !prices_include_tax {
        if let Some((net, tax)) = exclusive_in_integers(input, currency.minor_units()) {
            return Ok(Line {
                input: amounts_of(input),
                net,
                tax,
                gross: net + tax,
            });
        }
    }
    compute_any_line(index, input, currency, prices_include_tax)
}

/// A line input's amounts, its description left empty (natively and in the bulk
/// module; the shipped module copies it, in less code).
#[cfg(fast_paths)]
fn amounts_of(input: &LineInput) -> LineInput {
    LineInput {
        description: Default::default(),
        quantity: input.quantity,
        unit_price: input.unit_price,
        tax_rate: input.tax_rate,
        discount_rate: input.discount_rate,
    }
}

/// The line input, description and all.
#[cfg(not(fast_paths))]
fn amounts_of(input: &LineInput) -> LineInput {
    input.clone()
}

/// `compute_line` for every line: decimal arithmetic, and the refusals.
fn compute_any_line(
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
            "lines[{index}]: the line amount {} is larger than the most the ledger accepts ({})",
            DecimalText(rounded),
            DecimalText(MAX_AMOUNT)
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
        input: amounts_of(input),
        net,
        tax,
        gross: net + tax,
    })
}

/// A line with prices exclusive of tax computed on the decimals' integer mantissas
/// (i128), for what nearly every line is: few digits. `None` where any step would not
/// fit rust_decimal exactly (96 bits, 28 decimals) or the amount is over `MAX_AMOUNT`;
/// `compute_line`'s general path then decides, refusals included. The same values, to
/// the scale, as that path (a property test holds them together). Only where speed is
/// worth the bytes.
#[cfg(fast_paths)]
fn exclusive_in_integers(input: &LineInput, units: u32) -> Option<(Decimal, Decimal)> {
    /// The most a mantissa holds: 96 bits.
    const MANTISSA_MAX: i128 = (1 << 96) - 1;
    // An exact product, as `exact_mul` demands: it fits, and its scale is the sum.
    let mul = |(a, sa): (i128, u32), (b, sb): (i128, u32)| {
        let m = match (i32::try_from(a), i32::try_from(b)) {
            // Exact in 64 bits, where wasm multiplies natively: a checked i128 multiply
            // is a library call there, and most operands are this small.
            (Ok(a), Ok(b)) => i128::from(i64::from(a) * i64::from(b)),
            _ => a.checked_mul(b).filter(|m| m.abs() <= MANTISSA_MAX)?,
        };
        let scale = sa + sb;
        (scale <= Decimal::MAX_SCALE).then_some((m, scale))
    };
    // Half away from zero to `units` decimals (a scale below `units` is padded).
    let round = |(m, scale): (i128, u32)| -> Option<i128> {
        if scale <= units {
            return m.checked_mul(10i128.checked_pow(units - scale)?);
        }
        let shift = scale - units;
        // In 64 bits where they fit: an i128 division is a library call.
        if let (Ok(m), true) = (i64::try_from(m), shift <= 18) {
            let div = 10i64.pow(shift);
            let (q, r) = (m / div, m % div);
            return Some(i128::from(if r.abs() * 2 >= div {
                q + m.signum()
            } else {
                q
            }));
        }
        let div = 10i128.pow(shift);
        let (q, r) = (m / div, m % div);
        Some(if r.abs() * 2 >= div {
            q + m.signum()
        } else {
            q
        })
    };
    let parts = |d: Decimal| (d.mantissa(), d.scale());
    let (discount, discount_scale) = parts(input.discount_rate);
    let keep = (10i128.pow(discount_scale) - discount, discount_scale);
    let amount = mul(mul(parts(input.quantity), parts(input.unit_price))?, keep)?;
    let net = round(amount)?;
    if net.abs() > i128::from(MAX_AMOUNT_UNITS) * 10i128.pow(units) {
        return None;
    }
    let tax = round(mul((net, units), parts(input.tax_rate))?)?;
    let at_units = |m: i128| Decimal::try_from_i128_with_scale(m, units).ok();
    Some((at_units(net)?, at_units(tax)?))
}

/// Invoice tax rounding: per tax rate, the tax of the rate's lines taken together
/// (exclusive: round(Σnet × rate); inclusive: round(Σgross − Σgross / (1 + rate))),
/// shared over those lines in proportion to their net (exclusive) or gross (inclusive)
/// amounts by largest remainder: each line gets the floor of its exact share in minor
/// units, and the units left over go to the largest remainders first (earlier lines
/// first on ties). Net or gross is then recomputed so each line still adds up.
pub fn share_tax_per_rate(
    lines: &mut [Line],
    currency: Currency,
    prices_include_tax: bool,
) -> Result<()> {
    let too_large = || {
        err!(
            InvalidAmount,
            "lines: the tax at one rate can't be shared out exactly at these amounts"
        )
        .at("lines")
        .rule("too_many_digits")
    };
    let units = currency.minor_units();
    let to_units = |d: Decimal| -> Result<i128> {
        let mut d = d;
        d.rescale(units);
        Ok(d.mantissa())
    };
    let mut done = vec![false; lines.len()];
    for start in 0..lines.len() {
        if done[start] {
            continue;
        }
        let rate = lines[start].input.tax_rate;
        let members: Vec<usize> = (start..lines.len())
            .filter(|&i| !done[i] && lines[i].input.tax_rate == rate)
            .collect();
        let base = |l: &Line| if prices_include_tax { l.gross } else { l.net };
        let sum: Decimal = members.iter().map(|&i| base(&lines[i])).sum();
        let tax = if prices_include_tax {
            let untaxed = sum.checked_div(Decimal::ONE + rate).ok_or_else(too_large)?;
            round_money(sum - untaxed, currency)
        } else {
            round_money(exact_mul(sum, rate).ok_or_else(too_large)?, currency)
        };
        let (tax_units, sum_units) = (to_units(tax)?, to_units(sum)?);
        let mut shares: Vec<(usize, i128, i128)> = Vec::with_capacity(members.len());
        for &i in &members {
            done[i] = true;
            if sum_units == 0 {
                shares.push((i, 0, 0));
                continue;
            }
            let product = tax_units
                .checked_mul(to_units(base(&lines[i]))?)
                .ok_or_else(too_large)?;
            // Divide by a positive denominator so floor and remainder are well defined.
            let (num, den) = if sum_units > 0 {
                (product, sum_units)
            } else {
                (-product, -sum_units)
            };
            let (share, remainder) = floor_div_rem(num, den);
            shares.push((i, share, remainder));
        }
        let given: i128 = shares.iter().map(|s| s.1).sum();
        let mut left = tax_units - given;
        let remainders: Vec<i128> = shares.iter().map(|s| s.2).collect();
        for k in largest_first(&remainders) {
            if left <= 0 {
                break;
            }
            shares[k as usize].1 += 1;
            left -= 1;
        }
        for (i, share, _) in shares {
            let line_tax = Decimal::from_i128_with_scale(share, units);
            let line = &mut lines[i];
            line.tax = line_tax;
            if prices_include_tax {
                line.net = line.gross - line_tax;
            } else {
                line.gross = line.net + line_tax;
            }
        }
    }
    Ok(())
}

/// `num.div_euclid(den)` and `num.rem_euclid(den)` for `den > 0`, by binary long
/// division: the wasm module then links no 128-bit division routine.
fn floor_div_rem(num: i128, den: i128) -> (i128, i128) {
    let (n, d) = (num.unsigned_abs(), den.unsigned_abs());
    let (mut q, mut r) = (0u128, 0u128);
    for bit in (0..128).rev() {
        // `r < d <= i128::MAX`, so the shift can't lose a bit.
        r = r << 1 | (n >> bit & 1);
        if r >= d {
            r -= d;
            q |= 1 << bit;
        }
    }
    let (q, r) = (q as i128, r as i128);
    match (num < 0, r == 0) {
        (false, _) => (q, r),
        (true, true) => (-q, 0),
        (true, false) => (-q - 1, den - r),
    }
}

/// Positions of non-negative `remainders`, largest first, equal ones in position order.
/// Two passes of the engine's one sort on 64-bit keys: by the low halves, then by the
/// high halves with the first pass's order as the tie.
fn largest_first(remainders: &[i128]) -> Vec<u32> {
    let half = |r: i128, shift: u32| !((r as u128 >> shift) as u64);
    let by_low = order_by(remainders.iter().map(|&r| half(r, 0)));
    let mut by_high: Vec<(u64, u32)> = by_low
        .iter()
        .zip(0u32..)
        .map(|(&at, rank)| (half(remainders[at as usize], 64), rank))
        .collect();
    sort_pairs(&mut by_high);
    by_high
        .into_iter()
        .map(|(_, rank)| by_low[rank as usize])
        .collect()
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
            "lines: the invoice total would be {}; an invoice can't be negative (use a credit note)",
            DecimalText(total)
        )
        .at("lines")
        .rule("negative_total")
        .with("total", total));
    }
    if total > MAX_AMOUNT {
        return Err(err!(
            InvalidAmount,
            "lines: the invoice total {} is larger than the most the ledger accepts ({})",
            DecimalText(total),
            DecimalText(MAX_AMOUNT)
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

    #[test]
    fn floor_division_matches_the_euclidean_one() {
        let values = [
            0,
            1,
            2,
            7,
            -7,
            99,
            -100,
            1 << 64,
            -(1 << 64) - 3,
            (1 << 100) + 12_345,
            -(1 << 120),
            i128::MAX,
            i128::MIN + 1,
        ];
        for &num in &values {
            for &den in values.iter().filter(|d| **d > 0) {
                assert_eq!(
                    floor_div_rem(num, den),
                    (num.div_euclid(den), num.rem_euclid(den)),
                    "{num} / {den}"
                );
            }
        }
    }

    #[test]
    fn largest_remainders_come_first_across_both_halves() {
        let big = 1i128 << 64;
        let remainders = [5, big + 1, 7, big, 5, big + 1, 0, 3 * big];
        assert_eq!(largest_first(&remainders), vec![7, 1, 5, 3, 2, 0, 4, 6]);
        assert_eq!(largest_first(&[]), Vec::<u32>::new());
    }

    fn line(q: &str, p: &str, r: &str, d: &str) -> LineInput {
        LineInput {
            description: "x".into(),
            quantity: q.parse().unwrap(),
            unit_price: p.parse().unwrap(),
            tax_rate: r.parse().unwrap(),
            discount_rate: d.parse().unwrap(),
        }
    }

    /// The integer path computes what the decimal one does, to the scale.
    #[cfg(not(target_arch = "wasm32"))]
    mod integers {
        use super::super::{compute_any_line, exclusive_in_integers};
        use crate::domain::LineInput;
        use crate::money::Currency;
        use proptest::prelude::*;
        use rust_decimal::Decimal;

        fn factor(max_digits: u32) -> impl Strategy<Value = Decimal> {
            (0..=max_digits, 0u32..=10, any::<bool>(), any::<u64>()).prop_map(
                |(digits, scale, negative, seed)| {
                    let m = (seed % 10u64.pow(digits.min(19))) as i64;
                    Decimal::new(if negative { -m } else { m }, scale)
                },
            )
        }

        fn rate(max_scale: u32) -> impl Strategy<Value = Decimal> {
            (0u32..=max_scale, any::<u64>()).prop_map(|(scale, seed)| {
                let one = 10u64.pow(scale);
                Decimal::new((seed % (one + 1)) as i64, scale)
            })
        }

        proptest! {
            #[test]
            fn agrees_with_the_decimal_path(
                quantity in factor(12),
                unit_price in factor(18),
                tax_rate in rate(10),
                discount_rate in rate(10),
                code in prop::sample::select(vec!["EUR", "JPY", "BHD", "CLF"]),
            ) {
                let input = LineInput {
                    description: "x".into(),
                    quantity: quantity.abs(),
                    unit_price,
                    tax_rate: tax_rate * Decimal::from(3),
                    discount_rate,
                };
                let currency = Currency::from_code(code).unwrap();
                let general = compute_any_line(0, &input, currency, false);
                if let Some((net, tax)) = exclusive_in_integers(&input, currency.minor_units()) {
                    let line = general.expect("the decimal path computes what the integer one does");
                    prop_assert_eq!(net.serialize(), line.net.serialize());
                    prop_assert_eq!(tax.serialize(), line.tax.serialize());
                }
            }
        }

        #[test]
        fn small_lines_take_the_integer_path() {
            let input = super::line("3", "49.99", "0.2", "0.05");
            let eur = Currency::from_code("EUR").unwrap();
            assert!(exclusive_in_integers(&input, eur.minor_units()).is_some());
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
