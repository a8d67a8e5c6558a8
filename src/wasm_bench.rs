//! Exports for the browser benchmark only (feature `bench`): the generated space, so
//! native and wasm ingest exactly the same commands, the native benchmark's ingest loop
//! run inside the module (the engine's own cost in wasm, without a crossing per command),
//! and invoice arithmetic in one crossing, to compare with JS decimal libraries.

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

/// The native benchmark's ingest run inside the module: the space's commands as JSON
/// texts, a chunk at a time (`prepare`, not timed), into one ledger (`run`, timed by the
/// caller), with `tally bench`'s loop (`workload::bench::ingest`): each answer written as
/// JSON text into a reused buffer, the journal read and forgotten every 1,000 commands.
#[wasm_bindgen]
pub struct IngestInside {
    workload: Workload,
    ledger: crate::Ledger,
    chunk: Vec<String>,
    done: usize,
    answer: Vec<u8>,
}

#[wasm_bindgen]
impl IngestInside {
    #[wasm_bindgen(constructor)]
    pub fn new(customers: u32, seed: u32) -> IngestInside {
        IngestInside {
            workload: Workload::new(customers as usize, u64::from(seed)),
            ledger: crate::Ledger::new(),
            chunk: Vec::new(),
            done: 0,
            answer: Vec::new(),
        }
    }

    /// Generates the next `n` commands as JSON texts for `run`.
    pub fn prepare(&mut self, n: u32) {
        self.chunk = self
            .workload
            .by_ref()
            .take(n as usize)
            .map(|c| c.to_string())
            .collect();
    }

    /// Ingests the prepared commands; answers how many were refused.
    pub fn run(&mut self) -> u32 {
        let mut refused = 0;
        for command in &self.chunk {
            let answer = self.ledger.apply_json(command);
            if !answer.is_ok() {
                refused += 1;
            }
            self.answer.clear();
            crate::answer::write_json(&answer, &mut self.answer);
            std::hint::black_box(&self.answer);
            self.done += 1;
            if self.done % 1000 == 0 {
                std::hint::black_box(self.ledger.journal_since(0).len());
                self.ledger.forget_journal_through(self.ledger.seq());
            }
        }
        refused
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
                description: Default::default(),
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
