use rust_decimal::Decimal;
use serde::Serialize;

use crate::money::{Currency, Money};
use crate::state::ledger_accounts::Account;
use crate::state::State;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrialBalanceAnswer {
    /// Every account with postings, by currency then account (debits positive).
    pub accounts: Vec<AccountRow>,
    /// The sum of the accounts per currency: always zero.
    pub totals: Vec<CurrencyTotal>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccountRow {
    pub account: String,
    pub currency: Currency,
    pub balance: Money,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CurrencyTotal {
    pub currency: Currency,
    pub total: Money,
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
    }
}

pub fn run(state: &State, only: Option<Currency>) -> TrialBalanceAnswer {
    let mut accounts = Vec::new();
    let mut totals: Vec<CurrencyTotal> = Vec::new();
    let mut sum = Decimal::ZERO;
    let all = state.gl.accounts();
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
        let last_of_currency = all.get(i + 1).is_none_or(|next| next.0 .0 != *currency);
        if last_of_currency {
            totals.push(CurrencyTotal {
                currency: *currency,
                total: Money::new(sum, *currency),
            });
            sum = Decimal::ZERO;
        }
    }
    TrialBalanceAnswer { accounts, totals }
}
