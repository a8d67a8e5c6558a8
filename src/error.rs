//! Refusals: the contract's error codes and a message that names the field and value.

#![warn(missing_docs)]

use std::fmt;

use serde::Serialize;

/// The contract's error codes. A refused command changes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input's shape is wrong: a missing, unknown or repeated field, a value of the
    /// wrong JSON type, empty or over-long text, an unknown command or query `type`, a
    /// bad invoice number format, or a damaged snapshot or out-of-sequence journal entry.
    InvalidInput,
    /// A money amount, quantity, price or rate is not a decimal string (a JSON number
    /// included: floats lose cents), is not more than zero where money is entered, has
    /// more decimals than the currency allows, is out of bounds, or would make an
    /// invoice total negative.
    InvalidAmount,
    /// The code is not an ISO 4217 currency in active use.
    InvalidCurrency,
    /// A date is not a calendar day in `YYYY-MM-DD` form, `at` is not an RFC 3339
    /// timestamp, a due date is before its invoice date, a statement's `to` is before
    /// its `from`, or a correction would predate what it corrects.
    InvalidDate,
    /// No customer has the given id.
    UnknownCustomer,
    /// No invoice has the given id, or it belongs to another customer than the one named.
    UnknownInvoice,
    /// No payment has the given id.
    UnknownPayment,
    /// Money of one currency would settle or credit an invoice in another: a payment
    /// allocated to it, credit applied to it, or a credit note against it.
    CurrencyMismatch,
    /// More credit is applied or refunded than the customer holds in that currency, or
    /// a payment is voided after part of the credit it left was refunded (that money
    /// has already left).
    InsufficientCredit,
    /// More is applied to an invoice than its amount due, or a credit note exceeds the
    /// invoice's total less its earlier credit notes.
    OverAllocation,
    /// The payment or invoice to void is already void.
    AlreadyVoid,
    /// The invoice can't take money: it is void, or already fully paid (for payments
    /// allocated to it and credit applied to it; a credit note is refused only when
    /// the invoice is void).
    InvoiceClosed,
    /// The id is already taken by another record or by a different command (resending
    /// an identical command is a duplicate, not a conflict), or a replayed journal entry
    /// was already applied.
    Conflict,
}

impl ErrorCode {
    /// The code as it appears in JSON answers and scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::InvalidAmount => "invalid_amount",
            ErrorCode::InvalidCurrency => "invalid_currency",
            ErrorCode::InvalidDate => "invalid_date",
            ErrorCode::UnknownCustomer => "unknown_customer",
            ErrorCode::UnknownInvoice => "unknown_invoice",
            ErrorCode::UnknownPayment => "unknown_payment",
            ErrorCode::CurrencyMismatch => "currency_mismatch",
            ErrorCode::InsufficientCredit => "insufficient_credit",
            ErrorCode::OverAllocation => "over_allocation",
            ErrorCode::AlreadyVoid => "already_void",
            ErrorCode::InvoiceClosed => "invoice_closed",
            ErrorCode::Conflict => "conflict",
        }
    }
}

/// Why a command or query was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Error {
    /// What kind of refusal, for programs (`invalid_amount`, ...).
    pub code: ErrorCode,
    /// For people: names the field and quotes the value that was wrong (clipped).
    pub message: String,
}

impl Error {
    /// A refusal with its code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

/// Shorthands used by validation code: `err!(InvalidAmount, "...", args)`.
macro_rules! err {
    ($code:ident, $($arg:tt)*) => {
        $crate::error::Error::new($crate::error::ErrorCode::$code, format!($($arg)*))
    };
}
pub(crate) use err;

/// The engine's result type: refusals are [`Error`]s.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Input text as messages quote it: at most 60 characters, so a megabyte of junk in a
/// field gives a short message, not a megabyte one.
pub fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(60) {
        None => std::borrow::Cow::Borrowed(text),
        Some((end, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..end])),
    }
}
