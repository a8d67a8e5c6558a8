//! Queries: read-only answers about the state. Each query kind has its own module.

mod aging;
mod balance;
mod customers;
pub mod invoice;
mod lists;
mod statement;
mod trial_balance;

use serde::Serialize;

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
    Balance {
        customer: String,
        currency: Option<Currency>,
    },
    Invoice {
        invoice: String,
    },
    PreviewInvoice(InvoiceDraft),
    Statement {
        customer: String,
        currency: Option<Currency>,
        from: Option<Date>,
        to: Option<Date>,
    },
    Customers,
    TrialBalance {
        currency: Option<Currency>,
    },
    /// Invoices of a customer (or everyone), optionally only open ones (`status: "open"`).
    Invoices {
        customer: Option<String>,
        currency: Option<Currency>,
        open_only: bool,
        limit: Option<u64>,
    },
    Payments {
        customer: String,
        currency: Option<Currency>,
    },
    Credits {
        customer: String,
        currency: Option<Currency>,
    },
    Aging {
        as_of: Date,
        currency: Option<Currency>,
    },
}

/// A query's answer; its fields are flattened into `{ ok: true, ... }`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum QueryAnswer {
    Balance(balance::BalanceAnswer),
    Invoice(Box<invoice::InvoiceAnswer>),
    Statement(statement::StatementAnswer),
    Customers(customers::CustomersAnswer),
    TrialBalance(trial_balance::TrialBalanceAnswer),
    Invoices(lists::InvoicesAnswer),
    Payments(lists::PaymentsAnswer),
    Credits(lists::CreditsAnswer),
    Aging(aging::AgingAnswer),
}

impl Query {
    /// Validates a query object read by `RawMap::read`.
    pub fn from_raw(map: RawMap) -> Result<Query> {
        map.check("query")?;
        let mut f = Fields::new(map, None);
        let kind = take_type(&mut f, "query")?;
        let query = match kind.as_str() {
            "balance" => Query::Balance {
                customer: f.text(Key::Customer)?,
                currency: f.opt_currency(Key::Currency)?,
            },
            "invoice" => Query::Invoice {
                invoice: f.text(Key::Invoice)?,
            },
            "preview_invoice" => Query::PreviewInvoice(InvoiceDraft::from_fields(&mut f)?),
            "statement" => {
                let q = Query::Statement {
                    customer: f.text(Key::Customer)?,
                    currency: f.opt_currency(Key::Currency)?,
                    from: f.opt_date(Key::From)?,
                    to: f.opt_date(Key::To)?,
                };
                if let Query::Statement {
                    from: Some(from),
                    to: Some(to),
                    ..
                } = &q
                {
                    if to < from {
                        return Err(err!(InvalidDate, "to: '{to}' is before from: '{from}'"));
                    }
                }
                q
            }
            "customers" => Query::Customers,
            "trial_balance" => Query::TrialBalance {
                currency: f.opt_currency(Key::Currency)?,
            },
            "invoices" => Query::Invoices {
                customer: f.opt_text(Key::Customer)?,
                currency: f.opt_currency(Key::Currency)?,
                open_only: f
                    .choice(Key::Status, &[("open", true), ("all", false)])?
                    .unwrap_or_default(),
                limit: f.opt_count(Key::Limit)?,
            },
            "payments" => Query::Payments {
                customer: f.text(Key::Customer)?,
                currency: f.opt_currency(Key::Currency)?,
            },
            "credits" => Query::Credits {
                customer: f.text(Key::Customer)?,
                currency: f.opt_currency(Key::Currency)?,
            },
            "aging" => Query::Aging {
                as_of: f.date(Key::AsOf)?,
                currency: f.opt_currency(Key::Currency)?,
            },
            other => {
                return Err(err!(
                    InvalidInput,
                    "type: '{other}' is not a query (balance, invoice, preview_invoice, statement, customers, trial_balance, invoices, payments, credits, aging)"
                ))
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
            Query::TrialBalance { currency } => {
                QueryAnswer::TrialBalance(trial_balance::run(state, *currency))
            }
            Query::Invoices {
                customer,
                currency,
                open_only,
                limit,
            } => QueryAnswer::Invoices(lists::invoices(
                state,
                customer.as_deref(),
                *currency,
                *open_only,
                *limit,
            )?),
            Query::Payments { customer, currency } => {
                QueryAnswer::Payments(lists::payments(state, customer, *currency)?)
            }
            Query::Credits { customer, currency } => {
                QueryAnswer::Credits(lists::credits(state, customer, *currency)?)
            }
            Query::Aging { as_of, currency } => {
                QueryAnswer::Aging(aging::run(state, *as_of, *currency))
            }
        })
    }
}
