//! A command's answer written as JSON text straight into a byte buffer, byte for byte as
//! `serde_json::to_writer` writes it (the tests compare the two for every result kind),
//! without serde's calls per field and its writes of a few bytes at a time. Used where
//! answers are written in bulk: the batch text door (src/wasm/batch.rs) and the ingest
//! benchmarks, native and in wasm. Refusals and query answers, rarer and of many shapes,
//! are written by serde_json.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::{Accepted, Answer, CommandResult, ExpiredCredit};
use crate::date::Date;
use crate::money::{round_money, Currency, Money};
use crate::parts::{Allocation, CreditPart};

/// Appends `answer` as JSON text to `out`, as `serde_json::to_writer` would.
pub fn write_answer(answer: &Answer, out: &mut Vec<u8>) {
    match answer {
        Answer::Accepted(a) => accepted(a, out),
        // Answers have only string keys and write into memory: this can't fail.
        _ => {
            let _ = serde_json::to_writer(&mut *out, answer);
        }
    }
}

fn accepted(a: &Accepted, out: &mut Vec<u8>) {
    out.extend_from_slice(if a.duplicate {
        b"{\"ok\":true,\"duplicate\":true,\"seq\":"
    } else {
        b"{\"ok\":true,\"duplicate\":false,\"seq\":"
    });
    number(a.seq, out);
    out.extend_from_slice(b",\"id\":");
    string(&a.id, out);
    if a.dry_run {
        out.extend_from_slice(b",\"dry_run\":true");
    }
    let mut w = Fields(out);
    match &a.result {
        CommandResult::CreateCustomer { customer, currency } => {
            w.kind("create_customer");
            w.text("customer", customer);
            w.currency(*currency);
        }
        CommandResult::IssueInvoice {
            invoice,
            number,
            currency,
            total,
            credit_applied,
            amount_due,
        } => {
            w.kind("issue_invoice");
            w.text("invoice", invoice);
            w.text("number", number);
            w.currency(*currency);
            w.money("total", total);
            w.money("credit_applied", credit_applied);
            w.money("amount_due", amount_due);
        }
        CommandResult::RecordPayment {
            payment,
            currency,
            amount,
            allocations,
            credit_created,
        } => {
            w.kind("record_payment");
            w.text("payment", payment);
            w.currency(*currency);
            w.money("amount", amount);
            w.allocations("allocations", allocations);
            w.money("credit_created", credit_created);
        }
        CommandResult::AddCredit {
            credit,
            currency,
            amount,
            valid_until,
        } => {
            w.kind("add_credit");
            w.text("credit", credit);
            w.currency(*currency);
            w.money("amount", amount);
            if let Some(day) = valid_until {
                w.date("valid_until", Some(*day));
            }
        }
        CommandResult::ApplyCredit {
            invoice,
            currency,
            applied,
        } => {
            w.kind("apply_credit");
            w.text("invoice", invoice);
            w.currency(*currency);
            w.money("applied", applied);
        }
        CommandResult::IssueCreditNote {
            credit_note,
            invoice,
            currency,
            amount,
            reduced_amount_due,
            credit_created,
            credit_released,
        } => {
            w.kind("issue_credit_note");
            w.text("credit_note", credit_note);
            if let Some(invoice) = invoice {
                w.text("invoice", invoice);
            }
            w.currency(*currency);
            w.money("amount", amount);
            w.money("reduced_amount_due", reduced_amount_due);
            w.money("credit_created", credit_created);
            w.money("credit_released", credit_released);
        }
        CommandResult::RefundCredit {
            refund,
            currency,
            amount,
            credit_used,
        } => {
            w.kind("refund_credit");
            w.text("refund", refund);
            w.currency(*currency);
            w.money("amount", amount);
            w.credit_parts("credit_used", credit_used);
        }
        CommandResult::VoidPayment {
            payment,
            currency,
            amount,
            reopened,
            credit_withdrawn,
        } => {
            w.kind("void_payment");
            w.text("payment", payment);
            w.currency(*currency);
            w.money("amount", amount);
            w.allocations("reopened", reopened);
            w.money("credit_withdrawn", credit_withdrawn);
        }
        CommandResult::VoidInvoice {
            invoice,
            currency,
            cancelled,
            credit_returned,
            returned,
        } => {
            w.kind("void_invoice");
            w.text("invoice", invoice);
            w.currency(*currency);
            w.money("cancelled", cancelled);
            w.money("credit_returned", credit_returned);
            w.credit_parts("returned", returned);
        }
        CommandResult::Configure {
            invoice_number_format,
            tax_rounding,
        } => {
            w.kind("configure");
            w.text("invoice_number_format", invoice_number_format);
            w.text("tax_rounding", tax_rounding);
        }
        CommandResult::WriteOffInvoice {
            invoice,
            currency,
            written_off,
            tax_reversed,
            bad_debt,
        } => {
            w.kind("write_off_invoice");
            w.text("invoice", invoice);
            w.currency(*currency);
            w.money("written_off", written_off);
            w.money("tax_reversed", tax_reversed);
            w.money("bad_debt", bad_debt);
        }
        CommandResult::ExpireCredit {
            date,
            customer,
            expired,
        } => {
            w.kind("expire_credit");
            w.date("date", Some(*date));
            if let Some(customer) = customer {
                w.text("customer", customer);
            }
            w.expired(expired);
        }
    }
    out.push(b'}');
}

