//! The JSON shapes the engine answers with: `{ ok: true, duplicate, ... }` for an accepted
//! command, `{ ok: false, error: { code, message } }` for a refusal, `{ ok: true, ... }`
//! for a query.
//!
//! A command's result is rendered from the record it created (which keeps its effect at
//! creation), so a duplicate answers exactly what the original did.

#![warn(missing_docs)]

use rust_decimal::Decimal;
use serde::Serialize;

use crate::date::Date;
use crate::error::Error;
use crate::money::{Currency, Money};
use crate::queries::QueryAnswer;
use crate::state::records::{Idx, Invoice, LotOrigin, RecordRef, Source};
use crate::state::State;
use crate::text::Text;

// The direct writer: native and the bulk module (the batch door and the benchmarks);
// the shipped module writes answers with serde_json (`write_json`).
#[cfg(fast_paths)]
mod text;

/// Appends `answer` as JSON text to `out`: by the direct writer natively and in the bulk
/// module, by serde_json in the shipped module (whose batch door only replays, so the
/// writer would cost it bytes for nothing). The same text either way.
pub fn write_json(answer: &Answer, out: &mut Vec<u8>) {
    #[cfg(fast_paths)]
    text::write_answer(answer, out);
    // Answers have only string keys and write into memory: this can't fail.
    #[cfg(not(fast_paths))]
    let _ = serde_json::to_writer(out, answer);
}

/// Any answer the engine gives.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    /// A command was accepted, or recognised as a duplicate of one that was.
    Accepted(Accepted),
    /// A command or query was refused; nothing changed.
    Refused(Refused),
    /// A query's answer.
    Query(QueryOk),
}

impl Answer {
    /// Whether this is a success (`ok: true`): an accepted command, a duplicate
    /// included, or a query's answer.
    pub fn is_ok(&self) -> bool {
        !matches!(self, Answer::Refused(_))
    }

    /// The answer to a refused command or query: `{ ok: false, error }`.
    pub fn refused(error: Error) -> Answer {
        Answer::Refused(Refused {
            ok: false,
            error,
            dry_run: false,
        })
    }

    /// Marks the answer as a dry run's (`"dry_run": true`): nothing was changed.
    pub fn as_dry_run(mut self) -> Answer {
        match &mut self {
            Answer::Accepted(a) => a.dry_run = true,
            Answer::Refused(r) => r.dry_run = true,
            Answer::Query(_) => {}
        }
        self
    }
}

/// `{ ok: false, error: { code, message } }`: a refusal, which changed nothing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Refused {
    /// Always `false`.
    pub ok: bool,
    /// Why it was refused.
    pub error: Error,
    /// `true` when the refused command was a dry run (absent otherwise).
    #[serde(skip_serializing_if = "is_false")]
    pub dry_run: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// `{ ok: true, ...answer }`: a query's answer, its fields at the top level.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueryOk {
    /// Always `true`.
    pub ok: bool,
    /// The answer's fields, flattened into this object.
    #[serde(flatten)]
    pub answer: QueryAnswer,
}

/// `{ ok: true, duplicate, seq, id, type, ... }`: what an accepted command did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Accepted {
    /// Always `true`.
    pub ok: bool,
    /// `true` when the id was already taken by an identical command: this repeats that
    /// command's result and nothing changed (a safe retry).
    pub duplicate: bool,
    /// The journal sequence number of the command (of the original, for a duplicate).
    pub seq: u64,
    /// The command's id, which is the id of the record it created.
    pub id: Text,
    /// `true` for a dry run: this is what the command would answer now, and nothing
    /// was changed (absent otherwise). A dry run's `seq` is the one it would get.
    #[serde(skip_serializing_if = "is_false")]
    pub dry_run: bool,
    /// What it did, flattened into this object with its `type`.
    #[serde(flatten)]
    pub result: CommandResult,
}

pub use crate::parts::{Allocation, CreditPart};

