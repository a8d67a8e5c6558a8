//! `configure`: ledger settings (the invoice number format, tax rounding).

use super::Ctx;
use crate::error::Result;
use crate::state::numbering::check_format;
use crate::state::records::{Config, RecordRef, TaxRounding};
use crate::state::{next_idx, State};

/// Checks and sets the invoice number format and the tax rounding (`None`: unchanged)
/// and records the settings in force. The sequence continues whatever the format;
/// issued invoices keep the rounding they were issued with.
pub fn run(
    state: &mut State,
    ctx: &Ctx,
    format: &Option<String>,
    tax_rounding: Option<TaxRounding>,
) -> Result<RecordRef> {
    if let Some(format) = format {
        check_format(format)?;
    }
    // Commit.
    if let Some(format) = format {
        state.numbering.format = format.clone();
    }
    let tax_rounding = tax_rounding.unwrap_or_else(|| state.tax_rounding());
    let idx = next_idx(&state.configs);
    state.configs.push(Config {
        id: ctx.id.to_string(),
        invoice_number_format: Some(state.numbering.format.clone()),
        tax_rounding,
    });
    Ok(RecordRef::Config(idx))
}
