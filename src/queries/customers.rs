use serde::Serialize;

use super::balance::{of_book, BalanceAnswer};
use crate::money::Currency;
use crate::state::State;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomersAnswer {
    pub customers: Vec<CustomerRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomerRow {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
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
