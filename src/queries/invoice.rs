//! The `invoice` and `preview_invoice` answers, rendered by one function from an
//! `Invoice` record: the stored one, or the one `issue_invoice::plan` would store.

#![warn(missing_docs)]

use rust_decimal::Decimal;
use serde::Serialize;

use crate::commands::issue_invoice;
use crate::date::Date;
use crate::error::Result;
use crate::input::command::InvoiceDraft;
use crate::money::{Currency, DecimalText, Money};
use crate::state::records::{Invoice, LineView, LotOrigin, RecordRef, Source};
use crate::state::State;

/// The `invoice` and `preview_invoice` answer. Amounts are in the invoice's currency;
/// for an invoice that isn't void, amount_due = total − credit_applied − paid − credited
/// − written_off.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InvoiceAnswer {
    /// `null` in a preview.
    pub id: Option<String>,
    /// The invoice number; in a preview, the number issuing it now would give.
    pub number: String,
    /// The billed customer's id.
    pub customer: String,
    /// The billed customer's name.
    pub customer_name: String,
    /// The invoice's currency.
    pub currency: Currency,
    /// The invoice date.
    pub date: Date,
    /// When payment is due (aging and payment order go by it).
    pub due_date: Date,
    /// `open` (nothing received), `partially_paid`, `paid` (nothing due, also when
    /// credit notes brought it there), `written_off` (nothing due after a write-off)
    /// or `void`.
    pub status: &'static str,
    /// Whether unit prices included tax (tax carved out) or not (tax added).
    pub prices_include_tax: bool,
    /// How its tax was rounded: `line` (each line on its own) or `invoice` (once per
    /// rate, shared over the lines).
    pub tax_rounding: &'static str,
    /// The sum of the lines' net amounts: the revenue, before tax.
    pub subtotal: Money,
    /// The sum of the lines' tax: what is owed to the tax authority.
    pub tax: Money,
    /// subtotal + tax: what the invoice asked for when issued.
    pub total: Money,
    /// How much of it customer credit has settled (credit is a way of paying, so it
    /// counts against the total including tax).
    pub credit_applied: Money,
    /// How much of it payments settled directly.
    pub paid: Money,
    /// The sum of credit notes against it: what it no longer asks for.
    pub credited: Money,
    /// What write-offs took off it as bad debt, tax included.
    pub written_off: Money,
    /// What the invoice still asks for: total − credit_applied − paid − credited −
    /// written_off; zero once paid, written off or void.
    pub amount_due: Money,
    /// The lines as computed, in the order entered.
    pub lines: Vec<LineAnswer>,
    /// Net and tax per tax rate, highest rate first.
    pub tax_breakdown: Vec<TaxRateTotal>,
    /// What settles it, in order: payments and credit.
    pub settlements: Vec<SettlementAnswer>,
}

/// One invoice line: what was entered and the rounded amounts it gives.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineAnswer {
    /// What is billed.
    pub description: String,
    /// How many units, as entered (normalized decimal, not money).
    pub quantity: String,
    /// Price of one unit as entered (not rounded to minor units).
    pub unit_price: String,
    /// Tax rate as a fraction ("0.2" is 20%).
    pub tax_rate: String,
    /// Discount as a fraction of the line ("0.1" is 10% off).
    pub discount_rate: String,
    /// The line's amount before tax, after the discount, rounded.
    pub net: Money,
    /// The line's tax, rounded.
    pub tax: Money,
    /// net + tax: what the line adds to the total.
    pub gross: Money,
}

/// What the invoice's lines at one tax rate add up to (for a tax summary).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaxRateTotal {
    /// The tax rate as a fraction ("0.2" is 20%).
    pub rate: String,
    /// The sum of the net amounts of the lines at this rate.
    pub net: Money,
    /// The sum of their tax.
    pub tax: Money,
}

/// One settlement of the invoice: money or credit that paid part of it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SettlementAnswer {
    /// `payment` or `credit`.
    pub kind: &'static str,
    /// The payment, credit, credit note id the money came from.
    pub source: String,
    /// How much of the invoice it settles; settlement a credit note released back as
    /// credit is no longer counted here.
    pub amount: Money,
}

