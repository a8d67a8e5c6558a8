//! `add_credit`: credit granted without money (goodwill, compensation).

use rust_decimal::Decimal;

use super::{customer_and_currency, money_in, statement_entry, Ctx};
use crate::error::Result;
use crate::input::command::CommandBody;
use crate::state::book::Entry;
use crate::state::ledger_accounts::Account;
use crate::state::records::{Grant, Lot, LotOrigin, RecordRef};
use crate::state::{next_idx, State};

/// Grants credit: a new lot holding the amount, posted as goodwill expense against the
/// customer's credit account, and a statement credit.
pub fn run(state: &mut State, ctx: &Ctx, body: &CommandBody) -> Result<RecordRef> {
    let CommandBody::AddCredit {
        customer,
        amount,
        currency,
        date,
        reason,
        valid_until,
    } = body
    else {
        unreachable!("dispatched by type")
    };
    let (customer, currency) = customer_and_currency(state, customer, *currency)?;
    let amount = money_in("amount", *amount, currency)?;

    let idx = next_idx(&state.grants);
    let lot = next_idx(&state.lots);
    state.lots.push(Lot {
        customer,
        currency,
        origin: LotOrigin::Grant(idx),
        remaining: Decimal::ZERO,
        refunded: Decimal::ZERO,
        touched: Vec::new(),
        valid_until: valid_until.0,
    });
    state.grants.push(Grant {
        id: ctx.id.to_string(),
        customer,
        currency,
        amount,
        date: *date,
        reason: reason.clone(),
        lot,
    });
    state.add_to_lot(lot, amount);
    state.gl.post(
        currency,
        &[
            (Account::GoodwillCredit, amount),
            (Account::CustomerCredit(customer), -amount),
        ],
    );
    statement_entry(
        state,
        customer,
        currency,
        Entry {
            date: *date,
            seq: ctx.seq,
            record: RecordRef::Grant(idx),
            amount: -amount,
        },
    );
    Ok(RecordRef::Grant(idx))
}
