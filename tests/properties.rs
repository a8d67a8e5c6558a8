#![cfg(not(target_arch = "wasm32"))]
//! Property tests: random sequences of commands, valid and invalid mixed, fed to the engine
//! as JSON text (`Ledger::apply_json`), with the ledger's invariants checked after every
//! step through its queries (`Ledger::query_json`).
//!
//! Ids come from small pools (customers `c0`..`c3` in USD, EUR or JPY, invoices `i0`..`i9`,
//! payments `p0`..`p7`, other records `k0`..`k15`), so commands often hit existing records,
//! resend earlier commands (duplicates, sometimes written differently) and reuse ids for
//! other content (conflicts). References are mostly resolved as the sequence runs to
//! records accepted so far (`Driver`); amounts, dates, currencies, methods and references
//! are sometimes wrong on purpose (JSON numbers, too many decimals, unknown ids, ...).
//!
//! Checked after every step (`check_invariants`, `run_sequence`):
//! 1. the trial balance sums to zero in every currency;
//! 2. each customer's receivable and credit accounts equal its outstanding and credit;
//! 3. outstanding is the sum of amount_due over the customer's invoices in that currency;
//! 4. 0 ≤ amount_due ≤ total, and amount_due = total − credit_applied − paid − credited;
//! 5. a statement's closing balance equals the balance (and statements cut at a date, the
//!    balance query and a one-currency trial balance agree with the whole);
//! 6. a refused command or a duplicate changes nothing (snapshot bytes), a duplicate
//!    answers what the original did, and a refusal's reason holds (`check_refusal`);
//! 7. snapshot → restore → replay of the rest equals the full ledger, byte for byte, and so
//!    do a replay of the whole journal from scratch and a replay of the journal exported
//!    as JSON;
//! 8. the general ledger line by line (`postings`) sums per account to the trial balance,
//!    each command's lines balance in each currency, and each customer's credit lots add
//!    up to its credit.
//!
//! The commands include write-offs, credit with `valid_until` and `expire_credit`, and
//! `configure` switching tax rounding between line and invoice.
//!
//! And after every accepted command, what it did (`check_effect`): the balance of the one
//! customer and currency it concerns moves as the contract says and nothing else does,
//! its statement entry, payment allocation order, credit taken at issue (only credit
//! usable on the invoice's date), invoice line arithmetic (per line, or per rate under
//! invoice tax rounding) and numbering; a write-off takes exactly what was due, an
//! expiry exactly the listed lots past their date. Money in every answer is written at the currency's minor
//! units.
//!
//! Separate properties: a preview equals the invoice issued from the same draft and
//! changes nothing; a damaged or truncated snapshot is refused with an error, never a
//! panic; a snapshot altered behind a recomputed checksum never makes restore or a query
//! panic.
//!
//! A failure prints the command sequence (one JSON command per line, with its answer).
//! For longer runs, `PROPTEST_CASES=N` scales every property's case count by N/1000 and
//! `TALLY_MAX_STEPS=N` lets the main property's sequences grow to N commands.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use tally::{Ledger, SnapshotPiece};

// ---------------------------------------------------------------------------------------
// Id pools and field generators
// ---------------------------------------------------------------------------------------

const CUSTOMERS: [&str; 4] = ["c0", "c1", "c2", "c3"];
const INVOICES: [&str; 10] = ["i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7", "i8", "i9"];
const PAYMENTS: [&str; 8] = ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"];
const OTHERS: [&str; 16] = [
    "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11", "k12", "k13", "k14",
    "k15",
];

fn all_ids() -> Vec<&'static str> {
    CUSTOMERS
        .iter()
        .chain(&INVOICES)
        .chain(&PAYMENTS)
        .chain(&OTHERS)
        .copied()
        .collect()
}

fn pick(pool: &'static [&'static str]) -> BoxedStrategy<String> {
    prop::sample::select(pool).prop_map(str::to_string).boxed()
}

/// The id of a new record: mostly from its own pool, sometimes any id (a conflict).
fn new_id(pool: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![
        9 => pick(pool),
        1 => prop::sample::select(all_ids()).prop_map(str::to_string),
    ]
    .boxed()
}

/// A reference to a record of the pool: sometimes something else (unknown or of
/// another kind).
fn reference(pool: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![
        12 => pick(pool),
        1 => prop::sample::select(vec!["c0", "i0", "p0", "k0", "nobody"]).prop_map(str::to_string),
    ]
    .boxed()
}

/// A reference to an invoice: mostly `@inv:<n>`, which `Driver` resolves to one of
/// the invoice ids issued earlier in the sequence, else any pool id.
fn invoice_ref() -> BoxedStrategy<String> {
    prop_oneof![
        3 => any::<u8>().prop_map(|n| format!("@inv:{n}")),
        3 => any::<u8>().prop_map(|n| format!("@open:{n}")),
        1 => reference(&INVOICES),
    ]
    .boxed()
}

/// A reference to a payment, like `invoice_ref`.
fn payment_ref() -> BoxedStrategy<String> {
    prop_oneof![
        3 => any::<u8>().prop_map(|n| format!("@pay:{n}")),
        1 => reference(&PAYMENTS),
    ]
    .boxed()
}

/// A customer: mostly the first two (which every sequence creates), sometimes others.
fn customer_ref() -> BoxedStrategy<String> {
    prop_oneof![
        8 => prop::sample::select(vec!["c0", "c1"]).prop_map(str::to_string),
        3 => prop::sample::select(vec!["c2", "c3"]).prop_map(str::to_string),
        1 => prop::sample::select(vec!["i0", "nobody"]).prop_map(str::to_string),
    ]
    .boxed()
}

/// The customer of a command about an invoice: mostly `@owner` (resolved to whoever the
/// invoice was issued to), sometimes any customer (often the wrong one).
fn owner_ref() -> BoxedStrategy<String> {
    prop_oneof![4 => Just("@owner".to_string()), 1 => customer_ref()].boxed()
}

fn date() -> BoxedStrategy<Value> {
    prop_oneof![
        60 => (1u32..=3, 1u32..=28).prop_map(|(m, d)| json!(format!("2026-{m:02}-{d:02}"))),
        1 => prop::sample::select(vec![json!("2026-02-30"), json!("05/01/2026"), json!(20260105)]),
    ]
    .boxed()
}

fn currency() -> BoxedStrategy<Value> {
    prop_oneof![
        30 => prop::sample::select(vec![json!("USD"), json!("EUR"), json!("JPY")]),
        1 => prop::sample::select(vec![json!("XXX"), json!("usd"), json!(840)]),
    ]
    .boxed()
}

fn opt_currency() -> BoxedStrategy<Option<Value>> {
    prop_oneof![4 => Just(None), 1 => currency().prop_map(Some)].boxed()
}

/// Money a person enters: mostly valid for USD/EUR (some too precise for JPY), sometimes
/// plainly wrong (a JSON number, zero, negative, too many decimals, not a number).
fn amount() -> BoxedStrategy<Value> {
    let valid = vec![
        "0.01", "1", "5.00", "10.50", "20", "33.33", "50.00", "80", "100", "120.00", "250.75",
        "1000",
    ];
    let invalid = vec![
        json!(100),
        json!(10.5),
        json!("1.005"),
        json!("0"),
        json!("-10.00"),
        json!("ten"),
        json!(""),
        json!(".5"),
        json!("5."),
        json!("+5"),
        json!(" 5"),
        json!("1e2"),
        json!("0.00"),
        json!("-0"),
        json!("1,000"),
        json!("0.010"),
    ];
    prop_oneof![
        20 => prop::sample::select(valid).prop_map(|s| json!(s)),
        1 => prop::sample::select(invalid),
    ]
    .boxed()
}

/// An amount of credit to use: often all or half of what the customer has (resolved by
/// `Driver`), else any amount.
fn credit_amount() -> BoxedStrategy<Value> {
    prop_oneof![
        1 => Just(json!("@credit")),
        1 => Just(json!("@credit/2")),
        2 => amount(),
    ]
    .boxed()
}

fn method() -> BoxedStrategy<Value> {
    prop_oneof![
        20 => prop::sample::select(vec![
            "cash", "bank_transfer", "card", "direct_debit", "cheque", "other"
        ])
        .prop_map(|s| json!(s)),
        1 => Just(json!("bitcoin")),
    ]
    .boxed()
}

fn maybe<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
    weight_none: u32,
) -> BoxedStrategy<Option<T>> {
    prop_oneof![weight_none => Just(None), 1 => s.prop_map(Some)].boxed()
}

fn line() -> BoxedStrategy<Value> {
    let quantity = prop_oneof![
        40 => prop::sample::select(vec![None, Some("1"), Some("2"), Some("0.5"), Some("3"), Some("1.25")])
            .prop_map(|q| q.map(|q| json!(q))),
        1 => prop::sample::select(vec![Some(json!("0")), Some(json!(2))]),
    ];
    let unit_price = prop_oneof![
        40 => prop::sample::select(vec!["10.00", "99.99", "0.333", "1000", "45.5", "7", "12.345"])
            .prop_map(|p| json!(p)),
        1 => prop::sample::select(vec![json!("-5.00"), json!(12.5), json!("abc")]),
    ];
    let tax_rate = prop::sample::select(vec![
        None,
        Some("0"),
        Some("0.20"),
        Some("0.075"),
        Some("0.1"),
    ]);
    let discount = prop::sample::select(vec![None, None, Some("0"), Some("0.1"), Some("0.5")]);
    (quantity, unit_price, tax_rate, discount)
        .prop_map(|(q, p, t, d)| {
            let mut l = json!({ "description": "Desk", "unit_price": p });
            put(&mut l, "quantity", q);
            put(&mut l, "tax_rate", t.map(|t| json!(t)));
            put(&mut l, "discount_rate", d.map(|d| json!(d)));
            l
        })
        .boxed()
}

fn put(object: &mut Value, key: &str, value: Option<Value>) {
    if let (Some(v), Some(map)) = (value, object.as_object_mut()) {
        map.insert(key.to_string(), v);
    }
}

/// The fields of an invoice draft (issue_invoice without type and id, or preview_invoice).
fn draft() -> BoxedStrategy<Value> {
    (
        customer_ref(),
        maybe(currency(), 5),
        date(),
        maybe(0u32..20, 2),
        prop::collection::vec(line(), 1..=3),
        maybe(any::<bool>(), 2),
        prop_oneof![3 => Just(None), 1 => Just(Some(true)), 2 => Just(Some(false))],
    )
        .prop_map(
            |(customer, cur, date, due_in, lines, inclusive, use_credit)| {
                let mut d = json!({ "customer": customer, "date": date, "lines": lines });
                // A due date some days after the date (or before it: refused with invalid_date).
                if let (Some(days), Some(text)) = (due_in, d["date"].as_str().map(str::to_string)) {
                    let (m, day) = (&text[5..7], text[8..10].parse::<u32>().unwrap_or(1));
                    let due = if days >= 18 {
                        "2025-12-31".to_string()
                    } else {
                        format!("2026-{m}-{:02}", (day + days).min(28))
                    };
                    put(&mut d, "due_date", Some(json!(due)));
                }
                put(&mut d, "currency", cur);
                put(&mut d, "prices_include_tax", inclusive.map(|b| json!(b)));
                put(&mut d, "use_credit", use_credit.map(|b| json!(b)));
                d
            },
        )
        .boxed()
}

fn with_type(kind: &str, id: String, mut fields: Value) -> Value {
    put(&mut fields, "type", Some(json!(kind)));
    put(&mut fields, "id", Some(json!(id)));
    fields
}

