//! `expire_credit`: removes what is left of credit lots past their `valid_until`. Only
//! goodwill credit (`add_credit` with `valid_until`) has one; credit from money or
//! credit notes never expires.

use rust_decimal::Decimal;

use super::{statement_entry, Ctx, Handler, NewEntry};
use crate::answer::{expire_result, CommandResult};
use crate::date::Date;
use crate::error::Result;
use crate::input::command::ExpireCredit;
use crate::state::ledger_accounts::Account;
use crate::state::records::{ExpiredLot, Expiry, Idx, RecordRef};
use crate::state::{next_idx, State};

/// What an expiry run would remove: `(lot, amount)` parts, by customer then lot age.
pub struct ExpiryPlan {
    date: Date,
    customer: Option<Idx>,
    parts: Vec<(Idx, Decimal)>,
}

impl Handler for ExpireCredit {
    type Plan = ExpiryPlan;

    fn plan(&self, state: &State, _: &Ctx) -> Result<ExpiryPlan> {
        plan(state, self.date, self.customer.as_deref())
    }

    fn commit(&self, state: &mut State, ctx: &Ctx, plan: ExpiryPlan) -> RecordRef {
        commit(state, ctx, plan)
    }

    fn answer(&self, state: &State, _: &Ctx, plan: &ExpiryPlan) -> CommandResult {
        expire_result(state, plan.date, plan.customer, &plan.parts)
    }
}

/// Finds every lot (of one customer, or of all) whose `valid_until` is before `date`
/// and that still holds credit. Finding none is not an error: the run is recorded
/// with nothing removed.
fn plan(state: &State, date: Date, customer: Option<&str>) -> Result<ExpiryPlan> {
    let only = customer
        .map(|id| state.customer_idx("customer", id))
        .transpose()?;
    let customers: Vec<Idx> = match only {
        Some(c) => vec![c],
        None => (0..state.customers.len() as Idx).collect(),
    };
    let mut parts = Vec::new();
    for c in customers {
        for book in &state.customers[c as usize].books {
            for &l in &book.lots {
                let lot = &state.lots[l as usize];
                if lot.valid_until().is_some_and(|last| last < date) {
                    parts.push((l, lot.remaining()));
                }
            }
        }
    }
    Ok(ExpiryPlan {
        date,
        customer: only,
        parts,
    })
}

/// Removes the planned credit: each lot's removal reverses the goodwill expense it was
/// granted against and is a statement debit (the customer holds less credit).
fn commit(state: &mut State, ctx: &Ctx, plan: ExpiryPlan) -> RecordRef {
    let ExpiryPlan {
        date,
        customer,
        parts,
    } = plan;
    let idx = next_idx(&state.expiries);
    let first = next_idx(&state.expired_lots);
    // Stored first: its removals' statement entries read their date from it.
    state.expiries.push(Expiry {
        id: ctx.id.to_string(),
        date,
        customer,
        first,
        count: u32::try_from(parts.len()).expect("fewer parts than lots"),
    });
    for &(lot, amount) in &parts {
        state.take_from_lot(lot, amount);
        let (owner, currency) = (
            state.lots[lot as usize].customer,
            state.lots[lot as usize].currency,
        );
        state.gl.post(
            currency,
            &[
                (Account::CustomerCredit(owner), amount),
                (Account::GoodwillCredit, -amount),
            ],
        );
        let part = next_idx(&state.expired_lots);
        state.expired_lots.push(ExpiredLot {
            expiry: idx,
            lot,
            amount,
        });
        statement_entry(
            state,
            owner,
            currency,
            NewEntry {
                date,
                seq: ctx.seq,
                record: RecordRef::ExpiredLot(part),
                amount,
            },
        );
    }
    RecordRef::Expiry(idx)
}
