//! `refund_credit`: pays available credit back out, oldest lot first.

use rust_decimal::Decimal;

use super::{customer_and_currency, money_in, statement_entry, Ctx, Handler, NewEntry};
use crate::answer::{refund_result, CommandResult};
use crate::error::{err, Result};
use crate::input::command::RefundCredit;
use crate::money::{Currency, DecimalText, Money};
use crate::state::ledger_accounts::Account;
use crate::state::records::{Idx, RecordRef, Refund};
use crate::state::{next_idx, State};

/// The credit a refund pays out.
pub struct RefundPlan {
    customer: Idx,
    currency: Currency,
    amount: Decimal,
    /// `(lot, amount)`, oldest lot first.
    taken: Vec<(Idx, Decimal)>,
}

impl Handler for RefundCredit {
    type Plan = RefundPlan;

    /// More than the credit available is `insufficient_credit`.
    fn plan(&self, state: &State, _: &Ctx) -> Result<RefundPlan> {
        let (customer, currency) = customer_and_currency(state, &self.customer, self.currency)?;
        let amount = money_in("amount", self.amount, currency)?;
        let available = state.credit_usable(customer, currency, self.date);
        if amount > available {
            return Err(err!(
                InsufficientCredit,
                "amount: '{}' is more than the {} {currency} of credit available on {}",
                DecimalText(amount),
                Money::new(available, currency),
                self.date
            )
            .at("amount")
            .rule("more_than_available")
            .with("value", Money::new(amount, currency))
            .with("available", Money::new(available, currency)));
        }
        let taken = state.plan_lot_takes(customer, currency, amount, self.date);
        debug_assert_eq!(taken.iter().map(|(_, a)| *a).sum::<Decimal>(), amount);
        Ok(RefundPlan {
            customer,
            currency,
            amount,
            taken,
        })
    }

    /// Pays the credit out of the method's cash account. A statement debit: paying
    /// credit out raises the balance back towards zero.
    fn commit(&self, state: &mut State, ctx: &Ctx, plan: RefundPlan) -> RecordRef {
        let RefundPlan {
            customer,
            currency,
            amount,
            taken,
        } = plan;
        for &(lot, part) in &taken {
            state.take_from_lot(lot, part);
            let l = &mut state.lots[lot as usize];
            l.refunded = crate::state::moved(l.refunded, part, l.currency);
        }
        state.gl.post(
            currency,
            &[
                (Account::CustomerCredit(customer), amount),
                (Account::Cash(self.method), -amount),
            ],
        );
        let idx = next_idx(&state.refunds);
        state.refunds.push(Refund {
            id: ctx.id.to_string(),
            customer,
            currency,
            amount,
            method: self.method,
            date: self.date,
            reference: crate::text::owned_opt(&self.reference),
            taken,
        });
        statement_entry(
            state,
            customer,
            currency,
            NewEntry {
                date: self.date,
                seq: ctx.seq,
                record: RecordRef::Refund(idx),
                amount,
            },
        );
        RecordRef::Refund(idx)
    }

    fn answer(&self, state: &State, ctx: &Ctx, plan: &RefundPlan) -> CommandResult {
        refund_result(state, ctx.id, plan.currency, plan.amount, &plan.taken)
    }
}