/// One command, as a JSON object.
fn command() -> BoxedStrategy<Value> {
    let create_customer = (
        new_id(&CUSTOMERS),
        currency(),
        maybe(Just("a@b.example"), 3),
    )
        .prop_map(|(id, cur, email)| {
            let mut c = json!({ "name": format!("Customer {id}"), "currency": cur });
            put(&mut c, "email", email.map(|e| json!(e)));
            with_type("create_customer", id, c)
        });
    let issue_invoice =
        (new_id(&INVOICES), draft()).prop_map(|(id, d)| with_type("issue_invoice", id, d));
    let allocate_to = prop_oneof![
        3 => Just(None),
        1 => prop::collection::vec(invoice_ref(), 1..=3).prop_map(Some),
    ];
    let record_payment = (
        new_id(&PAYMENTS),
        owner_ref(),
        amount(),
        opt_currency(),
        method(),
        date(),
        maybe(Just("REF-1"), 3),
        allocate_to,
    )
        .prop_map(|(id, customer, amount, cur, method, date, reference, alloc)| {
            let mut c = json!({ "customer": customer, "amount": amount, "method": method, "date": date });
            put(&mut c, "currency", cur);
            put(&mut c, "reference", reference.map(|r| json!(r)));
            put(&mut c, "allocate_to", alloc.map(|a| json!(a)));
            with_type("record_payment", id, c)
        });
    let add_credit = (
        new_id(&OTHERS),
        customer_ref(),
        amount(),
        opt_currency(),
        date(),
        maybe(date(), 1),
    )
        .prop_map(|(id, customer, amount, cur, date, valid_until)| {
            let mut c = json!({ "customer": customer, "amount": amount, "date": date, "reason": "goodwill" });
            put(&mut c, "currency", cur);
            put(&mut c, "valid_until", valid_until);
            with_type("add_credit", id, c)
        });
    let apply_credit = (
        new_id(&OTHERS),
        owner_ref(),
        invoice_ref(),
        maybe(credit_amount(), 1),
        maybe(currency(), 5),
        maybe(date(), 2),
    )
        .prop_map(|(id, customer, invoice, amount, cur, date)| {
            let mut c = json!({ "customer": customer, "invoice": invoice });
            put(&mut c, "amount", amount);
            put(&mut c, "currency", cur);
            put(&mut c, "date", date);
            with_type("apply_credit", id, c)
        });
    let write_off = (new_id(&OTHERS), invoice_ref(), date()).prop_map(|(id, invoice, date)| {
        with_type(
            "write_off_invoice",
            id,
            json!({ "invoice": invoice, "date": date, "reason": "gone" }),
        )
    });
    let expire_credit =
        (new_id(&OTHERS), maybe(customer_ref(), 1), date()).prop_map(|(id, customer, date)| {
            let mut c = json!({ "date": date });
            put(&mut c, "customer", customer.map(|c| json!(c)));
            with_type("expire_credit", id, c)
        });
    let credit_note = (
        new_id(&OTHERS),
        owner_ref(),
        maybe(invoice_ref(), 1),
        amount(),
        maybe(currency(), 6),
        date(),
    )
        .prop_map(|(id, customer, invoice, amount, cur, date)| {
            let mut c = json!({ "customer": customer, "amount": amount, "date": date, "reason": "discount" });
            put(&mut c, "invoice", invoice.map(|i| json!(i)));
            put(&mut c, "currency", cur);
            with_type("issue_credit_note", id, c)
        });
    let refund = (
        new_id(&OTHERS),
        customer_ref(),
        credit_amount(),
        opt_currency(),
        method(),
        date(),
    )
        .prop_map(|(id, customer, amount, cur, method, date)| {
            let mut c =
                json!({ "customer": customer, "amount": amount, "method": method, "date": date });
            put(&mut c, "currency", cur);
            with_type("refund_credit", id, c)
        });
    let void_payment = (
        new_id(&OTHERS),
        payment_ref(),
        date(),
        maybe(Just("bounced"), 1),
    )
        .prop_map(|(id, payment, date, reason)| {
            let mut c = json!({ "payment": payment, "date": date });
            put(&mut c, "reason", reason.map(|r| json!(r)));
            with_type("void_payment", id, c)
        });
    let void_invoice = (
        new_id(&OTHERS),
        invoice_ref(),
        date(),
        maybe(Just("issued in error"), 1),
    )
        .prop_map(|(id, invoice, date, reason)| {
            let mut c = json!({ "invoice": invoice, "date": date });
            put(&mut c, "reason", reason.map(|r| json!(r)));
            with_type("void_invoice", id, c)
        });
    let configure = (
        new_id(&OTHERS),
        prop::sample::select(vec!["{year}-{seq:0000}", "INV-{seq:0000}", "{bogus"]),
        prop::sample::select(vec![None, Some("line"), Some("invoice"), Some("never")]),
    )
        .prop_map(|(id, format, rounding)| {
            let mut c = json!({ "invoice_number_format": format });
            put(&mut c, "tax_rounding", rounding.map(|r| json!(r)));
            with_type("configure", id, c)
        });
    let malformed = prop::sample::select(vec![
        json!({ "type": "record_payment", "id": "p0" }),
        json!({ "type": "teleport", "id": "k0" }),
        json!({ "id": "k1", "customer": "c0" }),
        json!({ "type": "add_credit", "id": "k2", "customer": "c0", "amount": "5", "date": "2026-01-02", "reason": "x", "colour": "blue" }),
        json!([1, 2, 3]),
    ]);
    prop_oneof![
        1 => create_customer,
        9 => issue_invoice,
        6 => record_payment,
        3 => add_credit,
        5 => apply_credit,
        3 => credit_note,
        2 => refund,
        3 => void_payment,
        3 => void_invoice,
        2 => configure,
        2 => write_off,
        2 => expire_credit,
        1 => malformed,
    ]
    .boxed()
}

/// A step of a generated sequence: a command, or a resend of an earlier one (a duplicate
/// if that one was accepted), possibly written differently (`at`, `by`, amount digits).
#[derive(Clone, Debug)]
enum Step {
    Command(Value),
    Resend { which: Index, new_audit: bool },
}

fn step() -> BoxedStrategy<Step> {
    prop_oneof![
        10 => command().prop_map(Step::Command),
        1 => (any::<Index>(), any::<bool>())
            .prop_map(|(which, new_audit)| Step::Resend { which, new_audit }),
    ]
    .boxed()
}

/// Customers `c0` and `c1` (sometimes `c2`) first, so most commands have someone to act
/// on, then the steps.
fn sequence(steps: std::ops::RangeInclusive<usize>) -> BoxedStrategy<Vec<Step>> {
    let valid_currency = || prop::sample::select(vec!["USD", "EUR", "JPY"]);
    let opening = (
        valid_currency(),
        valid_currency(),
        maybe(valid_currency(), 1),
    )
        .prop_map(|(c0, c1, c2)| {
            let mut out = Vec::new();
            for (id, cur) in [("c0", Some(c0)), ("c1", Some(c1)), ("c2", c2)] {
                if let Some(cur) = cur {
                    out.push(Step::Command(with_type(
                        "create_customer",
                        id.to_string(),
                        json!({ "name": format!("Customer {id}"), "currency": cur }),
                    )));
                }
            }
            out
        });
    (opening, prop::collection::vec(step(), steps))
        .prop_map(|(mut a, b)| {
            a.extend(b);
            a
        })
        .boxed()
}

/// Turns generated steps into JSON command texts as the sequence runs: `@inv:<n>` and
/// `@pay:<n>` become ids of invoices and payments accepted so far, `@owner` the customer
/// of the command's invoice, and a resend copies an earlier command.
#[derive(Default)]
struct Driver {
    /// (invoice id, customer) of every accepted invoice.
    invoices: Vec<(String, String)>,
    /// Ids of every accepted payment.
    payments: Vec<String>,
    /// Every command sent, in order.
    sent: Vec<String>,
}

impl Driver {
    fn pick(ids: &[String], n: &str, fallback: &str) -> String {
        let n: usize = n.parse().unwrap_or(0);
        if ids.is_empty() {
            fallback.to_string()
        } else {
            ids[n % ids.len()].clone()
        }
    }

    /// Resolves `@inv:<n>`, `@open:<n>` (an invoice still asking for money, if any) and
    /// `@pay:<n>` anywhere in the command.
    fn resolve_refs(&self, ledger: &Ledger, v: &mut Value) {
        match v {
            Value::String(s) => {
                let all: Vec<String> = self.invoices.iter().map(|(i, _)| i.clone()).collect();
                if let Some(n) = s.strip_prefix("@inv:") {
                    *s = Driver::pick(&all, n, "i0");
                } else if let Some(n) = s.strip_prefix("@open:") {
                    let open: Vec<String> = ledger
                        .state()
                        .invoices
                        .iter()
                        .filter(|i| !i.amount_due().is_zero())
                        .map(|i| i.id.to_string())
                        .collect();
                    *s = Driver::pick(if open.is_empty() { &all } else { &open }, n, "i0");
                } else if let Some(n) = s.strip_prefix("@pay:") {
                    *s = Driver::pick(&self.payments, n, "p0");
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.resolve_refs(ledger, i)),
            Value::Object(map) => map.values_mut().for_each(|i| self.resolve_refs(ledger, i)),
            _ => {}
        }
    }

    /// A correction (void, credit note on an invoice) can't predate what it corrects: most
    /// of the time (not when the day is a multiple of 4), one dated before its record is
    /// moved to the record's date.
    fn date_after_record(ledger: &Ledger, v: &mut Value) {
        let Some(date) = v["date"].as_str().map(str::to_string) else {
            return;
        };
        if date.ends_with('4') || date.ends_with('8') {
            return;
        }
        let state = ledger.state();
        let record_date = match (
            v["type"].as_str(),
            v["invoice"].as_str(),
            v["payment"].as_str(),
        ) {
            (
                Some("void_invoice" | "issue_credit_note" | "write_off_invoice" | "apply_credit"),
                Some(id),
                _,
            ) => state.invoices.iter().find(|i| i.id == id).map(|i| i.date),
            (Some("void_payment"), _, Some(id)) => state
                .payments
                .iter()
                .find(|p| state.texts.get(p.id) == id)
                .map(|p| p.date),
            _ => None,
        };
        if let Some(d) = record_date.map(|d| d.to_string()).filter(|d| *d > date) {
            v["date"] = json!(d);
        }
    }

    /// Resolves an amount of `@credit` (all the customer's credit in the command's
    /// currency) or `@credit/2` (half of it, rounded down to cents).
    fn resolve_credit(ledger: &Ledger, v: &mut Value) {
        let Some(which) = v["amount"].as_str().filter(|a| a.starts_with("@credit")) else {
            return;
        };
        let half = which.ends_with("/2");
        let mut q = json!({ "type": "balance", "customer": v["customer"] });
        put(&mut q, "currency", v.get("currency").cloned());
        let balance = serde_json::to_value(ledger.query_json(&q.to_string())).expect("serializes");
        let credit = balance["credit"]
            .as_str()
            .and_then(|c| Decimal::from_str(c).ok())
            .unwrap_or_default();
        let amount = if half {
            (credit / Decimal::TWO)
                .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::ToZero)
        } else {
            credit
        };
        v["amount"] = json!(amount.to_string());
    }

    /// Resolves `@owner`: the customer of the command's invoice (or of its first
    /// allocate_to invoice, or of the latest invoice).
    fn resolve_owner(&self, v: &mut Value) {
        if v["customer"] != json!("@owner") {
            return;
        }
        let invoice = v["invoice"]
            .as_str()
            .or_else(|| v["allocate_to"][0].as_str())
            .map(str::to_string);
        let owner = |id: &str| {
            self.invoices
                .iter()
                .find(|(i, _)| i == id)
                .map(|(_, c)| c.clone())
        };
        let customer = match invoice {
            Some(id) => owner(&id),
            None => self.invoices.last().map(|(_, c)| c.clone()),
        }
        .unwrap_or_else(|| "c0".to_string());
        v["customer"] = json!(customer);
    }

