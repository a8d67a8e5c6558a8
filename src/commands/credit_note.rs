//! `issue_credit_note`: lowers what an invoice asks for; settlement the invoice no longer
//! needs is released as credit (latest settlement first, each part back to its source).
//! Without an invoice, the credit note is credit in a lot of its own.

use rust_decimal::Decimal;

use super::{customer_and_currency, money_in, statement_entry, Ctx, Handler, NewEntry};
use crate::answer::{credit_note_result, CommandResult};
use crate::error::{err, Result};
use crate::input::command::IssueCreditNote;
use crate::money::{round_money, Currency, DecimalText, Money};
use crate::state::invoices::planned_minor;
use crate::state::ledger_accounts::Account;
use crate::state::records::{CreditNote, Idx, Lot, LotOrigin, RecordRef};
use crate::state::{next_chunked_idx, next_idx, State};

/// What a credit note will do.
pub struct NotePlan {
    customer: Idx,
    currency: Currency,
    amount: Decimal,
    /// How much it lowers the invoice's amount due.
    reduced_due: Decimal,
    /// Credit it gives the customer: released settlement, or all of it without an
    /// invoice (a lot of its own).
    to_credit: Decimal,
    target: Target,
}

/// A credit note against an invoice, or one that is credit.
enum Target {
    Invoice {
        invoice: Idx,
        /// Settlement parts to release, latest first: `(position, amount)`.
        release: Vec<(u32, Decimal)>,
        /// The invoice's `credited_tax` after the note.
        credited_tax: Decimal,
        /// The tax part of the amount.
        tax_part: Decimal,
    },
    Credit,
}

impl Handler for IssueCreditNote {
    type Plan = NotePlan;

    fn plan(&self, state: &State, _: &Ctx) -> Result<NotePlan> {
        let (customer, default_currency) =
            customer_and_currency(state, &self.customer, self.currency)?;
        match &self.invoice {
            Some(invoice_id) => against_invoice(self, state, customer, invoice_id),
            None => {
                let amount = money_in("amount", self.amount, default_currency)?;
                Ok(NotePlan {
                    customer,
                    currency: default_currency,
                    amount,
                    reduced_due: Decimal::ZERO,
                    to_credit: amount,
                    target: Target::Credit,
                })
            }
        }
    }

    /// Against an invoice, lowers what it asks for and releases the planned excess
    /// settlement as credit; without one, makes a lot. Posts the net part to
    /// `credit_notes` and the tax part back from `tax_payable`; a statement credit for
    /// the full amount.
    fn commit(&self, state: &mut State, ctx: &Ctx, plan: NotePlan) -> RecordRef {
        let idx = next_idx(&state.credit_notes);
        let (customer, currency, amount) = (plan.customer, plan.currency, plan.amount);
        let (invoice, lot, tax_part) = match plan.target {
            Target::Invoice {
                invoice,
                release,
                credited_tax,
                tax_part,
            } => {
                let record = state.invoices.get(invoice);
                let (due_before, credited) = (record.amount_due(), record.credited() + amount);
                let running = state.invoices.running_mut(invoice);
                running.credited = planned_minor(credited, currency);
                running.credited_tax = planned_minor(credited_tax, currency);
                state.release(invoice, &release);
                state.refile(invoice, due_before);
                (Some(invoice), None, tax_part)
            }
            Target::Credit => {
                let lot = next_chunked_idx(&state.lots);
                state.lots.push(Lot::new(
                    customer,
                    currency,
                    LotOrigin::CreditNote(idx),
                    None,
                ));
                state.add_to_lot(lot, amount);
                (None, Some(lot), Decimal::ZERO)
            }
        };
        state.gl.post(
            currency,
            &[
                (Account::CreditNotes, amount - tax_part),
                (Account::TaxPayable, tax_part),
                (Account::Receivable(customer), -plan.reduced_due),
                (Account::CustomerCredit(customer), -plan.to_credit),
            ],
        );
        state.credit_notes.push(CreditNote {
            id: ctx.id.to_string(),
            customer,
            invoice,
            currency,
            amount,
            date: self.date,
            reason: crate::text::owned(&self.reason),
            reduced_due: plan.reduced_due,
            released: plan.to_credit,
            lot,
        });
        statement_entry(
            state,
            customer,
            currency,
            NewEntry {
                date: self.date,
                seq: ctx.seq,
                record: RecordRef::CreditNote(idx),
                amount: -amount,
            },
        );
        RecordRef::CreditNote(idx)
    }

