//! Exports for the browser benchmark only (feature `bench`): the generated space, so
//! native and wasm ingest exactly the same commands, and invoice arithmetic in one
//! crossing, to compare with JS decimal libraries.

use rust_decimal::Decimal;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::domain::LineInput;
use crate::invoice_math::{compute_line, totals};
use crate::money::Currency;
use crate::workload::Workload;

/// The benchmark space as a stream of JSON chunks.
#[wasm_bindgen]
pub struct WorkloadStream {
    inner: Workload,
}

#[wasm_bindgen]
impl WorkloadStream {
    #[wasm_bindgen(constructor)]
    pub fn new(customers: u32, seed: u32) -> WorkloadStream {
        WorkloadStream {
            inner: Workload::new(customers as usize, u64::from(seed)),
        }
    }

    /// The next `n` commands as a JSON array (text).
    #[wasm_bindgen(js_name = nextJson)]
    pub fn next_json(&mut self, n: u32) -> String {
        let chunk: Vec<serde_json::Value> = self.inner.by_ref().take(n as usize).collect();
        serde_json::to_string(&chunk).unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct Draft {
    currency: String,
    #[serde(default)]
    prices_include_tax: bool,
    lines: Vec<DraftLine>,
}

#[derive(Deserialize)]
struct DraftLine {
    quantity: String,
    unit_price: String,
    #[serde(default)]
    tax_rate: Option<String>,
    #[serde(default)]
    discount_rate: Option<String>,
}

/// Computes every invoice of `drafts_json` (`[{ currency, prices_include_tax, lines:
/// [{ quantity, unit_price, tax_rate, discount_rate }] }]`) with the engine's own line,
/// tax and rounding rules; answers the sum of the totals (text) so results can be compared.
#[wasm_bindgen(js_name = invoiceMathBatch)]
pub fn invoice_math_batch(drafts_json: &str) -> String {
    let Ok(drafts) = serde_json::from_str::<Vec<Draft>>(drafts_json) else {
        return "error: drafts do not parse".into();
    };
    let mut sum = Decimal::ZERO;
    for d in &drafts {
        let Some(currency) = Currency::from_code(&d.currency) else {
            return format!("error: currency {}", d.currency);
        };
        let dec = |s: &Option<String>| s.as_deref().unwrap_or("0").parse::<Decimal>();
        let mut lines = Vec::with_capacity(d.lines.len());
        for (i, l) in d.lines.iter().enumerate() {
            let (Ok(q), Ok(p), Ok(r), Ok(disc)) = (
                l.quantity.parse(),
                l.unit_price.parse(),
                dec(&l.tax_rate),
                dec(&l.discount_rate),
            ) else {
                return "error: a line does not parse".into();
            };
            let input = LineInput {
                description: String::new(),
                quantity: q,
                unit_price: p,
                tax_rate: r,
                discount_rate: disc,
            };
            match compute_line(i, &input, currency, d.prices_include_tax) {
                Ok(line) => lines.push(line),
                Err(e) => return format!("error: {}", e.message),
            }
        }
        match totals(&lines) {
            Ok((_, _, total)) => sum += total,
            Err(e) => return format!("error: {}", e.message),
        }
    }
    sum.to_string()
}
