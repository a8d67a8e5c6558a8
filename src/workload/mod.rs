//! A realistic generated coworking space for benchmarks: customers billed monthly with
//! 1–5 lines, paying on time, early, late, partially or in advance (on a zero balance),
//! with credit notes, goodwill credits (half of them promotional, with an end date and
//! a monthly expiry run), refunds, voids and twice-yearly write-offs. Deterministic for a seed, so
//! native and wasm runs ingest exactly the same commands.

#![warn(missing_docs)]

pub mod bench;
pub mod memory;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::domain::LineInput;
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
    /// A generator for a seed; the same seed gives the same stream everywhere.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`: uniform up to a modulo bias that is negligible for the small
    /// `n` used here.
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

/// The generated space as a stream of commands, month by month: nothing is held but
/// the members' state, so a million commands can be produced inside a browser tab.
pub struct Workload {
    rng: Rng,
    members: Vec<Member>,
    /// Customers announced so far (their `create_customer` commands come first).
    created: usize,
    serial: u64,
    month: u32,
    next_member: usize,
    queue: std::collections::VecDeque<Value>,
}

impl Workload {
    /// The space of `customers` customers for a seed.
    pub fn new(customers: usize, seed: u64) -> Workload {
        let mut rng = Rng::new(seed);
        let eur = Currency::from_code("EUR").expect("EUR");
        let usd = Currency::from_code("USD").expect("USD");
        let members = (0..customers)
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
        Workload {
            rng,
            members,
            created: 0,
            serial: 0,
            month: 0,
            next_member: 0,
            queue: Default::default(),
        }
    }

    fn next_id(&mut self, prefix: &str) -> String {
        self.serial += 1;
        format!("{prefix}{:08}", self.serial)
    }