    fn answer(&self, state: &State, ctx: &Ctx, plan: &NotePlan) -> CommandResult {
        let invoice = match plan.target {
            Target::Invoice { invoice, .. } => Some(invoice),
            Target::Credit => None,
        };
        credit_note_result(
            state,
            ctx.id,
            invoice,
            plan.currency,
            plan.amount,
            plan.reduced_due,
            plan.to_credit,
        )
    }
}

fn against_invoice(
    command: &IssueCreditNote,
    state: &State,
    customer: Idx,
    invoice_id: &str,
) -> Result<NotePlan> {
    let (amount, currency, date) = (command.amount, command.currency, command.date);
    let inv = state.customers_invoice("invoice", invoice_id, customer)?;
    let record = state.invoices.get(inv);
    if date < record.date {
        return Err(err!(
            InvalidDate,
            "date: '{date}' is before invoice '{invoice_id}' was issued ({}); a credit note can't predate it",
            record.date
        )
        .at("date")
        .rule("before_record")
        .with("value", date)
        .with("earliest", record.date));
    }
    let inv_currency = record.currency;
    if let Some(c) = currency.filter(|c| *c != inv_currency) {
        return Err(err!(
            CurrencyMismatch,
            "currency: '{c}' differs from invoice '{invoice_id}', which is in {inv_currency}"
        )
        .at("currency")
        .rule("invoice_currency")
        .with("invoice", invoice_id)
        .with("currency", c)
        .with("invoice_currency", inv_currency));
    }
    if record.voided_by().is_some() {
        return Err(err!(InvoiceClosed, "invoice: '{invoice_id}' is void")
            .at("invoice")
            .rule("void")
            .with("invoice", invoice_id));
    }
    if !record.written_off().is_zero() {
        return Err(err!(
            InvoiceClosed,
            "invoice: '{invoice_id}' was written off as bad debt; a credit note can't lower it"
        )
        .at("invoice")
        .rule("written_off")
        .with("invoice", invoice_id));
    }
    let amount = money_in("amount", amount, inv_currency)?;
    let creditable = record.asks();
    if amount > creditable {
        return Err(err!(
            OverAllocation,
            "amount: '{}' is more than the {} {inv_currency} invoice '{invoice_id}' can still be credited (its total less earlier credit notes)",
            DecimalText(amount),
            Money::new(creditable, inv_currency)
        )
        .at("amount")
        .rule("more_than_creditable")
        .with("value", Money::new(amount, inv_currency))
        .with("creditable", Money::new(creditable, inv_currency))
        .with("invoice", invoice_id));
    }
    let due_before = record.amount_due();
    let reduced_due = amount.min(due_before);
    let excess = amount - reduced_due;
    let release = state.plan_release(inv, excess);
    // The tax part: the invoice's tax in proportion to all credited so far, so that
    // crediting the whole total reverses exactly all of its tax. `creditable > 0` here,
    // so the total is not zero.
    let credited_tax = round_money(
        record.tax() * (record.credited() + amount) / record.total(),
        inv_currency,
    );
    Ok(NotePlan {
        customer,
        currency: inv_currency,
        amount,
        reduced_due,
        to_credit: excess,
        target: Target::Invoice {
            invoice: inv,
            release,
            credited_tax,
            tax_part: credited_tax - record.credited_tax(),
        },
    })
}
