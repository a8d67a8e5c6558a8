//! The contract's commands, typed and validated for syntax (types, formats, ranges).
//! What needs the ledger's state (does the customer exist? is there enough credit?) is
//! checked by the command's handler in `commands/`.
//!
//! A `Command` serializes back to the contract's JSON, so the journal can be exported
//! and replayed through the same door it came in by.

#![warn(missing_docs)]

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::fields::Fields;
use super::raw::{Key, Raw, RawMap};
use crate::date::Date;
use crate::error::{err, Result};
use crate::money::{Currency, MAX_AMOUNT};

/// Most lines on one invoice.
pub const MAX_LINES: usize = 1000;

/// One command: the record id it creates, audit metadata, and what to do.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Command {
    /// The id of the record the command creates, unique across all records; also the
    /// idempotency key (resending the same command with it changes nothing).
    pub id: String,
    /// When it was entered (RFC 3339, kept verbatim): audit only, never used for
    /// dates or ordering, and not part of what makes two commands identical.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Who entered it: audit only, like `at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// What the command does; its fields sit beside `type` in the JSON.
    #[serde(flatten)]
    pub body: CommandBody,
}

/// How money came in or went out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Notes and coins.
    Cash,
    /// A bank transfer (wire, SEPA, ACH, ...).
    BankTransfer,
    /// A card payment.
    Card,
    /// A direct debit pulled from the customer's account.
    DirectDebit,
    /// A cheque.
    Cheque,
    /// Any other way.
    Other,
}

impl Method {
    /// Every method with its name in JSON, the order messages list them in.
    pub const ALL: [(&'static str, Method); 6] = [
        ("cash", Method::Cash),
        ("bank_transfer", Method::BankTransfer),
        ("card", Method::Card),
        ("direct_debit", Method::DirectDebit),
        ("cheque", Method::Cheque),
        ("other", Method::Other),
    ];

    /// The method's name in JSON (`bank_transfer`); also names its cash account.
    pub fn name(self) -> &'static str {
        Method::ALL
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("other", |(n, _)| n)
    }

    /// How the method reads in a statement description.
    pub fn words(self) -> &'static str {
        match self {
            Method::Cash => "cash",
            Method::BankTransfer => "bank transfer",
            Method::Card => "card",
            Method::DirectDebit => "direct debit",
            Method::Cheque => "cheque",
            Method::Other => "other method",
        }
    }
}

