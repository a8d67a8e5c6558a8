//! `customers`: every customer with its balance in each currency it deals in.

#![warn(missing_docs)]

use serde::Serialize;

use super::balance::{of_book, BalanceAnswer};
use crate::money::Currency;
use crate::state::State;

/// The `customers` answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomersAnswer {
    /// Every customer, in creation order.
    pub customers: Vec<CustomerRow>,
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
    CustomersAnswer {
        customers: state
            .customers
            .iter()
            .map(|c| CustomerRow {
                id: c.id.clone(),
                name: c.name.clone(),
                email: c.email.clone(),
                currency: c.currency,
                balances: c.books.iter().map(|b| of_book(&c.id, b)).collect(),
            })
            .collect(),
    }
}