/// What a command did, in the words of its type.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CommandResult {
    /// `create_customer`: a customer with nothing owed and no credit.
    CreateCustomer {
        /// The new customer's id.
        customer: Text,
        /// Its billing currency (the default for its invoices and payments).
        currency: Currency,
    },
    /// `issue_invoice`: the invoice as issued, and the credit it took at once.
    IssueInvoice {
        /// The invoice's id.
        invoice: Text,
        /// The number it got from the ledger's invoice sequence (`INV-0001`, ...).
        number: Text,
        /// The invoice's currency.
        currency: Currency,
        /// What the invoice asks for in all, tax included.
        total: Money,
        /// Customer credit applied when it was issued (zero with `use_credit: false`).
        credit_applied: Money,
        /// What was left to pay after that credit, at issue (later events don't change
        /// this answer; the `invoice` query shows the current amount due).
        amount_due: Money,
    },
    /// `record_payment`: where the money went.
    RecordPayment {
        /// The payment's id.
        payment: Text,
        /// The payment's currency.
        currency: Currency,
        /// The money received.
        amount: Money,
        /// The invoices it settled, in the order settled, and how much of each.
        allocations: Vec<Allocation>,
        /// What was left over and kept as credit (all of it on a zero balance).
        credit_created: Money,
    },
    /// `add_credit`: credit granted without money (goodwill, compensation).
    AddCredit {
        /// The credit's id.
        credit: Text,
        /// The credit's currency.
        currency: Currency,
        /// The credit granted.
        amount: Money,
        /// The last day it can be used; absent: it never expires.
        #[serde(skip_serializing_if = "Option::is_none")]
        valid_until: Option<Date>,
    },
    /// `apply_credit`: existing credit moved onto an open invoice (no money moves).
    ApplyCredit {
        /// The invoice the credit settled.
        invoice: Text,
        /// The invoice's currency (credit only settles invoices in its own currency).
        currency: Currency,
        /// How much credit was applied: the invoice's amount due and the customer's
        /// credit both went down by this.
        applied: Money,
    },
    /// `issue_credit_note`: what the note lowered and what it gave back as credit.
    IssueCreditNote {
        /// The credit note's id.
        credit_note: Text,
        /// The invoice it credits; absent for a credit note without one (pure credit).
        #[serde(skip_serializing_if = "Option::is_none")]
        invoice: Option<Text>,
        /// The credit note's currency (the invoice's, when it has one).
        currency: Currency,
        /// The credit note's full amount, tax included.
        amount: Money,
        /// How much it lowered the invoice's amount due.
        reduced_amount_due: Money,
        /// Credit it gave the customer (released settlement, or all of it without an invoice).
        credit_created: Money,
        /// The part of `credit_created` released from the invoice's settlements (what
        /// the invoice had received beyond what it now asks for); zero without an invoice.
        credit_released: Money,
    },
    /// `refund_credit`: credit paid back out to the customer.
    RefundCredit {
        /// The refund's id.
        refund: Text,
        /// The refund's currency.
        currency: Currency,
        /// The money paid out, taken from the customer's credit, oldest first.
        amount: Money,
        /// The credit it took, lot by lot, oldest first.
        credit_used: Vec<CreditPart>,
    },
    /// `void_payment`: the payment reversed.
    VoidPayment {
        /// The voided payment's id.
        payment: Text,
        /// The payment's currency.
        currency: Currency,
        /// The payment's amount, taken back out of cash.
        amount: Money,
        /// Invoices that owe again, and how much each: what the payment settled, directly
        /// or through the credit it left.
        reopened: Vec<Allocation>,
        /// The unused credit the payment had left, taken away from the customer.
        credit_withdrawn: Money,
    },
    /// `void_invoice`: the invoice cancelled.
    VoidInvoice {
        /// The voided invoice's id.
        invoice: Text,
        /// The invoice's currency.
        currency: Currency,
        /// What the invoice still asked for (its total less its credit notes): the
        /// amount its statement entry credits.
        cancelled: Money,
        /// What had settled it (payments and credit), given back to the customer as
        /// credit.
        credit_returned: Money,
        /// `credit_returned` source by source, latest settlement first: each part goes
        /// back to the credit of the payment or lot it came from.
        returned: Vec<CreditPart>,
    },
    /// `configure`: the settings now in force.
    Configure {
        /// The invoice number format the next invoices are printed with.
        invoice_number_format: Text,
        /// How the next invoices round tax: `line` or `invoice`.
        tax_rounding: &'static str,
    },
    /// `write_off_invoice`: what the invoice still asked for, written off as bad debt.
    WriteOffInvoice {
        /// The written-off invoice's id.
        invoice: Text,
        /// The invoice's currency.
        currency: Currency,
        /// The amount written off, tax included: the invoice's amount due until then.
        written_off: Money,
        /// Its tax part, reversed from tax payable (in proportion to the invoice's tax).
        tax_reversed: Money,
        /// The rest: the bad-debt expense.
        bad_debt: Money,
    },
    /// `expire_credit`: the credit removed, lot by lot.
    ExpireCredit {
        /// Lots whose `valid_until` was before this day expired.
        date: Date,
        /// The customer it was limited to, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        customer: Option<Text>,
        /// What each lot lost, by customer then lot age; empty when nothing had expired.
        expired: Vec<ExpiredCredit>,
    },
}

