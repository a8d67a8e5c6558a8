//! Queries: read-only answers about the state. Each query kind has its own module.

#![warn(missing_docs)]

mod aging;
mod balance;
mod customers;
pub mod invoice;
mod lists;
pub mod postings;
mod settings;
mod statement;
pub mod trial_balance;

use serde::Serialize;

use crate::text::Text;

use crate::date::Date;
use crate::error::{err, Result};
use crate::input::command::{take_type, InvoiceDraft};
use crate::input::fields::Fields;
use crate::input::raw::{Key, RawMap};
use crate::money::Currency;
use crate::state::State;

/// A query, validated.
#[derive(Clone, Debug, PartialEq)]
pub enum Query {
    /// `balance`: what a customer owes, the credit it holds, and the net of the two.
    Balance {
        /// The customer's id.
        customer: Text,
        /// Which book; default: the customer's billing currency.
        currency: Option<Currency>,
    },
    /// `invoice`: one invoice with its amounts, lines and settlements.
    Invoice {
        /// The invoice's id.
        invoice: Text,
    },
    /// `preview_invoice`: the invoice issuing this draft now would record, with the
    /// credit it would take and the number it would get; nothing is posted.
    PreviewInvoice(InvoiceDraft),
    /// `statement`: a customer's entries in one currency with a running balance.
    Statement {
        /// The customer's id.
        customer: Text,
        /// Which book; default: the customer's billing currency.
        currency: Option<Currency>,
        /// First day shown (inclusive); everything before sums into the opening balance.
        from: Option<Date>,
        /// Last day shown (inclusive); later entries are left out.
        to: Option<Date>,
    },
    /// `customers`: every customer with its balance in each currency.
    Customers,
    /// `trial_balance`: the general ledger's accounts, summing to zero per currency.
    TrialBalance {
        /// Only this currency's accounts; default: every currency.
        currency: Option<Currency>,
        /// The balances at the end of this day (only postings dated on or before it);
        /// absent: everything recorded.
        as_of: Option<Date>,
    },
    /// Invoices of a customer (or everyone), optionally only open ones (`status: "open"`).
    Invoices {
        /// Whose (absent: everyone's, in issue order), which currency, which days.
        only: lists::Filter,
        /// Only invoices with something still due (`status: "open"`; `"all"` is the
        /// default).
        open_only: bool,
        /// At most this many rows; absent: all.
        limit: Option<u64>,
    },
    /// `payments`: payments with what each did when received, by date; one customer's
    /// or everyone's (money received in a period, for a bank reconciliation).
    Payments(lists::Filter),
    /// `credits`: the credit a customer holds, lot by lot, in the order it is used.
    Credits {
        /// The customer's id.
        customer: Text,
        /// Which book; default: the customer's billing currency.
        currency: Option<Currency>,
    },
    /// `settings`: the ledger settings in force.
    Settings,
    /// `postings`: the general ledger line by line.
    Postings {
        /// Only this currency's lines; absent: every currency.
        currency: Option<Currency>,
        /// First day shown (inclusive).
        from: Option<Date>,
        /// Last day shown (inclusive).
        to: Option<Date>,
    },
    /// `aging`: aged receivables, open invoices bucketed by days overdue.
    Aging {
        /// The day the books are taken at the end of (what is dated after it doesn't
        /// count yet), and overdue days are counted to.
        as_of: Date,
        /// Only this currency; absent: every currency.
        currency: Option<Currency>,
    },
}

/// A query's `from` and `to` (inclusive days, each optional), refused when `to` is
/// before `from`.
fn period(f: &mut Fields) -> Result<(Option<Date>, Option<Date>)> {
    let (from, to) = (f.opt_date(Key::From)?, f.opt_date(Key::To)?);
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            return Err(err!(InvalidDate, "to: '{to}' is before from: '{from}'")
                .at("to")
                .rule("before_date")
                .with("value", to)
                .with("earliest", from));
        }
    }
    Ok((from, to))
}

/// A list's `customer`, `currency`, `from` and `to`, each optional.
fn list_filter(f: &mut Fields) -> Result<lists::Filter> {
    let (customer, currency) = (f.opt_id(Key::Customer)?, f.opt_currency(Key::Currency)?);
    let (from, to) = period(f)?;
    Ok(lists::Filter {
        customer,
        currency,
        from,
        to,
    })
}

/// A query's answer; its fields are flattened into `{ ok: true, ... }`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum QueryAnswer {
    /// Answer to `balance`.
    Balance(balance::BalanceAnswer),
    /// Answer to `invoice` and `preview_invoice` (boxed: by far the largest answer).
    Invoice(Box<invoice::InvoiceAnswer>),
    /// Answer to `statement`.
    Statement(statement::StatementAnswer),
    /// Answer to `customers`.
    Customers(customers::CustomersAnswer),
    /// Answer to `trial_balance`.
    TrialBalance(trial_balance::TrialBalanceAnswer),
    /// Answer to `invoices`.
    Invoices(lists::InvoicesAnswer),
    /// Answer to `payments`.
    Payments(lists::PaymentsAnswer),
    /// Answer to `credits`.
    Credits(lists::CreditsAnswer),
    /// Answer to `aging`.
    Aging(aging::AgingAnswer),
    /// Answer to `settings`.
    Settings(settings::SettingsAnswer),
    /// Answer to `postings`.
    Postings(postings::PostingsAnswer),
}

