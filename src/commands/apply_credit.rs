//! `apply_credit`: applies existing credit to an open invoice now, oldest lot first.

use rust_decimal::Decimal;

use super::{money_in, Ctx, Handler};
use crate::answer::{apply_credit_result, CommandResult};
use crate::date::Date;
use crate::error::{err, Result};
use crate::input::command::ApplyCredit;
use crate::money::{Currency, DecimalText, Money};
use crate::state::ledger_accounts::Account;
use crate::state::records::{Application, Idx, RecordRef, Source};
use crate::state::{next_idx, State};

/// The credit to apply.
pub struct ApplyPlan {
    customer: Idx,
    invoice: Idx,
    currency: Currency,
    amount: Decimal,
    /// The day it is applied (decides which lots are usable).
    date: Date,
    /// `(lot, amount)`, oldest lot first.
    takes: Vec<(Idx, Decimal)>,
}

impl Handler for ApplyCredit {
    type Plan = ApplyPlan;

    /// Without an amount, as much as both the credit and the amount due allow.
    fn plan(&self, state: &State, _: &Ctx) -> Result<ApplyPlan> {
        let invoice = &self.invoice;
        let customer = state.customer_idx("customer", &self.customer)?;
        let inv = state.customers_invoice("invoice", invoice, customer)?;
        let record = state.invoices.get(inv);
        let inv_currency = record.currency;
        if let Some(c) = &self.currency {
            if *c != inv_currency {
                return Err(err!(
                    CurrencyMismatch,
                    "currency: credit in {c} can't settle invoice '{invoice}', which is in {inv_currency}"
                )
                .at("currency")
                .rule("invoice_currency")
                .with("invoice", invoice.as_str())
                .with("currency", *c)
                .with("invoice_currency", inv_currency));
            }
        }
        if let Some((words, rule)) = record.closed() {
            return Err(err!(InvoiceClosed, "invoice: '{invoice}' {words}")
                .at("invoice")
                .rule(rule)
                .with("invoice", invoice.as_str()));
        }
        let due = record.amount_due();
        let date = self.date.0.unwrap_or(record.date);
        if date < record.date {
            return Err(err!(
                InvalidDate,
                "date: '{date}' is before invoice '{invoice}' was issued ({}); credit can't be applied before it",
                record.date
            )
            .at("date")
            .rule("before_record")
            .with("value", date)
            .with("earliest", record.date));
        }
        let available = state.credit_usable(customer, inv_currency, date);
        let amount = match &self.amount {
            Some(a) => {
                let a = money_in("amount", *a, inv_currency)?;
                if a > available {
                    return Err(err!(
                        InsufficientCredit,
                        "amount: '{}' is more than the {} {inv_currency} of credit available on {date}",
                        DecimalText(a),
                        Money::new(available, inv_currency)
                    )
                    .at("amount")
                    .rule("more_than_available")
                    .with("value", Money::new(a, inv_currency))
                    .with("available", Money::new(available, inv_currency)));
                }
                if a > due {
                    return Err(err!(
                        OverAllocation,
                        "amount: '{}' is more than the {} {inv_currency} invoice '{invoice}' still asks for",
                        DecimalText(a),
                        Money::new(due, inv_currency)
                    )
                    .at("amount")
                    .rule("more_than_due")
                    .with("value", Money::new(a, inv_currency))
                    .with("amount_due", Money::new(due, inv_currency))
                    .with("invoice", invoice.as_str()));
                }
                a
            }
            None => {
                if available.is_zero() {
                    let id = &state.customers[customer as usize].id;
                    return Err(err!(
                        InsufficientCredit,
                        "customer: '{id}' has no {inv_currency} credit to apply on {date}"
                    )
                    .at("customer")
                    .rule("no_credit")
                    .with("customer", id.as_str())
                    .with("available", Money::new(available, inv_currency)));
                }
                available.min(due)
            }
        };
        let takes = state.plan_lot_takes(customer, inv_currency, amount, date);
        debug_assert!(amount > Decimal::ZERO);
        Ok(ApplyPlan {
            customer,
            invoice: inv,
            currency: inv_currency,
            amount,
            date,
            takes,
        })
    }

    /// Settles the invoice from the customer's lots, oldest first. Moves no money, so
    /// it makes no statement entry.
    fn commit(&self, state: &mut State, ctx: &Ctx, plan: ApplyPlan) -> RecordRef {
        let ApplyPlan {
            customer,
            invoice,
            currency,
            amount,
            date,
            takes,
        } = plan;
        for (lot, part) in takes {
            state.settle(invoice, Source::Lot(lot), part);
        }
        state.gl.post(
            currency,
            &[
                (Account::CustomerCredit(customer), amount),
                (Account::Receivable(customer), -amount),
            ],
        );
        let idx = next_idx(&state.applications);
        state.applications.push(Application {
            id: ctx.id.to_string(),
            customer,
            invoice,
            amount,
            date,
        });
        RecordRef::Application(idx)
    }

    fn answer(&self, state: &State, _: &Ctx, plan: &ApplyPlan) -> CommandResult {
        apply_credit_result(state, plan.invoice, plan.amount)
    }
}
