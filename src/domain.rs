//! Domain types shared by commands, records and the books: how money moved, an invoice
//! line as entered, tax rounding. They live here, not in the input parser, so that the
//! state depends on the domain only (input -> commands -> state, each over these).

#![warn(missing_docs)]

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::text::Text;

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

/// One invoice line as entered.
#[derive(Clone, Debug, PartialEq, Hash, Serialize, Deserialize)]
pub struct LineInput {
    /// What is billed, as the invoice shows it.
    pub description: Text,
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
