//! The general ledger: double-entry account balances per currency.
//!
//! Every accepted command posts a balanced transaction here, independently of the
//! customer books, so `trial_balance` summing to zero and each customer's accounts
//! equalling its `balance` answer are real checks on the engine, not identities.
//! Balances follow the usual sign rule: debits positive, credits negative.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::records::Idx;
use crate::domain::Method;
use crate::money::Currency;

/// A ledger account. Customer accounts are per customer; the rest are shared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Account {
    /// Asset: what the customer owes on invoices.
    Receivable(Idx),
    /// Liability: credit the customer holds (a credit balance).
    CustomerCredit(Idx),
    /// Asset: money received, per method; refunds are paid out of it.
    Cash(Method),
    /// Income: invoice net amounts.
    Revenue,
    /// Liability: tax charged on invoices.
    TaxPayable,
    /// Contra-income: the net part of credit notes.
    CreditNotes,
    /// Expense: credit granted without money (`add_credit`).
    GoodwillCredit,
    /// Expense: invoices written off as bad debt, net of their tax.
    BadDebt,
}

/// Account balances per currency, debits positive. Not `Serialize`: a snapshot stores
/// `accounts()`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GeneralLedger {
    /// Ordered, so the trial balance and snapshots need no sort.
    balances: BTreeMap<(Currency, Account), Decimal>,
}

impl GeneralLedger {
    /// Posts one balanced transaction: `(account, signed amount)` legs summing to zero.
    pub fn post(&mut self, currency: Currency, legs: &[(Account, Decimal)]) {
        debug_assert!(
            legs.iter().map(|(_, a)| *a).sum::<Decimal>().is_zero(),
            "unbalanced posting {legs:?}"
        );
        for &(account, amount) in legs {
            if !amount.is_zero() {
                *self.balances.entry((currency, account)).or_default() += amount;
            }
        }
    }

    /// An account's balance in a currency (zero if nothing was ever posted to it).
    pub fn balance(&self, currency: Currency, account: Account) -> Decimal {
        self.balances
            .get(&(currency, account))
            .copied()
            .unwrap_or_default()
    }

    /// Every account with a posting, sorted by currency then account.
    pub fn accounts(&self) -> Vec<((Currency, Account), Decimal)> {
        self.balances.iter().map(|(k, v)| (*k, *v)).collect()
    }

    /// Rebuilds from a sorted list (snapshot restore).
    pub fn from_accounts(accounts: Vec<((Currency, Account), Decimal)>) -> GeneralLedger {
        // Inserted one by one: `collect` into a B-tree sorts first, which links a stable
        // sort into the wasm for a list that is small (and stored in order anyway).
        let mut balances = BTreeMap::new();
        for (key, balance) in accounts {
            balances.insert(key, balance);
        }
        GeneralLedger { balances }
    }
}
