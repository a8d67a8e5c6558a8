//! `add_credit`: credit granted without money (goodwill, compensation).

use rust_decimal::Decimal;

use super::{customer_and_currency, money_in, statement_entry, Ctx, Handler, NewEntry};
use crate::answer::CommandResult;
use crate::error::Result;
use crate::input::command::AddCredit;
use crate::money::{Currency, Money};
use crate::state::ledger_accounts::Account;
use crate::state::records::{Grant, Idx, Lot, LotOrigin, RecordRef};
use crate::state::{next_chunked_idx, next_idx, State};

/// The credit to grant.
pub struct GrantPlan {
    customer: Idx,
    currency: Currency,
    amount: Decimal,
}

impl Handler for AddCredit {
    type Plan = GrantPlan;

    fn plan(&self, state: &State, _: &Ctx) -> Result<GrantPlan> {
        let (customer, currency) = customer_and_currency(state, &self.customer, self.currency)?;
        let amount = money_in("amount", self.amount, currency)?;
        Ok(GrantPlan {
            customer,
            currency,
            amount,
        })
    }

    /// Grants credit: a new lot holding the amount, posted as goodwill expense against
    /// the customer's credit account, and a statement credit.
    fn commit(&self, state: &mut State, ctx: &Ctx, plan: GrantPlan) -> RecordRef {
        let GrantPlan {
            customer,
            currency,
            amount,
        } = plan;
        let idx = next_idx(&state.grants);
        let lot = next_chunked_idx(&state.lots);
        state.lots.push(Lot::new(
            customer,
            currency,
            LotOrigin::Grant(idx),
            self.valid_until.0,
        ));
        state.grants.push(Grant {
            id: ctx.id.to_string(),
            customer,
            currency,
            amount,
            date: self.date,
            reason: crate::text::owned(&self.reason),
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
            NewEntry {
                date: self.date,
                seq: ctx.seq,
                record: RecordRef::Grant(idx),
                amount: -amount,
            },
        );
        RecordRef::Grant(idx)
    }

    fn answer(&self, _: &State, ctx: &Ctx, plan: &GrantPlan) -> CommandResult {
        CommandResult::AddCredit {
            credit: ctx.id.into(),
            currency: plan.currency,
            amount: Money::new(plan.amount, plan.currency),
            valid_until: self.valid_until.0,
        }
    }
}
