//! The JSON shapes the engine answers with: `{ ok: true, duplicate, ... }` for an accepted
//! command, `{ ok: false, error: { code, message } }` for a refusal, `{ ok: true, ... }`
//! for a query.
//!
//! A command's result is rendered from the record it created (which keeps its effect at
//! creation), so a duplicate answers exactly what the original did.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::Error;
use crate::money::{Currency, Money};
use crate::queries::QueryAnswer;
use crate::state::records::{RecordRef, Source};
use crate::state::State;

/// Any answer the engine gives.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Accepted(Accepted),
    Refused(Refused),
    Query(QueryOk),
}

impl Answer {
    pub fn is_ok(&self) -> bool {
        !matches!(self, Answer::Refused(_))
    }

    pub fn refused(error: Error) -> Answer {
        Answer::Refused(Refused { ok: false, error })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Refused {
    pub ok: bool,
    pub error: Error,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueryOk {
    pub ok: bool,
    #[serde(flatten)]
    pub answer: QueryAnswer,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Accepted {
    pub ok: bool,
    pub duplicate: bool,
    /// The journal sequence number of the command (of the original, for a duplicate).
    pub seq: u64,
    pub id: String,
    #[serde(flatten)]
    pub result: CommandResult,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Allocation {
    pub invoice: String,
    pub amount: Money,
}

/// What a command did, in the words of its type.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CommandResult {
    CreateCustomer {
        customer: String,
        currency: Currency,
    },
    IssueInvoice {
        invoice: String,
        number: String,
        currency: Currency,
        total: Money,
        credit_applied: Money,
        amount_due: Money,
    },
    RecordPayment {
        payment: String,
        currency: Currency,
        amount: Money,
        allocations: Vec<Allocation>,
        credit_created: Money,
    },
    AddCredit {
        credit: String,
        currency: Currency,
        amount: Money,
    },
    ApplyCredit {
        invoice: String,
        currency: Currency,
        applied: Money,
    },
    IssueCreditNote {
        credit_note: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        invoice: Option<String>,
        currency: Currency,
        amount: Money,
        /// How much it lowered the invoice's amount due.
        reduced_amount_due: Money,
        /// Credit it gave the customer (released settlement, or all of it without an invoice).
        credit_created: Money,
    },
    RefundCredit {
        refund: String,
        currency: Currency,
        amount: Money,
    },
    VoidPayment {
        payment: String,
        currency: Currency,
        reopened: Vec<Allocation>,
        credit_withdrawn: Money,
    },
    VoidInvoice {
        invoice: String,
        currency: Currency,
        cancelled: Money,
        credit_returned: Money,
    },
    Configure {
        invoice_number_format: String,
    },
}

/// Renders the result of the command that created `record`.
pub fn command_result(state: &State, record: RecordRef) -> CommandResult {
    let m = Money::new;
    let inv_id = |i: u32| state.invoices[i as usize].id.clone();
    match record {
        RecordRef::Customer(i) => {
            let c = &state.customers[i as usize];
            CommandResult::CreateCustomer {
                customer: c.id.clone(),
                currency: c.currency,
            }
        }
        RecordRef::Invoice(i) => {
            let inv = &state.invoices[i as usize];
            let cur = inv.currency;
            CommandResult::IssueInvoice {
                invoice: inv.id.clone(),
                number: inv.number.clone(),
                currency: cur,
                total: m(inv.total, cur),
                credit_applied: m(inv.credit_applied_at_issue, cur),
                amount_due: m(inv.total - inv.credit_applied_at_issue, cur),
            }
        }
        RecordRef::Payment(i) => {
            let p = &state.payments[i as usize];
            let cur = p.currency;
            let allocated: Decimal = p.allocations.iter().map(|(_, a)| *a).sum();
            CommandResult::RecordPayment {
                payment: p.id.clone(),
                currency: cur,
                amount: m(p.amount, cur),
                allocations: p
                    .allocations
                    .iter()
                    .map(|&(inv, amount)| Allocation {
                        invoice: inv_id(inv),
                        amount: m(amount, cur),
                    })
                    .collect(),
                credit_created: m(p.amount - allocated, cur),
            }
        }
        RecordRef::Grant(i) => {
            let g = &state.grants[i as usize];
            CommandResult::AddCredit {
                credit: g.id.clone(),
                currency: g.currency,
                amount: m(g.amount, g.currency),
            }
        }
        RecordRef::Application(i) => {
            let a = &state.applications[i as usize];
            let cur = state.invoices[a.invoice as usize].currency;
            CommandResult::ApplyCredit {
                invoice: inv_id(a.invoice),
                currency: cur,
                applied: m(a.amount, cur),
            }
        }
        RecordRef::CreditNote(i) => {
            let n = &state.credit_notes[i as usize];
            CommandResult::IssueCreditNote {
                credit_note: n.id.clone(),
                invoice: n.invoice.map(inv_id),
                currency: n.currency,
                amount: m(n.amount, n.currency),
                reduced_amount_due: m(n.reduced_due, n.currency),
                credit_created: m(n.released, n.currency),
            }
        }
        RecordRef::Refund(i) => {
            let r = &state.refunds[i as usize];
            CommandResult::RefundCredit {
                refund: r.id.clone(),
                currency: r.currency,
                amount: m(r.amount, r.currency),
            }
        }
        RecordRef::PaymentVoid(i) => {
            let v = &state.payment_voids[i as usize];
            let p = &state.payments[v.payment as usize];
            CommandResult::VoidPayment {
                payment: p.id.clone(),
                currency: p.currency,
                reopened: v
                    .reopened
                    .iter()
                    .map(|&(inv, amount)| Allocation {
                        invoice: inv_id(inv),
                        amount: m(amount, p.currency),
                    })
                    .collect(),
                credit_withdrawn: m(v.withdrawn, p.currency),
            }
        }
        RecordRef::InvoiceVoid(i) => {
            let v = &state.invoice_voids[i as usize];
            let inv = &state.invoices[v.invoice as usize];
            let returned: Decimal = v.returned.iter().map(|(_, a)| *a).sum();
            CommandResult::VoidInvoice {
                invoice: inv.id.clone(),
                currency: inv.currency,
                cancelled: m(v.cancelled, inv.currency),
                credit_returned: m(returned, inv.currency),
            }
        }
        RecordRef::Config(i) => CommandResult::Configure {
            invoice_number_format: state.configs[i as usize]
                .invoice_number_format
                .clone()
                .unwrap_or_else(|| state.numbering.format.clone()),
        },
    }
}

/// Whether a settlement source counts as a payment (for `paid`) or credit.
pub fn is_payment(source: Source) -> bool {
    matches!(source, Source::Payment(_))
}