    /// The next command's text, or None for a resend with nothing before it.
    fn next(&mut self, ledger: &Ledger, step: &Step) -> Option<String> {
        let text = match step {
            Step::Command(v) => {
                let mut v = v.clone();
                // Placeholders in allocate_to resolve to distinct invoices.
                if let Some(list) = v.get_mut("allocate_to").and_then(Value::as_array_mut) {
                    let mut seen = BTreeSet::new();
                    list.retain(|x| {
                        x.as_str()
                            .is_none_or(|s| !s.starts_with('@') || seen.insert(s.to_string()))
                    });
                }
                self.resolve_refs(ledger, &mut v);
                if let Some(list) = v.get_mut("allocate_to").and_then(Value::as_array_mut) {
                    let mut seen = BTreeSet::new();
                    list.retain(|x| seen.insert(x.to_string()));
                }
                self.resolve_owner(&mut v);
                Driver::resolve_credit(ledger, &mut v);
                Driver::date_after_record(ledger, &mut v);
                v.to_string()
            }
            Step::Resend { which, new_audit } => {
                if self.sent.is_empty() {
                    return None;
                }
                let earlier = self.sent[which.index(self.sent.len())].clone();
                if *new_audit {
                    // The same command written differently: other audit fields, and
                    // amounts with a trailing zero ("10.5" -> "10.50", "100" -> "100.0").
                    let mut v: Value = serde_json::from_str(&earlier).expect("our own JSON");
                    put(&mut v, "at", Some(json!("2026-04-01T09:30:00Z")));
                    put(&mut v, "by", Some(json!("resender")));
                    if let Some(a) = v["amount"]
                        .as_str()
                        .filter(|a| Decimal::from_str(a).is_ok())
                    {
                        let longer = if a.contains('.') {
                            format!("{a}0")
                        } else {
                            format!("{a}.0")
                        };
                        v["amount"] = json!(longer);
                    }
                    v.to_string()
                } else {
                    earlier
                }
            }
        };
        self.sent.push(text.clone());
        Some(text)
    }

    /// Notes what the last command created, from its answer.
    fn answered(&mut self, answer: &Value) {
        if answer["ok"] != json!(true) || answer["duplicate"] == json!(true) {
            return;
        }
        let command: Value = serde_json::from_str(self.sent.last().expect("sent")).expect("JSON");
        match answer["type"].as_str() {
            Some("issue_invoice") => {
                if let (Some(id), Some(customer)) =
                    (answer["invoice"].as_str(), command["customer"].as_str())
                {
                    self.invoices.push((id.to_string(), customer.to_string()));
                }
            }
            Some("record_payment") => {
                if let Some(id) = answer["payment"].as_str() {
                    self.payments.push(id.to_string());
                }
            }
            _ => {}
        }
    }
}

/// Runs the steps on a fresh ledger; returns it with the commands sent.
fn run_plain(steps: &[Step]) -> (Ledger, Vec<String>) {
    let mut ledger = Ledger::new();
    let mut driver = Driver::default();
    for step in steps {
        if let Some(command) = driver.next(&ledger, step) {
            let answer = apply(&mut ledger, &command);
            driver.answered(&answer);
        }
    }
    (ledger, driver.sent)
}

// ---------------------------------------------------------------------------------------
// Reading answers
// ---------------------------------------------------------------------------------------

type Check = Result<(), String>;

fn dec(v: &Value) -> Result<Decimal, String> {
    let s = v
        .as_str()
        .ok_or_else(|| format!("expected a money string, got {v}"))?;
    Decimal::from_str(s).map_err(|e| format!("'{s}' is not a decimal: {e}"))
}

fn text(v: &Value) -> Result<String, String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("expected a string, got {v}"))
}

fn query(ledger: &Ledger, q: Value) -> Result<Value, String> {
    let answer =
        serde_json::to_value(ledger.query_json(&q.to_string())).expect("answers serialize");
    if answer["ok"] != json!(true) {
        return Err(format!("query {q} was refused: {answer}"));
    }
    check_money_format(&answer, None).map_err(|e| format!("query {q}: {e}: {answer}"))?;
    Ok(answer)
}

/// Keys whose string values are money (where they parse as a decimal).
const MONEY_KEYS: [&str; 22] = [
    "amount",
    "total",
    "subtotal",
    "tax",
    "credit_applied",
    "paid",
    "credited",
    "amount_due",
    "net",
    "gross",
    "outstanding",
    "credit",
    "balance",
    "opening_balance",
    "closing_balance",
    "debit",
    "credit_created",
    "reduced_amount_due",
    "applied",
    "cancelled",
    "credit_returned",
    "credit_withdrawn",
];

fn minor_units(currency: &str) -> Option<usize> {
    match currency {
        "USD" | "EUR" => Some(2),
        "JPY" => Some(0),
        _ => None,
    }
}

