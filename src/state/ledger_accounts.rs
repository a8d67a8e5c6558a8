//! The general ledger: double-entry account balances per currency.
//!
//! Every accepted command posts a balanced transaction here, independently of the
//! customer books, so `trial_balance` summing to zero and each customer's accounts
//! equalling its `balance` answer are real checks on the engine, not identities.
//! Balances follow the usual sign rule: debits positive, credits negative.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::hash::BuildHasher;

use super::records::Idx;
use super::slots::Slots;
use crate::domain::Method;
use crate::money::Currency;
use crate::sort::{currency_key, sort_pairs};

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
///
/// Kept in the order accounts were first posted to, found through a hash table of
/// positions (the same `Slots` the id index uses, so the wasm links no second table), and sorted only when listed: a `BTreeMap` here was the module's last B-tree,
/// its own copy of insert and search (docs/performance.md, "Wasm size").
#[derive(Clone, Debug, Default)]
pub struct GeneralLedger {
    /// Each account with a posting: its sort key, currency, account and balance.
    balances: Vec<(u64, Currency, Account, Decimal)>,
    /// Positions in `balances`, hashed by sort key.
    index: Slots,
}

/// A key that orders accounts as `(Currency, Account)` orders: the currency's code, then
/// the account's variant in declaration order, then its customer or method.
fn sort_key(currency: Currency, account: Account) -> u64 {
    let (variant, detail) = match account {
        Account::Receivable(c) => (0, c),
        Account::CustomerCredit(c) => (1, c),
        Account::Cash(m) => (2, m as u32),
        Account::Revenue => (3, 0),
        Account::TaxPayable => (4, 0),
        Account::CreditNotes => (5, 0),
        Account::GoodwillCredit => (6, 0),
        Account::BadDebt => (7, 0),
    };
    currency_key(currency) << 40 | variant << 32 | u64::from(detail)
}

fn hash_key(key: u64) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(key)
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
                let at = self.place(currency, account);
                self.balances[at].3 += amount;
            }
        }
    }

    /// Adds one leg of a transaction whose other legs are added too: for rebuilding
    /// balances from postings already made (`postings::ledger_at_end_of`), where the
    /// sum of whole entries is checked by the trial balance's totals.
    pub fn add_leg(&mut self, currency: Currency, account: Account, amount: Decimal) {
        let at = self.place(currency, account);
        self.balances[at].3 += amount;
    }

    /// The position of an account's balance, added at zero if it has none yet.
    fn place(&mut self, currency: Currency, account: Account) -> usize {
        let key = sort_key(currency, account);
        if let Some(at) = self.find(key) {
            return at;
        }
        let at = self.balances.len();
        self.balances.push((key, currency, account, Decimal::ZERO));
        let (index, balances) = (std::mem::take(&mut self.index), &self.balances);
        let rehash: &dyn Fn(u32) -> u64 = &|i| hash_key(balances[i as usize].0);
        self.index = index.with(hash_key(key), at as u32, balances.len(), rehash);
        at
    }

    fn find(&self, key: u64) -> Option<usize> {
        let balances = &self.balances;
        let same: &dyn Fn(u32) -> bool = &|i| balances[i as usize].0 == key;
        self.index
            .find(hash_key(key), same)
            .ok()
            .map(|i| i as usize)
    }

    /// An account's balance in a currency (zero if nothing was ever posted to it).
    pub fn balance(&self, currency: Currency, account: Account) -> Decimal {
        self.find(sort_key(currency, account))
            .map_or(Decimal::ZERO, |at| self.balances[at].3)
    }

    /// Every account with a posting, sorted by currency then account.
    pub fn accounts(&self) -> Vec<((Currency, Account), Decimal)> {
        let mut order: Vec<(u64, u32)> = self.balances.iter().map(|b| b.0).zip(0..).collect();
        sort_pairs(&mut order);
        order
            .iter()
            .map(|&(_, i)| {
                let (_, currency, account, balance) = self.balances[i as usize];
                ((currency, account), balance)
            })
            .collect()
    }

    /// Rebuilds from a sorted list (snapshot restore).
    pub fn from_accounts(accounts: Vec<((Currency, Account), Decimal)>) -> GeneralLedger {
        let mut gl = GeneralLedger::default();
        for ((currency, account), balance) in accounts {
            let at = gl.place(currency, account);
            gl.balances[at].3 = balance;
        }
        gl
    }
}

/// Equal when they hold the same balances, whatever order accounts were first posted in.
impl PartialEq for GeneralLedger {
    fn eq(&self, other: &Self) -> bool {
        self.accounts() == other.accounts()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn currencies() -> Vec<Currency> {
        ["USD", "CHF", "EUR", "JPY"]
            .iter()
            .map(|c| Currency::from_code(c).unwrap())
            .collect()
    }

    fn account(n: u8) -> Account {
        let methods = [
            Method::Cash,
            Method::BankTransfer,
            Method::Card,
            Method::DirectDebit,
            Method::Cheque,
            Method::Other,
        ];
        match n % 8 {
            0 => Account::Receivable(u32::from(n / 8) * 1000),
            1 => Account::CustomerCredit(u32::from(n / 8)),
            2 => Account::Cash(methods[usize::from(n / 8) % methods.len()]),
            3 => Account::Revenue,
            4 => Account::TaxPayable,
            5 => Account::CreditNotes,
            6 => Account::GoodwillCredit,
            _ => Account::BadDebt,
        }
    }

    #[test]
    fn sort_keys_order_as_currency_then_account() {
        let mut pairs = Vec::new();
        for c in currencies() {
            for n in 0..=255 {
                pairs.push((c, account(n)));
            }
        }
        pairs.push((currencies()[0], Account::Receivable(u32::MAX)));
        pairs.push((currencies()[0], Account::CustomerCredit(u32::MAX)));
        for a in &pairs {
            for b in &pairs {
                assert_eq!(
                    sort_key(a.0, a.1).cmp(&sort_key(b.0, b.1)),
                    a.cmp(b),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    proptest::proptest! {
        /// Any postings leave the balances a `BTreeMap` keyed by (currency, account)
        /// would hold, listed in its order, and a rebuild from that list is equal.
        #[test]
        fn matches_a_btree_map(posts in proptest::collection::vec((0usize..4, 0u8..64, -500i64..500, 0u32..3), 0..120)) {
            let mut gl = GeneralLedger::default();
            let mut model: BTreeMap<(Currency, Account), Decimal> = BTreeMap::new();
            for (c, a, units, scale) in posts {
                let currency = currencies()[c];
                let amount = Decimal::new(units, scale);
                // A balanced pair: the account and revenue.
                let legs = [(account(a), amount), (Account::Revenue, -amount)];
                gl.post(currency, &legs);
                for (account, amount) in legs {
                    if !amount.is_zero() {
                        *model.entry((currency, account)).or_default() += amount;
                    }
                }
                proptest::prop_assert_eq!(gl.balance(currency, account(a)), model.get(&(currency, account(a))).copied().unwrap_or_default());
            }
            let listed: Vec<_> = model.into_iter().collect();
            proptest::prop_assert_eq!(&gl.accounts(), &listed);
            let rebuilt = GeneralLedger::from_accounts(listed.clone());
            proptest::prop_assert_eq!(&rebuilt.accounts(), &listed);
            proptest::prop_assert!(rebuilt == gl);
        }
    }
}
