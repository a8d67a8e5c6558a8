//! The contract's commands, typed and validated for syntax (types, formats, ranges).
//! What needs the ledger's state (does the customer exist? is there enough credit?) is
//! checked by the command's handler in `commands/`.
//!
//! A `Command` serializes back to the contract's JSON, so the journal can be exported
//! and replayed through the same door it came in by.

#![warn(missing_docs)]

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde::Serialize;

use super::fields::Fields;
use super::raw::{Key, Raw, RawMap};
use crate::date::Date;
pub use crate::domain::{Added, LineInput, Method, TaxRounding};
use crate::error::{err, Result};
use crate::money::{Currency, DecimalText, MAX_AMOUNT};
use crate::text::Text;

pub use crate::limits::MAX_LINES;
use crate::limits::{MAX_DISCOUNT_RATE_UNITS, MAX_QUANTITY_UNITS, MAX_TAX_RATE_UNITS};

/// Every command `type`, in the order messages list them.
pub const COMMAND_TYPES: [&str; 12] = [
    "create_customer",
    "issue_invoice",
    "record_payment",
    "add_credit",
    "apply_credit",
    "issue_credit_note",
    "refund_credit",
    "void_payment",
    "void_invoice",
    "configure",
    "write_off_invoice",
    "expire_credit",
];

/// One command: the record id it creates, audit metadata, and what to do.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Command {
    /// The id of the record the command creates, unique across all records; also the
    /// idempotency key (resending the same command with it changes nothing).
    pub id: Text,
    /// When it was entered (RFC 3339, kept verbatim): audit only, never used for
    /// dates or ordering, and not part of what makes two commands identical.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Text>,
    /// Who entered it: audit only, like `at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<Text>,
    /// `dry_run: true`: answer what the command would do now and change nothing. Not
    /// part of what the command does (its fingerprint), never journaled.
    #[serde(skip)]
    pub dry_run: bool,
    /// What the command does; its fields sit beside `type` in the JSON.
    #[serde(flatten)]
    pub body: CommandBody,
}

/// What a command does. Amounts are normalized decimals (`100.00` and `100` are the
/// same command); their decimals are checked against the currency by the handler.
#[derive(Clone, Debug, PartialEq, Hash)]
pub enum CommandBody {
    /// `create_customer`: a customer with nothing owed and no credit.
    CreateCustomer(CreateCustomer),
    /// `issue_invoice`: posts an invoice and (unless told not to) applies the
    /// customer's credit to it.
    IssueInvoice(InvoiceDraft),
    /// `record_payment`: money received; it settles open invoices and the rest
    /// becomes credit.
    RecordPayment(RecordPayment),
    /// `add_credit`: credit granted without money (goodwill, compensation).
    AddCredit(AddCredit),
    /// `apply_credit`: applies credit the customer already holds to an open invoice.
    ApplyCredit(ApplyCredit),
    /// `issue_credit_note`: lowers what an invoice asks for, or (without an invoice)
    /// gives credit.
    IssueCreditNote(IssueCreditNote),
    /// `refund_credit`: pays credit back out to the customer.
    RefundCredit(RefundCredit),
    /// `void_payment`: reverses a payment (e.g. it bounced).
    VoidPayment(VoidPayment),
    /// `void_invoice`: cancels an invoice; what settled it returns as credit.
    VoidInvoice(VoidInvoice),
    /// `configure`: ledger settings.
    Configure(Configure),
    /// `write_off_invoice`: what an invoice still asks for becomes bad debt.
    WriteOffInvoice(WriteOffInvoice),
    /// `expire_credit`: removes what is left of credit past its `valid_until`.
    ExpireCredit(ExpireCredit),
}

/// `create_customer`: a customer with nothing owed and no credit.
#[derive(Clone, Debug, PartialEq, Hash, Serialize)]
#[serde(tag = "type", rename = "create_customer")]
pub struct CreateCustomer {
    /// The customer's name, as statements and lists show it.
    pub name: Text,
    /// Billing currency: the default for its invoices, payments and credit.
    pub currency: Currency,
    /// Contact address; kept, never used by the engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<Text>,
}

