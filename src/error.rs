//! Refusals: the contract's error codes and a message that names the field and value.

#![warn(missing_docs)]

use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::money::{Currency, Money};

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

/// Why a command or query was refused: `{ code, message, field, details }`.
///
/// Call sites state the field and the values behind the message as data (`at`,
/// `rule`, `with`), so a page binds the refusal to its input and words it in its
/// user's language without reading the message. Boxed: a refusal is one pointer wide,
/// which keeps every `Result` small and the builders cheap to chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(Box<Refusal>);

/// The parts of a refusal (read them through [`Error`], which derefs to this).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// What kind of refusal, for programs (`invalid_amount`, ...).
    pub code: ErrorCode,
    /// For people: names the field and quotes the value that was wrong (clipped).
    pub message: String,
    /// The path of the offending field (`lines[2].unit_price`, `allocate_to[0]`), or
    /// `None` (JSON `null`) when the refusal is about the command as a whole.
    pub field: Option<String>,
    /// The values behind the message, as data (see [`Detail`]).
    pub details: Details,
}

impl std::ops::Deref for Error {
    type Target = Refusal;
    fn deref(&self) -> &Refusal {
        &self.0
    }
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl Error {
    /// A refusal with its code and message, no field and no details yet.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error::make(code, message.into())
    }

    #[inline(never)]
    fn make(code: ErrorCode, message: String) -> Self {
        Error(Box::new(Refusal {
            code,
            message,
            field: None,
            details: Details::default(),
        }))
    }

    /// Names the offending field by its path.
    pub fn at(self, field: impl Into<String>) -> Self {
        self.at_path(field.into())
    }

    // The builders' bodies are out of line: refusals are built at a hundred call sites,
    // and inlining them there would grow the wasm for no speed that matters.
    #[inline(never)]
    fn at_path(mut self, field: String) -> Self {
        self.0.field = Some(field);
        self
    }

    /// Names the broken rule (`details.rule`), one word such as `too_many_decimals`.
    #[inline(never)]
    pub fn rule(self, rule: &'static str) -> Self {
        self.with_detail("rule", Detail::Word(rule))
    }

    /// Adds a fixed word behind the message (`expected`, `got`).
    #[inline(never)]
    pub fn word(self, name: &'static str, word: &'static str) -> Self {
        self.with_detail(name, Detail::Word(word))
    }

    /// Adds one value behind the message (a later value under the same name replaces
    /// the earlier one).
    pub fn with(self, name: &'static str, value: impl Into<Detail>) -> Self {
        self.with_detail(name, value.into())
    }

    #[inline(never)]
    fn with_detail(mut self, name: &'static str, value: Detail) -> Self {
        let details = &mut self.0.details.0;
        match details.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => details.push((name, value)),
        }
        self
    }

    /// One detail by name, if present.
    pub fn detail(&self, name: &str) -> Option<&Detail> {
        self.details
            .0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }
}

/// The values behind a refusal's message, in the order they were added; a JSON object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Details(pub Vec<(&'static str, Detail)>);

impl Serialize for Details {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// One value behind a refusal. Names used (documented in `www/types.d.ts`):
/// `rule` (which rule was broken, a word such as `too_many_decimals`), `value` (the
/// text received, clipped), `got` (the JSON type received), `expected` (the format
/// expected), limits (`min`, `max` as decimal strings; `max_decimals`, `max_length`,
/// `max_items` as numbers), money (`available`, `amount_due`, ... as `{ amount,
/// currency }`), ids, dates and currencies as strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detail {
    /// A string: an id, a clipped value, a date, a currency code.
    Text(String),
    /// A fixed word: a rule's name, an expected format or type.
    Word(&'static str),
    /// A whole number (a limit such as `max_decimals`, a journal seq).
    Count(u64),
    /// A decimal, as a string at its own scale (`"10"`, `"0.5"`).
    Decimal(Decimal),
    /// Money, as `{ amount, currency }` with the amount at the currency's minor units.
    Money(Money),
    /// A list of words (the choices allowed).
    Words(Vec<&'static str>),
}

impl Serialize for Detail {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Detail::Text(t) => s.serialize_str(t),
            Detail::Word(w) => s.serialize_str(w),
            Detail::Count(n) => s.serialize_u64(*n),
            Detail::Decimal(d) => s.collect_str(&crate::money::DecimalText(*d)),
            Detail::Money(m) => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("amount", m)?;
                map.serialize_entry("currency", &m.currency)?;
                map.end()
            }
            Detail::Words(words) => words.serialize(s),
        }
    }
}

