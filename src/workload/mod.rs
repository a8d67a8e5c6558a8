//! A realistic generated coworking space for benchmarks: customers billed monthly with
//! 1–5 lines, paying on time, early, late, partially or in advance (on a zero balance),
//! with credit notes, goodwill credits, refunds and voids. Deterministic for a seed, so
//! native and wasm runs ingest exactly the same commands.

pub mod bench;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::input::command::LineInput;
use crate::invoice_math::compute_line;
use crate::money::Currency;

/// How a generated customer pays.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Habit {
    OnTime,
    Early,
    Late,
    Partial,
    InAdvance,
}

/// SplitMix64: tiny, good enough for workload shapes, identical on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const PRODUCTS: &[(&str, &str, &str)] = &[
    ("Hot desk membership", "180.00", "0.20"),
    ("Dedicated desk", "320.00", "0.20"),
    ("Private office (4 people)", "1450.00", "0.20"),
    ("Meeting room, hours", "25.00", "0.20"),
    ("Printing", "0.15", "0.20"),
    ("Coffee and snacks", "3.40", "0.10"),
    ("Locker", "15.00", "0.20"),
    ("Mail handling", "29.99", "0.00"),
];

const METHODS: &[&str] = &["bank_transfer", "card", "direct_debit", "cash", "cheque"];

struct Member {
    id: String,
    currency: Currency,
    habit: Habit,
    /// Invoices not yet paid by the generator's own reckoning: (id, total).
    unpaid: Vec<(String, Decimal)>,
    /// Payments made, newest last (void candidates).
    payments: Vec<String>,
}

