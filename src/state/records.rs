//! The records commands create. Records are appended and never deleted; the only fields
//! that change after creation are the running ones (settlements, remaining credit, void
//! marks), and every such change is caused by a later journaled command.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::input::command::{LineInput, Method};
use crate::money::Currency;

use super::book::Book;

/// Index of a record in its table.
pub type Idx = u32;

/// What an id names. Ids are unique across all records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordRef {
    Customer(Idx),
    Invoice(Idx),
    Payment(Idx),
    Grant(Idx),
    Application(Idx),
    CreditNote(Idx),
    Refund(Idx),
    PaymentVoid(Idx),
    InvoiceVoid(Idx),
    Config(Idx),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    /// Billing currency: the default for the customer's invoices and payments.
    pub currency: Currency,
    /// One book per currency the customer has dealt in, in first-use order.
    pub books: Vec<Book>,
}

impl Customer {
    pub fn book(&self, currency: Currency) -> Option<&Book> {
        self.books.iter().find(|b| b.currency == currency)
    }

    pub fn book_mut(&mut self, currency: Currency) -> &mut Book {
        match self.books.iter().position(|b| b.currency == currency) {
            Some(i) => &mut self.books[i],
            None => {
                self.books.push(Book::new(currency));
                self.books.last_mut().expect("just pushed")
            }
        }
    }
}

/// Where a settlement of an invoice came from. Released settlement returns there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// Paid directly by a payment (counts as `paid`).
    Payment(Idx),
    /// Taken from a credit lot (counts as `credit_applied`).
    Lot(Idx),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settlement {
    pub source: Source,
    #[serde(with = "crate::money::dec")]
    pub amount: Decimal,
}

/// An invoice line as computed: the input and its rounded amounts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub input: LineInput,
    #[serde(with = "crate::money::dec")]
    pub net: Decimal,
    #[serde(with = "crate::money::dec")]
    pub tax: Decimal,
    #[serde(with = "crate::money::dec")]
    pub gross: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: String,
    pub number: String,
    pub customer: Idx,
    pub currency: Currency,
    pub date: Date,
    pub due_date: Date,
    pub prices_include_tax: bool,
    pub lines: Vec<Line>,
    #[serde(with = "crate::money::dec")]
    pub subtotal: Decimal,
    #[serde(with = "crate::money::dec")]
    pub tax: Decimal,
    #[serde(with = "crate::money::dec")]
    pub total: Decimal,
    /// Sum of credit notes against it, and the tax part of that sum.
    #[serde(with = "crate::money::dec")]
    pub credited: Decimal,
    #[serde(with = "crate::money::dec")]
    pub credited_tax: Decimal,
    /// Settlements in the order they were made; credit notes release the latest first.
    pub settlements: Vec<Settlement>,
    /// Credit applied when it was issued (for the issue command's answer).
    #[serde(with = "crate::money::dec")]
    pub credit_applied_at_issue: Decimal,
    pub voided_by: Option<Idx>,
}

impl Invoice {
    pub fn credit_applied(&self) -> Decimal {
        self.sum_where(|s| matches!(s, Source::Lot(_)))
    }

    pub fn paid(&self) -> Decimal {
        self.sum_where(|s| matches!(s, Source::Payment(_)))
    }

    pub fn received(&self) -> Decimal {
        self.sum_where(|_| true)
    }

    fn sum_where(&self, f: impl Fn(&Source) -> bool) -> Decimal {
        self.settlements
            .iter()
            .filter(|s| f(&s.source))
            .map(|s| s.amount)
            .sum()
    }

    /// What it still asks for: total − credit notes − settlements; nothing once void.
    pub fn amount_due(&self) -> Decimal {
        if self.voided_by.is_some() {
            Decimal::ZERO
        } else {
            self.total - self.credited - self.received()
        }
    }

    /// What it asks for in all: its total less its credit notes.
    pub fn asks(&self) -> Decimal {
        self.total - self.credited
    }

