//! `void_payment`: reverses a payment. Invoices it settled (directly, or through the
//! credit it left) owe again; what is left of its credit is withdrawn. Refused when part
//! of its credit was refunded: that money has already left.

use rust_decimal::Decimal;

use super::{statement_entry, Ctx, Handler, NewEntry};
use crate::answer::{void_payment_result, CommandResult};
use crate::error::{err, Result};
use crate::input::command::VoidPayment;
use crate::money::Money;
use crate::sort::sort_pairs;
use crate::state::ledger_accounts::Account;
use crate::state::records::{Idx, PaymentVoid, RecordRef, Source};
use crate::state::{next_idx, State};

/// What voiding a payment undoes.
pub struct VoidPlan {
    payment: Idx,
    /// Invoices that owe again, and how much each (directly or through its credit).
    reopened: Vec<(Idx, Decimal)>,
    /// The payment's credit still unused, to withdraw.
    withdrawn: Decimal,
}

impl Handler for VoidPayment {
    type Plan = VoidPlan;

    /// Finds what the payment settled (directly and through the credit it left) and
    /// what is left of its credit; refuses a void, a date before the payment, or a
    /// payment part of whose credit was refunded.
    fn plan(&self, state: &State, _: &Ctx) -> Result<VoidPlan> {
        plan(self, state)
    }

    /// Removes its settlements so those invoices owe again, withdraws its unused
    /// credit, takes the money back out of cash, and debits the statement with the
    /// full amount.
    fn commit(&self, state: &mut State, ctx: &Ctx, plan: VoidPlan) -> RecordRef {
        let VoidPlan {
            payment: p,
            reopened,
            withdrawn,
        } = plan;
        let record = &state.payments[p as usize];
        let (customer, currency, amount, method, lot) = (
            record.customer,
            record.currency,
            record.amount.decimal(record.currency),
            record.method,
            record.lot,
        );
        let sources = [Source::Payment(p), Source::Lot(lot)];
        for &(inv, _) in &reopened {
            let due_before = state.invoices.get(inv).amount_due();
            state.invoices.remove_settlements_from(inv, &sources);
            state.refile(inv, due_before);
        }
        state.take_from_lot(lot, withdrawn);
        let idx = next_idx(&state.payment_voids);
        state.payments[p as usize].voided_by = crate::state::records::MaybeIdx::some(idx);
        let reopened_total: Decimal = reopened.iter().map(|(_, a)| *a).sum();
        state.gl.post(
            currency,
            &[
                (Account::Cash(method), -amount),
                (Account::Receivable(customer), reopened_total),
                (Account::CustomerCredit(customer), withdrawn),
            ],
        );
        state.payment_voids.push(PaymentVoid {
            id: ctx.id.to_string(),
            payment: p,
            date: self.date,
            reason: crate::text::owned_opt(&self.reason),
            reopened,
            withdrawn,
        });
        statement_entry(
            state,
            customer,
            currency,
            NewEntry {
                date: self.date,
                seq: ctx.seq,
                record: RecordRef::PaymentVoid(idx),
                amount,
            },
        );
        RecordRef::PaymentVoid(idx)
    }

    fn answer(&self, state: &State, _: &Ctx, plan: &VoidPlan) -> CommandResult {
        void_payment_result(state, plan.payment, &plan.reopened, plan.withdrawn)
    }
}

fn plan(command: &VoidPayment, state: &State) -> Result<VoidPlan> {
    let p = state.payment_idx("payment", &command.payment)?;
    let record = &state.payments[p as usize];
    if record.voided_by.is_some() {
        return Err(err!(
            AlreadyVoid,
            "payment: '{}' is already void",
            command.payment
        )
        .at("payment")
        .rule("already_void")
        .with("payment", command.payment.as_str()));
    }
    if command.date < record.date {
        return Err(err!(
            InvalidDate,
            "date: '{}' is before payment '{}' was received ({}); a void can't predate it",
            command.date,
            command.payment,
            record.date
        )
        .at("date")
        .rule("before_record")
        .with("value", command.date)
        .with("earliest", record.date));
    }
    let lot = &state.lots[record.lot as usize];
    if !lot.refunded.is_zero() {
        let refunded = Money::new(lot.refunded(), record.currency);
        let remaining = Money::new(lot.remaining(), record.currency);
        return Err(err!(
            InsufficientCredit,
            "payment: {refunded} {} of the credit from '{}' was refunded; void the payment only after that money is back",
            record.currency,
            command.payment
        )
        .at("payment")
        .rule("credit_refunded")
        .with("payment", command.payment.as_str())
        .with("refunded", refunded)
        .with("available", remaining));
    }
    let sources = [Source::Payment(p), Source::Lot(record.lot)];
    let mut touched: Vec<(u64, Idx)> = state
        .payment_allocations(p)
        .into_iter()
        .map(|(i, _)| i)
        .chain(state.lot_touched(record.lot))
        .map(|i| (u64::from(i), 0))
        .collect();
    sort_pairs(&mut touched);
    touched.dedup();
    let reopened: Vec<(Idx, Decimal)> = touched
        .into_iter()
        .map(|(inv, _)| {
            let inv = inv as Idx;
            let invoice = state.invoices.get(inv);
            let part = invoice
                .latest_first()
                .filter(|(_, s)| sources.contains(&s.source))
                .map(|(_, s)| s.amount.decimal(invoice.currency))
                .sum();
            (inv, part)
        })
        .filter(|(_, part): &(Idx, Decimal)| !part.is_zero())
        .collect();
    let withdrawn = lot.remaining();
    let reopened_total: Decimal = reopened.iter().map(|(_, a)| *a).sum();
    debug_assert_eq!(
        reopened_total + withdrawn,
        state.payment_amount(p),
        "payment parts"
    );
    Ok(VoidPlan {
        payment: p,
        reopened,
        withdrawn,
    })
}