/// Every query `type`, in the order messages list them.
pub const QUERY_TYPES: [&str; 12] = [
    "balance",
    "invoice",
    "preview_invoice",
    "statement",
    "customers",
    "trial_balance",
    "invoices",
    "payments",
    "credits",
    "aging",
    "settings",
    "postings",
];

impl Query {
    /// Validates a query object read by `RawMap::read`.
    pub fn from_raw(map: RawMap<'_>) -> Result<Query> {
        map.check("query", "")?;
        let mut f = Fields::new(map, None);
        let kind = take_type(&mut f, "query")?;
        let query = match &*kind {
            "balance" => Query::Balance {
                customer: f.id(Key::Customer)?,
                currency: f.opt_currency(Key::Currency)?,
            },
            "invoice" => Query::Invoice {
                invoice: f.id(Key::Invoice)?,
            },
            "preview_invoice" => Query::PreviewInvoice(InvoiceDraft::from_fields(&mut f)?),
            "statement" => {
                let (customer, currency) = (f.id(Key::Customer)?, f.opt_currency(Key::Currency)?);
                let (from, to) = period(&mut f)?;
                Query::Statement {
                    customer,
                    currency,
                    from,
                    to,
                }
            }
            "customers" => Query::Customers,
            "trial_balance" => Query::TrialBalance {
                currency: f.opt_currency(Key::Currency)?,
                as_of: f.opt_date(Key::AsOf)?,
            },
            "invoices" => Query::Invoices {
                only: list_filter(&mut f)?,
                open_only: f
                    .choice(Key::Status, &[("open", true), ("all", false)])?
                    .unwrap_or_default(),
                limit: f.opt_count(Key::Limit)?,
            },
            "payments" => Query::Payments(list_filter(&mut f)?),
            "credits" => Query::Credits {
                customer: f.id(Key::Customer)?,
                currency: f.opt_currency(Key::Currency)?,
            },
            "settings" => Query::Settings,
            "postings" => {
                let currency = f.opt_currency(Key::Currency)?;
                let (from, to) = period(&mut f)?;
                Query::Postings { currency, from, to }
            }
            "aging" => Query::Aging {
                as_of: f.date(Key::AsOf)?,
                currency: f.opt_currency(Key::Currency)?,
            },
            other => {
                return Err(err!(
                    InvalidInput,
                    "type: '{}' is not a query ({})",
                    crate::error::clip(other),
                    crate::error::listed(&QUERY_TYPES)
                )
                .at("type")
                .rule("not_allowed")
                .with("value", crate::error::clip(other))
                .with("allowed", QUERY_TYPES.to_vec()))
            }
        };
        f.finish(|| format!("a {kind} query"))?;
        Ok(query)
    }

    /// Answers the query; never changes anything.
    pub fn run(&self, state: &State) -> Result<QueryAnswer> {
        Ok(match self {
            Query::Balance { customer, currency } => {
                QueryAnswer::Balance(balance::run(state, customer, *currency)?)
            }
            Query::Invoice { invoice } => {
                QueryAnswer::Invoice(Box::new(invoice::run(state, invoice)?))
            }
            Query::PreviewInvoice(draft) => {
                QueryAnswer::Invoice(Box::new(invoice::preview(state, draft)?))
            }
            Query::Statement {
                customer,
                currency,
                from,
                to,
            } => QueryAnswer::Statement(statement::run(state, customer, *currency, *from, *to)?),
            Query::Customers => QueryAnswer::Customers(customers::run(state)),
            Query::TrialBalance { currency, as_of } => {
                QueryAnswer::TrialBalance(trial_balance::run(state, *currency, *as_of))
            }
            Query::Invoices {
                only,
                open_only,
                limit,
            } => QueryAnswer::Invoices(lists::invoices(state, only, *open_only, *limit)?),
            Query::Payments(only) => QueryAnswer::Payments(lists::payments(state, only)?),
            Query::Credits { customer, currency } => {
                QueryAnswer::Credits(lists::credits(state, customer, *currency)?)
            }
            Query::Aging { as_of, currency } => {
                QueryAnswer::Aging(aging::run(state, *as_of, *currency))
            }
            Query::Settings => QueryAnswer::Settings(settings::run(state)),
            Query::Postings { currency, from, to } => {
                QueryAnswer::Postings(postings::run(state, *currency, *from, *to))
            }
        })
    }
}
