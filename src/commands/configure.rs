//! `configure`: ledger settings (the invoice number format).

use super::{Ctx, Handler};
use crate::answer::CommandResult;
use crate::error::Result;
use crate::input::command::Configure;
use crate::state::numbering::check_format;
use crate::state::records::{Config, RecordRef};
use crate::state::{next_idx, State};

impl Handler for Configure {
    /// The invoice number format in force after the command.
    type Plan = String;

    /// Checks the new format (`None`: unchanged). The sequence continues whatever the
    /// format.
    fn plan(&self, state: &State, _: &Ctx) -> Result<String> {
        match &self.invoice_number_format {
            Some(format) => {
                check_format(format)?;
                Ok(format.clone())
            }
            None => Ok(state.numbering.format.clone()),
        }
    }

    /// Sets the format and records the format in force.
    fn commit(&self, state: &mut State, ctx: &Ctx, format: String) -> RecordRef {
        state.numbering.format = format.clone();
        let idx = next_idx(&state.configs);
        state.configs.push(Config {
            id: ctx.id.to_string(),
            invoice_number_format: Some(format),
        });
        RecordRef::Config(idx)
    }

    fn answer(&self, _: &State, _: &Ctx, format: &String) -> CommandResult {
        CommandResult::Configure {
            invoice_number_format: format.clone(),
        }
    }
}
