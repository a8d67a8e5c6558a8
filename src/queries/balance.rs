//! `balance`: a customer's position in one currency, read from its book in O(1).

#![warn(missing_docs)]

use serde::Serialize;

use crate::error::Result;
use crate::money::{Currency, Money};
use crate::state::book::Book;
use crate::state::State;

/// `outstanding` = sum of amount_due over open invoices; `credit` = credit available;
/// `balance` = outstanding − credit (positive: the customer owes; negative: in credit).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BalanceAnswer {
    /// The customer's id.
    pub customer: String,
    /// The book's currency; amounts in other currencies are never netted in.
    pub currency: Currency,
    /// What the customer owes: the sum of amount_due over its open invoices.
    pub outstanding: Money,
    /// Credit it holds and can use on invoices or have refunded.
    pub credit: Money,
    /// outstanding − credit: positive, the customer owes you; negative, you owe the
    /// customer (it is in credit). Equals the closing balance of a statement without
    /// `to`.
    pub balance: Money,
}

/// Answers `balance`; a currency the customer never dealt in is all zeros. O(1): books
/// keep their sums up to date.
pub fn run(state: &State, customer: &str, currency: Option<Currency>) -> Result<BalanceAnswer> {
    let idx = state.customer_idx("customer", customer)?;
    let c = &state.customers[idx as usize];
    let currency = currency.unwrap_or(c.currency);
    let empty = Book::new(currency);
    Ok(of_book(&c.id, c.book(currency).unwrap_or(&empty)))
}

/// The balance answer for one book of the customer with id `customer`.
pub fn of_book(customer: &str, book: &Book) -> BalanceAnswer {
    let m = |d| Money::new(d, book.currency);
    BalanceAnswer {
        customer: customer.to_string(),
        currency: book.currency,
        outstanding: m(book.outstanding),
        credit: m(book.credit),
        balance: m(book.balance()),
    }
}