/// What a command does. Amounts are normalized decimals (`100.00` and `100` are the
/// same command); their decimals are checked against the currency by the handler.
#[derive(Clone, Debug, PartialEq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CommandBody {
    /// `create_customer`: a customer with nothing owed and no credit.
    CreateCustomer {
        /// The customer's name, as statements and lists show it.
        name: String,
        /// Billing currency: the default for its invoices, payments and credit.
        currency: Currency,
        /// Contact address; kept, never used by the engine.
        #[serde(skip_serializing_if = "Option::is_none")]
        email: Option<String>,
    },
    /// `issue_invoice`: posts an invoice and (unless told not to) applies the
    /// customer's credit to it.
    IssueInvoice(InvoiceDraft),
    /// `record_payment`: money received; it settles open invoices and the rest
    /// becomes credit.
    RecordPayment {
        /// The paying customer's id.
        customer: String,
        /// The money received (> 0, no more decimals than the currency allows).
        #[serde(serialize_with = "as_text")]
        amount: Decimal,
        /// The payment's currency; default: the customer's billing currency.
        #[serde(skip_serializing_if = "Option::is_none")]
        currency: Option<Currency>,
        /// How the money came in (decides the cash account it is posted to).
        method: Method,
        /// The day the money was received (statement date).
        date: Date,
        /// The payer's or bank's reference, shown on the statement.
        #[serde(skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        /// Invoice ids to settle, in this order, instead of oldest due first. An
        /// empty list keeps the whole payment as credit (a deliberate prepayment).
        #[serde(skip_serializing_if = "Option::is_none")]
        allocate_to: Option<Vec<String>>,
    },
    /// `add_credit`: credit granted without money (goodwill, compensation).
    AddCredit {
        /// The customer's id.
        customer: String,
        /// The credit granted (> 0).
        #[serde(serialize_with = "as_text")]
        amount: Decimal,
        /// The credit's currency; default: the customer's billing currency.
        #[serde(skip_serializing_if = "Option::is_none")]
        currency: Option<Currency>,
        /// The day it was granted (statement date).
        date: Date,
        /// Why it was granted, shown on the statement.
        reason: String,
        /// The last day the credit can be used (not before `date`); absent: it never
        /// expires.
        #[serde(skip_serializing_if = "Added::is_none")]
        valid_until: Added<Date>,
    },
    /// `apply_credit`: applies credit the customer already holds to an open invoice.
    ApplyCredit {
        /// The customer's id; the invoice must be theirs.
        customer: String,
        /// The invoice to settle.
        invoice: String,
        /// How much credit to apply; default: as much as both the credit and the
        /// invoice's amount due allow.
        #[serde(
            serialize_with = "opt_as_text",
            skip_serializing_if = "Option::is_none"
        )]
        amount: Option<Decimal>,
        /// If given, must be the invoice's currency (credit never crosses currencies).
        #[serde(skip_serializing_if = "Option::is_none")]
        currency: Option<Currency>,
        /// The day it is applied (not before the invoice's date); default: the
        /// invoice's date. Credit whose `valid_until` is before it is not used.
        #[serde(skip_serializing_if = "Added::is_none")]
        date: Added<Date>,
    },
    /// `issue_credit_note`: lowers what an invoice asks for, or (without an invoice)
    /// gives credit.
    IssueCreditNote {
        /// The customer's id; the invoice, if any, must be theirs.
        customer: String,
        /// The invoice it credits; without one the whole amount becomes credit.
        #[serde(skip_serializing_if = "Option::is_none")]
        invoice: Option<String>,
        /// The amount credited, tax included (> 0; at most the invoice's total less
        /// its earlier credit notes).
        #[serde(serialize_with = "as_text")]
        amount: Decimal,
        /// Default: the invoice's currency, or the customer's billing currency without
        /// an invoice; if given with an invoice it must be the invoice's.
        #[serde(skip_serializing_if = "Option::is_none")]
        currency: Option<Currency>,
        /// The credit note's date; not before its invoice's date.
        date: Date,
        /// Why it was issued, shown on the statement.
        reason: String,
    },
    /// `refund_credit`: pays credit back out to the customer.
    RefundCredit {
        /// The customer's id.
        customer: String,
        /// The money paid out (> 0, at most the credit available).
        #[serde(serialize_with = "as_text")]
        amount: Decimal,
        /// The refund's currency; default: the customer's billing currency.
        #[serde(skip_serializing_if = "Option::is_none")]
        currency: Option<Currency>,
        /// How the money went out (the cash account it is paid from).
        method: Method,
        /// The day it was paid out (statement date).
        date: Date,
        /// The bank's or operator's reference, shown on the statement.
        #[serde(skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// `void_payment`: reverses a payment (e.g. it bounced).
    VoidPayment {
        /// The payment to void.
        payment: String,
        /// The void's date; not before the payment's date.
        date: Date,
        /// Why, shown on the statement.
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// `void_invoice`: cancels an invoice; what settled it returns as credit.
    VoidInvoice {
        /// The invoice to void.
        invoice: String,
        /// The void's date; not before the invoice's date.
        date: Date,
        /// Why, shown on the statement.
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// `configure`: ledger settings.
    Configure {
        /// The format of invoice numbers from now on (`"{year}-{seq:0000}"`); the
        /// sequence itself never restarts. Absent: unchanged.
        #[serde(skip_serializing_if = "Option::is_none")]
        invoice_number_format: Option<String>,
        /// How tax is rounded on invoices issued from now on; absent: unchanged.
        #[serde(skip_serializing_if = "Added::is_none")]
        tax_rounding: Added<TaxRounding>,
    },
    /// `write_off_invoice`: what an invoice still asks for becomes bad debt.
    WriteOffInvoice {
        /// The invoice to write off.
        invoice: String,
        /// The write-off's date; not before the invoice's date.
        date: Date,
        /// Why, shown on the statement.
        reason: String,
    },
    /// `expire_credit`: removes what is left of credit past its `valid_until`.
    ExpireCredit {
        /// Lots whose `valid_until` is before this day expire.
        date: Date,
        /// Only this customer's lots; absent: every customer's.
        #[serde(skip_serializing_if = "Option::is_none")]
        customer: Option<String>,
    },
}

/// An optional field added to a command after fingerprints were first stored in
/// snapshots: absent, it hashes as nothing, so commands written before it existed keep
/// their fingerprints (a resend stays a duplicate, not a conflict).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Added<T>(pub Option<T>);

impl<T> Added<T> {
    /// Whether the field was left out.
    pub fn is_none(&self) -> bool {
        self.0.is_none()
    }
}

impl<T: std::hash::Hash> std::hash::Hash for Added<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        if let Some(value) = &self.0 {
            0xADu8.hash(state);
            value.hash(state);
        }
    }
}

/// How invoice tax is rounded (`configure`'s `tax_rounding`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxRounding {
    /// Each line's tax rounded on its own (the contract's default).
    #[default]
    Line,
    /// Once per tax rate over the invoice, shared out over the lines at that rate.
    Invoice,
}

