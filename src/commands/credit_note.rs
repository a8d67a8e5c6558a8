//! `issue_credit_note`: lowers what an invoice asks for; settlement the invoice no longer
//! needs is released as credit (latest settlement first, each part back to its source).
//! Without an invoice, the credit note is credit in a lot of its own.

use rust_decimal::Decimal;

use super::{customer_and_currency, money_in, statement_entry, Ctx};
use crate::date::Date;
use crate::error::{err, Result};
use crate::input::command::CommandBody;
use crate::money::{round_money, Currency, Money};
use crate::state::book::Entry;
use crate::state::ledger_accounts::Account;
use crate::state::records::{CreditNote, Idx, Lot, LotOrigin, RecordRef};
use crate::state::{next_idx, State};

/// What a credit note did, for its record and its postings.
struct Effect {
    currency: Currency,
    amount: Decimal,
    /// The tax part of the amount (zero without an invoice).
    tax_part: Decimal,
    /// How much it lowered the invoice's amount due.
    reduced_due: Decimal,
    /// Credit it gave the customer: released settlement, or a new lot.
    to_credit: Decimal,
    invoice: Option<Idx>,
    lot: Option<Idx>,
}

/// Issues a credit note against an invoice (lowering what it asks for and releasing
/// any excess settlement as credit) or, without one, as credit. Posts the net part to
/// `credit_notes` and the tax part back from `tax_payable`; a statement credit for
/// the full amount.
pub fn run(state: &mut State, ctx: &Ctx, body: &CommandBody) -> Result<RecordRef> {
    let CommandBody::IssueCreditNote {
        customer,
        invoice,
        amount,
        currency,
        date,
        reason,
    } = body
    else {
        unreachable!("dispatched by type")
    };
    let idx = next_idx(&state.credit_notes);
    let (customer, default_currency) = customer_and_currency(state, customer, *currency)?;
    let effect = match invoice {
        Some(invoice_id) => {
            against_invoice(state, customer, invoice_id, *amount, *currency, *date)?
        }
        None => as_credit(state, customer, idx, *amount, default_currency)?,
    };
    // Both paths have committed their sub-ledger changes; post and record.
    let currency = effect.currency;
    state.gl.post(
        currency,
        &[
            (Account::CreditNotes, effect.amount - effect.tax_part),
            (Account::TaxPayable, effect.tax_part),
            (Account::Receivable(customer), -effect.reduced_due),
            (Account::CustomerCredit(customer), -effect.to_credit),
        ],
    );
    record(state, ctx, idx, customer, &effect, *date, reason);
    Ok(RecordRef::CreditNote(idx))
}

fn against_invoice(
    state: &mut State,
    customer: Idx,
    invoice_id: &str,
    amount: Decimal,
    currency: Option<Currency>,
    date: Date,
) -> Result<Effect> {
    // Plan.
    let inv = state.customers_invoice("invoice", invoice_id, customer)?;
    let record = &state.invoices[inv as usize];
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
    if record.voided_by.is_some() {
        return Err(err!(InvoiceClosed, "invoice: '{invoice_id}' is void")
            .at("invoice")
            .rule("void")
            .with("invoice", invoice_id));
    }
    let amount = money_in("amount", amount, inv_currency)?;
    let creditable = record.asks();
    if amount > creditable {
        return Err(err!(
            OverAllocation,
            "amount: '{amount}' is more than the {} {inv_currency} invoice '{invoice_id}' can still be credited (its total less earlier credit notes)",
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
        record.tax * (record.credited + amount) / record.total,
        inv_currency,
    );
    let tax_part = credited_tax - record.credited_tax;

    // Commit.
    let record = &mut state.invoices[inv as usize];
    record.credited += amount;
    record.credited_tax = credited_tax;
    state.release(inv, &release);
    state.refile(inv, due_before);
    Ok(Effect {
        currency: inv_currency,
        amount,
        tax_part,
        reduced_due,
        to_credit: excess,
        invoice: Some(inv),
        lot: None,
    })
}

fn as_credit(
    state: &mut State,
    customer: Idx,
    note: Idx,
    amount: Decimal,
    currency: Currency,
) -> Result<Effect> {
    let amount = money_in("amount", amount, currency)?;
    let lot = next_idx(&state.lots);
    state.lots.push(Lot {
        customer,
        currency,
        origin: LotOrigin::CreditNote(note),
        remaining: Decimal::ZERO,
        refunded: Decimal::ZERO,
        touched: Vec::new(),
    });
    state.add_to_lot(lot, amount);
    Ok(Effect {
        currency,
        amount,
        tax_part: Decimal::ZERO,
        reduced_due: Decimal::ZERO,
        to_credit: amount,
        invoice: None,
        lot: Some(lot),
    })
}

fn record(
    state: &mut State,
    ctx: &Ctx,
    idx: Idx,
    customer: Idx,
    effect: &Effect,
    date: Date,
    reason: &str,
) {
    state.credit_notes.push(CreditNote {
        id: ctx.id.to_string(),
        customer,
        invoice: effect.invoice,
        currency: effect.currency,
        amount: effect.amount,
        date,
        reason: reason.to_string(),
        reduced_due: effect.reduced_due,
        released: effect.to_credit,
        lot: effect.lot,
    });
    statement_entry(
        state,
        customer,
        effect.currency,
        Entry {
            date,
            seq: ctx.seq,
            record: RecordRef::CreditNote(idx),
            amount: -effect.amount,
        },
    );
}
