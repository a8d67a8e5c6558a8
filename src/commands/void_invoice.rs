//! `void_invoice`: cancels an invoice. Whatever settled it goes back to the customer as
//! credit, each part to the payment or lot it came from; its statement entry credits what
//! it still asked for, so the balance is as if it had never been issued.

use rust_decimal::Decimal;

use super::{statement_entry, Ctx, Handler, NewEntry};
use crate::answer::{void_invoice_result, CommandResult};
use crate::error::{err, Result};
use crate::input::command::VoidInvoice;
use crate::state::ledger_accounts::Account;
use crate::state::records::{Idx, InvoiceVoid, RecordRef};
use crate::state::{next_idx, State};

/// What voiding an invoice gives back.
pub struct VoidPlan {
    invoice: Idx,
    /// Every settlement, latest first, as `(settlement position, amount)`.
    release: Vec<(u32, Decimal)>,
}

impl Handler for VoidInvoice {
    type Plan = VoidPlan;

    /// Already void is `already_void`; a date before the invoice, `invalid_date`.
    fn plan(&self, state: &State, _: &Ctx) -> Result<VoidPlan> {
        let invoice = &self.invoice;
        let inv = state.invoice_idx("invoice", invoice)?;
        let record = state.invoices.get(inv);
        if record.voided_by().is_some() {
            return Err(err!(AlreadyVoid, "invoice: '{invoice}' is already void")
                .at("invoice")
                .rule("already_void")
                .with("invoice", invoice.as_str()));
        }
        if !record.written_off().is_zero() {
            return Err(err!(
                InvoiceClosed,
                "invoice: '{invoice}' was written off as bad debt; a written-off invoice can't be voided"
            )
            .at("invoice")
            .rule("written_off")
            .with("invoice", invoice.as_str()));
        }
        if self.date < record.date {
            return Err(err!(
                InvalidDate,
                "date: '{}' is before invoice '{invoice}' was issued ({}); a void can't predate it",
                self.date,
                record.date
            )
            .at("date")
            .rule("before_record")
            .with("value", self.date)
            .with("earliest", record.date));
        }
        let mut release = Vec::new();
        for (at, s) in record.latest_first() {
            release.push((at, s.amount.decimal(record.currency)));
        }
        Ok(VoidPlan {
            invoice: inv,
            release,
        })
    }

    /// Releases every settlement back to its source as credit, reverses what remains
    /// of its revenue and tax, and credits the statement with what it still asked for.
    fn commit(&self, state: &mut State, ctx: &Ctx, plan: VoidPlan) -> RecordRef {
        let inv = plan.invoice;
        let record = state.invoices.get(inv);
        let due_before = record.amount_due();
        let cancelled = record.asks();
        let (customer, currency) = (record.customer, record.currency);
        let revenue_left = record.subtotal() - (record.credited() - record.credited_tax());
        let tax_left = record.tax() - record.credited_tax();

        let returned = state.release(inv, &plan.release);
        let idx = next_idx(&state.invoice_voids);
        state.invoices.running_mut(inv).voided_by = Some(idx);
        state.refile(inv, due_before);
        let returned_total: Decimal = returned.iter().map(|(_, a)| *a).sum();
        state.gl.post(
            currency,
            &[
                (Account::Revenue, revenue_left),
                (Account::TaxPayable, tax_left),
                (Account::Receivable(customer), -due_before),
                (Account::CustomerCredit(customer), -returned_total),
            ],
        );
        state.invoice_voids.push(InvoiceVoid {
            id: ctx.id.to_string(),
            invoice: inv,
            date: self.date,
            reason: crate::text::owned_opt(&self.reason),
            cancelled,
            returned,
        });
        statement_entry(
            state,
            customer,
            currency,
            NewEntry {
                date: self.date,
                seq: ctx.seq,
                record: RecordRef::InvoiceVoid(idx),
                amount: -cancelled,
            },
        );
        RecordRef::InvoiceVoid(idx)
    }

    fn answer(&self, state: &State, _: &Ctx, plan: &VoidPlan) -> CommandResult {
        let inv = state.invoices.get(plan.invoice);
        // The plan releases every settlement, latest first: the same order.
        let returned: Vec<_> = inv
            .latest_first()
            .zip(&plan.release)
            .map(|((_, s), &(_, amount))| (s.source, amount))
            .collect();
        void_invoice_result(state, plan.invoice, inv.asks(), &returned)
    }
}