impl TaxRounding {
    /// The setting's name in JSON.
    pub fn name(self) -> &'static str {
        match self {
            TaxRounding::Line => "line",
            TaxRounding::Invoice => "invoice",
        }
    }
}

/// The fields of `issue_invoice`, shared with `preview_invoice`.
#[derive(Clone, Debug, PartialEq, Hash, Serialize)]
pub struct InvoiceDraft {
    /// The billed customer's id.
    pub customer: String,
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

/// One invoice line as entered.
#[derive(Clone, Debug, PartialEq, Hash, Serialize, Deserialize)]
pub struct LineInput {
    /// What is billed, as the invoice shows it.
    pub description: String,
    /// How many units (> 0, up to 10^9, fractions allowed: 2.5 hours).
    #[serde(with = "crate::money::dec")]
    pub quantity: Decimal,
    /// Price of one unit, before the discount; tax included or not as the invoice says.
    /// May be negative (a discount line), not rounded to minor units.
    #[serde(with = "crate::money::dec")]
    pub unit_price: Decimal,
    /// Tax as a fraction: 0.20 is 20%.
    #[serde(with = "crate::money::dec")]
    pub tax_rate: Decimal,
    /// Discount as a fraction of the line: 0.10 takes 10% off.
    #[serde(with = "crate::money::dec")]
    pub discount_rate: Decimal,
}

fn as_text<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

fn opt_as_text<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

impl CommandBody {
    /// The command's `type` as written in JSON.
    pub fn type_name(&self) -> &'static str {
        match self {
            CommandBody::CreateCustomer { .. } => "create_customer",
            CommandBody::IssueInvoice(_) => "issue_invoice",
            CommandBody::RecordPayment { .. } => "record_payment",
            CommandBody::AddCredit { .. } => "add_credit",
            CommandBody::ApplyCredit { .. } => "apply_credit",
            CommandBody::IssueCreditNote { .. } => "issue_credit_note",
            CommandBody::RefundCredit { .. } => "refund_credit",
            CommandBody::VoidPayment { .. } => "void_payment",
            CommandBody::VoidInvoice { .. } => "void_invoice",
            CommandBody::Configure { .. } => "configure",
            CommandBody::WriteOffInvoice { .. } => "write_off_invoice",
            CommandBody::ExpireCredit { .. } => "expire_credit",
        }
    }
}

/// The `type` field of a command or query object.
pub(crate) fn take_type(fields: &mut Fields, what: &str) -> Result<String> {
    fields
        .opt_text(Key::Type)?
        .ok_or_else(|| err!(InvalidInput, "a {what} needs a 'type'"))
}

impl Command {
    /// Validates a command object read by `RawMap::read`.
    pub fn from_raw(map: RawMap) -> Result<Command> {
        map.check("command")?;
        let mut f = Fields::new(map, None);
        let kind = take_type(&mut f, "command")?;
        let id = f.id(Key::Id)?;
        let at = f.opt_timestamp(Key::At)?;
        let by = f.opt_text(Key::By)?;
        let body = match kind.as_str() {
            "create_customer" => CommandBody::CreateCustomer {
                name: f.text(Key::Name)?,
                currency: f.currency(Key::Currency)?,
                email: f.opt_text(Key::Email)?,
            },
            "issue_invoice" => CommandBody::IssueInvoice(InvoiceDraft::from_fields(&mut f)?),
            "record_payment" => CommandBody::RecordPayment {
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
            },
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
                    ));
                }
                CommandBody::AddCredit {
                    customer,
                    amount,
                    currency,
                    date,
                    reason,
                    valid_until: Added(valid_until),
                }
            }
            "apply_credit" => CommandBody::ApplyCredit {
                customer: f.id(Key::Customer)?,
                invoice: f.id(Key::Invoice)?,
                amount: f.opt_amount(Key::Amount)?,
                currency: f.opt_currency(Key::Currency)?,
                date: Added(f.opt_date(Key::Date)?),
            },
            "issue_credit_note" => CommandBody::IssueCreditNote {
                customer: f.id(Key::Customer)?,
                invoice: f.opt_id(Key::Invoice)?,
                amount: f.amount(Key::Amount)?,
                currency: f.opt_currency(Key::Currency)?,
                date: f.date(Key::Date)?,
                reason: f.text(Key::Reason)?,
            },
            "refund_credit" => CommandBody::RefundCredit {
                customer: f.id(Key::Customer)?,
                amount: f.amount(Key::Amount)?,
                currency: f.opt_currency(Key::Currency)?,
                method: method(&mut f)?,
                date: f.date(Key::Date)?,
                reference: f.opt_text(Key::Reference)?,
            },
            "void_payment" => CommandBody::VoidPayment {
                payment: f.id(Key::Payment)?,
                date: f.date(Key::Date)?,
                reason: f.opt_text(Key::Reason)?,
            },
            "void_invoice" => CommandBody::VoidInvoice {
                invoice: f.id(Key::Invoice)?,
                date: f.date(Key::Date)?,
                reason: f.opt_text(Key::Reason)?,
            },
            "configure" => CommandBody::Configure {
                invoice_number_format: f.opt_text(Key::InvoiceNumberFormat)?,
                tax_rounding: Added(f.choice(
                    Key::TaxRounding,
                    &[("line", TaxRounding::Line), ("invoice", TaxRounding::Invoice)],
                )?),
            },
            "write_off_invoice" => CommandBody::WriteOffInvoice {
                invoice: f.id(Key::Invoice)?,
                date: f.date(Key::Date)?,
                reason: f.text(Key::Reason)?,
            },
            "expire_credit" => CommandBody::ExpireCredit {
                date: f.date(Key::Date)?,
                customer: f.opt_id(Key::Customer)?,
            },
            other => {
                return Err(err!(
                    InvalidInput,
                    "type: '{}' is not a command (create_customer, issue_invoice, record_payment, add_credit, apply_credit, issue_credit_note, refund_credit, void_payment, void_invoice, configure, write_off_invoice, expire_credit)",
                    crate::error::clip(other)
                ))
            }
        };
        f.finish(|| format!("a {kind} command"))?;
        Ok(Command { id, at, by, body })
    }
}

