//! `refund_credit`: pays available credit back out, oldest lot first.

use rust_decimal::Decimal;

use super::{customer_and_currency, money_in, statement_entry, Ctx};
use crate::error::{err, Result};
use crate::input::command::CommandBody;
use crate::money::Money;
use crate::state::book::Entry;
use crate::state::ledger_accounts::Account;
use crate::state::records::{RecordRef, Refund};
use crate::state::{next_idx, State};

/// Pays credit back out, oldest lot first, from the method's cash account; more than
/// the credit available is `insufficient_credit`. A statement debit: paying credit out
/// raises the balance back towards zero.
pub fn run(state: &mut State, ctx: &Ctx, body: &CommandBody) -> Result<RecordRef> {
    let CommandBody::RefundCredit {
        customer,
        amount,
        currency,
        method,
        date,
        reference,
    } = body
    else {
        unreachable!("dispatched by type")
    };
    // Plan.
    let (customer, currency) = customer_and_currency(state, customer, *currency)?;
    let amount = money_in("amount", *amount, currency)?;
    let available = state.credit_available(customer, currency);
    if amount > available {
        return Err(err!(
            InsufficientCredit,
            "amount: '{amount}' is more than the {} {currency} of credit available",
            Money::new(available, currency)
        )
        .at("amount")
        .rule("more_than_available")
        .with("value", Money::new(amount, currency))
        .with("available", Money::new(available, currency)));
    }
    let taken = state.plan_lot_takes(customer, currency, amount);

    // Commit.
    for &(lot, part) in &taken {
        state.take_from_lot(lot, part);
        state.lots[lot as usize].refunded += part;
    }
    debug_assert_eq!(taken.iter().map(|(_, a)| *a).sum::<Decimal>(), amount);
    state.gl.post(
        currency,
        &[
            (Account::CustomerCredit(customer), amount),
            (Account::Cash(*method), -amount),
        ],
    );
    let idx = next_idx(&state.refunds);
    state.refunds.push(Refund {
        id: ctx.id.to_string(),
        customer,
        currency,
        amount,
        method: *method,
        date: *date,
        reference: reference.clone(),
        taken,
    });
    statement_entry(
        state,
        customer,
        currency,
        Entry {
            date: *date,
            seq: ctx.seq,
            record: RecordRef::Refund(idx),
            amount,
        },
    );
    Ok(RecordRef::Refund(idx))
}