/// Generates about `target` commands (JSON objects) for `customers` customers.
pub fn generate(customers: usize, target: usize, seed: u64) -> Vec<Value> {
    let mut rng = Rng::new(seed);
    let mut out: Vec<Value> = Vec::with_capacity(target + customers);
    let eur = Currency::from_code("EUR").expect("EUR");
    let usd = Currency::from_code("USD").expect("USD");
    let mut members: Vec<Member> = (0..customers)
        .map(|i| {
            let currency = if i % 10 == 9 { usd } else { eur };
            let habit = match rng.below(100) {
                0..=54 => Habit::OnTime,
                55..=69 => Habit::Early,
                70..=84 => Habit::Late,
                85..=94 => Habit::Partial,
                _ => Habit::InAdvance,
            };
            Member {
                id: format!("m{i:05}"),
                currency,
                habit,
                unpaid: Vec::new(),
                payments: Vec::new(),
            }
        })
        .collect();
    for (i, m) in members.iter().enumerate() {
        out.push(json!({
            "type": "create_customer", "id": m.id, "currency": m.currency.code(),
            "name": format!("Member {i}"), "email": format!("member{i}@example.com"),
        }));
    }
    let mut serial = 0u64;
    let mut next_id = |prefix: &str| {
        serial += 1;
        format!("{prefix}{serial:08}")
    };
    let mut month = 0u32;
    while out.len() < target {
        let (year, mon) = (2018 + month / 12, month % 12 + 1);
        let day = |d: u32| format!("{year:04}-{mon:02}-{d:02}");
        for m in members.iter_mut() {
            if out.len() >= target {
                break;
            }
            if m.habit == Habit::InAdvance {
                let id = next_id("p");
                out.push(payment(&id, m, "400.00", &day(1), &mut rng));
                m.payments.push(id);
            }
            // The monthly invoice.
            let inv = next_id("i");
            let n_lines = 1 + rng.below(5) as usize;
            let mut lines = Vec::with_capacity(n_lines);
            let mut total = Decimal::ZERO;
            for l in 0..n_lines {
                let (desc, price, rate) =
                    PRODUCTS[(rng.below(PRODUCTS.len() as u64) as usize + l) % PRODUCTS.len()];
                let qty = 1 + rng.below(if l == 0 { 1 } else { 12 });
                let discount = if rng.chance(10) { "0.10" } else { "0" };
                let input = LineInput {
                    description: desc.to_string(),
                    quantity: Decimal::from(qty),
                    unit_price: price.parse().expect("price"),
                    tax_rate: rate.parse().expect("rate"),
                    discount_rate: discount.parse().expect("discount"),
                };
                total += compute_line(l, &input, m.currency, false)
                    .expect("generated line")
                    .gross;
                lines.push(json!({
                    "description": desc, "quantity": qty.to_string(), "unit_price": price,
                    "tax_rate": rate, "discount_rate": discount,
                }));
            }
            out.push(json!({
                "type": "issue_invoice", "id": inv, "customer": m.id, "date": day(1),
                "due_date": day(15), "lines": lines, "at": format!("{}T08:00:00Z", day(1)), "by": "billing-run",
            }));
            m.unpaid.push((inv.clone(), total));
            // Payments by habit.
            let pay = match m.habit {
                Habit::OnTime | Habit::Early => {
                    Some((total, if m.habit == Habit::Early { 3 } else { 14 }))
                }
                Habit::Late if m.unpaid.len() >= 2 => {
                    let owed: Decimal = m.unpaid.iter().map(|(_, t)| *t).sum::<Decimal>() - total;
                    Some((owed, 27))
                }
                Habit::Partial => Some(((total / Decimal::TWO).round_dp(2), 20)),
                _ => None,
            };
            if let Some((amount, d)) = pay {
                if amount > Decimal::ZERO {
                    let id = next_id("p");
                    out.push(payment(
                        &id,
                        m,
                        &amount.round_dp(2).to_string(),
                        &day(d),
                        &mut rng,
                    ));
                    m.payments.push(id);
                    if m.habit != Habit::Partial {
                        let keep = if m.habit == Habit::Late { 1 } else { 0 };
                        let drain = m.unpaid.len().saturating_sub(keep);
                        m.unpaid.drain(..drain);
                    }
                }
            }
            // Corrections, now and then.
            if rng.chance(2) && total >= Decimal::TEN {
                out.push(json!({
                    "type": "issue_credit_note", "id": next_id("n"), "customer": m.id,
                    "invoice": inv, "amount": "10.00", "date": day(18), "reason": "Room unavailable",
                }));
            }
            if rng.chance(1) {
                out.push(json!({
                    "type": "add_credit", "id": next_id("g"), "customer": m.id, "amount": "25.00",
                    "date": day(19), "reason": "Goodwill: heating outage",
                }));
            }
            if rng.chance(1) {
                out.push(json!({"type": "void_invoice", "id": next_id("v"), "invoice": inv, "date": day(20), "reason": "Issued in error"}));
                m.unpaid.retain(|(id, _)| *id != inv);
            }
            if rng.chance(1) {
                if let Some(p) = m.payments.pop() {
                    out.push(json!({"type": "void_payment", "id": next_id("v"), "payment": p, "date": day(21), "reason": "Bounced"}));
                }
            }
            if m.habit == Habit::InAdvance && rng.chance(3) {
                out.push(json!({
                    "type": "refund_credit", "id": next_id("r"), "customer": m.id, "amount": "5.00",
                    "method": "bank_transfer", "date": day(25),
                }));
            }
        }
        month += 1;
    }
    out.truncate(target.max(customers));
    out
}

fn payment(id: &str, m: &Member, amount: &str, date: &str, rng: &mut Rng) -> Value {
    json!({
        "type": "record_payment", "id": id, "customer": m.id, "amount": amount,
        "method": METHODS[rng.below(METHODS.len() as u64) as usize], "date": date,
        "reference": format!("REF-{id}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Ledger;

    #[test]
    fn generated_space_is_accepted_and_deterministic() {
        let a = generate(50, 3000, 7);
        assert_eq!(a, generate(50, 3000, 7));
        assert_eq!(a.len(), 3000);
        let mut ledger = Ledger::new();
        let mut refused = Vec::new();
        for c in &a {
            let answer = ledger.apply_json(&c.to_string());
            if !answer.is_ok() {
                refused.push((c.clone(), serde_json::to_value(&answer).unwrap()));
            }
        }
        // Refunds and voids are drawn blindly; a few may be refused (no credit left, or
        // the payment's credit was refunded). Everything else must go through.
        assert!(
            refused.len() * 100 < a.len(),
            "{} refused: {:?}",
            refused.len(),
            &refused[..refused.len().min(3)]
        );
        for (c, _) in &refused {
            assert!(
                matches!(c["type"].as_str(), Some("refund_credit" | "void_payment")),
                "{c}"
            );
        }
    }
}