fn method(f: &mut Fields) -> Result<Method> {
    f.choice(Key::Method, &Method::ALL)?
        .ok_or_else(|| err!(InvalidInput, "method is required"))
}

fn id_list(field: &str, items: Vec<Raw>) -> Result<Vec<String>> {
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Raw::Str(s) if !s.is_empty() => {
                let s = super::ids::identifier(&format!("{field}[{i}]"), s)?;
                if ids.contains(&s) {
                    return Err(err!(
                        InvalidInput,
                        "{field}[{i}]: '{}' is listed twice",
                        crate::error::clip(&s)
                    ));
                }
                ids.push(s);
            }
            other => {
                return Err(err!(
                    InvalidInput,
                    "{field}[{i}] must be an invoice id string, got {}",
                    other.shown()
                ))
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
            return Err(err!(
                InvalidDate,
                "due_date: '{}' is before the invoice date '{date}'",
                due_date.unwrap_or(date)
            ));
        }
        let raw_lines = f
            .opt_list(Key::Lines)?
            .ok_or_else(|| err!(InvalidInput, "lines is required"))?;
        if raw_lines.is_empty() {
            return Err(err!(
                InvalidInput,
                "lines: an invoice needs at least one line"
            ));
        }
        if raw_lines.len() > MAX_LINES {
            return Err(err!(InvalidInput, "lines: more than {MAX_LINES} lines"));
        }
        let lines = raw_lines
            .into_iter()
            .enumerate()
            .map(|(i, raw)| LineInput::from_raw(i, raw))
            .collect::<Result<Vec<_>>>()?;
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
    fn from_raw(index: usize, raw: Raw) -> Result<LineInput> {
        let Raw::Map(map) = raw else {
            return Err(err!(
                InvalidInput,
                "lines[{index}] must be an object, got {}",
                raw.kind()
            ));
        };
        if let Err(e) = map.check("") {
            return Err(err!(InvalidInput, "lines[{index}]{}", e.message));
        }
        let mut f = Fields::new(map, Some(index));
        let ten = Decimal::TEN;
        let line = LineInput {
            description: f.text(Key::Description)?,
            quantity: f
                .opt_factor(Key::Quantity, Decimal::ZERO, Decimal::from(1_000_000_000))?
                .unwrap_or(Decimal::ONE),
            unit_price: f
                .opt_factor(Key::UnitPrice, -MAX_AMOUNT, MAX_AMOUNT)?
                .ok_or_else(|| err!(InvalidInput, "lines[{index}].unit_price is required"))?,
            tax_rate: f
                .opt_factor(Key::TaxRate, Decimal::ZERO, ten)?
                .unwrap_or(Decimal::ZERO),
            discount_rate: f
                .opt_factor(Key::DiscountRate, Decimal::ZERO, Decimal::ONE)?
                .unwrap_or(Decimal::ZERO),
        };
        if line.quantity.is_zero() {
            return Err(err!(
                InvalidAmount,
                "lines[{index}].quantity must be more than zero"
            ));
        }
        f.finish(|| "an invoice line".to_string())?;
        Ok(line)
    }
}
