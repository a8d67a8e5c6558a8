#![cfg(not(target_arch = "wasm32"))]
//! The snapshot format (4) against ledgers built to stress its encodings: more distinct line
//! descriptions than the line table compares a new one with (so some are stored twice),
//! reasons repeated far apart, amounts that don't fit the packed line form.

use serde_json::json;
use tally::Ledger;

fn invoice(i: usize, description: &str, unit_price: &str) -> String {
    json!({
        "type": "issue_invoice", "id": format!("i{i:05}"), "customer": "c1",
        "date": "2026-01-01", "due_date": "2026-01-31",
        "lines": [
            { "description": description, "quantity": "1", "unit_price": unit_price, "tax_rate": "0.20" },
            { "description": "Coffee", "quantity": "2.5", "unit_price": "1.10", "tax_rate": "0.1234567891", "discount_rate": "0.10" }
        ]
    })
    .to_string()
}

fn commands() -> Vec<String> {
    let mut out = vec![
        json!({"type": "create_customer", "id": "c1", "name": "One", "currency": "EUR"})
            .to_string(),
    ];
    for i in 0..400 {
        // 150 descriptions in turn: each comes back after more than the recent window.
        let description = format!("Desk {}", i % 150);
        let price = if i % 97 == 0 {
            "123456789.1234567891"
        } else {
            "180.00"
        };
        out.push(invoice(i, &description, price));
        if i % 10 == 0 {
            out.push(
                json!({"type": "add_credit", "id": format!("g{i:05}"), "customer": "c1",
                "amount": "1.00", "date": "2026-01-02", "reason": format!("Reason {}", i % 70)})
                .to_string(),
            );
        }
    }
    out
}

#[test]
fn a_snapshot_taken_anywhere_restores_and_replays_to_the_same_bytes() {
    let commands = commands();
    let mut full = Ledger::new();
    for c in &commands {
        assert!(full.apply_json(c).is_ok(), "{c}");
    }
    let whole = full.snapshot();
    assert_eq!(Ledger::restore(&whole).unwrap().snapshot(), whole);
    for cut in [1, 90, 200, commands.len() - 1] {
        let mut part = Ledger::new();
        for c in &commands[..cut] {
            assert!(part.apply_json(c).is_ok());
        }
        let mut restored = Ledger::restore(&part.snapshot()).expect("restores");
        for c in &commands[cut..] {
            assert!(restored.apply_json(c).is_ok());
        }
        assert!(
            restored.snapshot() == whole,
            "restored at {cut} and continued differs from the full ledger"
        );
        let q = r#"{"type":"invoice","invoice":"i00097"}"#;
        assert_eq!(
            serde_json::to_string(&restored.query_json(q)).unwrap(),
            serde_json::to_string(&full.query_json(q)).unwrap()
        );
    }
}

#[test]
fn every_cut_of_the_bytes_is_refused() {
    let mut ledger = Ledger::new();
    for c in commands().iter().take(60) {
        ledger.apply_json(c);
    }
    let bytes = ledger.snapshot();
    for cut in (0..bytes.len()).step_by(37) {
        assert!(Ledger::restore(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut padded = bytes.clone();
    padded.push(0);
    assert!(Ledger::restore(&padded).is_err());
}
