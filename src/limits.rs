//! Every bound the engine puts on input, in one place, with the relations between them
//! checked when the crate compiles. Messages and refusal details are built from these
//! values, so what a refusal says and what the engine enforces can't drift apart.

use rust_decimal::Decimal;

/// Largest money amount in whole units: any money field, an invoice line's amount, an
/// invoice total. Small enough that no sum the ledger keeps can overflow a `Decimal`.
pub const MAX_AMOUNT_UNITS: i64 = 1_000_000_000_000_000;
/// [`MAX_AMOUNT_UNITS`] as a `Decimal` (10^15).
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);
/// Most decimal places in quantities, unit prices and rates.
pub const MAX_RATE_DECIMALS: u32 = 10;
/// Largest quantity on an invoice line, in whole units.
pub const MAX_QUANTITY_UNITS: i64 = 1_000_000_000;
/// Largest tax rate, as a fraction (10 = 1000%).
pub const MAX_TAX_RATE_UNITS: i64 = 10;
/// Largest discount rate, as a fraction (1 = all of the line).
pub const MAX_DISCOUNT_RATE_UNITS: i64 = 1;
/// Longest text in names, references, reasons and descriptions, in characters.
pub const MAX_TEXT: usize = 500;
/// Longest id, in UTF-8 bytes.
pub const MAX_ID_BYTES: usize = 200;
/// Most lines on one invoice.
pub const MAX_LINES: usize = 1000;
/// Longest array or object read from input (the reader's bound: beyond it the value is
/// unreadable whatever the field).
pub const MAX_ITEMS: usize = 10_000;
/// Deepest nesting any contract shape needs: command → lines → line → value.
pub const MAX_DEPTH: u8 = 3;
/// Most characters of a received value quoted in a message or `details.value`.
pub const CLIP_CHARS: usize = 60;
/// Most zeros in an invoice number's `{seq:000…}` padding.
pub const MAX_SEQ_PADDING: usize = 12;

// The relations the engine relies on, checked at compile time.
const _: () = {
    // Every contract list fits in what the reader reads.
    assert!(MAX_LINES <= MAX_ITEMS);
    // An id is read as text before its byte bound is checked.
    assert!(MAX_ID_BYTES <= MAX_TEXT);
    // command → lines → line → value.
    assert!(MAX_DEPTH >= 3);
    // The whole part of quantity × unit price can't overflow a Decimal (its decimals
    // are checked exactly by `invoice_math`, which refuses what doesn't fit).
    assert!((MAX_QUANTITY_UNITS as i128) * (MAX_AMOUNT_UNITS as i128) < 10i128.pow(28));
    // A billion commands of the largest amount stay far inside a Decimal (~7.9e28).
    assert!((MAX_AMOUNT_UNITS as i128) * (u32::MAX as i128) < 10i128.pow(28));
    // The seq padding keeps numbers readable and within a u64's digits.
    assert!(MAX_SEQ_PADDING <= 20);
    // Refusals quote at most a short part of a value.
    assert!(CLIP_CHARS < MAX_TEXT);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decimal_bound_is_the_whole_unit_bound() {
        assert_eq!(MAX_AMOUNT, Decimal::from(MAX_AMOUNT_UNITS));
    }
}
