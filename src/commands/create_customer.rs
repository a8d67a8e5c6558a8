//! `create_customer`: a customer with nothing owed and no credit.

use super::{Ctx, Handler};
use crate::answer::CommandResult;
use crate::error::Result;
use crate::input::command::CreateCustomer;
use crate::state::book::Book;
use crate::state::records::{Customer, RecordRef};
use crate::state::{next_idx, State};

impl Handler for CreateCustomer {
    /// Nothing to compute: once the input is valid and the id is free, a customer can
    /// always be created.
    type Plan = ();

    fn plan(&self, _: &State, _: &Ctx) -> Result<()> {
        Ok(())
    }

    /// Adds the customer with an empty book in its billing currency; no posting, no
    /// statement entry.
    fn commit(&self, state: &mut State, ctx: &Ctx, _: ()) -> RecordRef {
        let idx = next_idx(&state.customers);
        state.customers.push(Customer {
            id: ctx.id.to_string(),
            name: crate::text::owned(&self.name),
            email: crate::text::owned_opt(&self.email),
            currency: self.currency,
            books: vec![Book::new(self.currency)],
        });
        RecordRef::Customer(idx)
    }

    fn answer(&self, _: &State, ctx: &Ctx, _: &()) -> CommandResult {
        CommandResult::CreateCustomer {
            customer: ctx.id.into(),
            currency: self.currency,
        }
    }
}
