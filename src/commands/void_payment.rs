//! `void_payment`: reverses a payment. Invoices it settled (directly, or through the
//! credit it left) owe again; what is left of its credit is withdrawn. Refused when part
//! of its credit was refunded: that money has already left.

use rust_decimal::Decimal;

use super::{statement_entry, Ctx};
use crate::error::{err, Result};
use crate::input::command::CommandBody;
use crate::money::Money;
use crate::state::book::Entry;
use crate::state::ledger_accounts::Account;
use crate::state::records::{Idx, PaymentVoid, RecordRef, Source};
use crate::state::{next_idx, State};

/// Voids a payment: removes its settlements (direct and through its credit) so those
/// invoices owe again, withdraws its unused credit, takes the money back out of cash,
/// and debits the statement with the full amount.
pub fn run(state: &mut State, ctx: &Ctx, body: &CommandBody) -> Result<RecordRef> {
    let CommandBody::VoidPayment {
        payment,
        date,
        reason,
    } = body
    else {
        unreachable!("dispatched by type")
    };
    // Plan.
    let p = state.payment_idx("payment", payment)?;
    let record = &state.payments[p as usize];
    if record.voided_by.is_some() {
        return Err(err!(AlreadyVoid, "payment: '{payment}' is already void")
            .at("payment")
            .rule("already_void")
            .with("payment", payment.as_str()));
    }
    if *date < record.date {
        return Err(err!(
            InvalidDate,
            "date: '{date}' is before payment '{payment}' was received ({}); a void can't predate it",
            record.date
        )
        .at("date")
        .rule("before_record")
        .with("value", *date)
        .with("earliest", record.date));
    }
    let lot = &state.lots[record.lot as usize];
    if !lot.refunded.is_zero() {
        let refunded = Money::new(lot.refunded, record.currency);
        let remaining = Money::new(lot.remaining, record.currency);
        return Err(err!(
            InsufficientCredit,
            "payment: {refunded} {} of the credit from '{payment}' was refunded; void the payment only after that money is back",
            record.currency
        )
        .at("payment")
        .rule("credit_refunded")
        .with("payment", payment.as_str())
        .with("refunded", refunded)
        .with("available", remaining));
    }
    let sources = [Source::Payment(p), Source::Lot(record.lot)];
    let mut touched: Vec<Idx> = record.allocations.iter().map(|(i, _)| *i).collect();
    touched.extend(&lot.touched);
    touched.sort_unstable();
    touched.dedup();
    let reopened: Vec<(Idx, Decimal)> = touched
        .into_iter()
        .map(|inv| {
            let part = state.invoices[inv as usize]
                .settlements
                .iter()
                .filter(|s| sources.contains(&s.source))
                .map(|s| s.amount)
                .sum();
            (inv, part)
        })
        .filter(|(_, part): &(Idx, Decimal)| !part.is_zero())
        .collect();
    let withdrawn = lot.remaining;
    let (customer, currency, amount, method, lot) = (
        record.customer,
        record.currency,
        record.amount,
        record.method,
        record.lot,
    );
    let reopened_total: Decimal = reopened.iter().map(|(_, a)| *a).sum();
    debug_assert_eq!(reopened_total + withdrawn, amount, "payment parts");

    // Commit.
    for &(inv, _) in &reopened {
        let due_before = state.invoices[inv as usize].amount_due();
        state.invoices[inv as usize]
            .settlements
            .retain(|s| !sources.contains(&s.source));
        state.refile(inv, due_before);
    }
    state.take_from_lot(lot, withdrawn);
    let idx = next_idx(&state.payment_voids);
    state.payments[p as usize].voided_by = Some(idx);
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
        date: *date,
        reason: reason.clone(),
        reopened,
        withdrawn,
    });
    statement_entry(
        state,
        customer,
        currency,
        Entry {
            date: *date,
            seq: ctx.seq,
            record: RecordRef::PaymentVoid(idx),
            amount,
        },
    );
    Ok(RecordRef::PaymentVoid(idx))
}