/// `record_payment`: money received; it settles open invoices and the rest
/// becomes credit.
#[derive(Clone, Debug, PartialEq, Hash, Serialize)]
#[serde(tag = "type", rename = "record_payment")]
pub struct RecordPayment {
    /// The paying customer's id.
    pub customer: Text,
    /// The money received (> 0, no more decimals than the currency allows).
    #[serde(serialize_with = "as_text")]
    pub amount: Decimal,
    /// The payment's currency; default: the customer's billing currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// How the money came in (decides the cash account it is posted to).
    pub method: Method,
    /// The day the money was received (statement date).
    pub date: Date,
    /// The payer's or bank's reference, shown on the statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<Text>,
    /// Invoice ids to settle, in this order, instead of oldest due first. An
    /// empty list keeps the whole payment as credit (a deliberate prepayment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allocate_to: Option<Vec<Text>>,
}

/// `add_credit`: credit granted without money (goodwill, compensation).
#[derive(Clone, Debug, PartialEq, Hash, Serialize)]
#[serde(tag = "type", rename = "add_credit")]
pub struct AddCredit {
    /// The customer's id.
    pub customer: Text,
    /// The credit granted (> 0).
    #[serde(serialize_with = "as_text")]
    pub amount: Decimal,
    /// The credit's currency; default: the customer's billing currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The day it was granted (statement date).
    pub date: Date,
    /// Why it was granted, shown on the statement.
    pub reason: Text,
    /// The last day the credit can be used (not before `date`); absent: it never
    /// expires.
    #[serde(skip_serializing_if = "Added::is_none")]
    pub valid_until: Added<Date>,
}

/// `apply_credit`: applies credit the customer already holds to an open invoice.
#[derive(Clone, Debug, PartialEq, Hash, Serialize)]
#[serde(tag = "type", rename = "apply_credit")]
pub struct ApplyCredit {
    /// The customer's id; the invoice must be theirs.
    pub customer: Text,
    /// The invoice to settle.
    pub invoice: Text,
    /// How much credit to apply; default: as much as both the credit and the
    /// invoice's amount due allow.
    #[serde(
        serialize_with = "opt_as_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    /// If given, must be the invoice's currency (credit never crosses currencies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The day it is applied (not before the invoice's date); default: the
    /// invoice's date. Credit whose `valid_until` is before it is not used.
    #[serde(skip_serializing_if = "Added::is_none")]
    pub date: Added<Date>,
}

/// `issue_credit_note`: lowers what an invoice asks for, or (without an invoice)
/// gives credit.
#[derive(Clone, Debug, PartialEq, Hash, Serialize)]
#[serde(tag = "type", rename = "issue_credit_note")]
pub struct IssueCreditNote {
    /// The customer's id; the invoice, if any, must be theirs.
    pub customer: Text,
    /// The invoice it credits; without one the whole amount becomes credit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice: Option<Text>,
    /// The amount credited, tax included (> 0; at most the invoice's total less
    /// its earlier credit notes).
    #[serde(serialize_with = "as_text")]
    pub amount: Decimal,
    /// Default: the invoice's currency, or the customer's billing currency without
    /// an invoice; if given with an invoice it must be the invoice's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The credit note's date; not before its invoice's date.
    pub date: Date,
    /// Why it was issued, shown on the statement.
    pub reason: Text,
}

/// `refund_credit`: pays credit back out to the customer.
#[derive(Clone, Debug, PartialEq, Hash, Serialize)]
#[serde(tag = "type", rename = "refund_credit")]
pub struct RefundCredit {
    /// The customer's id.
    pub customer: Text,
    /// The money paid out (> 0, at most the credit available).
    #[serde(serialize_with = "as_text")]
    pub amount: Decimal,
    /// The refund's currency; default: the customer's billing currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// How the money went out (the cash account it is paid from).
    pub method: Method,
    /// The day it was paid out (statement date).
    pub date: Date,
    /// The bank's or operator's reference, shown on the statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<Text>,
}

