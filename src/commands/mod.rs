//! Command handlers. Each one validates against the state in a read-only `plan` (which
//! may refuse) and then applies the plan in a `commit` that cannot fail, so a refused
//! command changes nothing and an accepted one is applied as one step.

mod add_credit;
mod apply_credit;
mod configure;
mod create_customer;
mod credit_note;
mod expire_credit;
pub mod issue_invoice;
mod record_payment;
mod refund_credit;
mod void_invoice;
mod void_payment;
mod write_off_invoice;

use rust_decimal::Decimal;

use crate::error::Result;
use crate::input::command::{Command, CommandBody};
use crate::money::Currency;
use crate::state::book::Entry;
use crate::state::records::{Idx, RecordRef};
use crate::state::State;

/// What a handler needs besides its fields: the record id and the journal position.
pub struct Ctx<'a> {
    /// The command's id, which becomes the new record's id.
    pub id: &'a str,
    /// The journal seq the command will have: orders statement entries of one date.
    pub seq: u64,
}

/// Validates and applies one command whose id is free. Returns the record it created.
pub fn execute(state: &mut State, command: &Command, seq: u64) -> Result<RecordRef> {
    let ctx = Ctx {
        id: &command.id,
        seq,
    };
    match &command.body {
        CommandBody::CreateCustomer {
            name,
            currency,
            email,
        } => Ok(create_customer::run(state, &ctx, name, *currency, email)),
        CommandBody::IssueInvoice(draft) => issue_invoice::run(state, &ctx, draft),
        CommandBody::RecordPayment { .. } => record_payment::run(state, &ctx, &command.body),
        CommandBody::AddCredit { .. } => add_credit::run(state, &ctx, &command.body),
        CommandBody::ApplyCredit { .. } => apply_credit::run(state, &ctx, &command.body),
        CommandBody::IssueCreditNote { .. } => credit_note::run(state, &ctx, &command.body),
        CommandBody::RefundCredit { .. } => refund_credit::run(state, &ctx, &command.body),
        CommandBody::VoidPayment { .. } => void_payment::run(state, &ctx, &command.body),
        CommandBody::VoidInvoice { .. } => void_invoice::run(state, &ctx, &command.body),
        CommandBody::Configure {
            invoice_number_format,
            tax_rounding,
        } => configure::run(state, &ctx, invoice_number_format, tax_rounding.0),
        CommandBody::WriteOffInvoice {
            invoice,
            date,
            reason,
        } => {
            let plan = write_off_invoice::plan(state, invoice, *date)?;
            Ok(write_off_invoice::commit(state, &ctx, plan, reason))
        }
        CommandBody::ExpireCredit { date, customer } => {
            let plan = expire_credit::plan(state, *date, customer.as_deref())?;
            Ok(expire_credit::commit(state, &ctx, plan))
        }
    }
}

/// Checks that an entered amount has no more decimals than its currency allows and
/// returns it at exactly the currency's minor units.
pub(crate) fn money_in(field: &str, amount: Decimal, currency: Currency) -> Result<Decimal> {
    crate::money::check_units(field, amount, currency)
}

/// The customer and currency a customer-scoped command works in.
pub(crate) fn customer_and_currency(
    state: &State,
    customer: &str,
    currency: Option<Currency>,
) -> Result<(Idx, Currency)> {
    let idx = state.customer_idx("customer", customer)?;
    Ok((
        idx,
        currency.unwrap_or(state.customers[idx as usize].currency),
    ))
}

/// Adds a statement entry to a customer's book.
pub(crate) fn statement_entry(state: &mut State, customer: Idx, currency: Currency, entry: Entry) {
    state.book_mut(customer, currency).add_entry(entry);
}
