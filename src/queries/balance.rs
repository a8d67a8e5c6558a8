use serde::Serialize;

use crate::error::Result;
use crate::money::{Currency, Money};
use crate::state::book::Book;
use crate::state::State;

/// `outstanding` = sum of amount_due over open invoices; `credit` = credit available;
/// `balance` = outstanding − credit (positive: the customer owes; negative: in credit).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BalanceAnswer {
    pub customer: String,
    pub currency: Currency,
    pub outstanding: Money,
    pub credit: Money,
    pub balance: Money,
}

/// O(1): books keep their sums up to date.
pub fn run(state: &State, customer: &str, currency: Option<Currency>) -> Result<BalanceAnswer> {
    let idx = state.customer_idx("customer", customer)?;
    let c = &state.customers[idx as usize];
    let currency = currency.unwrap_or(c.currency);
    let empty = Book::new(currency);
    Ok(of_book(&c.id, c.book(currency).unwrap_or(&empty)))
}

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
