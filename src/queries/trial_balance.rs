//! `trial_balance`: the general ledger's account balances, per currency.

#![warn(missing_docs)]

use rust_decimal::Decimal;
use serde::Serialize;

use super::postings::ledger_at_end_of;
use crate::date::Date;
use crate::money::{Currency, Money};
use crate::state::ledger_accounts::Account;
use crate::state::State;

/// The `trial_balance` answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrialBalanceAnswer {
    /// The day whose end the balances are taken at; null: everything recorded.
    pub as_of: Option<Date>,
    /// Every account with postings, by currency then account (debits positive).
    pub accounts: Vec<AccountRow>,
    /// The sum of the accounts per currency: always zero.
    pub totals: Vec<CurrencyTotal>,
}

/// One account's balance in one currency.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccountRow {
    /// The account's name: `receivable:<customer id>`, `customer_credit:<customer id>`,
    /// `cash:<method>`, `revenue`, `tax_payable`, `credit_notes`, `goodwill_credit` or
    /// `bad_debt`.
    pub account: String,
    /// The currency of this balance (each currency is a ledger of its own).
    pub currency: Currency,
    /// Debits less credits: positive is a debit balance, negative a credit balance.
    /// Normally `receivable`, `cash`, `credit_notes`, `goodwill_credit` and `bad_debt`
    /// are debits and
    /// `customer_credit`, `revenue` and `tax_payable` credits. A customer's `receivable`
    /// equals its `outstanding`; its `customer_credit` is minus its `credit`.
    pub balance: Money,
}

/// What one currency's accounts sum to.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CurrencyTotal {
    /// The currency.
    pub currency: Currency,
    /// The sum of its account balances: zero, since every posting balances.
    pub total: Money,
    /// The sum of its debit balances (the trial balance's debit column).
    pub debits: Money,
    /// The sum of its credit balances, as a positive amount (the credit column);
    /// equal to `debits`.
    pub credits: Money,
}

/// The account's name in answers: `receivable:<customer id>`, `cash:card`, `revenue`, ...
pub fn account_name(state: &State, account: Account) -> String {
    let customer = |i: u32| &state.customers[i as usize].id;
    match account {
        Account::Receivable(c) => format!("receivable:{}", customer(c)),
        Account::CustomerCredit(c) => format!("customer_credit:{}", customer(c)),
        Account::Cash(m) => format!("cash:{}", m.name()),
        Account::Revenue => "revenue".into(),
        Account::TaxPayable => "tax_payable".into(),
        Account::CreditNotes => "credit_notes".into(),
        Account::GoodwillCredit => "goodwill_credit".into(),
        Account::BadDebt => "bad_debt".into(),
    }
}

/// Answers `trial_balance`, for one currency (`only`) or all of them, at the end of
/// `as_of` or with everything recorded.
pub fn run(state: &State, only: Option<Currency>, as_of: Option<Date>) -> TrialBalanceAnswer {
    let all = match as_of {
        None => state.gl.accounts(),
        Some(day) => ledger_at_end_of(state, day).accounts(),
    };
    let mut accounts = Vec::new();
    let mut totals: Vec<CurrencyTotal> = Vec::new();
    let mut sum = Decimal::ZERO;
    let mut debits = Decimal::ZERO;
    let mut credits = Decimal::ZERO;
    for (i, ((currency, account), balance)) in all.iter().enumerate() {
        if only.is_some_and(|c| c != *currency) {
            continue;
        }
        accounts.push(AccountRow {
            account: account_name(state, *account),
            currency: *currency,
            balance: Money::new(*balance, *currency),
        });
        sum += balance;
        if balance.is_sign_positive() {
            debits += balance;
        } else {
            credits -= balance;
        }
        let last_of_currency = all.get(i + 1).is_none_or(|next| next.0 .0 != *currency);
        if last_of_currency {
            // Paired with `GeneralLedger::post`'s check: whole entries sum to zero.
            debug_assert!(sum.is_zero(), "{currency:?} accounts sum to {sum}");
            totals.push(CurrencyTotal {
                currency: *currency,
                total: Money::new(sum, *currency),
                debits: Money::new(debits, *currency),
                credits: Money::new(credits, *currency),
            });
            sum = Decimal::ZERO;
            debits = Decimal::ZERO;
            credits = Decimal::ZERO;
        }
    }
    TrialBalanceAnswer {
        as_of,
        accounts,
        totals,
    }
}
