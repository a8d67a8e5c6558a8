//! `customers`: every customer with its balance in each currency it deals in.

#![warn(missing_docs)]

use serde::Serialize;

use super::balance::{of_book, BalanceAnswer};

use rust_decimal::Decimal;

use crate::money::{Currency, Money};
use crate::sort::{currency_key, order_by};
use crate::state::State;

/// The `customers` answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomersAnswer {
    /// Every customer, in creation order.
    pub customers: Vec<CustomerRow>,
    /// Per currency (in code order), what all customers owe and the credit they hold:
    /// the sums of their balances, so a page shows them without adding money itself.
    pub totals: Vec<CustomersTotal>,
}

/// What all customers owe and hold in one currency.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomersTotal {
    /// The currency.
    pub currency: Currency,
    /// The sum of the customers' `outstanding`.
    pub outstanding: Money,
    /// The sum of the customers' `credit`.
    pub credit: Money,
    /// outstanding − credit.
    pub balance: Money,
}

/// One customer and its balances.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomerRow {
    /// The customer's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its contact address, if one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Its billing currency.
    pub currency: Currency,
    /// One balance per currency the customer has dealt in, billing currency first.
    pub balances: Vec<BalanceAnswer>,
}

/// Every customer in creation order, with its balances.
pub fn run(state: &State) -> CustomersAnswer {
    let customers: Vec<CustomerRow> = state
        .customers
        .iter()
        .map(|c| CustomerRow {
            id: c.id.clone(),
            name: c.name.clone(),
            email: c.email.clone(),
            currency: c.currency,
            balances: c.books.iter().map(|b| of_book(&c.id, b)).collect(),
        })
        .collect();
    // Per currency (a handful): a list, not a map, to keep a map type out of the module.
    let mut sums: Vec<(Currency, Decimal, Decimal)> = Vec::new();
    for c in &state.customers {
        for book in &c.books {
            let at = match sums.iter().position(|s| s.0 == book.currency) {
                Some(at) => at,
                None => {
                    sums.push((book.currency, Decimal::ZERO, Decimal::ZERO));
                    sums.len() - 1
                }
            };
            sums[at].1 += book.outstanding;
            sums[at].2 += book.credit;
        }
    }
    let totals = order_by(sums.iter().map(|s| currency_key(s.0)))
        .into_iter()
        .map(|at| sums[at as usize])
        .map(|(currency, outstanding, credit)| CustomersTotal {
            currency,
            outstanding: Money::new(outstanding, currency),
            credit: Money::new(credit, currency),
            balance: Money::new(outstanding - credit, currency),
        })
        .collect();
    CustomersAnswer { customers, totals }
}
