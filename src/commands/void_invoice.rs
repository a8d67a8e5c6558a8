//! `void_invoice`: cancels an invoice. Whatever settled it goes back to the customer as
//! credit, each part to the payment or lot it came from; its statement entry credits what
//! it still asked for, so the balance is as if it had never been issued.

use rust_decimal::Decimal;

use super::{statement_entry, Ctx};
use crate::error::{err, Result};
use crate::input::command::CommandBody;
use crate::state::book::Entry;
use crate::state::ledger_accounts::Account;
use crate::state::records::{InvoiceVoid, RecordRef};
use crate::state::{next_idx, State};

/// Voids an invoice: releases every settlement back to its source as credit, reverses
/// what remains of its revenue and tax, and credits the statement with what it still
/// asked for. Already void is `already_void`; a date before the invoice, `invalid_date`.
pub fn run(state: &mut State, ctx: &Ctx, body: &CommandBody) -> Result<RecordRef> {
    let CommandBody::VoidInvoice {
        invoice,
        date,
        reason,
    } = body
    else {
        unreachable!("dispatched by type")
    };
    // Plan.
    let inv = state.invoice_idx("invoice", invoice)?;
    let record = &state.invoices[inv as usize];
    if record.voided_by.is_some() {
        return Err(err!(AlreadyVoid, "invoice: '{invoice}' is already void")
            .at("invoice")
            .rule("already_void")
            .with("invoice", invoice.as_str()));
    }
    if *date < record.date {
        return Err(err!(
            InvalidDate,
            "date: '{date}' is before invoice '{invoice}' was issued ({}); a void can't predate it",
            record.date
        )
        .at("date")
        .rule("before_record")
        .with("value", *date)
        .with("earliest", record.date));
    }
    let release: Vec<(usize, Decimal)> = record
        .settlements
        .iter()
        .enumerate()
        .rev()
        .map(|(i, s)| (i, s.amount))
        .collect();
    let due_before = record.amount_due();
    let cancelled = record.asks();
    let (customer, currency) = (record.customer, record.currency);
    let revenue_left = record.subtotal - (record.credited - record.credited_tax);
    let tax_left = record.tax - record.credited_tax;

    // Commit.
    let returned = state.release(inv, &release);
    let idx = next_idx(&state.invoice_voids);
    state.invoices[inv as usize].voided_by = Some(idx);
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
        date: *date,
        reason: reason.clone(),
        cancelled,
        returned,
    });
    statement_entry(
        state,
        customer,
        currency,
        Entry {
            date: *date,
            seq: ctx.seq,
            record: RecordRef::InvoiceVoid(idx),
            amount: -cancelled,
        },
    );
    Ok(RecordRef::InvoiceVoid(idx))
}