/// What an `expire_credit` removed from one lot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExpiredCredit {
    /// The customer who held it.
    pub customer: Text,
    /// The `add_credit` that granted it.
    pub credit: Text,
    /// The lot's currency.
    pub currency: Currency,
    /// The lot's last day of use.
    pub valid_until: Option<Date>,
    /// What was left of it, now removed.
    pub amount: Money,
}

/// Renders the result of the command that created `record` (for the command's own
/// answer and its duplicates). A dry run renders the same results from its plan through
/// the same constructors below, so both can't drift apart.
pub fn command_result(state: &State, record: RecordRef) -> CommandResult {
    match record {
        RecordRef::Customer(i) => {
            let c = &state.customers[i as usize];
            CommandResult::CreateCustomer {
                customer: c.id.as_str().into(),
                currency: c.currency,
            }
        }
        RecordRef::Invoice(i) => {
            let inv = state.invoices.get(i);
            issue_invoice_result(inv.id, &inv)
        }
        RecordRef::Payment(i) => {
            let p = &state.payments[i as usize];
            let allocations = state.payment_allocations(i);
            let allocated: Decimal = allocations.iter().map(|(_, a)| *a).sum();
            let amount = state.payment_amount(i);
            payment_result(
                state,
                state.record_id(RecordRef::Payment(i)),
                p.currency,
                amount,
                &allocations,
                amount - allocated,
            )
        }
        RecordRef::Grant(i) => {
            let g = &state.grants[i as usize];
            CommandResult::AddCredit {
                credit: g.id.as_str().into(),
                currency: g.currency,
                amount: Money::new(g.amount, g.currency),
                valid_until: state.lots[g.lot as usize].valid_until(),
            }
        }
        RecordRef::Application(i) => {
            let a = &state.applications[i as usize];
            apply_credit_result(state, a.invoice, a.amount)
        }
        RecordRef::CreditNote(i) => {
            let n = &state.credit_notes[i as usize];
            credit_note_result(
                state,
                &n.id,
                n.invoice,
                n.currency,
                n.amount,
                n.reduced_due,
                n.released,
            )
        }
        RecordRef::Refund(i) => {
            let r = &state.refunds[i as usize];
            refund_result(state, &r.id, r.currency, r.amount, &r.taken)
        }
        RecordRef::PaymentVoid(i) => {
            let v = &state.payment_voids[i as usize];
            void_payment_result(state, v.payment, &v.reopened, v.withdrawn)
        }
        RecordRef::InvoiceVoid(i) => {
            let v = &state.invoice_voids[i as usize];
            void_invoice_result(state, v.invoice, v.cancelled, &v.returned)
        }
        RecordRef::Config(i) => CommandResult::Configure {
            invoice_number_format: state.configs[i as usize]
                .invoice_number_format
                .as_deref()
                .unwrap_or(&state.numbering.format)
                .into(),
            tax_rounding: state.configs[i as usize].tax_rounding.name(),
        },
        RecordRef::WriteOff(i) => {
            let w = &state.write_offs[i as usize];
            write_off_result(state, w.invoice, w.amount, w.tax)
        }
        RecordRef::Expiry(i) | RecordRef::ExpiredLot(i) => {
            let run = match record {
                RecordRef::Expiry(_) => i,
                _ => state.expired_lots[i as usize].expiry,
            };
            let x = &state.expiries[run as usize];
            let parts: Vec<(Idx, Decimal)> = state.expired_lots
                [x.first as usize..(x.first + x.count) as usize]
                .iter()
                .map(|part| (part.lot, part.amount))
                .collect();
            expire_result(state, x.date, x.customer, &parts)
        }
    }
}