/// Writes `,"name":value` pairs after an object's first field.
struct Fields<'a>(&'a mut Vec<u8>);

impl Fields<'_> {
    fn key(&mut self, name: &str) {
        self.0.extend_from_slice(b",\"");
        self.0.extend_from_slice(name.as_bytes());
        self.0.extend_from_slice(b"\":");
    }

    fn kind(&mut self, name: &str) {
        self.key("type");
        string(name, self.0);
    }

    fn text(&mut self, name: &str, value: &str) {
        self.key(name);
        string(value, self.0);
    }

    fn currency(&mut self, currency: Currency) {
        self.text("currency", currency.code());
    }

    fn money(&mut self, name: &str, value: &Money) {
        self.key(name);
        money(value, self.0);
    }

    fn date(&mut self, name: &str, day: Option<Date>) {
        self.key(name);
        match day {
            Some(day) => date(day, self.0),
            None => self.0.extend_from_slice(b"null"),
        }
    }

    fn allocations(&mut self, name: &str, parts: &[Allocation]) {
        self.key(name);
        self.0.push(b'[');
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                self.0.push(b',');
            }
            self.0.extend_from_slice(b"{\"invoice\":");
            string(&part.invoice, self.0);
            self.0.extend_from_slice(b",\"amount\":");
            money(&part.amount, self.0);
            self.0.push(b'}');
        }
        self.0.push(b']');
    }

    fn credit_parts(&mut self, name: &str, parts: &[CreditPart]) {
        self.key(name);
        self.0.push(b'[');
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                self.0.push(b',');
            }
            self.0.extend_from_slice(b"{\"credit\":");
            string(&part.credit, self.0);
            self.0.extend_from_slice(b",\"amount\":");
            money(&part.amount, self.0);
            self.0.push(b'}');
        }
        self.0.push(b']');
    }

    fn expired(&mut self, parts: &[ExpiredCredit]) {
        self.key("expired");
        self.0.push(b'[');
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                self.0.push(b',');
            }
            self.0.extend_from_slice(b"{\"customer\":");
            string(&part.customer, self.0);
            let mut w = Fields(self.0);
            w.text("credit", &part.credit);
            w.currency(part.currency);
            w.date("valid_until", part.valid_until);
            w.money("amount", &part.amount);
            self.0.push(b'}');
        }
        self.0.push(b']');
    }
}