/// `void_payment`: reverses a payment (e.g. it bounced).
#[derive(Clone, Debug, PartialEq, Hash, Serialize)]
#[serde(tag = "type", rename = "void_payment")]
pub struct VoidPayment {
    /// The payment to void.
    pub payment: Text,
    /// The void's date; not before the payment's date.
    pub date: Date,
    /// Why, shown on the statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text>,
}

/// `void_invoice`: cancels an invoice; what settled it returns as credit.
#[derive(Clone, Debug, PartialEq, Hash, Serialize)]
#[serde(tag = "type", rename = "void_invoice")]
pub struct VoidInvoice {
    /// The invoice to void.
    pub invoice: Text,
    /// The void's date; not before the invoice's date.
    pub date: Date,
    /// Why, shown on the statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text>,
}

/// `configure`: ledger settings.
#[derive(Clone, Debug, PartialEq, Hash, Serialize)]
#[serde(tag = "type", rename = "configure")]
pub struct Configure {
    /// The format of invoice numbers from now on (`"{year}-{seq:0000}"`); the
    /// sequence itself never restarts. Absent: unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_number_format: Option<Text>,
    /// How tax is rounded on invoices issued from now on; absent: unchanged.
    #[serde(skip_serializing_if = "Added::is_none")]
    pub tax_rounding: Added<TaxRounding>,
}

/// `write_off_invoice`: what an invoice still asks for becomes bad debt.
#[derive(Clone, Debug, PartialEq, Hash, Serialize)]
#[serde(tag = "type", rename = "write_off_invoice")]
pub struct WriteOffInvoice {
    /// The invoice to write off.
    pub invoice: Text,
    /// The write-off's date; not before the invoice's date.
    pub date: Date,
    /// Why, shown on the statement.
    pub reason: Text,
}

/// `expire_credit`: removes what is left of credit past its `valid_until`.
#[derive(Clone, Debug, PartialEq, Hash, Serialize)]
#[serde(tag = "type", rename = "expire_credit")]
pub struct ExpireCredit {
    /// Lots whose `valid_until` is before this day expire.
    pub date: Date,
    /// Only this customer's lots; absent: every customer's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<Text>,
}

/// The fields of `issue_invoice`, shared with `preview_invoice`.
#[derive(Clone, Debug, PartialEq, Hash, Serialize)]
#[serde(tag = "type", rename = "issue_invoice")]
pub struct InvoiceDraft {
    /// The billed customer's id.
    pub customer: Text,
    /// The invoice's currency; default: the customer's billing currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The invoice date (statement date).
    pub date: Date,
    /// When payment is due (never before `date`); default: `date`. Decides which open
    /// invoice a payment settles first and how overdue it is in aging.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<Date>,
    /// The lines, 1 to `MAX_LINES` of them.
    pub lines: Vec<LineInput>,
    /// Whether unit prices include tax (tax is carved out) or not (tax is added).
    pub prices_include_tax: bool,
    /// Whether the customer's credit in the invoice's currency is applied at issue.
    pub use_credit: bool,
}

fn as_text<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&DecimalText(*d))
}

fn opt_as_text<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(&DecimalText(*d)),
        None => s.serialize_none(),
    }
}

/// Each command struct writes its own `type` (`#[serde(tag)]` on the struct): smaller
/// code than serde's internally tagged enum of newtype variants.
impl Serialize for CommandBody {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            CommandBody::CreateCustomer(c) => c.serialize(s),
            CommandBody::IssueInvoice(c) => c.serialize(s),
            CommandBody::RecordPayment(c) => c.serialize(s),
            CommandBody::AddCredit(c) => c.serialize(s),
            CommandBody::ApplyCredit(c) => c.serialize(s),
            CommandBody::IssueCreditNote(c) => c.serialize(s),
            CommandBody::RefundCredit(c) => c.serialize(s),
            CommandBody::VoidPayment(c) => c.serialize(s),
            CommandBody::VoidInvoice(c) => c.serialize(s),
            CommandBody::Configure(c) => c.serialize(s),
            CommandBody::WriteOffInvoice(c) => c.serialize(s),
            CommandBody::ExpireCredit(c) => c.serialize(s),
        }
    }
}