/// Every money string in an answer is written at exactly its currency's minor units:
/// "-"? digits (no leading zeros), then "." and that many digits unless there are none;
/// never "-0".
fn check_money_format(v: &Value, currency: Option<&str>) -> Check {
    match v {
        Value::Object(map) => {
            let currency = map.get("currency").and_then(Value::as_str).or(currency);
            for (k, x) in map {
                if let (Some(text), Some(cur)) = (x.as_str(), currency) {
                    if MONEY_KEYS.contains(&k.as_str()) && Decimal::from_str(text).is_ok() {
                        let Some(units) = minor_units(cur) else {
                            continue;
                        };
                        let unsigned = text.strip_prefix('-').unwrap_or(text);
                        let (int, frac) = match unsigned.split_once('.') {
                            Some((i, f)) => (i, Some(f)),
                            None => (unsigned, None),
                        };
                        let ok = !int.is_empty()
                            && int.bytes().all(|b| b.is_ascii_digit())
                            && (int == "0" || !int.starts_with('0'))
                            && match frac {
                                None => units == 0,
                                Some(f) => {
                                    f.len() == units && f.bytes().all(|b| b.is_ascii_digit())
                                }
                            }
                            && !(text.starts_with('-')
                                && Decimal::from_str(text).is_ok_and(|d| d.is_zero()));
                        ensure(ok, || format!("{k} = '{text}' is not {cur} money"))?;
                    }
                }
                check_money_format(x, currency)?;
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter()
            .try_for_each(|x| check_money_format(x, currency)),
        _ => Ok(()),
    }
}

fn apply(ledger: &mut Ledger, command: &str) -> Value {
    serde_json::to_value(ledger.apply_json(command)).expect("answers serialize")
}

fn ensure(cond: bool, msg: impl FnOnce() -> String) -> Check {
    if cond {
        Ok(())
    } else {
        Err(msg())
    }
}

// ---------------------------------------------------------------------------------------
// Invariants 1-5
// ---------------------------------------------------------------------------------------

/// Statements from and to a date agree with the whole statement's `entries`.
fn check_cut_statements(ledger: &Ledger, id: &str, cur: &str, entries: &[Value]) -> Check {
    let cut = "2026-02-15";
    let signed =
        |e: &Value| -> Result<Decimal, String> { Ok(dec(&e["debit"])? - dec(&e["credit"])?) };
    let mut before_cut = Decimal::ZERO;
    let mut through_cut = Decimal::ZERO;
    let mut from_cut = Vec::new();
    let mut to_cut = Vec::new();
    for e in entries {
        let date = text(&e["date"])?;
        if date.as_str() < cut {
            before_cut += signed(e)?;
        } else {
            from_cut.push(e.clone());
        }
        if date.as_str() <= cut {
            through_cut += signed(e)?;
            to_cut.push(e.clone());
        }
    }
    let from = query(
        ledger,
        json!({ "type": "statement", "customer": id, "currency": cur, "from": cut }),
    )?;
    ensure(dec(&from["opening_balance"])? == before_cut, || {
        format!(
            "statement of {id} {cur} from {cut} opens at {}, entries before sum to {before_cut}",
            from["opening_balance"]
        )
    })?;
    ensure(from["entries"] == json!(from_cut), || {
        format!("statement of {id} {cur} from {cut} has other entries than the whole one's from that date: {from}")
    })?;
    let to = query(
        ledger,
        json!({ "type": "statement", "customer": id, "currency": cur, "to": cut }),
    )?;
    ensure(dec(&to["closing_balance"])? == through_cut, || {
        format!("statement of {id} {cur} to {cut} closes at {}, entries through it sum to {through_cut}", to["closing_balance"])
    })?;
    ensure(to["entries"] == json!(to_cut), || {
        format!("statement of {id} {cur} to {cut} has other entries than the whole one's through that date: {to}")
    })?;
    Ok(())
}

/// What the invariant checks read, kept to check the next command's effect against.
#[derive(Clone, Debug, Default)]
struct View {
    /// (customer, currency) -> (outstanding, credit).
    balances: BTreeMap<(String, String), (Decimal, Decimal)>,
    /// (customer, currency) -> number of statement entries.
    entries: BTreeMap<(String, String), Vec<Value>>,
    /// Invoice answers by id, and the ids in issue order.
    invoices: BTreeMap<String, Value>,
    issue_order: Vec<String>,
    /// Each customer's billing currency.
    currency_of: BTreeMap<String, String>,
    /// (customer, currency) -> its credit lots as (valid_until, remaining).
    lots: BTreeMap<(String, String), Vec<Lot>>,
}

impl View {
    fn balance(&self, key: &(String, String)) -> (Decimal, Decimal) {
        self.balances.get(key).copied().unwrap_or_default()
    }

    fn invoice(&self, id: &str) -> Result<&Value, String> {
        self.invoices
            .get(id)
            .ok_or_else(|| format!("invoice {id} is not in the view"))
    }

    /// Credit usable on `date`: lots whose `valid_until` is absent or not before it.
    fn usable(&self, key: &(String, String), date: &str) -> Decimal {
        self.lots
            .get(key)
            .into_iter()
            .flatten()
            .filter(|(until, _)| until.as_deref().is_none_or(|u| u >= date))
            .map(|(_, r)| *r)
            .sum()
    }

    fn invoice_key(&self, id: &str) -> Result<(String, String), String> {
        let inv = self.invoice(id)?;
        Ok((text(&inv["customer"])?, text(&inv["currency"])?))
    }
}

/// A credit lot as the `credits` query shows it: (valid_until, remaining).
type Lot = (Option<String>, Decimal);

/// Tax rounded per invoice, one rate: (rate, Σ base, Σ line tax, each line's (base, tax)).
type RateGroup = (Decimal, Decimal, Decimal, Vec<(Decimal, Decimal)>);

/// Checks invariants 1 to 5 on the ledger as it is and returns what it read. `invoices`
/// are the ids of accepted invoices in issue order; the ledger holds no others.
fn check_invariants(ledger: &Ledger, invoices: &[String]) -> Result<View, String> {
    let mut view = View {
        issue_order: invoices.to_vec(),
        ..View::default()
    };
    // 1. The trial balance sums to zero in every currency (its totals, and our own sum).
    let tb = query(ledger, json!({ "type": "trial_balance" }))?;
    let mut accounts: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    let mut sums: BTreeMap<String, Decimal> = BTreeMap::new();
    for row in tb["accounts"]
        .as_array()
        .ok_or("trial balance without accounts")?
    {
        let (name, cur, bal) = (
            text(&row["account"])?,
            text(&row["currency"])?,
            dec(&row["balance"])?,
        );
        *sums.entry(cur.clone()).or_default() += bal;
        ensure(
            accounts.insert((name.clone(), cur.clone()), bal).is_none(),
            || format!("account {name} in {cur} listed twice"),
        )?;
    }
    for t in tb["totals"]
        .as_array()
        .ok_or("trial balance without totals")?
    {
        let (cur, total) = (text(&t["currency"])?, dec(&t["total"])?);
        ensure(total.is_zero(), || {
            format!("trial balance total in {cur} is {total}: {tb}")
        })?;
    }
    for (cur, sum) in &sums {
        ensure(sum.is_zero(), || {
            format!("trial balance accounts in {cur} sum to {sum}: {tb}")
        })?;
        // The trial balance of one currency is that currency's part of the whole.
        let one = query(ledger, json!({ "type": "trial_balance", "currency": cur }))?;
        let part: Vec<&Value> = tb["accounts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["currency"] == json!(cur))
            .collect();
        let got: Vec<&Value> = one["accounts"].as_array().into_iter().flatten().collect();
        ensure(got == part, || {
            format!("trial balance of {cur} {one} is not the {cur} part of {tb}")
        })?;
    }

    // 3/4. Every accepted invoice: amount_due within [0, total] and adding up.
    let mut due_sums: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    for id in invoices {
        let inv = query(ledger, json!({ "type": "invoice", "invoice": id }))?;
        let (total, due) = (dec(&inv["total"])?, dec(&inv["amount_due"])?);
        let (applied, paid, credited, written_off) = (
            dec(&inv["credit_applied"])?,
            dec(&inv["paid"])?,
            dec(&inv["credited"])?,
            dec(&inv["written_off"])?,
        );
        let status = text(&inv["status"])?;
        ensure(due >= Decimal::ZERO && due <= total, || {
            format!("invoice {id}: amount_due {due} outside [0, total {total}]: {inv}")
        })?;
        ensure(
            applied >= Decimal::ZERO
                && paid >= Decimal::ZERO
                && credited >= Decimal::ZERO
                && written_off >= Decimal::ZERO,
            || {
                format!(
                    "invoice {id}: a negative credit_applied, paid, credited or written_off: {inv}"
                )
            },
        )?;
        if status == "void" {
            ensure(due.is_zero(), || {
                format!("void invoice {id} still asks for {due}: {inv}")
            })?;
        } else {
            ensure(
                due == total - applied - paid - credited - written_off,
                || {
                    format!("invoice {id}: amount_due {due} != total − credit_applied − paid − credited − written_off: {inv}")
                },
            )?;
            let expected = if due.is_zero() && written_off.is_zero() {
                "paid"
            } else if due.is_zero() {
                "written_off"
            } else if (applied + paid).is_zero() {
                "open"
            } else {
                "partially_paid"
            };
            ensure(status == expected, || {
                format!("invoice {id}: status {status}, expected {expected}: {inv}")
            })?;
        }
        let key = (text(&inv["customer"])?, text(&inv["currency"])?);
        *due_sums.entry(key).or_default() += due;
        view.invoices.insert(id.clone(), inv);
    }
    let held = ledger.state().invoices.len();
    ensure(held == invoices.len(), || {
        format!(
            "the ledger holds {held} invoices, {} were accepted",
            invoices.len()
        )
    })?;
    for id in INVOICES {
        if !invoices.iter().any(|i| i == id) {
            let a = serde_json::to_value(
                ledger.query_json(&json!({ "type": "invoice", "invoice": id }).to_string()),
            )
            .expect("answers serialize");
            ensure(a["ok"] == json!(false), || {
                format!("'{id}' answers as an invoice though no invoice was accepted with it: {a}")
            })?;
        }
    }

    // 2, 3, 5. Per customer and currency.
    let customers = query(ledger, json!({ "type": "customers" }))?;
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for c in customers["customers"]
        .as_array()
        .ok_or("customers answer without customers")?
    {
        let id = text(&c["id"])?;
        view.currency_of.insert(id.clone(), text(&c["currency"])?);
        ensure(c["balances"][0]["currency"] == c["currency"], || {
            format!("customer {id}: the billing currency's balance is not first: {c}")
        })?;
        for b in c["balances"]
            .as_array()
            .ok_or("customer without balances")?
        {
            let cur = text(&b["currency"])?;
            let (outstanding, credit, balance) = (
                dec(&b["outstanding"])?,
                dec(&b["credit"])?,
                dec(&b["balance"])?,
            );
            ensure(seen.insert((id.clone(), cur.clone())), || {
                format!("customer {id} lists {cur} twice: {c}")
            })?;
            view.balances
                .insert((id.clone(), cur.clone()), (outstanding, credit));
            ensure(balance == outstanding - credit, || {
                format!("customer {id} {cur}: balance != outstanding − credit: {b}")
            })?;
            ensure(
                outstanding >= Decimal::ZERO && credit >= Decimal::ZERO,
                || format!("customer {id} {cur}: negative outstanding or credit: {b}"),
            )?;
            // 2. The general ledger agrees with the sub-ledger.
            let account = |name: &str| {
                accounts
                    .get(&(format!("{name}:{id}"), cur.clone()))
                    .copied()
                    .unwrap_or_default()
            };
            let (receivable, credit_account) = (account("receivable"), account("customer_credit"));
            ensure(receivable == outstanding, || {
                format!("customer {id} {cur}: receivable account {receivable} != outstanding {outstanding}")
            })?;
            ensure(credit_account == -credit, || {
                format!("customer {id} {cur}: customer_credit account {credit_account} != −credit {credit}")
            })?;
            // 3. Outstanding is the sum of its invoices' amount_due.
            let due_sum = due_sums
                .get(&(id.clone(), cur.clone()))
                .copied()
                .unwrap_or_default();
            ensure(due_sum == outstanding, || {
                format!(
                    "customer {id} {cur}: outstanding {outstanding} != sum of amount_due {due_sum}"
                )
            })?;
            // 5. The statement ends at the balance, and its running balance adds up.
            let st = query(
                ledger,
                json!({ "type": "statement", "customer": id, "currency": cur }),
            )?;
            let (opening, closing) = (dec(&st["opening_balance"])?, dec(&st["closing_balance"])?);
            ensure(closing == balance, || {
                format!("customer {id} {cur}: statement closes at {closing}, balance is {balance}: {st}")
            })?;
            ensure(opening.is_zero(), || {
                format!("customer {id} {cur}: statement without from opens at {opening}")
            })?;
            let mut running = opening;
            let entries = st["entries"]
                .as_array()
                .ok_or("statement without entries")?;
            view.entries
                .insert((id.clone(), cur.clone()), entries.clone());
            let dates: Vec<&str> = entries.iter().filter_map(|e| e["date"].as_str()).collect();
            ensure(dates.windows(2).all(|w| w[0] <= w[1]), || {
                format!("customer {id} {cur}: statement entries out of date order: {st}")
            })?;
            for e in entries {
                running += dec(&e["debit"])? - dec(&e["credit"])?;
                ensure(running == dec(&e["balance"])?, || {
                    format!("customer {id} {cur}: statement running balance broken at {e}: {st}")
                })?;
            }
            ensure(running == closing, || {
                format!(
                    "customer {id} {cur}: statement entries sum to {running}, closing is {closing}"
                )
            })?;
            // The balance query agrees, and so do statements cut at a date.
            let bq = query(
                ledger,
                json!({ "type": "balance", "customer": id, "currency": cur }),
            )?;
            for name in ["outstanding", "credit", "balance"] {
                ensure(bq[name] == b[name], || {
                    format!(
                        "customer {id} {cur}: balance query {bq} differs from customers row {b}"
                    )
                })?;
            }
            check_cut_statements(ledger, &id, &cur, entries)?;
            // The credit lots add up to the credit.
            let lots = query(
                ledger,
                json!({ "type": "credits", "customer": id, "currency": cur }),
            )?;
            let mut held = Vec::new();
            for lot in lots["lots"].as_array().ok_or("credits without lots")? {
                held.push((
                    lot["valid_until"].as_str().map(str::to_string),
                    dec(&lot["remaining"])?,
                ));
            }
            let sum: Decimal = held.iter().map(|(_, r)| *r).sum();
            ensure(sum == credit && dec(&lots["total"])? == credit, || {
                format!("customer {id} {cur}: credit lots {lots} don't add up to {credit}")
            })?;
            view.lots.insert((id.clone(), cur.clone()), held);
        }
    }
    check_postings(ledger, &accounts)?;
    // Customer accounts and invoices that no balance row accounts for.
    for ((name, cur), bal) in &accounts {
        let owner = name
            .strip_prefix("receivable:")
            .or_else(|| name.strip_prefix("customer_credit:"));
        if let Some(owner) = owner {
            ensure(
                bal.is_zero() || seen.contains(&(owner.to_string(), cur.clone())),
                || {
                    format!(
                        "account {name} in {cur} holds {bal} but the customer has no {cur} balance"
                    )
                },
            )?;
        }
    }
    for ((customer, cur), due) in &due_sums {
        ensure(
            due.is_zero() || seen.contains(&(customer.clone(), cur.clone())),
            || {
                format!("invoices of {customer} in {cur} ask for {due} but the customer has no {cur} balance")
            },
        )?;
    }
    Ok(view)
}

/// The general ledger line by line (`postings`) sums, per account and currency, to the
/// trial balance, and the lines of each command balance in each currency.
fn check_postings(ledger: &Ledger, accounts: &BTreeMap<(String, String), Decimal>) -> Check {
    let postings = query(ledger, json!({ "type": "postings" }))?;
    let mut sums: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    let mut per_entry: BTreeMap<(u64, String), Decimal> = BTreeMap::new();
    let mut last_seq = 0;
    for line in postings["entries"]
        .as_array()
        .ok_or("postings without entries")?
    {
        let (account, cur) = (text(&line["account"])?, text(&line["currency"])?);
        let (debit, credit) = (dec(&line["debit"])?, dec(&line["credit"])?);
        let seq = line["seq"].as_u64().ok_or("posting without seq")?;
        ensure(seq >= last_seq, || {
            format!("postings out of journal order at {line}")
        })?;
        ensure(
            (debit.is_zero() != credit.is_zero())
                && debit >= Decimal::ZERO
                && credit >= Decimal::ZERO,
            || format!("a posting line must debit or credit a positive amount: {line}"),
        )?;
        last_seq = seq;
        *sums.entry((account, cur.clone())).or_default() += debit - credit;
        *per_entry.entry((seq, cur)).or_default() += debit - credit;
    }
    for ((seq, cur), sum) in &per_entry {
        ensure(sum.is_zero(), || {
            format!("the {cur} postings of entry {seq} sum to {sum}")
        })?;
    }
    let nonzero = |m: &BTreeMap<(String, String), Decimal>| -> BTreeMap<(String, String), Decimal> {
        m.iter()
            .filter(|(_, v)| !v.is_zero())
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    };
    ensure(nonzero(&sums) == nonzero(accounts), || {
        format!("postings summed per account {sums:?} differ from the trial balance {accounts:?}")
    })
}

// ---------------------------------------------------------------------------------------
// What each accepted command did, checked against the views before and after it
// ---------------------------------------------------------------------------------------

fn allocations(list: &Value) -> Result<Vec<(String, Decimal)>, String> {
    list.as_array()
        .ok_or_else(|| format!("expected a list of allocations, got {list}"))?
        .iter()
        .map(|a| Ok((text(&a["invoice"])?, dec(&a["amount"])?)))
        .collect()
}

fn field(inv: &Value, name: &str) -> Result<Decimal, String> {
    dec(&inv[name])
}

/// The change of an invoice's `name` field across the command.
fn rise(before: &View, after: &View, id: &str, name: &str) -> Result<Decimal, String> {
    Ok(field(after.invoice(id)?, name)? - field(before.invoice(id)?, name)?)
}

/// Checks that a refusal's reason holds in the ledger as it was (a refused command
/// changed nothing, so `ledger` is still that ledger): an unknown customer is not one, too
/// little credit is too little, and so on. `taken` holds the ids accepted so far.
fn check_refusal(
    ledger: &Ledger,
    view: &View,
    command: &str,
    answer: &Value,
    taken: &BTreeMap<String, Value>,
) -> Check {
    let Ok(cmd) = serde_json::from_str::<Value>(command) else {
        return Ok(());
    };
    let code = text(&answer["error"]["code"])?;
    let kind = cmd["type"].as_str().unwrap_or_default();
    let why = |what: &str| format!("{kind} refused with {code}, but {what}; answer {answer}");
    let customer = cmd["customer"].as_str().unwrap_or_default();
    let amount = cmd["amount"]
        .as_str()
        .and_then(|a| Decimal::from_str(a).ok());
    let invoice = |id: &str| view.invoices.get(id);
    let due = |inv: &Value| field(inv, "amount_due");
    let closed = |inv: &Value| -> Result<bool, String> {
        let written_off = !field(inv, "written_off")?.is_zero();
        let final_state = matches!(kind, "issue_credit_note" | "void_invoice") && written_off;
        Ok(inv["status"] == json!("void") || due(inv)?.is_zero() || final_state)
    };
    // The invoices a command names.
    let mut named: Vec<String> = Vec::new();
    if let Some(i) = cmd["invoice"].as_str() {
        named.push(i.to_string());
    }
    for i in cmd["allocate_to"].as_array().into_iter().flatten() {
        named.extend(i.as_str().map(str::to_string));
    }
    let payment = || {
        let state = ledger.state();
        let id = cmd["payment"].as_str()?;
        state
            .payments
            .iter()
            .find(|p| state.texts.get(p.id) == id)
            .map(|p| (p, state))
    };
    match code.as_str() {
        "conflict" => {
            let id = cmd["id"].as_str().unwrap_or_default();
            ensure(taken.contains_key(id), || why("its id is free"))
        }
        "unknown_customer" => ensure(!view.currency_of.contains_key(customer), || {
            why("the customer exists")
        }),
        "unknown_invoice" => {
            let mut bad = false;
            for id in &named {
                bad |= match invoice(id) {
                    None => true,
                    Some(inv) => inv["customer"] != json!(customer),
                };
            }
            ensure(bad || named.is_empty(), || {
                why("every invoice it names exists and is the customer's")
            })
        }
        "unknown_payment" => ensure(payment().is_none(), || why("the payment exists")),
        "already_void" => {
            let void = match kind {
                "void_invoice" => named
                    .first()
                    .and_then(|i| invoice(i))
                    .is_some_and(|inv| inv["status"] == json!("void")),
                "void_payment" => payment().is_some_and(|(p, _)| p.voided_by.is_some()),
                _ => true,
            };
            ensure(void, || why("it is not void"))
        }
        "invoice_closed" => {
            let mut any = false;
            for id in &named {
                if let Some(inv) = invoice(id) {
                    any |= closed(inv)?;
                }
            }
            ensure(any, || why("no invoice it names is void or paid"))
        }
        "over_allocation" => {
            let Some(inv) = named.first().and_then(|i| invoice(i)) else {
                return Err(why("it names no known invoice"));
            };
            let limit = match kind {
                "issue_credit_note" => field(inv, "total")? - field(inv, "credited")?,
                _ => due(inv)?,
            };
            ensure(amount.is_some_and(|a| a > limit), || {
                why(&format!("the amount is within {limit}"))
            })
        }
        "currency_mismatch" => {
            let cur = cmd["currency"]
                .as_str()
                .or_else(|| view.currency_of.get(customer).map(String::as_str));
            let mut differs = false;
            for id in &named {
                if let Some(inv) = invoice(id) {
                    differs |= cur.is_some_and(|c| inv["currency"] != json!(c));
                }
            }
            ensure(differs, || why("every invoice it names is in its currency"))
        }
        "invalid_amount" if cmd.get("amount").is_some() && kind != "issue_invoice" => {
            // The currency the amount is in: the named invoice's (payments: the
            // command's), else the command's or the customer's.
            let cur = match named.first().and_then(|i| invoice(i)) {
                Some(inv) if kind != "record_payment" => {
                    inv["currency"].as_str().map(str::to_string)
                }
                _ => cmd["currency"]
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| view.currency_of.get(customer).cloned()),
            };
            let plain = cmd["amount"].as_str().is_some_and(|a| {
                let (int, frac) = a.split_once('.').unwrap_or((a, "0"));
                !int.is_empty()
                    && !frac.is_empty()
                    && int.bytes().all(|b| b.is_ascii_digit())
                    && frac.bytes().all(|b| b.is_ascii_digit())
            });
            let fine = match (plain, amount, cur.as_deref().and_then(minor_units)) {
                (true, Some(a), Some(units)) => {
                    a > Decimal::ZERO && a.normalize().scale() as usize <= units
                }
                _ => false,
            };
            ensure(!fine, || {
                why("the amount is a valid amount of its currency")
            })
        }
        "insufficient_credit" => match kind {
            "void_payment" => ensure(
                payment().is_some_and(|(p, s)| !s.lots[p.lot as usize].refunded.is_zero()),
                || why("none of the payment's credit was refunded"),
            ),
            "refund_credit" | "apply_credit" => {
                let cur = match (kind, cmd["currency"].as_str()) {
                    (_, Some(c)) => c.to_string(),
                    ("apply_credit", None) => match named.first().and_then(|i| invoice(i)) {
                        Some(inv) => text(&inv["currency"])?,
                        None => return Err(why("it names no known invoice")),
                    },
                    _ => view.currency_of.get(customer).cloned().unwrap_or_default(),
                };
                let date = match (cmd["date"].as_str(), named.first().and_then(|i| invoice(i))) {
                    (Some(d), _) => d.to_string(),
                    (None, Some(inv)) => text(&inv["date"])?,
                    (None, None) => return Err(why("it names no date and no known invoice")),
                };
                let credit = view.usable(&(customer.to_string(), cur), &date);
                ensure(amount.map_or(credit.is_zero(), |a| a > credit), || {
                    why(&format!(
                        "the customer has {credit} of credit usable on {date}"
                    ))
                })
            }
            _ => Err(why("that code is not one it gives")),
        },
        _ => Ok(()),
    }
}

/// An issued invoice's lines and totals follow the contract's formulas, computed here
/// from the command's lines.
fn check_invoice_math(cmd: &Value, inv: &Value) -> Check {
    let cur = text(&inv["currency"])?;
    let units = minor_units(&cur).ok_or("unexpected currency")? as u32;
    let round = |x: Decimal| {
        x.round_dp_with_strategy(units, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    };
    let factor = |l: &Value, key: &str, default: &str| -> Result<Decimal, String> {
        let t = l.get(key).and_then(Value::as_str).unwrap_or(default);
        Decimal::from_str(t).map_err(|e| format!("{key} '{t}': {e}"))
    };
    let inclusive = cmd["prices_include_tax"] == json!(true);
    let lines = cmd["lines"].as_array().ok_or("no lines")?;
    let got = inv["lines"].as_array().ok_or("invoice without lines")?;
    ensure(lines.len() == got.len(), || {
        format!("{} lines became {}", lines.len(), got.len())
    })?;
    let per_invoice = inv["tax_rounding"] == json!("invoice");
    let mut rates: Vec<RateGroup> = Vec::new();
    let (mut subtotal, mut tax_sum) = (Decimal::ZERO, Decimal::ZERO);
    for (l, g) in lines.iter().zip(got) {
        let (q, p) = (factor(l, "quantity", "1")?, factor(l, "unit_price", "0")?);
        let (r, d) = (
            factor(l, "tax_rate", "0")?,
            factor(l, "discount_rate", "0")?,
        );
        let amount = q * p * (Decimal::ONE - d);
        let (net, tax) = if inclusive {
            let gross = round(amount);
            let tax = round(gross - gross / (Decimal::ONE + r));
            (gross - tax, tax)
        } else {
            let net = round(amount);
            (net, round(net * r))
        };
        let have = (field(g, "net")?, field(g, "tax")?, field(g, "gross")?);
        if per_invoice {
            // The rounded base stays; the tax is shared out per rate (checked below).
            let base = if inclusive { net + tax } else { net };
            let (hn, ht, hg) = have;
            let base_ok = if inclusive { hg == base } else { hn == base };
            ensure(base_ok && hn + ht == hg, || {
                format!("line {l} came out as (net, tax, gross) {have:?}, base {base}")
            })?;
            match rates.iter_mut().find(|x| x.0 == r) {
                Some(x) => {
                    x.1 += base;
                    x.2 += ht;
                    x.3.push((base, ht));
                }
                None => rates.push((r, base, ht, vec![(base, ht)])),
            }
            subtotal += hn;
            tax_sum += ht;
            continue;
        }
        let want = (net, tax, net + tax);
        ensure(have == want, || {
            format!("line {l} came out as (net, tax, gross) {have:?}, expected {want:?}")
        })?;
        subtotal += net;
        tax_sum += tax;
    }
    // Per rate: the tax is that of the rate's lines together, and each line's share is
    // within one minor unit of its exact proportional share.
    let unit = Decimal::new(1, units);
    for (r, base_sum, line_tax_sum, members) in &rates {
        let want = if inclusive {
            round(*base_sum - *base_sum / (Decimal::ONE + *r))
        } else {
            round(*base_sum * *r)
        };
        ensure(*line_tax_sum == want, || {
            format!("the lines at rate {r} carry {line_tax_sum} of tax, invoice rounding gives {want}: {inv}")
        })?;
        for (base, tax) in members {
            let exact = if base_sum.is_zero() {
                Decimal::ZERO
            } else {
                want * *base / *base_sum
            };
            ensure((*tax - exact).abs() < unit, || {
                format!("a line at rate {r} with base {base} got {tax} of tax, its share is {exact}: {inv}")
            })?;
        }
    }
    let want = (subtotal, tax_sum, subtotal + tax_sum);
    let have = (
        field(inv, "subtotal")?,
        field(inv, "tax")?,
        field(inv, "total")?,
    );
    ensure(have == want, || {
        format!("invoice (subtotal, tax, total) {have:?}, expected {want:?}: {inv}")
    })
}

/// An accepted amount is the one the command gave (at the currency's minor units).
fn same_amount(cmd: &Value, amount: Decimal) -> Check {
    let given = cmd["amount"].as_str().unwrap_or_default();
    match Decimal::from_str(given.trim()) {
        Ok(d) => ensure(d == amount, || {
            format!("the command gave amount '{given}', the answer says {amount}")
        }),
        Err(_) => Ok(()),
    }
}

/// Checks what an accepted, non-duplicate command did: its answer adds up, the balance of
/// the one customer and currency it concerns moves as the contract says (and no other),
/// its statement gains one entry (none for apply_credit), and only the invoices it names
/// change.
fn check_effect(
    ledger: &Ledger,
    before: &View,
    after: &View,
    command: &str,
    answer: &Value,
) -> Check {
    let cmd: Value = serde_json::from_str(command).map_err(|e| e.to_string())?;
    let kind = text(&answer["type"])?;
    let zero = Decimal::ZERO;
    let mut touched: BTreeSet<String> = BTreeSet::new();
    let same = |what: &str, got: Decimal, want: Decimal| {
        ensure(got == want, || {
            format!("{kind}: {what} is {got}, expected {want}; answer {answer}")
        })
    };
    // The (customer, currency) it concerns, the balance change and the new entries.
    let (key, delta, new_entries) = match kind.as_str() {
        "create_customer" => {
            let key = (text(&answer["customer"])?, text(&answer["currency"])?);
            ensure(!before.balances.contains_key(&key), || {
                format!("customer {key:?} existed")
            })?;
            ensure(after.balances.get(&key) == Some(&(zero, zero)), || {
                format!("new customer {key:?} has no zero balance")
            })?;
            (Some(key), zero, 0)
        }
        "configure" => (None, zero, 0),
        "issue_invoice" => {
            let id = text(&answer["invoice"])?;
            let key = after.invoice_key(&id)?;
            let inv = after.invoice(&id)?;
            let (total, applied) = (dec(&answer["total"])?, dec(&answer["credit_applied"])?);
            same("invoice total", field(inv, "total")?, total)?;
            same(
                "invoice credit_applied",
                field(inv, "credit_applied")?,
                applied,
            )?;
            same("invoice paid", field(inv, "paid")?, zero)?;
            same("invoice credited", field(inv, "credited")?, zero)?;
            same(
                "answer amount_due",
                dec(&answer["amount_due"])?,
                total - applied,
            )?;
            same(
                "invoice amount_due",
                field(inv, "amount_due")?,
                total - applied,
            )?;
            check_invoice_math(&cmd, inv)?;
            // The next number of the one sequence, whatever the format.
            let number = text(&answer["number"])?;
            let seq = format!("{:04}", after.issue_order.len());
            ensure(
                number.ends_with(&seq) && inv["number"] == answer["number"],
                || {
                    format!(
                        "invoice {id} is number {number}, the {} issued",
                        after.issue_order.len()
                    )
                },
            )?;
            ensure(
                before
                    .invoices
                    .values()
                    .all(|i| i["number"] != answer["number"]),
                || format!("invoice number {number} given twice"),
            )?;
            let (out0, cr0) = before.balance(&key);
            let want = if cmd["use_credit"] == json!(false) {
                zero
            } else {
                before.usable(&key, &text(&cmd["date"])?).min(total)
            };
            same("credit applied at issue", applied, want)?;
            let (out1, cr1) = after.balance(&key);
            same("outstanding", out1, out0 + total - applied)?;
            same("credit", cr1, cr0 - applied)?;
            (Some(key), total, 1)
        }
        "record_payment" => {
            let key = (text(&cmd["customer"])?, text(&answer["currency"])?);
            let amount = dec(&answer["amount"])?;
            same_amount(&cmd, amount)?;
            let created = dec(&answer["credit_created"])?;
            let got = allocations(&answer["allocations"])?;
            // The invoices it should settle, in order.
            let listed: Vec<String> = match cmd.get("allocate_to") {
                Some(list) => list
                    .as_array()
                    .ok_or("allocate_to is not a list")?
                    .iter()
                    .map(text)
                    .collect::<Result<_, _>>()?,
                None => {
                    let mut open: Vec<(String, String, usize, String)> = Vec::new();
                    for (n, id) in before.issue_order.iter().enumerate() {
                        let inv = before.invoice(id)?;
                        if before.invoice_key(id)? == key && !field(inv, "amount_due")?.is_zero() {
                            open.push((
                                text(&inv["due_date"])?,
                                text(&inv["date"])?,
                                n,
                                id.clone(),
                            ));
                        }
                    }
                    open.sort();
                    open.into_iter().map(|o| o.3).collect()
                }
            };
            let mut left = amount;
            let mut want = Vec::new();
            for id in &listed {
                let take = field(before.invoice(id)?, "amount_due")?.min(left);
                if !take.is_zero() {
                    want.push((id.clone(), take));
                }
                left -= take;
            }
            ensure(got == want, || {
                format!("record_payment: allocations {got:?}, expected {want:?}; answer {answer}")
            })?;
            same("credit created", created, left)?;
            for (id, a) in &got {
                same(
                    "amount_due change",
                    rise(before, after, id, "amount_due")?,
                    -*a,
                )?;
                same("paid change", rise(before, after, id, "paid")?, *a)?;
                touched.insert(id.clone());
            }
            let ((out0, cr0), (out1, cr1)) = (before.balance(&key), after.balance(&key));
            same("outstanding", out1, out0 - (amount - created))?;
            same("credit", cr1, cr0 + created)?;
            if cmd.get("allocate_to").is_none() && !created.is_zero() {
                same("outstanding after a payment that left credit", out1, zero)?;
            }
            (Some(key), -amount, 1)
        }
        "add_credit" => {
            let key = (text(&cmd["customer"])?, text(&answer["currency"])?);
            let amount = dec(&answer["amount"])?;
            same_amount(&cmd, amount)?;
            let ((out0, cr0), (out1, cr1)) = (before.balance(&key), after.balance(&key));
            same("outstanding", out1, out0)?;
            same("credit", cr1, cr0 + amount)?;
            (Some(key), -amount, 1)
        }
        "apply_credit" => {
            let id = text(&answer["invoice"])?;
            let key = before.invoice_key(&id)?;
            let applied = dec(&answer["applied"])?;
            let ((out0, cr0), (out1, cr1)) = (before.balance(&key), after.balance(&key));
            let due0 = field(before.invoice(&id)?, "amount_due")?;
            let on = match cmd["date"].as_str() {
                Some(d) => d.to_string(),
                None => text(&before.invoice(&id)?["date"])?,
            };
            match cmd.get("amount") {
                Some(a) => same("applied", applied, dec(a)?)?,
                None => same("applied", applied, before.usable(&key, &on).min(due0))?,
            }
            same(
                "amount_due change",
                rise(before, after, &id, "amount_due")?,
                -applied,
            )?;
            same(
                "credit_applied change",
                rise(before, after, &id, "credit_applied")?,
                applied,
            )?;
            touched.insert(id);
            same("outstanding", out1, out0 - applied)?;
            same("credit", cr1, cr0 - applied)?;
            (Some(key), zero, 0)
        }
        "issue_credit_note" => {
            let key = (text(&cmd["customer"])?, text(&answer["currency"])?);
            let amount = dec(&answer["amount"])?;
            same_amount(&cmd, amount)?;
            let reduced = dec(&answer["reduced_amount_due"])?;
            let created = dec(&answer["credit_created"])?;
            let ((out0, cr0), (out1, cr1)) = (before.balance(&key), after.balance(&key));
            same(
                "reduced_amount_due + credit_created",
                reduced + created,
                amount,
            )?;
            match answer["invoice"].as_str() {
                Some(id) => {
                    let due0 = field(before.invoice(id)?, "amount_due")?;
                    same("reduced_amount_due", reduced, amount.min(due0))?;
                    same(
                        "amount_due change",
                        rise(before, after, id, "amount_due")?,
                        -reduced,
                    )?;
                    same(
                        "credited change",
                        rise(before, after, id, "credited")?,
                        amount,
                    )?;
                    let received = |v: &View| -> Result<Decimal, String> {
                        let inv = v.invoice(id)?;
                        Ok(field(inv, "paid")? + field(inv, "credit_applied")?)
                    };
                    same(
                        "settlement released",
                        received(before)? - received(after)?,
                        created,
                    )?;
                    touched.insert(id.to_string());
                }
                None => same("credit_created", created, amount)?,
            }
            same("outstanding", out1, out0 - reduced)?;
            same("credit", cr1, cr0 + created)?;
            (Some(key), -amount, 1)
        }
        "refund_credit" => {
            let key = (text(&cmd["customer"])?, text(&answer["currency"])?);
            let amount = dec(&answer["amount"])?;
            same_amount(&cmd, amount)?;
            let ((out0, cr0), (out1, cr1)) = (before.balance(&key), after.balance(&key));
            same("outstanding", out1, out0)?;
            same("credit", cr1, cr0 - amount)?;
            (Some(key), amount, 1)
        }
        "void_payment" => {
            let id = text(&answer["payment"])?;
            let state = ledger.state();
            let p = state
                .payments
                .iter()
                .find(|p| state.texts.get(p.id) == id)
                .ok_or_else(|| format!("payment {id} not in the state"))?;
            let key = (
                state.customers[p.customer as usize].id.clone(),
                text(&answer["currency"])?,
            );
            let amount = p.amount.decimal(p.currency);
            let reopened = allocations(&answer["reopened"])?;
            let withdrawn = dec(&answer["credit_withdrawn"])?;
            let reopened_total: Decimal = reopened.iter().map(|(_, a)| *a).sum();
            same(
                "reopened + credit withdrawn",
                reopened_total + withdrawn,
                amount,
            )?;
            for (inv, a) in &reopened {
                same(
                    "amount_due change",
                    rise(before, after, inv, "amount_due")?,
                    *a,
                )?;
                touched.insert(inv.clone());
            }
            let ((out0, cr0), (out1, cr1)) = (before.balance(&key), after.balance(&key));
            same("outstanding", out1, out0 + reopened_total)?;
            same("credit", cr1, cr0 - withdrawn)?;
            (Some(key), amount, 1)
        }
        "void_invoice" => {
            let id = text(&answer["invoice"])?;
            let key = before.invoice_key(&id)?;
            let inv0 = before.invoice(&id)?;
            let cancelled = dec(&answer["cancelled"])?;
            let returned = dec(&answer["credit_returned"])?;
            same(
                "cancelled",
                cancelled,
                field(inv0, "total")? - field(inv0, "credited")?,
            )?;
            same(
                "credit returned",
                returned,
                field(inv0, "paid")? + field(inv0, "credit_applied")?,
            )?;
            let due0 = field(inv0, "amount_due")?;
            ensure(after.invoice(&id)?["status"] == json!("void"), || {
                format!("{id} not void")
            })?;
            touched.insert(id);
            let ((out0, cr0), (out1, cr1)) = (before.balance(&key), after.balance(&key));
            same("outstanding", out1, out0 - due0)?;
            same("credit", cr1, cr0 + returned)?;
            (Some(key), -cancelled, 1)
        }
        "write_off_invoice" => {
            let id = text(&answer["invoice"])?;
            let key = before.invoice_key(&id)?;
            let due0 = field(before.invoice(&id)?, "amount_due")?;
            let written = dec(&answer["written_off"])?;
            same("written off", written, due0)?;
            same(
                "tax reversed + bad debt",
                dec(&answer["tax_reversed"])? + dec(&answer["bad_debt"])?,
                written,
            )?;
            let inv1 = after.invoice(&id)?;
            ensure(
                inv1["status"] == json!("written_off") && field(inv1, "amount_due")?.is_zero(),
                || format!("{id} after its write-off: {inv1}"),
            )?;
            same(
                "written_off change",
                rise(before, after, &id, "written_off")?,
                written,
            )?;
            touched.insert(id);
            let ((out0, cr0), (out1, cr1)) = (before.balance(&key), after.balance(&key));
            same("outstanding", out1, out0 - written)?;
            same("credit", cr1, cr0)?;
            (Some(key), -written, 1)
        }
        "expire_credit" => return check_expiry(before, after, &cmd, answer),
        other => return Err(format!("unexpected result type {other}")),
    };
    // No other customer or currency moved; the one concerned moved by `delta`.
    let keys: BTreeSet<&(String, String)> = before
        .balances
        .keys()
        .chain(after.balances.keys())
        .collect();
    for k in keys {
        let ((out0, cr0), (out1, cr1)) = (before.balance(k), after.balance(k));
        let empty = Vec::new();
        let list0 = before.entries.get(k).unwrap_or(&empty);
        let list1 = after.entries.get(k).unwrap_or(&empty);
        let (e0, e1) = (list0.len(), list1.len());
        if Some(k) == key.as_ref() {
            same("balance change", (out1 - cr1) - (out0 - cr0), delta)?;
            ensure(e1 == e0 + new_entries, || {
                format!("{kind}: statement of {k:?} went from {e0} to {e1} entries")
            })?;
            if new_entries == 1 {
                // Its entry: this command's id, kind and date, moving the balance by delta.
                let id = text(&answer["id"])?;
                let entry = list1
                    .iter()
                    .find(|e| e["ref"] == json!(id))
                    .ok_or_else(|| format!("{kind}: no statement entry refers to {id}"))?;
                let want_kind = match kind.as_str() {
                    "issue_invoice" => "invoice",
                    "record_payment" => "payment",
                    "add_credit" => "credit",
                    "issue_credit_note" => "credit_note",
                    "refund_credit" => "refund",
                    "void_payment" => "payment_void",
                    "void_invoice" => "invoice_void",
                    "write_off_invoice" => "write_off",
                    other => other,
                };
                ensure(
                    entry["kind"] == json!(want_kind) && entry["date"] == cmd["date"],
                    || format!("{kind}: its statement entry is {entry}"),
                )?;
                same(
                    "entry debit − credit",
                    dec(&entry["debit"])? - dec(&entry["credit"])?,
                    delta,
                )?;
                let (debit, credit) = (dec(&entry["debit"])?, dec(&entry["credit"])?);
                ensure(debit.is_zero() || credit.is_zero(), || {
                    format!("{kind}: its statement entry both debits and credits: {entry}")
                })?;
            }
        } else {
            ensure((out0, cr0, list0) == (out1, cr1, list1), || {
                format!("{kind}: balance or statement of {k:?}, which it does not concern, changed")
            })?;
        }
    }
    // Invoices it does not name are unchanged.
    for (id, inv) in &before.invoices {
        if !touched.contains(id) {
            let now = after.invoice(id)?;
            ensure(inv == now, || {
                format!("{kind}: invoice {id} changed from {inv} to {now}")
            })?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Running a sequence
// ---------------------------------------------------------------------------------------

/// `expire_credit`: each (customer, currency) lost exactly the credit the answer lists
/// for it, in that many `credit_expired` statement debits; only lots whose valid_until
/// is before the date expired, and none such is left; no invoice changed.
fn check_expiry(before: &View, after: &View, cmd: &Value, answer: &Value) -> Check {
    let date = text(&cmd["date"])?;
    let mut lost: BTreeMap<(String, String), (Decimal, usize)> = BTreeMap::new();
    for part in answer["expired"].as_array().ok_or("no expired list")? {
        let key = (text(&part["customer"])?, text(&part["currency"])?);
        let until = text(&part["valid_until"])?;
        ensure(until < date, || {
            format!("expired a lot valid until {until} on {date}")
        })?;
        if let Some(only) = cmd["customer"].as_str() {
            ensure(key.0 == only, || {
                format!("expired {key:?}, limited to {only}")
            })?;
        }
        let entry = lost.entry(key).or_default();
        entry.0 += dec(&part["amount"])?;
        entry.1 += 1;
    }
    let keys: BTreeSet<&(String, String)> = before
        .balances
        .keys()
        .chain(after.balances.keys())
        .collect();
    for key in keys {
        let ((out0, cr0), (out1, cr1)) = (before.balance(key), after.balance(key));
        let (amount, parts) = lost.get(key).copied().unwrap_or_default();
        ensure(out0 == out1 && cr1 == cr0 - amount, || {
            format!(
                "expire_credit: {key:?} went from {:?} to {:?}, expiring {amount}",
                (out0, cr0),
                (out1, cr1)
            )
        })?;
        let n0 = before.entries.get(key).map_or(0, Vec::len);
        let n1 = after.entries.get(key).map_or(0, Vec::len);
        ensure(n1 == n0 + parts, || {
            format!(
                "expire_credit: {key:?} statement went from {n0} to {n1} entries for {parts} lots"
            )
        })?;
        if cmd["customer"].as_str().is_none_or(|c| c == key.0) {
            let stale = after
                .lots
                .get(key)
                .into_iter()
                .flatten()
                .any(|(u, _)| u.as_deref().is_some_and(|u| u < date.as_str()));
            ensure(!stale, || {
                format!("expire_credit: {key:?} still holds credit past its date")
            })?;
        }
    }
    ensure(before.invoices == after.invoices, || {
        "expire_credit changed an invoice".to_string()
    })
}

fn transcript(commands: &[String], answers: &[Value]) -> String {
    let mut out = String::from("command sequence (one per line, with its answer):\n");
    for (i, c) in commands.iter().enumerate() {
        out.push_str(&format!("  {i:>2}: {c}\n"));
        if let Some(a) = answers.get(i) {
            let brief = if a["ok"] == json!(true) {
                if a["duplicate"] == json!(true) {
                    "duplicate".to_string()
                } else {
                    format!("ok seq {}", a["seq"])
                }
            } else {
                format!("refused {}", a["error"]["code"])
            };
            out.push_str(&format!("      -> {brief}\n"));
        }
    }
    out
}

/// Runs the steps, checking every invariant after every command, with a snapshot taken
/// after `snap_after` commands and restored for invariant 7.
fn run_sequence(steps: &[Step], snap_after: usize) -> Check {
    let mut ledger = Ledger::new();
    let mut driver = Driver::default();
    let mut invoices: Vec<String> = Vec::new();
    let mut originals: BTreeMap<String, Value> = BTreeMap::new();
    let mut answers: Vec<Value> = Vec::new();
    let mut restored: Option<(Ledger, u64)> = None;
    let fail = |commands: &[String], answers: &[Value], msg: String| {
        format!(
            "after command {}: {msg}\n{}",
            commands.len() as isize - 1,
            transcript(commands, answers)
        )
    };
    if snap_after == 0 {
        restored = Some(restore_here(&ledger)?);
    }
    let mut view = check_invariants(&ledger, &invoices)?;
    for step in steps {
        let Some(command) = driver.next(&ledger, step) else {
            continue;
        };
        let before = ledger.snapshot();
        let seq_before = ledger.seq();
        let answer = apply(&mut ledger, &command);
        driver.answered(&answer);
        answers.push(answer.clone());
        let ok = answer["ok"] == json!(true);
        let duplicate = answer["duplicate"] == json!(true);
        let result: Check = (|| {
            check_money_format(&answer, None)?;
            if !ok || duplicate {
                // 6. Nothing changed.
                ensure(ledger.snapshot() == before, || {
                    "a refused or duplicate command changed the snapshot".to_string()
                })?;
                ensure(ledger.seq() == seq_before, || "seq moved".to_string())?;
                ensure(ok || answer["error"]["code"].is_string(), || {
                    format!("refusal without an error code: {answer}")
                })?;
            } else {
                ensure(
                    ledger.seq() == seq_before + 1 && answer["seq"] == json!(seq_before + 1),
                    || format!("accepted command did not take the next seq: {answer}"),
                )?;
                ensure(ledger.journal_since(seq_before).len() == 1, || {
                    "accepted command is not the one journal entry after the last".to_string()
                })?;
            }
            if ok {
                let id = text(&answer["id"])?;
                if duplicate {
                    // The original's answer, flagged as a duplicate.
                    let mut same = answer.clone();
                    same["duplicate"] = json!(false);
                    let original = originals
                        .get(&id)
                        .ok_or("duplicate of an id never accepted")?;
                    ensure(&same == original, || {
                        format!("duplicate answers {answer}, the original answered {original}")
                    })?;
                } else {
                    originals.insert(id.clone(), answer.clone());
                    if answer["type"] == json!("issue_invoice") {
                        invoices.push(text(&answer["invoice"])?);
                    }
                }
            }
            let now = check_invariants(&ledger, &invoices)?;
            if ok && !duplicate {
                check_effect(&ledger, &view, &now, &command, &answer)?;
            }
            if !ok {
                check_refusal(&ledger, &view, &command, &answer, &originals)?;
            }
            view = now;
            Ok(())
        })();
        result.map_err(|msg| fail(&driver.sent, &answers, msg))?;
        if driver.sent.len() == snap_after {
            restored =
                Some(restore_here(&ledger).map_err(|msg| fail(&driver.sent, &answers, msg))?);
        }
    }
    let commands = &driver.sent;

    // 7. Snapshot, restore and replay of the rest; replay of everything; JSON export.
    let full = ledger.snapshot();
    let (mut restored, base) = match restored {
        Some(r) => r,
        None => restore_here(&ledger)?,
    };
    for entry in ledger.journal_since(base) {
        restored.replay(entry.clone()).map_err(|e| {
            fail(
                commands,
                &answers,
                format!(
                    "replay after restore at seq {base} refused entry {}: {e:?}",
                    entry.seq
                ),
            )
        })?;
    }
    ensure(restored.snapshot() == full, || {
        fail(
            commands,
            &answers,
            format!("restore at seq {base} + replay differs from the full ledger"),
        )
    })?;
    // The restored ledger holds the entries replayed into it, as does a ledger that forgot
    // the entries up to the snapshot.
    let mut forgetful = ledger.clone();
    forgetful.forget_journal_through(base);
    for (what, held) in [
        ("restored", restored.journal_since(0)),
        ("forgetful", forgetful.journal_since(0)),
        ("forgetful", forgetful.journal_since(base)),
    ] {
        ensure(held == ledger.journal_since(base), || {
            fail(
                commands,
                &answers,
                format!("the {what} ledger's journal differs from the entries after seq {base}"),
            )
        })?;
    }
    check_invariants(&restored, &invoices)
        .map(|_| ())
        .map_err(|m| fail(commands, &answers, format!("restored ledger: {m}")))?;

    let mut fresh = Ledger::new();
    for entry in ledger.journal_since(0) {
        fresh.replay(entry.clone()).map_err(|e| {
            fail(
                commands,
                &answers,
                format!("replay from scratch refused entry {}: {e:?}", entry.seq),
            )
        })?;
    }
    ensure(fresh.snapshot() == full, || {
        fail(
            commands,
            &answers,
            "replay of the whole journal differs from the ledger".to_string(),
        )
    })?;

    // The journal exported as JSON and sent again through apply_json gives the same state.
    let mut from_json = Ledger::new();
    for entry in ledger.journal_since(0) {
        let text = serde_json::to_string(&entry.command).expect("commands serialize");
        let a = apply(&mut from_json, &text);
        ensure(
            a["ok"] == json!(true) && a["duplicate"] == json!(false),
            || {
                fail(
                    commands,
                    &answers,
                    format!(
                        "exported journal entry {} refused on re-entry: {text} -> {a}",
                        entry.seq
                    ),
                )
            },
        )?;
    }
    ensure(from_json.snapshot() == full, || {
        fail(
            commands,
            &answers,
            "journal exported as JSON and re-entered differs from the ledger".to_string(),
        )
    })?;
    Ok(())
}

/// Snapshot, restore, and check the round trip; returns the restored ledger and its seq.
fn restore_here(ledger: &Ledger) -> Result<(Ledger, u64), String> {
    let bytes = ledger.snapshot();
    let restored = Ledger::restore(&bytes)
        .map_err(|e| format!("restore of a fresh snapshot failed: {e:?}"))?;
    ensure(restored.snapshot() == bytes, || {
        "snapshot → restore → snapshot changed the bytes".to_string()
    })?;
    ensure(restored.seq() == ledger.seq(), || {
        "restored seq differs".to_string()
    })?;
    Ok((restored, ledger.seq()))
}

/// The longest sequence of the main property: 40, or `TALLY_MAX_STEPS` (for deeper runs).
fn max_steps() -> usize {
    std::env::var("TALLY_MAX_STEPS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or(40)
        .max(5)
}

/// `n` cases, or `PROPTEST_CASES` times `n / 1000` when that is set (for longer runs).
fn cases(n: u32) -> u32 {
    match std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse::<u32>().ok())
    {
        Some(c) => (u64::from(c) * u64::from(n) / 1000).max(1) as u32,
        None => n,
    }
}

fn to_case_error(r: Check) -> Result<(), TestCaseError> {
    r.map_err(TestCaseError::fail)
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(1000),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Invariants 1-7 over random command sequences.
    #[test]
    fn invariants_hold_after_every_step(steps in sequence(5..=max_steps()), snap in any::<Index>()) {
        let snap_after = snap.index(steps.len() + 1);
        to_case_error(run_sequence(&steps, snap_after))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(300),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// A preview answers what issuing the same draft records, and changes nothing.
    #[test]
    fn preview_equals_the_issued_invoice(steps in sequence(0..=15), d in draft()) {
        let (mut ledger, commands) = run_plain(&steps);
        let before = ledger.snapshot();
        let mut preview_query = d.clone();
        put(&mut preview_query, "type", Some(json!("preview_invoice")));
        let preview = serde_json::to_value(ledger.query_json(&preview_query.to_string())).unwrap();
        let context = || format!("preview {preview_query}\n{}", transcript(&commands, &[]));
        prop_assert!(ledger.snapshot() == before, "the preview changed the ledger; {}", context());

        let issue = with_type("issue_invoice", "i-new".to_string(), d.clone()).to_string();
        let issued = apply(&mut ledger, &issue);
        if preview["ok"] == json!(true) {
            prop_assert_eq!(&issued["ok"], &json!(true), "preview answered but issuing refused: {}; {}", issued, context());
            let invoice = serde_json::to_value(
                ledger.query_json(&json!({ "type": "invoice", "invoice": "i-new" }).to_string()),
            )
            .unwrap();
            prop_assert_eq!(&invoice["id"], &json!("i-new"));
            prop_assert_eq!(&preview["id"], &Value::Null);
            let strip = |v: &Value| -> Map<String, Value> {
                let mut m = v.as_object().cloned().unwrap_or_default();
                m.remove("id");
                m
            };
            prop_assert_eq!(strip(&preview), strip(&invoice), "{}", context());
            prop_assert_eq!(&issued["credit_applied"], &preview["credit_applied"]);
            prop_assert_eq!(&issued["amount_due"], &preview["amount_due"]);
        } else {
            prop_assert_eq!(&issued["ok"], &json!(false), "preview refused but issuing accepted; {}", context());
            prop_assert_eq!(&issued["error"]["code"], &preview["error"]["code"], "{}", context());
            prop_assert!(ledger.snapshot() == before);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(300),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// A damaged snapshot (one byte flipped, or cut short) is refused with an error.
    #[test]
    fn damaged_snapshots_are_refused(
        steps in sequence(0..=20),
        at in any::<Index>(),
        mask in 1u8..=255,
        truncate in any::<bool>(),
    ) {
        let (ledger, _) = run_plain(&steps);
        let mut bytes = ledger.snapshot();
        prop_assert!(Ledger::restore(&bytes).is_ok());
        let i = at.index(bytes.len());
        if truncate {
            bytes.truncate(i);
        } else {
            bytes[i] ^= mask;
        }
        let restored = std::panic::catch_unwind(|| Ledger::restore(&bytes).map(|l| l.snapshot()));
        prop_assert!(restored.is_ok(), "restore panicked on a damaged snapshot (byte {}, truncate {})", i, truncate);
        prop_assert!(
            restored.unwrap().is_err(),
            "a damaged snapshot was accepted (byte {} of {}, truncate {}, mask {:#04x})",
            i, ledger.snapshot().len(), truncate, mask
        );
    }
}

/// Formats 3 and 4's magic and version, and its trailer (length and checksum of what precedes).
const SNAPSHOT_HEAD: usize = 8 + 4;
const SNAPSHOT_TRAILER: usize = 8 + 8;

/// Replaces a snapshot's checksum (in its trailer) with the right one for its (changed)
/// bytes.
fn reseal(bytes: &mut [u8]) {
    if bytes.len() >= SNAPSHOT_HEAD + SNAPSHOT_TRAILER {
        let end = bytes.len() - SNAPSHOT_TRAILER;
        let sum = tally::stable_hash::checksum(&bytes[..end]);
        bytes[end + 8..].copy_from_slice(&sum.to_le_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(200),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// A snapshot taken in pieces of any sizes is, joined, byte for byte `snapshot()`;
    /// a refused command or a dry run between pieces doesn't interrupt it, a command that
    /// commits does.
    #[test]
    fn snapshot_pieces_join_to_the_snapshot(
        steps in sequence(0..=20),
        sizes in prop::collection::vec(1usize..=2048, 1..=6),
        commit_after in prop::option::of(0usize..40),
    ) {
        let (mut ledger, _) = run_plain(&steps);
        let whole = ledger.snapshot();
        ledger.snapshot_begin();
        let mut joined = Vec::new();
        let mut pieces = 0usize;
        loop {
            if Some(pieces) == commit_after {
                // Refused (no such customer) and dry runs change nothing: no interruption.
                let _ = ledger.apply_json(r#"{"type":"record_payment","id":"zz-refused","customer":"nobody","amount":"1.00","method":"cash","date":"2026-01-01"}"#);
                let _ = ledger.apply_json(r#"{"type":"create_customer","id":"zz-dry","name":"Dry","currency":"EUR","dry_run":true}"#);
                let committed = ledger
                    .apply_json(r#"{"type":"create_customer","id":"zz-new","name":"New","currency":"EUR"}"#)
                    .is_ok();
                prop_assert!(committed, "the new customer was refused");
                prop_assert_eq!(ledger.snapshot_next(64), SnapshotPiece::Interrupted);
                return Ok(());
            }
            match ledger.snapshot_next(sizes[pieces % sizes.len()]) {
                SnapshotPiece::Bytes(bytes) => {
                    prop_assert!(!bytes.is_empty(), "an empty piece");
                    joined.extend_from_slice(&bytes);
                }
                SnapshotPiece::Done => break,
                SnapshotPiece::Interrupted => prop_assert!(false, "interrupted with no change"),
            }
            pieces += 1;
        }
        prop_assert!(joined == whole, "the pieces differ from the snapshot");
        prop_assert!(Ledger::restore(&joined).is_ok());
        // Once done, nothing is being written: a new begin is needed.
        prop_assert_eq!(ledger.snapshot_next(64), SnapshotPiece::Interrupted);
    }
}

/// Reads a ledger every way a reader would: every query, and a snapshot.
fn exercise(ledger: &Ledger) {
    let _ = ledger.query_json(r#"{"type":"customers"}"#);
    let _ = ledger.query_json(r#"{"type":"trial_balance"}"#);
    for c in &ledger.state().customers {
        for b in &c.books {
            let cur = b.currency.to_string();
            for q in [
                json!({ "type": "statement", "customer": c.id, "currency": cur }),
                json!({ "type": "statement", "customer": c.id, "currency": cur, "from": "2026-02-01", "to": "2026-03-01" }),
                json!({ "type": "balance", "customer": c.id, "currency": cur }),
                json!({ "type": "preview_invoice", "customer": c.id, "currency": cur, "date": "2026-06-01",
                        "lines": [{ "description": "x", "unit_price": "3" }] }),
            ] {
                let _ = ledger.query_json(&q.to_string());
            }
        }
    }
    for i in ledger.state().invoices.iter() {
        let _ = ledger.query_json(&json!({ "type": "invoice", "invoice": i.id }).to_string());
    }
    let _ = Ledger::restore(&ledger.snapshot());
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(300),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// A snapshot changed behind its checksum (bytes altered, checksum recomputed) is
    /// refused or restored, never a panic, and a restored one answers every query without
    /// panics. (Commands on such a ledger may trip the engine's debug assertions: its
    /// records need not agree with each other.)
    #[test]
    fn resealed_damaged_snapshots_never_panic(
        steps in sequence(0..=20),
        flips in prop::collection::vec((any::<Index>(), 1u8..=255), 1..=3),
    ) {
        let (ledger, _) = run_plain(&steps);
        let mut bytes = ledger.snapshot();
        let body = bytes.len() - SNAPSHOT_HEAD - SNAPSHOT_TRAILER;
        for (at, mask) in &flips {
            let i = SNAPSHOT_HEAD + at.index(body);
            bytes[i] ^= mask;
        }
        reseal(&mut bytes);
        let outcome = std::panic::catch_unwind(|| match Ledger::restore(&bytes) {
            Ok(restored) => {
                exercise(&restored);
                true
            }
            Err(_) => false,
        });
        prop_assert!(outcome.is_ok(), "a resealed damaged snapshot panicked (flips {:?})", flips);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(300),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// For random states and random commands (new ones, resends, refusals), a dry run
    /// answers exactly what the command then answers (but `dry_run: true`), and changes
    /// nothing: same snapshot bytes (the state's fingerprint), same seq, no journal entry.
    #[test]
    fn dry_run_answers_what_the_command_does_and_changes_nothing(
        steps in sequence(0..=20),
        last in prop::collection::vec(step(), 1..=4),
    ) {
        let mut ledger = Ledger::new();
        let mut driver = Driver::default();
        for step in &steps {
            if let Some(command) = driver.next(&ledger, step) {
                let answer = apply(&mut ledger, &command);
                driver.answered(&answer);
            }
        }
        for step in &last {
            let Some(command) = driver.next(&ledger, step) else { continue };
            let mut dry_command: Value = serde_json::from_str(&command).expect("our own JSON");
            let Some(fields) = dry_command.as_object_mut() else {
                // Not an object: nothing can carry `dry_run`.
                let real = apply(&mut ledger, &command);
                driver.answered(&real);
                continue;
            };
            fields.insert("dry_run".to_string(), json!(true));
            let (before, seq, held) = (ledger.snapshot(), ledger.seq(), ledger.journal_since(0).len());
            let mut dry = apply(&mut ledger, &dry_command.to_string());
            let context = || format!("dry run of {command}\n{}", transcript(&driver.sent, &[]));
            prop_assert!(ledger.snapshot() == before, "the dry run changed the state; {}", context());
            prop_assert_eq!(ledger.seq(), seq, "the dry run moved seq; {}", context());
            prop_assert_eq!(ledger.journal_since(0).len(), held, "the dry run was journaled; {}", context());
            prop_assert_eq!(dry.as_object_mut().and_then(|m| m.remove("dry_run")), Some(json!(true)), "no dry_run mark; {}", context());
            let real = apply(&mut ledger, &command);
            prop_assert_eq!(&dry, &real, "the dry run answered otherwise than the command; {}", context());
            driver.answered(&real);
        }
    }
}

/// The day a journal entry's command took effect on the books: its `date`, an
/// `apply_credit` without one on its invoice's date (its default), and "" (before every
/// day) for commands that have none (customers, settings).
fn effective_date(ledger: &Ledger, command: &Value) -> String {
    if let Some(date) = command["date"].as_str() {
        return date.to_string();
    }
    match (command["type"].as_str(), command["invoice"].as_str()) {
        (Some("apply_credit"), Some(invoice)) => {
            query(ledger, json!({ "type": "invoice", "invoice": invoice }))
                .map(|inv| inv["date"].as_str().unwrap_or_default().to_string())
                .unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// Each customer's outstanding per currency, where not zero (the `customers` query).
fn outstanding_by_book(ledger: &Ledger) -> Result<BTreeMap<(String, String), Decimal>, String> {
    let mut out = BTreeMap::new();
    for c in query(ledger, json!({ "type": "customers" }))?["customers"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for b in c["balances"].as_array().into_iter().flatten() {
            if dec(&b["outstanding"])? != Decimal::ZERO {
                out.insert(
                    (text(&c["id"])?, text(&b["currency"])?),
                    dec(&b["outstanding"])?,
                );
            }
        }
    }
    Ok(out)
}

/// An `aging` answer's row totals by customer and currency.
fn aging_row_totals(aging: &Value) -> Result<BTreeMap<(String, String), Decimal>, String> {
    let mut out = BTreeMap::new();
    for row in aging["rows"].as_array().into_iter().flatten() {
        out.insert(
            (text(&row["customer"])?, text(&row["currency"])?),
            dec(&row["total"])?,
        );
    }
    Ok(out)
}

/// See `reports_as_of_a_day_are_the_books_at_its_end`.
fn check_reports_by_day(steps: &[Step]) -> Check {
    let (ledger, _) = run_plain(steps);
    let mut dated: Vec<(String, String)> = ledger
        .journal_since(0)
        .iter()
        .map(|e| {
            let command = serde_json::to_value(&e.command).expect("commands serialize");
            (effective_date(&ledger, &command), command.to_string())
        })
        .collect();
    dated.sort_by(|a, b| a.0.cmp(&b.0)); // stable: same-day commands keep their order
    let mut in_order = Ledger::new();
    let mut kept = Vec::new();
    for (date, command) in dated {
        if apply(&mut in_order, &command)["ok"] == json!(true) {
            kept.push((date, command));
        }
    }
    let commands: Vec<String> = kept.iter().map(|(_, c)| c.clone()).collect();
    let mut by_then = Ledger::new();
    let mut days = 0;
    for (k, (date, command)) in kept.iter().enumerate() {
        apply(&mut by_then, command);
        let last_of_its_day = kept.get(k + 1).is_none_or(|(next, _)| next != date);
        if date.is_empty() || !last_of_its_day {
            continue;
        }
        days += 1;
        let q = json!({ "type": "aging", "as_of": date });
        let (got, expected) = (query(&in_order, q.clone())?, query(&by_then, q)?);
        let context = || format!("aging as of {date}: {got}\n{}", transcript(&commands, &[]));
        ensure(got == expected, || {
            format!("{}\nagainst the books of that day: {expected}", context())
        })?;
        // And against the balances of that day's books, which another part of the
        // engine keeps.
        let (rows, outstanding) = (aging_row_totals(&got)?, outstanding_by_book(&by_then)?);
        ensure(rows == outstanding, || {
            format!(
                "{}\nrows {rows:?} against that day's outstanding {outstanding:?}",
                context()
            )
        })?;
        // The trial balance at the end of that day is that day's general ledger.
        let q = json!({ "type": "trial_balance", "as_of": date });
        let (got, then) = (
            query(&in_order, q)?,
            query(&by_then, json!({ "type": "trial_balance" }))?,
        );
        for part in ["accounts", "totals"] {
            ensure(got[part] == then[part], || {
                format!(
                    "trial balance as of {date}: {got}\nagainst the general ledger of that day: {then}\n{}",
                    transcript(&commands, &[])
                )
            })?;
        }
    }
    ensure(days > 0 || kept.iter().all(|(d, _)| d.is_empty()), || {
        "no day was checked".to_string()
    })?;

    let later = query(&ledger, json!({ "type": "aging", "as_of": "2099-12-31" }))?;
    let (everything, now) = (
        query(
            &ledger,
            json!({ "type": "trial_balance", "as_of": "2099-12-31" }),
        )?,
        query(&ledger, json!({ "type": "trial_balance" }))?,
    );
    ensure(everything["accounts"] == now["accounts"], || {
        format!("trial balance as of 2099: {everything}\nagainst now: {now}")
    })?;
    for row in later["rows"].as_array().into_iter().flatten() {
        ensure(dec(&row["total"])? == dec(&row["over_90"])?, || {
            format!("in 2099 everything due is over 90 days: {row}")
        })?;
    }
    let (rows, outstanding) = (aging_row_totals(&later)?, outstanding_by_book(&ledger)?);
    ensure(rows == outstanding, || {
        format!("aging rows {rows:?} against outstanding {outstanding:?}")
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(300),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// `aging` is the books at the end of its day. A random ledger's commands are entered
    /// again in date order; then for every day they name, that ledger's `aging` equals the
    /// `aging` of a ledger holding only the commands dated by the end of that day (whose
    /// books, with nothing later in them, are that day's). And on a day after everything,
    /// each row's total is its customer's outstanding now, with no row for one owing
    /// nothing. The same for `trial_balance` at the end of each day: that day's general
    /// ledger; and after everything, the general ledger now.
    #[test]
    fn reports_as_of_a_day_are_the_books_at_its_end(steps in sequence(5..=40)) {
        to_case_error(check_reports_by_day(&steps))?;
    }
}
