//! The `invoice` and `preview_invoice` answers, rendered by one function from an
//! `Invoice` record: the stored one, or the one `issue_invoice::plan` would store.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::commands::issue_invoice;
use crate::date::Date;
use crate::error::Result;
use crate::input::command::InvoiceDraft;
use crate::money::{Currency, Money};
use crate::state::records::{Invoice, LotOrigin, Source};
use crate::state::State;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InvoiceAnswer {
    /// `null` in a preview.
    pub id: Option<String>,
    pub number: String,
    pub customer: String,
    pub customer_name: String,
    pub currency: Currency,
    pub date: Date,
    pub due_date: Date,
    pub status: &'static str,
    pub prices_include_tax: bool,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub credit_applied: Money,
    pub paid: Money,
    pub credited: Money,
    pub amount_due: Money,
    pub lines: Vec<LineAnswer>,
    /// Net and tax per tax rate, highest rate first.
    pub tax_breakdown: Vec<TaxRateTotal>,
    /// What settles it, in order: payments and credit.
    pub settlements: Vec<SettlementAnswer>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineAnswer {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub tax_rate: String,
    pub discount_rate: String,
    pub net: Money,
    pub tax: Money,
    pub gross: Money,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaxRateTotal {
    pub rate: String,
    pub net: Money,
    pub tax: Money,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SettlementAnswer {
    /// `payment` or `credit`.
    pub kind: &'static str,
    /// The payment, credit, credit note id the money came from.
    pub source: String,
    pub amount: Money,
}

pub fn run(state: &State, id: &str) -> Result<InvoiceAnswer> {
    let idx = state.invoice_idx("invoice", id)?;
    Ok(render(state, &state.invoices[idx as usize], true))
}

/// What issuing the draft now would record: the same plan `issue_invoice` commits.
pub fn preview(state: &State, draft: &InvoiceDraft) -> Result<InvoiceAnswer> {
    let plan = issue_invoice::plan(state, draft, "")?;
    Ok(render(state, &plan.invoice, false))
}

pub fn render(state: &State, inv: &Invoice, issued: bool) -> InvoiceAnswer {
    let cur = inv.currency;
    let m = |d| Money::new(d, cur);
    let customer = &state.customers[inv.customer as usize];
    // Highest rate first; kept sorted as it is built (a handful of rates).
    let mut rates: Vec<(Decimal, Decimal, Decimal)> = Vec::new();
    for line in &inv.lines {
        let rate = line.input.tax_rate;
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
        id: issued.then(|| inv.id.clone()),
        number: inv.number.clone(),
        customer: customer.id.clone(),
        customer_name: customer.name.clone(),
        currency: cur,
        date: inv.date,
        due_date: inv.due_date,
        status: inv.status(),
        prices_include_tax: inv.prices_include_tax,
        subtotal: m(inv.subtotal),
        tax: m(inv.tax),
        total: m(inv.total),
        credit_applied: m(inv.credit_applied()),
        paid: m(inv.paid()),
        credited: m(inv.credited),
        amount_due: m(inv.amount_due()),
        lines: inv
            .lines
            .iter()
            .map(|l| LineAnswer {
                description: l.input.description.clone(),
                quantity: l.input.quantity.to_string(),
                unit_price: l.input.unit_price.to_string(),
                tax_rate: l.input.tax_rate.to_string(),
                discount_rate: l.input.discount_rate.to_string(),
                net: m(l.net),
                tax: m(l.tax),
                gross: m(l.gross),
            })
            .collect(),
        tax_breakdown: rates
            .into_iter()
            .map(|(rate, net, tax)| TaxRateTotal {
                rate: rate.to_string(),
                net: m(net),
                tax: m(tax),
            })
            .collect(),
        settlements: inv
            .settlements
            .iter()
            .map(|s| SettlementAnswer {
                kind: match s.source {
                    Source::Payment(_) => "payment",
                    Source::Lot(_) => "credit",
                },
                source: source_id(state, s.source),
                amount: m(s.amount),
            })
            .collect(),
    }
}

/// The id of the record a settlement's money came from.
pub fn source_id(state: &State, source: Source) -> String {
    match source {
        Source::Payment(p) => state.payments[p as usize].id.clone(),
        Source::Lot(l) => match state.lots[l as usize].origin {
            LotOrigin::Payment(p) => state.payments[p as usize].id.clone(),
            LotOrigin::Grant(g) => state.grants[g as usize].id.clone(),
            LotOrigin::CreditNote(n) => state.credit_notes[n as usize].id.clone(),
        },
    }
}