    pub fn status(&self) -> &'static str {
        if self.voided_by.is_some() {
            "void"
        } else if self.amount_due().is_zero() {
            "paid"
        } else if self.received().is_zero() {
            "open"
        } else {
            "partially_paid"
        }
    }

    /// The key of this invoice in its book's index of open invoices.
    pub fn open_key(&self, idx: Idx) -> (Date, Date, Idx) {
        (self.due_date, self.date, idx)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    pub id: String,
    pub customer: Idx,
    pub currency: Currency,
    #[serde(with = "crate::money::dec")]
    pub amount: Decimal,
    pub method: Method,
    pub date: Date,
    pub reference: Option<String>,
    /// The lot holding what the payment left as credit (possibly empty).
    pub lot: Idx,
    /// Invoices it settled directly, at receipt and never changed (for its answer).
    #[serde(with = "crate::money::dec_pairs")]
    pub allocations: Vec<(Idx, Decimal)>,
    pub voided_by: Option<Idx>,
}

/// Where a credit lot came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LotOrigin {
    Payment(Idx),
    Grant(Idx),
    CreditNote(Idx),
}

/// Credit held for a customer in one currency, kept with its origin. Invoices and
/// refunds take the oldest lots (lowest index) first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lot {
    pub customer: Idx,
    pub currency: Currency,
    pub origin: LotOrigin,
    #[serde(with = "crate::money::dec")]
    pub remaining: Decimal,
    #[serde(with = "crate::money::dec")]
    pub refunded: Decimal,
    /// Invoices that ever took from it (their settlements name it as source).
    pub touched: Vec<Idx>,
}

/// An `add_credit`: credit granted without money.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub id: String,
    pub customer: Idx,
    pub currency: Currency,
    #[serde(with = "crate::money::dec")]
    pub amount: Decimal,
    pub date: Date,
    pub reason: String,
    pub lot: Idx,
}

/// An `apply_credit`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub customer: Idx,
    pub invoice: Idx,
    #[serde(with = "crate::money::dec")]
    pub amount: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreditNote {
    pub id: String,
    pub customer: Idx,
    pub invoice: Option<Idx>,
    pub currency: Currency,
    #[serde(with = "crate::money::dec")]
    pub amount: Decimal,
    pub date: Date,
    pub reason: String,
    /// How much it lowered the invoice's amount due.
    #[serde(with = "crate::money::dec")]
    pub reduced_due: Decimal,
    /// How much earlier settlement it released back to its sources as credit.
    #[serde(with = "crate::money::dec")]
    pub released: Decimal,
    /// The lot it created (a credit note without an invoice).
    pub lot: Option<Idx>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Refund {
    pub id: String,
    pub customer: Idx,
    pub currency: Currency,
    #[serde(with = "crate::money::dec")]
    pub amount: Decimal,
    pub method: Method,
    pub date: Date,
    pub reference: Option<String>,
    #[serde(with = "crate::money::dec_pairs")]
    pub taken: Vec<(Idx, Decimal)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentVoid {
    pub id: String,
    pub payment: Idx,
    pub date: Date,
    pub reason: Option<String>,
    /// Invoices that owe again, and how much each.
    #[serde(with = "crate::money::dec_pairs")]
    pub reopened: Vec<(Idx, Decimal)>,
    /// Credit withdrawn from the customer.
    #[serde(with = "crate::money::dec")]
    pub withdrawn: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvoiceVoid {
    pub id: String,
    pub invoice: Idx,
    pub date: Date,
    pub reason: Option<String>,
    /// What it still asked for when voided (its statement credit).
    #[serde(with = "crate::money::dec")]
    pub cancelled: Decimal,
    /// Settlement given back as credit, each part to the payment or lot it came from.
    #[serde(with = "crate::money::dec_pairs")]
    pub returned: Vec<(Source, Decimal)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub id: String,
    pub invoice_number_format: Option<String>,
}