impl CommandBody {
    /// The command's `type` as written in JSON.
    pub fn type_name(&self) -> &'static str {
        match self {
            CommandBody::CreateCustomer(_) => "create_customer",
            CommandBody::IssueInvoice(_) => "issue_invoice",
            CommandBody::RecordPayment(_) => "record_payment",
            CommandBody::AddCredit(_) => "add_credit",
            CommandBody::ApplyCredit(_) => "apply_credit",
            CommandBody::IssueCreditNote(_) => "issue_credit_note",
            CommandBody::RefundCredit(_) => "refund_credit",
            CommandBody::VoidPayment(_) => "void_payment",
            CommandBody::VoidInvoice(_) => "void_invoice",
            CommandBody::Configure(_) => "configure",
            CommandBody::WriteOffInvoice(_) => "write_off_invoice",
            CommandBody::ExpireCredit(_) => "expire_credit",
        }
    }

    /// The customer the command names, if it names one.
    pub fn customer(&self) -> Option<&str> {
        match self {
            CommandBody::IssueInvoice(c) => Some(&c.customer),
            CommandBody::RecordPayment(c) => Some(&c.customer),
            CommandBody::AddCredit(c) => Some(&c.customer),
            CommandBody::ApplyCredit(c) => Some(&c.customer),
            CommandBody::IssueCreditNote(c) => Some(&c.customer),
            CommandBody::RefundCredit(c) => Some(&c.customer),
            CommandBody::ExpireCredit(c) => c.customer.as_deref(),
            CommandBody::CreateCustomer(_)
            | CommandBody::VoidPayment(_)
            | CommandBody::VoidInvoice(_)
            | CommandBody::Configure(_)
            | CommandBody::WriteOffInvoice(_) => None,
        }
    }
}

/// The `type` field of a command or query object.
pub(crate) fn take_type<'de>(fields: &mut Fields<'de>, what: &str) -> Result<Cow<'de, str>> {
    fields.opt_str(Key::Type)?.ok_or_else(|| {
        err!(InvalidInput, "a {what} needs a 'type'")
            .at("type")
            .rule("required")
    })
}

