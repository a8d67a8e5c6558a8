//! Command handlers. Each command type is a [`Handler`]: a read-only `plan` against the
//! state (which may refuse), a `commit` of that plan that cannot fail, and an `answer`
//! rendered from the plan. A command runs `plan` then `commit`; a dry run runs the same
//! `plan` and renders its answer, changing nothing. So a refused command changes
//! nothing, an accepted one is applied as one step, and a dry run can't disagree with
//! the command it previews.

mod add_credit;
mod apply_credit;
mod configure;
mod create_customer;
mod credit_note;
mod expire_credit;
pub mod issue_invoice;
mod record_payment;
mod refund_credit;
mod void_invoice;
mod void_payment;
mod write_off_invoice;

use rust_decimal::Decimal;

use crate::answer::CommandResult;
use crate::date::Date;
use crate::error::Result;
use crate::input::command::{Command, CommandBody};
use crate::money::{Currency, Minor};
use crate::state::book::Entry;
use crate::state::records::{Idx, RecordRef};
use crate::state::State;

/// What a handler needs besides its fields: the record id and the journal position.
pub struct Ctx<'a> {
    /// The command's id, which becomes the new record's id.
    pub id: &'a str,
    /// The journal seq the command will have: orders statement entries of one date.
    pub seq: u64,
}

/// One command type's rules.
pub trait Handler {
    /// Everything the command will do, computed without changing anything.
    type Plan;

    /// Validates the command against the state and computes what it will do; may
    /// refuse. Never changes the state.
    fn plan(&self, state: &State, ctx: &Ctx) -> Result<Self::Plan>;

    /// Applies a plan made against this very state; cannot fail. Returns the record
    /// created (its answer is rendered from it, also for a duplicate later).
    fn commit(&self, state: &mut State, ctx: &Ctx, plan: Self::Plan) -> RecordRef;

    /// The answer committing the plan would give, rendered from the plan and the state
    /// before the commit (a dry run's answer).
    fn answer(&self, state: &State, ctx: &Ctx, plan: &Self::Plan) -> CommandResult;
}

/// How a command is run once its handler is known: for real, or as a dry run.
pub trait Runner {
    /// What running gives.
    type Out;
    /// Runs one handler.
    fn run<H: Handler>(self, handler: &H, ctx: &Ctx) -> Result<Self::Out>;
}

/// Plan, then commit: gives the record created.
pub struct Commit<'s>(pub &'s mut State);

impl Runner for Commit<'_> {
    type Out = RecordRef;
    fn run<H: Handler>(self, handler: &H, ctx: &Ctx) -> Result<RecordRef> {
        let plan = plan(handler, self.0, ctx)?;
        Ok(handler.commit(self.0, ctx, plan))
    }
}

/// Plan, then render the answer from the plan: nothing changes.
pub struct DryRun<'s>(pub &'s State);

impl Runner for DryRun<'_> {
    type Out = CommandResult;
    fn run<H: Handler>(self, handler: &H, ctx: &Ctx) -> Result<CommandResult> {
        let plan = plan(handler, self.0, ctx)?;
        Ok(handler.answer(self.0, ctx, &plan))
    }
}

/// A handler's plan, out of line: both runners share one copy of each command's rules
/// (inlined into each, they would double the rules' share of the wasm).
#[inline(never)]
fn plan<H: Handler>(handler: &H, state: &State, ctx: &Ctx) -> Result<H::Plan> {
    handler.plan(state, ctx)
}

/// Runs one command whose id is free with `runner`. The one place commands are
/// dispatched by type.
pub fn run<R: Runner>(runner: R, command: &Command, seq: u64) -> Result<R::Out> {
    let ctx = Ctx {
        id: &command.id,
        seq,
    };
    match &command.body {
        CommandBody::CreateCustomer(c) => runner.run(c, &ctx),
        CommandBody::IssueInvoice(c) => runner.run(c, &ctx),
        CommandBody::RecordPayment(c) => runner.run(c, &ctx),
        CommandBody::AddCredit(c) => runner.run(c, &ctx),
        CommandBody::ApplyCredit(c) => runner.run(c, &ctx),
        CommandBody::IssueCreditNote(c) => runner.run(c, &ctx),
        CommandBody::RefundCredit(c) => runner.run(c, &ctx),
        CommandBody::VoidPayment(c) => runner.run(c, &ctx),
        CommandBody::VoidInvoice(c) => runner.run(c, &ctx),
        CommandBody::Configure(c) => runner.run(c, &ctx),
        CommandBody::WriteOffInvoice(c) => runner.run(c, &ctx),
        CommandBody::ExpireCredit(c) => runner.run(c, &ctx),
    }
}

/// Checks that an entered amount has no more decimals than its currency allows and
/// that records can hold it in minor units (`Minor::fit`), and returns it at exactly
/// the currency's minor units.
pub(crate) fn money_in(field: &str, amount: Decimal, currency: Currency) -> Result<Decimal> {
    let amount = crate::money::check_units(field, amount, currency)?;
    crate::money::Minor::fit(field, amount, currency)?;
    Ok(amount)
}

/// The customer and currency a customer-scoped command works in.
pub(crate) fn customer_and_currency(
    state: &State,
    customer: &str,
    currency: Option<Currency>,
) -> Result<(Idx, Currency)> {
    let idx = state.customer_idx("customer", customer)?;
    Ok((
        idx,
        currency.unwrap_or(state.customers[idx as usize].currency),
    ))
}

/// An amount a plan has checked (`money_in`, `Minor::fit`, or no more than such an
/// amount), in minor units for a record.
pub(crate) fn minor(amount: Decimal, currency: Currency) -> Minor {
    Minor::of(amount, currency).expect("plans check amounts fit in minor units")
}

/// A statement entry as a command makes it (the amount as computed).
pub(crate) struct NewEntry {
    pub date: Date,
    pub seq: u64,
    pub record: RecordRef,
    pub amount: Decimal,
}

/// Adds a statement entry to a customer's book, its record already stored: the entry
/// reads its date and amount from the record, which are the ones given here. Its amount
/// is a whole number of minor units that fits (plans refuse amounts that don't:
/// `Minor::fit`).
pub(crate) fn statement_entry(state: &mut State, customer: Idx, currency: Currency, e: NewEntry) {
    let entry = Entry::new(e.seq, e.record);
    debug_assert_eq!(
        (state.entry_date(&entry), state.entry_amount(&entry)),
        (e.date, minor(e.amount, currency)),
        "an entry's date and amount are its record's"
    );
    let at = state
        .customers
        .get(customer as usize)
        .and_then(|c| c.book(currency))
        .map_or(0, |b| state.entry_place(&b.entries, e.date, e.seq));
    state.book_mut(customer, currency).insert_entry(at, entry);
}