/// A JSON string, escaped as serde_json escapes: `"` and `\`, the control characters
/// (`\b \t \n \f \r` short, the rest `\u00xx`); everything else as is.
fn string(value: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = value.as_bytes();
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// A whole number in decimal.
fn number(n: u64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    // In 32 bits where it fits: wasm has no 64-bit multiply-high, so a 64-bit division
    // by ten is a hardware divide there, and a 32-bit one a multiplication.
    match u32::try_from(n) {
        Ok(mut n) => loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        },
        Err(_) => {
            let mut n = n;
            loop {
                at -= 1;
                digits[at] = b'0' + (n % 10) as u8;
                n /= 10;
                if n == 0 {
                    break;
                }
            }
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Money as a JSON string at its currency's minor units (as `Money`'s `Display`).
fn money(value: &Money, out: &mut Vec<u8>) {
    out.push(b'"');
    decimal(round_money(value.amount, value.currency), out);
    out.push(b'"');
}

/// A decimal as `DecimalText` writes it: a minus for a negative sign, every digit of the
/// scale kept.
fn decimal(value: Decimal, out: &mut Vec<u8>) {
    let mut text = [0u8; 64];
    let at = crate::money::decimal_digits(value, &mut text);
    out.extend_from_slice(&text[at..]);
}

/// `"YYYY-MM-DD"`, as `Date`'s `Display`.
fn date(day: Date, out: &mut Vec<u8>) {
    let (y, m, d) = day.ymd();
    out.push(b'"');
    if (0..=9999).contains(&y) {
        let y = y as u32;
        let two = |n: u32| [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
        out.extend_from_slice(&two(y / 100));
        out.extend_from_slice(&two(y % 100));
        out.push(b'-');
        out.extend_from_slice(&two(m));
        out.push(b'-');
        out.extend_from_slice(&two(d));
    } else {
        let mut text = String::new();
        let _ = write!(text, "{day}");
        out.extend_from_slice(text.as_bytes());
    }
    out.push(b'"');
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::answer::Refused;
    use crate::error::{Error, ErrorCode};
    use proptest::prelude::*;

    fn same_as_serde(answer: &Answer) {
        let mut ours = b"[".to_vec();
        write_answer(answer, &mut ours);
        let theirs = serde_json::to_vec(answer).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours[1..]),
            String::from_utf8_lossy(&theirs)
        );
    }

    /// Texts with everything serde_json escapes, and what it leaves as is.
    const TEXTS: [&str; 8] = [
        "c-1",
        "",
        "quote \" and \\ backslash",
        "\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f} \u{7f}",
        "é 日本 🦀",
        "/slash/ </script>",
        "\u{2028}\u{2029}",
        "end\\",
    ];

    fn amount(amount: &str, currency: &str) -> Money {
        Money::new(
            amount.parse().unwrap(),
            Currency::from_code(currency).unwrap(),
        )
    }

    /// Every result kind, with optional fields present and absent, lists empty and not.
    fn results(text: &str) -> Vec<CommandResult> {
        let t = || crate::text::Text::from(text);
        let eur = Currency::from_code("EUR").unwrap();
        let jpy = Currency::from_code("JPY").unwrap();
        let day = Date::parse("d", "2026-02-28").unwrap();
        let m = |a: &str| amount(a, "EUR");
        let allocations = vec![
            Allocation {
                invoice: t(),
                amount: m("10.005"),
            },
            Allocation {
                invoice: "i2".into(),
                amount: m("-0.004"),
            },
        ];
        let parts = vec![
            CreditPart {
                credit: t(),
                amount: amount("1234567890123.5", "JPY"),
            },
            CreditPart {
                credit: "p".into(),
                amount: m("0"),
            },
        ];
        vec![
            CommandResult::CreateCustomer {
                customer: t(),
                currency: eur,
            },
            CommandResult::IssueInvoice {
                invoice: t(),
                number: format!("INV-{text}").into(),
                currency: eur,
                total: m("120.5"),
                credit_applied: m("0"),
                amount_due: m("-0.00"),
            },
            CommandResult::RecordPayment {
                payment: t(),
                currency: eur,
                amount: m("99999999999999.99"),
                allocations: allocations.clone(),
                credit_created: m("0.1"),
            },
            CommandResult::RecordPayment {
                payment: t(),
                currency: eur,
                amount: m("1"),
                allocations: vec![],
                credit_created: m("1"),
            },
            CommandResult::AddCredit {
                credit: t(),
                currency: jpy,
                amount: amount("5", "JPY"),
                valid_until: Some(day),
            },
            CommandResult::AddCredit {
                credit: t(),
                currency: eur,
                amount: m("5"),
                valid_until: None,
            },
            CommandResult::ApplyCredit {
                invoice: t(),
                currency: eur,
                applied: m("3.333"),
            },
            CommandResult::IssueCreditNote {
                credit_note: t(),
                invoice: Some(t()),
                currency: eur,
                amount: m("1"),
                reduced_amount_due: m("2"),
                credit_created: m("3"),
                credit_released: m("4"),
            },
            CommandResult::IssueCreditNote {
                credit_note: t(),
                invoice: None,
                currency: eur,
                amount: m("1"),
                reduced_amount_due: m("0"),
                credit_created: m("1"),
                credit_released: m("0"),
            },
            CommandResult::RefundCredit {
                refund: t(),
                currency: jpy,
                amount: amount("7", "JPY"),
                credit_used: parts.clone(),
            },
            CommandResult::VoidPayment {
                payment: t(),
                currency: eur,
                amount: m("8"),
                reopened: allocations,
                credit_withdrawn: m("0.5"),
            },
            CommandResult::VoidInvoice {
                invoice: t(),
                currency: eur,
                cancelled: m("9"),
                credit_returned: m("1"),
                returned: parts,
            },
            CommandResult::Configure {
                invoice_number_format: t(),
                tax_rounding: "line",
            },
            CommandResult::WriteOffInvoice {
                invoice: t(),
                currency: eur,
                written_off: m("10"),
                tax_reversed: m("1.67"),
                bad_debt: m("8.33"),
            },
            CommandResult::ExpireCredit {
                date: day,
                customer: Some(t()),
                expired: vec![
                    ExpiredCredit {
                        customer: t(),
                        credit: "g".into(),
                        currency: eur,
                        valid_until: Some(day),
                        amount: m("2"),
                    },
                    ExpiredCredit {
                        customer: "c".into(),
                        credit: t(),
                        currency: jpy,
                        valid_until: None,
                        amount: amount("3", "JPY"),
                    },
                ],
            },
            CommandResult::ExpireCredit {
                date: Date::parse("d", "0001-01-01").unwrap(),
                customer: None,
                expired: vec![],
            },
        ]
    }

    #[test]
    fn every_result_kind_is_written_as_serde_json_writes_it() {
        let mut kinds = std::collections::BTreeSet::new();
        for text in TEXTS {
            for result in results(text) {
                let r = serde_json::to_value(&result).unwrap();
                kinds.insert(r["type"].as_str().unwrap().to_string());
                for (duplicate, dry_run, seq) in
                    [(false, false, 1), (true, false, u64::MAX), (false, true, 0)]
                {
                    same_as_serde(&Answer::Accepted(Accepted {
                        ok: true,
                        duplicate,
                        seq,
                        id: text.into(),
                        dry_run,
                        result: result.clone(),
                    }));
                }
            }
        }
        assert_eq!(kinds.len(), 12, "{kinds:?}");
    }

    #[test]
    fn refusals_and_query_answers_are_written_as_serde_json_writes_them() {
        for text in TEXTS {
            let error = Error::new(ErrorCode::InvalidAmount, text);
            same_as_serde(&Answer::Refused(Refused {
                ok: false,
                error: error.clone(),
                dry_run: true,
            }));
            same_as_serde(&Answer::refused(error));
        }
        let mut ledger = crate::Ledger::new();
        let _ = ledger.apply_json(r#"{"type":"create_customer","id":"c\"1","currency":"EUR"}"#);
        same_as_serde(&ledger.query_json(r#"{"type":"balance","customer":"c\"1"}"#));
    }

    /// Every answer of the benchmark's ingest (refusals of generated bad commands and
    /// duplicates included).
    #[cfg(feature = "tools")]
    #[test]
    fn the_benchmark_space_answers_are_written_as_serde_json_writes_them() {
        let commands: Vec<String> = crate::workload::generate(50, 5_000, 7)
            .iter()
            .map(|c| c.to_string())
            .collect();
        let mut out = Vec::new();
        let mut kinds = std::collections::HashSet::new();
        crate::workload::bench::ingest(&commands, |answer| {
            out.clear();
            write_answer(answer, &mut out);
            assert_eq!(out, serde_json::to_vec(answer).unwrap());
            if let Answer::Accepted(a) = answer {
                kinds.insert(std::mem::discriminant(&a.result));
            }
        });
        assert!(kinds.len() >= 4, "{}", kinds.len());
    }

    proptest! {
        #[test]
        fn any_text_is_escaped_as_serde_json_escapes_it(text in any::<String>()) {
            let mut ours = Vec::new();
            string(&text, &mut ours);
            prop_assert_eq!(ours, serde_json::to_vec(&text).unwrap());
        }

        #[test]
        // Mantissas and numbers both sides of 2^32 (the digit loops work in 32 bits below it).
        fn any_amount_is_written_as_money_displays(mantissa in prop_oneof![any::<i64>(), -(1i64 << 33)..(1i64 << 33)], scale in 0u32..=8, code in prop::sample::select(vec!["EUR", "JPY", "BHD", "USD"])) {
            let m = Money::new(Decimal::new(mantissa, scale), Currency::from_code(code).unwrap());
            let mut ours = Vec::new();
            money(&m, &mut ours);
            prop_assert_eq!(ours, serde_json::to_vec(&m).unwrap());
        }

        #[test]
        fn any_day_is_written_as_date_displays(days in -800_000i32..3_000_000) {
            if let Some(day) = Date::from_day_number(days) {
                let mut ours = Vec::new();
                date(day, &mut ours);
                prop_assert_eq!(ours, serde_json::to_vec(&day).unwrap());
            }
        }

        #[test]
        fn any_seq_is_written_in_decimal(n in prop_oneof![any::<u64>(), 0u64..(1u64 << 33)]) {
            let mut ours = Vec::new();
            number(n, &mut ours);
            prop_assert_eq!(ours, n.to_string().into_bytes());
        }
    }
}
