//! `write_off_invoice`: what an invoice still asks for stops being owed, as bad debt.
//! The service was delivered, so revenue stays; the loss is an expense, and the tax
//! part is reversed the way a credit note's is.

use rust_decimal::Decimal;

use super::{statement_entry, Ctx, Handler, NewEntry};
use crate::answer::{write_off_result, CommandResult};
use crate::date::Date;
use crate::error::{err, Result};
use crate::input::command::WriteOffInvoice;
use crate::money::{round_money, Currency};
use crate::state::invoices::planned_minor;
use crate::state::ledger_accounts::Account;
use crate::state::records::{Idx, RecordRef, WriteOff};
use crate::state::{next_idx, State};

/// What writing the invoice off would do: checked, nothing changed yet.
pub struct WriteOffPlan {
    invoice: Idx,
    customer: Idx,
    currency: Currency,
    date: Date,
    /// The invoice's amount due, all of it written off.
    amount: Decimal,
    /// Its tax part.
    tax: Decimal,
}

impl Handler for WriteOffInvoice {
    type Plan = WriteOffPlan;

    fn plan(&self, state: &State, _: &Ctx) -> Result<WriteOffPlan> {
        plan(state, &self.invoice, self.date)
    }

    fn commit(&self, state: &mut State, ctx: &Ctx, plan: WriteOffPlan) -> RecordRef {
        commit(state, ctx, plan, &self.reason)
    }

    fn answer(&self, state: &State, _: &Ctx, plan: &WriteOffPlan) -> CommandResult {
        write_off_result(state, plan.invoice, plan.amount, plan.tax)
    }
}

/// Checks the write-off: a void, paid or written-off invoice is `invoice_closed`, a
/// date before the invoice `invalid_date`.
fn plan(state: &State, invoice: &str, date: Date) -> Result<WriteOffPlan> {
    let inv = state.invoice_idx("invoice", invoice)?;
    let record = state.invoices.get(inv);
    if let Some((words, rule)) = record.closed() {
        return Err(err!(
            InvoiceClosed,
            "invoice: '{invoice}' {words}; only what an invoice still asks for can be written off"
        )
        .at("invoice")
        .rule(rule)
        .with("invoice", invoice));
    }
    if date < record.date {
        return Err(err!(
            InvalidDate,
            "date: '{date}' is before invoice '{invoice}' was issued ({}); a write-off can't predate it",
            record.date
        )
        .at("date")
        .rule("before_record")
        .with("value", date)
        .with("earliest", record.date));
    }
    let amount = record.amount_due();
    // As for credit notes: the invoice's tax in proportion to everything taken off it
    // so far, so that the tax reversed never exceeds the invoice's tax. Something is
    // due, so the total is not zero.
    let reversed_before = record.credited_tax() + record.written_off_tax();
    let reversed_after = round_money(
        record.tax() * (record.credited() + record.written_off() + amount) / record.total(),
        record.currency,
    );
    Ok(WriteOffPlan {
        invoice: inv,
        customer: record.customer,
        currency: record.currency,
        date,
        amount,
        tax: reversed_after - reversed_before,
    })
}

/// Writes the planned amount off: the invoice leaves the open invoices, receivable is
/// credited against bad debt and tax payable, and the statement gets a credit.
fn commit(state: &mut State, ctx: &Ctx, plan: WriteOffPlan, reason: &str) -> RecordRef {
    let WriteOffPlan {
        invoice,
        customer,
        currency,
        date,
        amount,
        tax,
    } = plan;
    let record = state.invoices.get(invoice);
    let due_before = record.amount_due();
    let written_off = record.written_off() + amount;
    let written_off_tax = record.written_off_tax() + tax;
    let running = state.invoices.running_mut(invoice);
    running.written_off = planned_minor(written_off, currency);
    running.written_off_tax = planned_minor(written_off_tax, currency);
    state.refile(invoice, due_before);
    state.gl.post(
        currency,
        &[
            (Account::BadDebt, amount - tax),
            (Account::TaxPayable, tax),
            (Account::Receivable(customer), -amount),
        ],
    );
    let idx = next_idx(&state.write_offs);
    state.write_offs.push(WriteOff {
        id: ctx.id.to_string(),
        invoice,
        date,
        reason: reason.to_string(),
        amount,
        tax,
    });
    statement_entry(
        state,
        customer,
        currency,
        NewEntry {
            date,
            seq: ctx.seq,
            record: RecordRef::WriteOff(idx),
            amount: -amount,
        },
    );
    RecordRef::WriteOff(idx)
}