impl From<String> for Detail {
    fn from(t: String) -> Self {
        Detail::Text(t)
    }
}
impl From<&str> for Detail {
    fn from(t: &str) -> Self {
        Detail::Text(t.to_string())
    }
}
impl From<std::borrow::Cow<'_, str>> for Detail {
    fn from(t: std::borrow::Cow<'_, str>) -> Self {
        Detail::Text(t.into_owned())
    }
}
impl From<u64> for Detail {
    fn from(n: u64) -> Self {
        Detail::Count(n)
    }
}
impl From<usize> for Detail {
    fn from(n: usize) -> Self {
        Detail::Count(n as u64)
    }
}
impl From<u32> for Detail {
    fn from(n: u32) -> Self {
        Detail::Count(u64::from(n))
    }
}
impl From<Decimal> for Detail {
    fn from(d: Decimal) -> Self {
        Detail::Decimal(d)
    }
}
impl From<Money> for Detail {
    fn from(m: Money) -> Self {
        Detail::Money(m)
    }
}
impl From<Currency> for Detail {
    fn from(c: Currency) -> Self {
        Detail::Text(c.to_string())
    }
}
impl From<crate::date::Date> for Detail {
    fn from(d: crate::date::Date) -> Self {
        Detail::Text(d.to_string())
    }
}
impl From<Vec<&'static str>> for Detail {
    fn from(words: Vec<&'static str>) -> Self {
        Detail::Words(words)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

/// Shorthands used by validation code: `err!(InvalidAmount, "...", args)`, then
/// `.at(field)` and `.with(name, value)` for the data behind the message.
macro_rules! err {
    ($code:ident, $($arg:tt)*) => {
        $crate::error::Error::new($crate::error::ErrorCode::$code, format!($($arg)*))
    };
}
pub(crate) use err;

/// The engine's result type: refusals are [`Error`]s.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Words as a message lists them: `a, b, c`. A loop rather than `[&str]::join`, whose
/// generic body is larger in the wasm module than every caller together.
pub fn listed(words: &[&str]) -> String {
    let mut out = String::new();
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(word);
    }
    out
}

/// Input text as messages quote it: at most 60 characters, so a megabyte of junk in a
/// field gives a short message, not a megabyte one.
pub fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= crate::limits::CLIP_CHARS {
        // No more characters than bytes: nothing to clip, nothing to count.
        return std::borrow::Cow::Borrowed(text);
    }
    match text.char_indices().nth(crate::limits::CLIP_CHARS) {
        None => std::borrow::Cow::Borrowed(text),
        // `get`, not `[..end]`: `end` is a char boundary, and `get` links no panic path.
        Some((end, _)) => std::borrow::Cow::Owned(format!("{}…", text.get(..end).unwrap_or(text))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_listed_with_commas() {
        assert_eq!(listed(&["a", "bc", "d"]), "a, bc, d");
        assert_eq!(listed(&["a"]), "a");
        assert_eq!(listed(&[]), "");
    }

    #[test]
    fn a_refusal_always_has_field_and_details() {
        let bare = serde_json::to_value(Error::new(ErrorCode::Conflict, "m")).unwrap();
        assert_eq!(
            bare,
            serde_json::json!({ "code": "conflict", "message": "m", "field": null, "details": {} })
        );
        let usd = Currency::from_code("USD").unwrap();
        let full = Error::new(ErrorCode::InsufficientCredit, "m")
            .at("amount")
            .with("available", Money::new(Decimal::new(6, 0), usd))
            .with("max_decimals", 2u32)
            .with("max_decimals", 3u32);
        assert_eq!(
            serde_json::to_value(full).unwrap(),
            serde_json::json!({ "code": "insufficient_credit", "message": "m", "field": "amount",
                "details": { "available": { "amount": "6.00", "currency": "USD" }, "max_decimals": 3 } })
        );
    }
}