impl Command {
    /// Validates a command object read by `RawMap::read`.
    pub fn from_raw(map: RawMap<'_>) -> Result<Command> {
        map.check("command", "")?;
        let mut f = Fields::new(map, None);
        let kind = take_type(&mut f, "command")?;
        let id = f.id(Key::Id)?;
        let at = f.opt_timestamp(Key::At)?;
        let by = f.opt_text(Key::By)?;
        let dry_run = f.opt_bool(Key::DryRun)?.unwrap_or(false);
        let body = match &*kind {
            "create_customer" => CommandBody::CreateCustomer(CreateCustomer {
                name: f.text(Key::Name)?,
                currency: f.currency(Key::Currency)?,
                email: f.opt_text(Key::Email)?,
            }),
            "issue_invoice" => CommandBody::IssueInvoice(InvoiceDraft::from_fields(&mut f)?),
            "record_payment" => CommandBody::RecordPayment(RecordPayment {
                customer: f.id(Key::Customer)?,
                amount: f.amount(Key::Amount)?,
                currency: f.opt_currency(Key::Currency)?,
                method: method(&mut f)?,
                date: f.date(Key::Date)?,
                reference: f.opt_text(Key::Reference)?,
                allocate_to: match f.opt_list(Key::AllocateTo)? {
                    None => None,
                    Some(items) => Some(id_list("allocate_to", items)?),
                },
            }),
            "add_credit" => {
                let customer = f.id(Key::Customer)?;
                let amount = f.amount(Key::Amount)?;
                let currency = f.opt_currency(Key::Currency)?;
                let date = f.date(Key::Date)?;
                let reason = f.text(Key::Reason)?;
                let valid_until = f.opt_date(Key::ValidUntil)?;
                if let Some(last) = valid_until.filter(|last| *last < date) {
                    return Err(err!(
                        InvalidDate,
                        "valid_until: '{last}' is before the credit's date '{date}'"
                    )
                    .at("valid_until")
                    .rule("before_date")
                    .with("value", last)
                    .with("earliest", date));
                }
                CommandBody::AddCredit(AddCredit {
                    customer,
                    amount,
                    currency,
                    date,
                    reason,
                    valid_until: Added(valid_until),
                })
            }
            "apply_credit" => CommandBody::ApplyCredit(ApplyCredit {
                customer: f.id(Key::Customer)?,
                invoice: f.id(Key::Invoice)?,
                amount: f.opt_amount(Key::Amount)?,
                currency: f.opt_currency(Key::Currency)?,
                date: Added(f.opt_date(Key::Date)?),
            }),
            "issue_credit_note" => CommandBody::IssueCreditNote(IssueCreditNote {
                customer: f.id(Key::Customer)?,
                invoice: f.opt_id(Key::Invoice)?,
                amount: f.amount(Key::Amount)?,
                currency: f.opt_currency(Key::Currency)?,
                date: f.date(Key::Date)?,
                reason: f.text(Key::Reason)?,
            }),
            "refund_credit" => CommandBody::RefundCredit(RefundCredit {
                customer: f.id(Key::Customer)?,
                amount: f.amount(Key::Amount)?,
                currency: f.opt_currency(Key::Currency)?,
                method: method(&mut f)?,
                date: f.date(Key::Date)?,
                reference: f.opt_text(Key::Reference)?,
            }),
            "void_payment" => CommandBody::VoidPayment(VoidPayment {
                payment: f.id(Key::Payment)?,
                date: f.date(Key::Date)?,
                reason: f.opt_text(Key::Reason)?,
            }),
            "void_invoice" => CommandBody::VoidInvoice(VoidInvoice {
                invoice: f.id(Key::Invoice)?,
                date: f.date(Key::Date)?,
                reason: f.opt_text(Key::Reason)?,
            }),
            "configure" => CommandBody::Configure(Configure {
                invoice_number_format: f.opt_text(Key::InvoiceNumberFormat)?,
                tax_rounding: Added(f.choice(
                    Key::TaxRounding,
                    &[
                        ("line", TaxRounding::Line),
                        ("invoice", TaxRounding::Invoice),
                    ],
                )?),
            }),
            "write_off_invoice" => CommandBody::WriteOffInvoice(WriteOffInvoice {
                invoice: f.id(Key::Invoice)?,
                date: f.date(Key::Date)?,
                reason: f.text(Key::Reason)?,
            }),
            "expire_credit" => CommandBody::ExpireCredit(ExpireCredit {
                date: f.date(Key::Date)?,
                customer: f.opt_id(Key::Customer)?,
            }),
            other => {
                return Err(err!(
                    InvalidInput,
                    "type: '{}' is not a command ({})",
                    crate::error::clip(other),
                    crate::error::listed(&COMMAND_TYPES)
                )
                .at("type")
                .rule("not_allowed")
                .with("value", crate::error::clip(other))
                .with("allowed", COMMAND_TYPES.to_vec()))
            }
        };
        f.finish(|| format!("a {kind} command"))?;
        Ok(Command {
            id,
            at,
            by,
            dry_run,
            body,
        })
    }
}

fn method(f: &mut Fields) -> Result<Method> {
    f.choice(Key::Method, &Method::ALL)?.ok_or_else(|| {
        err!(InvalidInput, "method is required")
            .at("method")
            .rule("required")
    })
}

fn id_list(field: &str, items: Vec<Raw<'_>>) -> Result<Vec<Text>> {
    let mut ids: Vec<Text> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Raw::Str(s) if !s.is_empty() => {
                let s = super::ids::identifier(&format!("{field}[{i}]"), crate::text::from_cow(s))?;
                if ids.contains(&s) {
                    return Err(err!(
                        InvalidInput,
                        "{field}[{i}]: '{}' is listed twice",
                        crate::error::clip(&s)
                    )
                    .at(format!("{field}[{i}]"))
                    .rule("listed_twice")
                    .with("value", crate::error::clip(&s)));
                }
                ids.push(s);
            }
            other => {
                return Err(err!(
                    InvalidInput,
                    "{field}[{i}] must be an invoice id string, got {}",
                    other.shown()
                )
                .at(format!("{field}[{i}]"))
                .rule("wrong_type")
                .word("expected", "string")
                .word("got", other.json_type()))
            }
        }
    }
    Ok(ids)
}

