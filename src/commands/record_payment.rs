//! `record_payment`: settles open invoices (oldest due date first, or the listed ones in
//! order); whatever is left becomes credit, held in the payment's own lot.

use rust_decimal::Decimal;

use super::{customer_and_currency, minor, money_in, statement_entry, Ctx, Handler, NewEntry};
use crate::answer::{payment_result, CommandResult};
use crate::error::{err, Result};
use crate::input::command::RecordPayment;
use crate::money::Currency;
use crate::state::ledger_accounts::Account;
use crate::state::records::{Idx, Lot, LotOrigin, Payment, PaymentAllocation, RecordRef, Source};
use crate::state::{next_chunked_idx, State};
use crate::text::Text;

/// Where a payment's money goes.
pub struct PaymentPlan {
    customer: Idx,
    currency: Currency,
    amount: Decimal,
    /// `(invoice, amount)` in the order settled.
    allocations: Vec<(Idx, Decimal)>,
    /// What is left over: credit in the payment's own lot.
    leftover: Decimal,
}

impl Handler for RecordPayment {
    type Plan = PaymentPlan;

    /// Settles the listed invoices in order, or open ones oldest due first; the rest
    /// is credit.
    fn plan(&self, state: &State, _: &Ctx) -> Result<PaymentPlan> {
        let (customer, currency) = customer_and_currency(state, &self.customer, self.currency)?;
        let amount = money_in("amount", self.amount, currency)?;
        let allocations = match &self.allocate_to {
            None => state.plan_open_allocation(customer, currency, amount),
            Some(ids) => plan_listed(state, customer, currency, amount, ids)?,
        };
        let allocated: Decimal = allocations.iter().map(|(_, a)| *a).sum();
        Ok(PaymentPlan {
            customer,
            currency,
            amount,
            allocations,
            leftover: amount - allocated,
        })
    }

    /// Records the payment and its lot, settles the planned invoices, posts cash
    /// against receivable and customer credit, and credits the statement with the full
    /// amount.
    fn commit(&self, state: &mut State, ctx: &Ctx, plan: PaymentPlan) -> RecordRef {
        let PaymentPlan {
            customer,
            currency,
            amount,
            allocations,
            leftover,
        } = plan;
        let idx = next_chunked_idx(&state.payments);
        let lot = next_chunked_idx(&state.lots);
        state
            .lots
            .push(Lot::new(customer, currency, LotOrigin::Payment(idx), None));
        for &(inv, part) in &allocations {
            state.settle(inv, Source::Payment(idx), part);
        }
        let first_allocation =
            u32::try_from(state.allocations.len()).expect("allocations exceed u32 indexes");
        for &(invoice, part) in &allocations {
            state.allocations.push(PaymentAllocation {
                invoice,
                amount: minor(part, currency),
            });
        }
        let id = state.texts.push(ctx.id).expect("ids are at most 200 bytes");
        let reference = self.reference.as_deref().map(|r| {
            state
                .texts
                .push(r)
                .expect("texts are at most 500 characters")
        });
        state.payments.push(Payment {
            id,
            customer,
            currency,
            amount: minor(amount, currency),
            method: self.method,
            date: self.date,
            reference,
            lot,
            allocations: first_allocation,
            voided_by: crate::state::records::MaybeIdx::NONE,
        });
        state.add_to_lot(lot, leftover);
        state.gl.post(
            currency,
            &[
                (Account::Cash(self.method), amount),
                (Account::Receivable(customer), -(amount - leftover)),
                (Account::CustomerCredit(customer), -leftover),
            ],
        );
        statement_entry(
            state,
            customer,
            currency,
            NewEntry {
                date: self.date,
                seq: ctx.seq,
                record: RecordRef::Payment(idx),
                amount: -amount,
            },
        );
        RecordRef::Payment(idx)
    }

    fn answer(&self, state: &State, ctx: &Ctx, plan: &PaymentPlan) -> CommandResult {
        payment_result(
            state,
            ctx.id,
            plan.currency,
            plan.amount,
            &plan.allocations,
            plan.leftover,
        )
    }
}

/// Settles the listed invoices in the listed order.
fn plan_listed(
    state: &State,
    customer: Idx,
    currency: Currency,
    amount: Decimal,
    ids: &[Text],
) -> Result<Vec<(Idx, Decimal)>> {
    let mut left = amount;
    let mut out = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let field = format!("allocate_to[{i}]");
        let inv = state.customers_invoice(&field, id, customer)?;
        let invoice = state.invoices.get(inv);
        if invoice.currency != currency {
            return Err(err!(
                CurrencyMismatch,
                "{field}: invoice '{id}' is in {}, the payment in {currency}",
                invoice.currency
            )
            .at(field)
            .rule("invoice_currency")
            .with("invoice", id.as_str())
            .with("currency", currency)
            .with("invoice_currency", invoice.currency));
        }
        if let Some((words, rule)) = invoice.closed() {
            return Err(err!(InvoiceClosed, "{field}: invoice '{id}' {words}")
                .at(field)
                .rule(rule)
                .with("invoice", id.as_str()));
        }
        let due = invoice.amount_due();
        let take = due.min(left);
        if !take.is_zero() {
            out.push((inv, take));
        }
        left -= take;
    }
    Ok(out)
}