/// `write_off_invoice`: `amount` written off, `tax` of it reversed.
pub fn write_off_result(
    state: &State,
    invoice: Idx,
    amount: Decimal,
    tax: Decimal,
) -> CommandResult {
    let inv = state.invoices.get(invoice);
    let m = |amount| Money::new(amount, inv.currency);
    CommandResult::WriteOffInvoice {
        invoice: inv.id.into(),
        currency: inv.currency,
        written_off: m(amount),
        tax_reversed: m(tax),
        bad_debt: m(amount - tax),
    }
}

/// `expire_credit`: `parts` is `(lot, amount)` removed, by customer then lot age.
#[inline(never)]
pub fn expire_result(
    state: &State,
    date: Date,
    customer: Option<Idx>,
    parts: &[(Idx, Decimal)],
) -> CommandResult {
    CommandResult::ExpireCredit {
        date,
        customer: customer.map(|c| state.customers[c as usize].id.as_str().into()),
        expired: parts
            .iter()
            .map(|&(l, amount)| {
                let lot = &state.lots[l as usize];
                ExpiredCredit {
                    customer: state.customers[lot.customer as usize].id.as_str().into(),
                    credit: credit_id(state, Source::Lot(l)).into(),
                    currency: lot.currency,
                    valid_until: lot.valid_until(),
                    amount: Money::new(amount, lot.currency),
                }
            })
            .collect(),
    }
}

/// `issue_invoice`: the invoice as issued (`invoice` may be a plan's, not yet stored).
pub fn issue_invoice_result(id: &str, inv: &Invoice<'_>) -> CommandResult {
    let m = |amount| Money::new(amount, inv.currency);
    let (total, credit) = (inv.total(), inv.credit_applied_at_issue());
    CommandResult::IssueInvoice {
        invoice: id.into(),
        number: crate::text::display(inv.number),
        currency: inv.currency,
        total: m(total),
        credit_applied: m(credit),
        amount_due: m(total - credit),
    }
}

/// `record_payment`: where the money went.
#[inline(never)]
pub fn payment_result(
    state: &State,
    id: &str,
    currency: Currency,
    amount: Decimal,
    allocations: &[(Idx, Decimal)],
    leftover: Decimal,
) -> CommandResult {
    CommandResult::RecordPayment {
        payment: id.into(),
        currency,
        amount: Money::new(amount, currency),
        allocations: allocation_list(state, allocations, currency),
        credit_created: Money::new(leftover, currency),
    }
}

/// `apply_credit`: credit applied to an invoice.
pub fn apply_credit_result(state: &State, invoice: Idx, amount: Decimal) -> CommandResult {
    let inv = state.invoices.get(invoice);
    CommandResult::ApplyCredit {
        invoice: inv.id.into(),
        currency: inv.currency,
        applied: Money::new(amount, inv.currency),
    }
}

