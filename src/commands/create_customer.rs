use super::Ctx;
use crate::money::Currency;
use crate::state::book::Book;
use crate::state::records::{Customer, RecordRef};
use crate::state::{next_idx, State};

/// Nothing can be refused here once the input is valid and the id is free.
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
