//! `create_customer`: a customer with nothing owed and no credit.

use super::Ctx;
use crate::money::Currency;
use crate::state::book::Book;
use crate::state::records::{Customer, RecordRef};
use crate::state::{next_idx, State};

/// Adds the customer with an empty book in its billing currency. Nothing can be refused
/// here once the input is valid and the id is free; no posting, no statement entry.
pub fn run(
    state: &mut State,
    ctx: &Ctx,
    name: &str,
    currency: Currency,
    email: &Option<String>,
) -> RecordRef {
    let idx = next_idx(&state.customers);
    state.customers.push(Customer {
        id: ctx.id.to_string(),
        name: name.to_string(),
        email: email.clone(),
        currency,
        books: vec![Book::new(currency)],
    });
    RecordRef::Customer(idx)
}
