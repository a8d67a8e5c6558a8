//! `settings`: the ledger settings in force (what `configure` last set).

#![warn(missing_docs)]

use serde::Serialize;

use crate::state::State;

/// The `settings` answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SettingsAnswer {
    /// The format the next invoice numbers are printed with.
    pub invoice_number_format: String,
    /// How the next invoices round tax: `line` (each line on its own, the default) or
    /// `invoice` (once per rate over the invoice, shared over the lines).
    pub tax_rounding: &'static str,
    /// The sequence number the next invoice gets (printed through the format).
    pub next_invoice_seq: u64,
}

/// Answers `settings`.
pub fn run(state: &State) -> SettingsAnswer {
    SettingsAnswer {
        invoice_number_format: state.numbering.format.clone(),
        tax_rounding: state.tax_rounding().name(),
        next_invoice_seq: state.numbering.next,
    }
}