/// `issue_credit_note`: `released` is the credit it gave (all of it without an invoice).
#[inline(never)]
pub fn credit_note_result(
    state: &State,
    id: &str,
    invoice: Option<Idx>,
    currency: Currency,
    amount: Decimal,
    reduced_due: Decimal,
    released: Decimal,
) -> CommandResult {
    let m = |amount| Money::new(amount, currency);
    CommandResult::IssueCreditNote {
        credit_note: id.into(),
        invoice: invoice.map(|i| state.invoices.id(i).into()),
        currency,
        amount: m(amount),
        reduced_amount_due: m(reduced_due),
        credit_created: m(released),
        credit_released: m(if invoice.is_some() {
            released
        } else {
            Decimal::ZERO
        }),
    }
}

/// `refund_credit`: `taken` is `(lot, amount)`, oldest first.
#[inline(never)]
pub fn refund_result(
    state: &State,
    id: &str,
    currency: Currency,
    amount: Decimal,
    taken: &[(Idx, Decimal)],
) -> CommandResult {
    CommandResult::RefundCredit {
        refund: id.into(),
        currency,
        amount: Money::new(amount, currency),
        credit_used: credit_parts(
            state,
            taken.iter().map(|&(lot, a)| (Source::Lot(lot), a)),
            currency,
        ),
    }
}

/// `void_payment`: what the void of `payment` undoes.
#[inline(never)]
pub fn void_payment_result(
    state: &State,
    payment: Idx,
    reopened: &[(Idx, Decimal)],
    withdrawn: Decimal,
) -> CommandResult {
    let p = &state.payments[payment as usize];
    CommandResult::VoidPayment {
        payment: state.texts.get(p.id).into(),
        currency: p.currency,
        amount: Money::new(state.payment_amount(payment), p.currency),
        reopened: allocation_list(state, reopened, p.currency),
        credit_withdrawn: Money::new(withdrawn, p.currency),
    }
}

/// `void_invoice`: `returned` is what goes back to each source, latest first.
#[inline(never)]
pub fn void_invoice_result(
    state: &State,
    invoice: Idx,
    cancelled: Decimal,
    returned: &[(Source, Decimal)],
) -> CommandResult {
    let inv = state.invoices.get(invoice);
    let total: Decimal = returned.iter().map(|(_, a)| *a).sum();
    CommandResult::VoidInvoice {
        invoice: inv.id.into(),
        currency: inv.currency,
        cancelled: Money::new(cancelled, inv.currency),
        credit_returned: Money::new(total, inv.currency),
        returned: credit_parts(state, returned.iter().copied(), inv.currency),
    }
}

fn allocation_list(state: &State, parts: &[(Idx, Decimal)], currency: Currency) -> Vec<Allocation> {
    parts
        .iter()
        .map(|&(inv, amount)| Allocation {
            invoice: state.invoices.id(inv).into(),
            amount: Money::new(amount, currency),
        })
        .collect()
}

/// The id of the record whose credit a settlement source is: a payment's own
/// settlement and its lot both belong to the payment.
pub fn credit_id(state: &State, source: Source) -> &str {
    let lot = &state.lots[state.lot_of(source) as usize];
    match lot.origin() {
        LotOrigin::Payment(p) => state.texts.get(state.payments[p as usize].id),
        LotOrigin::Grant(g) => &state.grants[g as usize].id,
        LotOrigin::CreditNote(n) => &state.credit_notes[n as usize].id,
    }
}

/// Credit parts named by their lots' records, in order.
pub fn credit_parts(
    state: &State,
    parts: impl Iterator<Item = (Source, Decimal)>,
    currency: Currency,
) -> Vec<CreditPart> {
    parts
        .map(|(source, amount)| CreditPart {
            credit: credit_id(state, source).into(),
            amount: Money::new(amount, currency),
        })
        .collect()
}

/// Whether a settlement source counts as a payment (for `paid`) or credit.
pub fn is_payment(source: Source) -> bool {
    matches!(source, Source::Payment(_))
}
