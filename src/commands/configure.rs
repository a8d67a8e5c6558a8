//! `configure`: ledger settings (the invoice number format).

use super::Ctx;
use crate::error::Result;
use crate::state::numbering::check_format;
use crate::state::records::{Config, RecordRef};
use crate::state::{next_idx, State};

/// Checks and sets the invoice number format (`None`: unchanged) and records the
/// format in force. The sequence continues whatever the format.
pub fn run(state: &mut State, ctx: &Ctx, format: &Option<String>) -> Result<RecordRef> {
    if let Some(format) = format {
        check_format(format)?;
    }
    // Commit.
    if let Some(format) = format {
        state.numbering.format = format.clone();
    }
    let idx = next_idx(&state.configs);
    state.configs.push(Config {
        id: ctx.id.to_string(),
        invoice_number_format: Some(state.numbering.format.clone()),
    });
    Ok(RecordRef::Config(idx))
}
