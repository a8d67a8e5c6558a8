//! `configure`: ledger settings (the invoice number format, tax rounding).

use super::{Ctx, Handler};
use crate::answer::CommandResult;
use crate::error::Result;
use crate::input::command::Configure;
use crate::state::numbering::check_format;
use crate::state::records::{Config, RecordRef, TaxRounding};
use crate::state::{next_idx, State};

/// The settings in force after the command.
pub struct Settings {
    invoice_number_format: String,
    tax_rounding: TaxRounding,
}

impl Handler for Configure {
    type Plan = Settings;

    /// Checks a new format (`None`: unchanged). The sequence continues whatever the
    /// format; issued invoices keep the rounding they were issued with.
    fn plan(&self, state: &State, _: &Ctx) -> Result<Settings> {
        let invoice_number_format = match &self.invoice_number_format {
            Some(format) => {
                check_format(format)?;
                crate::text::owned(format)
            }
            None => state.numbering.format.clone(),
        };
        Ok(Settings {
            invoice_number_format,
            tax_rounding: self.tax_rounding.0.unwrap_or_else(|| state.tax_rounding()),
        })
    }

    /// Sets the format and records the settings in force.
    fn commit(&self, state: &mut State, ctx: &Ctx, plan: Settings) -> RecordRef {
        state.numbering.format = plan.invoice_number_format.clone();
        let idx = next_idx(&state.configs);
        state.configs.push(Config {
            id: ctx.id.to_string(),
            invoice_number_format: Some(plan.invoice_number_format),
            tax_rounding: plan.tax_rounding,
        });
        RecordRef::Config(idx)
    }

    fn answer(&self, _: &State, _: &Ctx, plan: &Settings) -> CommandResult {
        CommandResult::Configure {
            invoice_number_format: plan.invoice_number_format.as_str().into(),
            tax_rounding: plan.tax_rounding.name(),
        }
    }
}