/// Answers `invoice` for the invoice with id `id`.
pub fn run(state: &State, id: &str) -> Result<InvoiceAnswer> {
    let idx = state.invoice_idx("invoice", id)?;
    let invoice = state.invoices.get(idx);
    let lines = state.lines.iter(invoice.lines).collect();
    Ok(render(state, &invoice, lines, true))
}

/// What issuing the draft now would record: the same plan `issue_invoice` commits.
pub fn preview(state: &State, draft: &InvoiceDraft) -> Result<InvoiceAnswer> {
    let plan = issue_invoice::plan(state, draft, "")?;
    // Natively a plan's lines leave their descriptions in the draft.
    #[cfg(fast_paths)]
    let lines = (plan.lines.iter().zip(&draft.lines))
        .map(|(line, input)| LineView {
            description: &input.description,
            ..LineView::of(line)
        })
        .collect();
    #[cfg(not(fast_paths))]
    let lines = plan.lines.iter().map(LineView::of).collect();
    Ok(render(state, &plan.invoice.view(), lines, false))
}

/// The answer for an invoice record; `issued` is false for a preview (no id yet).
pub fn render(
    state: &State,
    inv: &Invoice<'_>,
    lines: Vec<LineView<'_>>,
    issued: bool,
) -> InvoiceAnswer {
    let cur = inv.currency;
    let m = |d| Money::new(d, cur);
    let customer = &state.customers[inv.customer as usize];
    // Highest rate first; kept sorted as it is built (a handful of rates).
    let mut rates: Vec<(Decimal, Decimal, Decimal)> = Vec::new();
    for line in &lines {
        let rate = line.tax_rate;
        match rates.iter().position(|r| r.0 <= rate) {
            Some(i) if rates[i].0 == rate => {
                rates[i].1 += line.net;
                rates[i].2 += line.tax;
            }
            Some(i) => rates.insert(i, (rate, line.net, line.tax)),
            None => rates.push((rate, line.net, line.tax)),
        }
    }
    InvoiceAnswer {
        id: issued.then(|| inv.id.to_string()),
        number: inv.number.to_string(),
        customer: customer.id.clone(),
        customer_name: customer.name.clone(),
        currency: cur,
        date: inv.date,
        due_date: inv.due_date,
        status: inv.status(),
        prices_include_tax: inv.prices_include_tax,
        subtotal: m(inv.subtotal()),
        tax: m(inv.tax()),
        total: m(inv.total()),
        credit_applied: m(inv.credit_applied()),
        paid: m(inv.paid()),
        credited: m(inv.credited()),
        written_off: m(inv.written_off()),
        tax_rounding: inv.tax_rounding.name(),
        amount_due: m(inv.amount_due()),
        lines: lines
            .iter()
            .map(|l| LineAnswer {
                description: l.description.to_string(),
                quantity: DecimalText(l.quantity).to_string(),
                unit_price: DecimalText(l.unit_price).to_string(),
                tax_rate: DecimalText(l.tax_rate).to_string(),
                discount_rate: DecimalText(l.discount_rate).to_string(),
                net: m(l.net),
                tax: m(l.tax),
                gross: m(l.gross),
            })
            .collect(),
        tax_breakdown: rates
            .into_iter()
            .map(|(rate, net, tax)| TaxRateTotal {
                rate: DecimalText(rate).to_string(),
                net: m(net),
                tax: m(tax),
            })
            .collect(),
        settlements: inv
            .settlements()
            .into_iter()
            .map(|s| SettlementAnswer {
                kind: match s.source {
                    Source::Payment(_) => "payment",
                    Source::Lot(_) => "credit",
                },
                source: source_id(state, s.source),
                amount: m(s.amount.decimal(cur)),
            })
            .collect(),
    }
}

/// The id of the record a settlement's money came from.
pub fn source_id(state: &State, source: Source) -> String {
    match source {
        Source::Payment(p) => state.record_id(RecordRef::Payment(p)).to_string(),
        Source::Lot(l) => match state.lots[l as usize].origin() {
            LotOrigin::Payment(p) => state.record_id(RecordRef::Payment(p)).to_string(),
            LotOrigin::Grant(g) => state.grants[g as usize].id.clone(),
            LotOrigin::CreditNote(n) => state.credit_notes[n as usize].id.clone(),
        },
    }
}
