//! `apply_credit`: applies existing credit to an open invoice now, oldest lot first.

use rust_decimal::Decimal;

use super::{money_in, Ctx};
use crate::error::{err, Result};
use crate::input::command::CommandBody;
use crate::money::Money;
use crate::state::ledger_accounts::Account;
use crate::state::records::{Application, RecordRef, Source};
use crate::state::{next_idx, State};

/// Applies the customer's credit to one of its open invoices, oldest lot first; without
/// an amount, as much as both the credit and the amount due allow. Moves no money, so it
/// makes no statement entry.
pub fn run(state: &mut State, ctx: &Ctx, body: &CommandBody) -> Result<RecordRef> {
    let CommandBody::ApplyCredit {
        customer,
        invoice,
        amount,
        currency,
        date,
    } = body
    else {
        unreachable!("dispatched by type")
    };
    // Plan.
    let customer = state.customer_idx("customer", customer)?;
    let inv = state.customers_invoice("invoice", invoice, customer)?;
    let record = &state.invoices[inv as usize];
    let inv_currency = record.currency;
    if let Some(c) = currency {
        if *c != inv_currency {
            return Err(err!(
                CurrencyMismatch,
                "currency: credit in {c} can't settle invoice '{invoice}', which is in {inv_currency}"
            ));
        }
    }
    if let Some(words) = record.closed_words() {
        return Err(err!(InvoiceClosed, "invoice: '{invoice}' {words}"));
    }
    let due = record.amount_due();
    let date = date.0.unwrap_or(record.date);
    if date < record.date {
        return Err(err!(
            InvalidDate,
            "date: '{date}' is before invoice '{invoice}' was issued ({}); credit can't be applied before it",
            record.date
        ));
    }
    let available = state.credit_usable(customer, inv_currency, date);
    let amount = match amount {
        Some(a) => {
            let a = money_in("amount", *a, inv_currency)?;
            if a > available {
                return Err(err!(
                    InsufficientCredit,
                    "amount: '{a}' is more than the {} {inv_currency} of credit available on {date}",
                    Money::new(available, inv_currency)
                ));
            }
            if a > due {
                return Err(err!(
                    OverAllocation,
                    "amount: '{a}' is more than the {} {inv_currency} invoice '{invoice}' still asks for",
                    Money::new(due, inv_currency)
                ));
            }
            a
        }
        None => {
            if available.is_zero() {
                return Err(err!(
                    InsufficientCredit,
                    "customer: '{}' has no {inv_currency} credit to apply on {date}",
                    state.customers[customer as usize].id
                ));
            }
            available.min(due)
        }
    };
    let takes = state.plan_lot_takes(customer, inv_currency, amount, date);

    // Commit.
    for (lot, part) in takes {
        state.settle(inv, Source::Lot(lot), part);
    }
    state.gl.post(
        inv_currency,
        &[
            (Account::CustomerCredit(customer), amount),
            (Account::Receivable(customer), -amount),
        ],
    );
    let idx = next_idx(&state.applications);
    state.applications.push(Application {
        id: ctx.id.to_string(),
        customer,
        invoice: inv,
        amount,
        date,
    });
    debug_assert!(amount > Decimal::ZERO);
    Ok(RecordRef::Application(idx))
}
