//! `record_payment`: settles open invoices (oldest due date first, or the listed ones in
//! order); whatever is left becomes credit, held in the payment's own lot.

use rust_decimal::Decimal;

use super::{customer_and_currency, money_in, statement_entry, Ctx};
use crate::error::{err, Result};
use crate::input::command::CommandBody;
use crate::state::book::Entry;
use crate::state::ledger_accounts::Account;
use crate::state::records::{Idx, Lot, LotOrigin, Payment, RecordRef, Source};
use crate::state::{next_idx, State};

/// Records a payment: settles the listed invoices in order, or open ones oldest due
/// first, and keeps the rest as credit in the payment's own lot. Posts cash against
/// receivable and customer credit; a statement credit for the full amount.
pub fn run(state: &mut State, ctx: &Ctx, body: &CommandBody) -> Result<RecordRef> {
    let CommandBody::RecordPayment {
        customer,
        amount,
        currency,
        method,
        date,
        reference,
        allocate_to,
    } = body
    else {
        unreachable!("dispatched by type")
    };
    // Plan.
    let (customer, currency) = customer_and_currency(state, customer, *currency)?;
    let amount = money_in("amount", *amount, currency)?;
    let allocations = match allocate_to {
        None => state.plan_open_allocation(customer, currency, amount),
        Some(ids) => plan_listed(state, customer, currency, amount, ids)?,
    };
    let allocated: Decimal = allocations.iter().map(|(_, a)| *a).sum();
    let leftover = amount - allocated;

    // Commit.
    let idx = next_idx(&state.payments);
    let lot = next_idx(&state.lots);
    state.lots.push(Lot {
        customer,
        currency,
        origin: LotOrigin::Payment(idx),
        remaining: Decimal::ZERO,
        refunded: Decimal::ZERO,
        touched: Vec::new(),
    });
    state.payments.push(Payment {
        id: ctx.id.to_string(),
        customer,
        currency,
        amount,
        method: *method,
        date: *date,
        reference: reference.clone(),
        lot,
        allocations: allocations.clone(),
        voided_by: None,
    });
    for &(inv, part) in &allocations {
        state.settle(inv, Source::Payment(idx), part);
    }
    state.add_to_lot(lot, leftover);
    state.gl.post(
        currency,
        &[
            (Account::Cash(*method), amount),
            (Account::Receivable(customer), -allocated),
            (Account::CustomerCredit(customer), -leftover),
        ],
    );
    statement_entry(
        state,
        customer,
        currency,
        Entry {
            date: *date,
            seq: ctx.seq,
            record: RecordRef::Payment(idx),
            amount: -amount,
        },
    );
    Ok(RecordRef::Payment(idx))
}

/// Settles the listed invoices in the listed order.
fn plan_listed(
    state: &State,
    customer: Idx,
    currency: crate::money::Currency,
    amount: Decimal,
    ids: &[String],
) -> Result<Vec<(Idx, Decimal)>> {
    let mut left = amount;
    let mut out = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let field = format!("allocate_to[{i}]");
        let inv = state.customers_invoice(&field, id, customer)?;
        let invoice = &state.invoices[inv as usize];
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
        if invoice.voided_by.is_some() {
            return Err(err!(InvoiceClosed, "{field}: invoice '{id}' is void")
                .at(field)
                .rule("void")
                .with("invoice", id.as_str()));
        }
        let due = invoice.amount_due();
        if due.is_zero() {
            return Err(
                err!(InvoiceClosed, "{field}: invoice '{id}' is already paid")
                    .at(field)
                    .rule("paid")
                    .with("invoice", id.as_str()),
            );
        }
        let take = due.min(left);
        if !take.is_zero() {
            out.push((inv, take));
        }
        left -= take;
    }
    Ok(out)
}
