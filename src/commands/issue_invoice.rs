//! `issue_invoice`, and the plan that `preview_invoice` renders: both go through
//! `plan`, so a preview and the invoice it previews can never disagree.

use rust_decimal::Decimal;

use super::{statement_entry, Ctx, Handler, NewEntry};
use crate::answer::{issue_invoice_result, CommandResult};
use crate::error::Result;
use crate::input::command::InvoiceDraft;
use crate::invoice_math::{compute_line, share_tax_per_rate, totals};
use crate::money::Minor;
use crate::state::invoices::planned_minor;
use crate::state::ledger_accounts::Account;
use crate::state::records::{
    Idx, InvoiceData, Line, LineSpan, RecordRef, Running, Settlement, Source, TaxRounding,
};
use crate::state::State;

/// The invoice exactly as issuing it now would record it, and the credit it would take.
pub struct InvoicePlan {
    /// The invoice as it would be stored, number and credit settlements included (its
    /// line span is empty until committed: the lines are `lines`).
    pub invoice: InvoiceData,
    /// Its lines as computed, their descriptions left in the draft (`compute_line`).
    pub lines: Vec<Line>,
    /// The credit it would take: `(lot, amount)`, oldest lot first.
    pub lot_takes: Vec<(Idx, Decimal)>,
}

/// Validates a draft and computes the invoice, its number and its credit, read-only.
pub fn plan(state: &State, draft: &InvoiceDraft, id: &str) -> Result<InvoicePlan> {
    let customer = state.customer_idx("customer", &draft.customer)?;
    let currency = draft
        .currency
        .unwrap_or(state.customers[customer as usize].currency);
    // A loop, not `collect::<Result<Vec<_>>>()`: smaller in the wasm module.
    let mut lines = Vec::with_capacity(draft.lines.len());
    for (i, line) in draft.lines.iter().enumerate() {
        lines.push(compute_line(i, line, currency, draft.prices_include_tax)?);
    }
    let tax_rounding = state.tax_rounding();
    if tax_rounding == TaxRounding::Invoice {
        share_tax_per_rate(&mut lines, currency, draft.prices_include_tax)?;
    }
    let (subtotal, tax, total) = totals(&lines)?;
    // Every sum is held in minor units: the total as the statement entry, all three
    // in the invoice record (lines that cancel out can make subtotal and tax larger
    // than the total).
    let subtotal_minor = Minor::fit("lines", subtotal, currency)?;
    let tax_minor = Minor::fit("lines", tax, currency)?;
    Minor::fit("lines", total, currency)?;
    let lot_takes = if draft.use_credit {
        state.plan_lot_takes(customer, currency, total, draft.date)
    } else {
        Vec::new()
    };
    // Credit taken is at most the total, which fits.
    let mut settlements = Vec::with_capacity(lot_takes.len());
    let mut credit = Decimal::ZERO;
    for &(lot, amount) in &lot_takes {
        credit += amount;
        settlements.push(Settlement {
            source: Source::Lot(lot),
            amount: planned_minor(amount, currency),
        });
    }
    let invoice = InvoiceData {
        id: id.into(),
        number: state.numbering.peek(draft.date),
        customer,
        currency,
        date: draft.date,
        due_date: draft.due_date.unwrap_or(draft.date),
        prices_include_tax: draft.prices_include_tax,
        tax_rounding,
        lines: LineSpan::default(),
        subtotal: subtotal_minor,
        tax: tax_minor,
        credit_applied_at_issue: planned_minor(credit, currency),
        running: Running::default(),
        settlements,
    };
    Ok(InvoicePlan {
        invoice,
        lines,
        lot_takes,
    })
}

impl Handler for InvoiceDraft {
    type Plan = InvoicePlan;

    fn plan(&self, state: &State, ctx: &Ctx) -> Result<InvoicePlan> {
        plan(state, self, ctx.id)
    }

    /// Issues the invoice exactly as `plan` computed it: takes the next number, posts
    /// receivable against revenue and tax, applies the planned credit, and makes a
    /// statement debit for the total.
    fn commit(&self, state: &mut State, ctx: &Ctx, plan: InvoicePlan) -> RecordRef {
        let InvoicePlan {
            invoice,
            lines,
            lot_takes,
        } = plan;
        // Commit: post the invoice, then apply the planned credit through `settle`, which
        // rebuilds exactly the settlements the plan showed.
        let idx = state.invoices.next_idx();
        #[cfg(debug_assertions)]
        let planned = invoice.settlements.clone();
        let (customer, currency) = (invoice.customer, invoice.currency);
        let view = invoice.view();
        let (subtotal, tax, total, date, key) = (
            view.subtotal(),
            view.tax(),
            view.total(),
            invoice.date,
            view.open_key(idx),
        );
        // Natively the plan's lines leave their descriptions in the draft.
        #[cfg(fast_paths)]
        let lines = state
            .lines
            .push_described(&lines, |i| &self.lines[i].description);
        #[cfg(not(fast_paths))]
        let lines = state.lines.push(&lines);
        // An id is at most `MAX_ID_BYTES` and a number a few times `MAX_TEXT` bytes,
        // far below what the text arena holds.
        state
            .invoices
            .push(&InvoiceData {
                settlements: Vec::new(),
                lines,
                ..invoice
            })
            .expect("short texts");
        state.numbering.next += 1;
        let book = state.book_mut(customer, currency);
        book.outstanding += total;
        if !total.is_zero() {
            book.open.insert(key);
        }
        state.gl.post(
            currency,
            &[
                (Account::Receivable(customer), total),
                (Account::Revenue, -subtotal),
                (Account::TaxPayable, -tax),
            ],
        );
        let mut credit = Decimal::ZERO;
        for (lot, amount) in lot_takes {
            state.settle(idx, Source::Lot(lot), amount);
            credit += amount;
        }
        state.gl.post(
            currency,
            &[
                (Account::CustomerCredit(customer), credit),
                (Account::Receivable(customer), -credit),
            ],
        );
        #[cfg(debug_assertions)]
        debug_assert_eq!(state.invoices.get(idx).settlements(), planned);
        statement_entry(
            state,
            customer,
            currency,
            NewEntry {
                date,
                seq: ctx.seq,
                record: RecordRef::Invoice(idx),
                amount: total,
            },
        );
        RecordRef::Invoice(idx)
    }

    fn answer(&self, _: &State, ctx: &Ctx, plan: &InvoicePlan) -> CommandResult {
        issue_invoice_result(ctx.id, &plan.invoice.view())
    }
}