impl InvoiceDraft {
    /// Reads the fields shared by `issue_invoice` and `preview_invoice`.
    pub(crate) fn from_fields(f: &mut Fields) -> Result<InvoiceDraft> {
        let customer = f.id(Key::Customer)?;
        let currency = f.opt_currency(Key::Currency)?;
        let date = f.date(Key::Date)?;
        let due_date = f.opt_date(Key::DueDate)?;
        if due_date.is_some_and(|due| due < date) {
            let due = due_date.unwrap_or(date);
            return Err(err!(
                InvalidDate,
                "due_date: '{due}' is before the invoice date '{date}'"
            )
            .at("due_date")
            .rule("before_date")
            .with("value", due)
            .with("earliest", date));
        }
        let raw_lines = f.opt_list(Key::Lines)?.ok_or_else(|| {
            err!(InvalidInput, "lines is required")
                .at("lines")
                .rule("required")
        })?;
        if raw_lines.is_empty() {
            return Err(
                err!(InvalidInput, "lines: an invoice needs at least one line")
                    .at("lines")
                    .rule("empty"),
            );
        }
        if raw_lines.len() > MAX_LINES {
            return Err(err!(InvalidInput, "lines: more than {MAX_LINES} lines")
                .at("lines")
                .rule("too_many")
                .with("max_items", MAX_LINES));
        }
        // A loop, not `collect::<Result<Vec<_>>>()`: smaller in the wasm module.
        let mut lines = Vec::with_capacity(raw_lines.len());
        for (i, raw) in raw_lines.into_iter().enumerate() {
            lines.push(LineInput::from_raw(i, raw)?);
        }
        Ok(InvoiceDraft {
            customer,
            currency,
            date,
            due_date,
            lines,
            prices_include_tax: f.opt_bool(Key::PricesIncludeTax)?.unwrap_or(false),
            use_credit: f.opt_bool(Key::UseCredit)?.unwrap_or(true),
        })
    }
}

impl LineInput {
    fn from_raw(index: usize, raw: Raw<'_>) -> Result<LineInput> {
        let Raw::Map(map) = raw else {
            return Err(err!(
                InvalidInput,
                "lines[{index}] must be an object, got {}",
                raw.kind()
            )
            .at(format!("lines[{index}]"))
            .rule("wrong_type")
            .word("expected", "object")
            .word("got", raw.json_type()));
        };
        if !map.names_ok() {
            map.check(&format!("lines[{index}]"), &format!("lines[{index}]."))?;
        }
        let mut f = Fields::new(map, Some(index));
        let line = LineInput {
            description: f.text(Key::Description)?,
            quantity: f
                .opt_factor(
                    Key::Quantity,
                    Decimal::ZERO,
                    Decimal::from(MAX_QUANTITY_UNITS),
                )?
                .unwrap_or(Decimal::ONE),
            unit_price: f
                .opt_factor(Key::UnitPrice, -MAX_AMOUNT, MAX_AMOUNT)?
                .ok_or_else(|| {
                    err!(InvalidInput, "lines[{index}].unit_price is required")
                        .at(format!("lines[{index}].unit_price"))
                        .rule("required")
                })?,
            tax_rate: f
                .opt_factor(
                    Key::TaxRate,
                    Decimal::ZERO,
                    Decimal::from(MAX_TAX_RATE_UNITS),
                )?
                .unwrap_or(Decimal::ZERO),
            discount_rate: f
                .opt_factor(
                    Key::DiscountRate,
                    Decimal::ZERO,
                    Decimal::from(MAX_DISCOUNT_RATE_UNITS),
                )?
                .unwrap_or(Decimal::ZERO),
        };
        if line.quantity.is_zero() {
            return Err(err!(
                InvalidAmount,
                "lines[{index}].quantity: '0' must be more than zero"
            )
            .at(format!("lines[{index}].quantity"))
            .rule("not_positive")
            .with("value", "0"));
        }
        f.finish(|| "an invoice line".to_string())?;
        Ok(line)
    }
}
