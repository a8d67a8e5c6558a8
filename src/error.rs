//! Refusals: the contract's error codes and a message that names the field and value.

use std::fmt;

use serde::Serialize;

/// The contract's error codes. A refused command changes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidInput,
    InvalidAmount,
    InvalidCurrency,
    InvalidDate,
    UnknownCustomer,
    UnknownInvoice,
    UnknownPayment,
    CurrencyMismatch,
    InsufficientCredit,
    OverAllocation,
    AlreadyVoid,
    InvoiceClosed,
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
    pub code: ErrorCode,
    pub message: String,
}

impl Error {
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

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Input text as messages quote it: at most 60 characters, so a megabyte of junk in a
/// field gives a short message, not a megabyte one.
pub fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(60) {
        None => std::borrow::Cow::Borrowed(text),
        Some((end, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..end])),
    }
}