    /// Queues one member's commands for the current month.
    fn member_month(&mut self, i: usize) {
        let (year, mon) = (2018 + self.month / 12, self.month % 12 + 1);
        let day = |d: u32| format!("{year:04}-{mon:02}-{d:02}");
        let habit = self.members[i].habit;
        let currency = self.members[i].currency;
        let member_id = self.members[i].id.clone();
        if i == 0 && self.month > 0 {
            // Month start: promotional credit past its end date expires, everyone's.
            let id = self.next_id("x");
            self.queue
                .push_back(json!({ "type": "expire_credit", "id": id, "date": day(1) }));
        }
        if habit == Habit::InAdvance {
            let id = self.next_id("p");
            let cmd = payment(&id, &member_id, "400.00", &day(1), &mut self.rng);
            self.queue.push_back(cmd);
            self.members[i].payments.push(id);
        }
        // The monthly invoice.
        let inv = self.next_id("i");
        let n_lines = 1 + self.rng.below(5) as usize;
        let mut lines = Vec::with_capacity(n_lines);
        let mut total = Decimal::ZERO;
        for l in 0..n_lines {
            let (desc, price, rate) =
                PRODUCTS[(self.rng.below(PRODUCTS.len() as u64) as usize + l) % PRODUCTS.len()];
            let qty = 1 + self.rng.below(if l == 0 { 1 } else { 12 });
            let discount = if self.rng.chance(10) { "0.10" } else { "0" };
            let input = LineInput {
                description: desc.into(),
                quantity: Decimal::from(qty),
                unit_price: price.parse().expect("price"),
                tax_rate: rate.parse().expect("rate"),
                discount_rate: discount.parse().expect("discount"),
            };
            total += compute_line(l, &input, currency, false)
                .expect("generated line")
                .gross;
            lines.push(json!({
                "description": desc, "quantity": qty.to_string(), "unit_price": price,
                "tax_rate": rate, "discount_rate": discount,
            }));
        }
        self.queue.push_back(json!({
            "type": "issue_invoice", "id": inv, "customer": member_id, "date": day(1),
            "due_date": day(15), "lines": lines, "at": format!("{}T08:00:00Z", day(1)), "by": "billing-run",
        }));
        self.members[i].unpaid.push((inv.clone(), total));
        // Payments by habit.
        let pay = match habit {
            Habit::OnTime | Habit::Early => {
                Some((total, if habit == Habit::Early { 3 } else { 14 }))
            }
            Habit::Late if self.members[i].unpaid.len() >= 2 => {
                let owed: Decimal = self.members[i]
                    .unpaid
                    .iter()
                    .map(|(_, t)| *t)
                    .sum::<Decimal>()
                    - total;
                Some((owed, 27))
            }
            Habit::Partial => Some(((total / Decimal::TWO).round_dp(2), 20)),
            _ => None,
        };
        if let Some((amount, d)) = pay {
            if amount > Decimal::ZERO {
                let id = self.next_id("p");
                let cmd = payment(
                    &id,
                    &member_id,
                    &amount.round_dp(2).to_string(),
                    &day(d),
                    &mut self.rng,
                );
                self.queue.push_back(cmd);
                let m = &mut self.members[i];
                m.payments.push(id);
                if habit != Habit::Partial {
                    let keep = usize::from(habit == Habit::Late);
                    let drain = m.unpaid.len().saturating_sub(keep);
                    m.unpaid.drain(..drain);
                }
            }
        }
        // Corrections, now and then.
        if self.rng.chance(2) && total >= Decimal::TEN {
            let id = self.next_id("n");
            self.queue.push_back(json!({
                "type": "issue_credit_note", "id": id, "customer": member_id,
                "invoice": inv, "amount": "10.00", "date": day(18), "reason": "Room unavailable",
            }));
        }
        if self.rng.chance(1) {
            let id = self.next_id("g");
            let mut grant = json!({
                "type": "add_credit", "id": id, "customer": member_id, "amount": "25.00",
                "date": day(19), "reason": "Goodwill: heating outage",
            });
            // Every other grant is promotional: usable to the end of the month. (No
            // random draw, so the rest of the stream stays as it was.)
            if self.serial % 2 == 0 {
                grant["valid_until"] = json!(day(28));
            }
            self.queue.push_back(grant);
        }
        if habit == Habit::Partial && self.month % 6 == 5 && total >= Decimal::from(50) {
            // Twice a year a partial payer's latest invoice is written off as bad debt.
            let id = self.next_id("w");
            self.queue.push_back(json!({
                "type": "write_off_invoice", "id": id, "invoice": inv, "date": day(28),
                "reason": "Member left owing",
            }));
            self.members[i].unpaid.retain(|(id, _)| *id != inv);
        }
        if self.rng.chance(1) {
            let id = self.next_id("v");
            self.queue.push_back(json!({"type": "void_invoice", "id": id, "invoice": inv, "date": day(20), "reason": "Issued in error"}));
            self.members[i].unpaid.retain(|(id, _)| *id != inv);
        }
        if self.rng.chance(1) {
            if let Some(p) = self.members[i].payments.pop() {
                let id = self.next_id("v");
                self.queue.push_back(json!({"type": "void_payment", "id": id, "payment": p, "date": day(28), "reason": "Bounced"}));
            }
        }
        if habit == Habit::InAdvance && self.rng.chance(3) {
            let id = self.next_id("r");
            self.queue.push_back(json!({
                "type": "refund_credit", "id": id, "customer": member_id, "amount": "5.00",
                "method": "bank_transfer", "date": day(25),
            }));
        }
    }
}

impl Iterator for Workload {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        if self.members.is_empty() {
            return None;
        }
        if self.created < self.members.len() {
            let i = self.created;
            self.created += 1;
            let m = &self.members[i];
            return Some(json!({
                "type": "create_customer", "id": m.id, "currency": m.currency.code(),
                "name": format!("Member {i}"), "email": format!("member{i}@example.com"),
            }));
        }
        while self.queue.is_empty() {
            let i = self.next_member;
            self.member_month(i);
            self.next_member += 1;
            if self.next_member == self.members.len() {
                self.next_member = 0;
                self.month += 1;
            }
        }
        self.queue.pop_front()
    }
}

/// The first `target` commands (at least the customers) of the space.
pub fn generate(customers: usize, target: usize, seed: u64) -> Vec<Value> {
    Workload::new(customers, seed)
        .take(target.max(customers))
        .collect()
}

fn payment(id: &str, customer: &str, amount: &str, date: &str, rng: &mut Rng) -> Value {
    json!({
        "type": "record_payment", "id": id, "customer": customer, "amount": amount,
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
