//! The general ledger as a Beancount file: `open` directives, one transaction per
//! accepted command, and a `balance` assertion per account and currency equal to the
//! trial balance, so `bean-check` itself confirms that the file adds up to the ledger.
//!
//! Account names (docs/decisions.md has the table): `Assets:Receivable:<customer>`,
//! `Liabilities:CustomerCredit:<customer>`, `Assets:Cash:<Method>`, `Income:Revenue`,
//! `Income:CreditNotes`, `Liabilities:TaxPayable`, `Expenses:GoodwillCredit`,
//! `Expenses:BadDebt`. A customer's component is its id, made a valid Beancount name
//! (first letter upper case, other characters than letters, digits and `-` become
//! `-`), with `-2`, `-3`... added where two ids would give the same name. Each `open`
//! directive keeps the engine's account name (`tally_account`) and, for customer
//! accounts, the customer's id and name as metadata.

use std::fmt::Write as _;

use crate::date::Date;
use crate::input::command::Method;
use crate::money::{Currency, Money};
use crate::queries::postings::{command_type, description, for_each_entry, Line};
use crate::queries::trial_balance::account_name;
use crate::state::ledger_accounts::Account;
use crate::state::records::Idx;
use crate::state::State;

/// The whole file.
pub fn write(state: &State) -> String {
    let names = CustomerNames::new(state);
    // A first pass for the ledger's first and last days (accounts open on the first,
    // balances are asserted after the last); lines are derived again when written.
    let mut span: Option<(Date, Date)> = None;
    for_each_entry(state, |lines| {
        for l in lines {
            span = Some(span.map_or((l.date, l.date), |(a, b)| (a.min(l.date), b.max(l.date))));
        }
    });
    let mut out = String::with_capacity(128 * 1024);
    out.push_str("; The general ledger exported by Tally: one transaction per command.\n");
    out.push_str("option \"title\" \"Tally general ledger\"\n\n");
    let Some((first, last)) = span else {
        return out;
    };
    // Open every account on the first day of the ledger, in trial-balance order.
    let balances = state.gl.accounts();
    let mut opened: Vec<Account> = balances.iter().map(|((_, a), _)| *a).collect();
    opened.sort_unstable();
    opened.dedup();
    for account in &opened {
        let _ = writeln!(out, "{first} open {}", names.account(*account));
        let _ = writeln!(
            out,
            "  tally_account: {}",
            quoted(&account_name(state, *account))
        );
        if let Account::Receivable(c) | Account::CustomerCredit(c) = account {
            let customer = &state.customers[*c as usize];
            let _ = writeln!(out, "  customer: {}", quoted(&customer.id));
            let _ = writeln!(out, "  name: {}", quoted(&customer.name));
        }
    }
    out.push('\n');
    for_each_entry(state, |lines| transaction(state, &names, &mut out, lines));
    // Balances hold at the start of their day: the day after the last transaction.
    let check_day = last.plus_days(1);
    let _ = writeln!(out, "; The trial balance: every account, every currency.");
    let mut by_account: Vec<(Account, Currency, rust_decimal::Decimal)> =
        balances.into_iter().map(|((c, a), b)| (a, c, b)).collect();
    by_account.sort_unstable_by_key(|(a, c, _)| (*a, *c));
    for (account, currency, balance) in by_account {
        let _ = writeln!(
            out,
            "{check_day} balance {}  {} {currency}",
            names.account(account),
            Money::new(balance, currency)
        );
    }
    out
}

/// One command's lines as a transaction, dated and described by its record.
fn transaction(state: &State, names: &CustomerNames, out: &mut String, lines: &[Line]) {
    let head = &lines[0];
    let _ = writeln!(
        out,
        "{} * {}",
        head.date,
        quoted(&description(state, head.record))
    );
    let _ = writeln!(out, "  entry: {}", head.seq);
    let _ = writeln!(out, "  ref: {}", quoted(state.record_id(head.record)));
    let _ = writeln!(out, "  type: {}", quoted(command_type(head.record)));
    for line in lines {
        let _ = writeln!(
            out,
            "  {}  {} {}",
            names.account(line.account),
            Money::new(line.amount, line.currency),
            line.currency
        );
    }
    out.push('\n');
}

/// A Beancount string literal.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Each customer's account name component, unique.
struct CustomerNames(Vec<String>);

impl CustomerNames {
    fn new(state: &State) -> CustomerNames {
        // Ids are unique; only their cleaned forms can meet. Equal forms are found by
        // sorting (no hashing: it would cost the wasm module a hasher), and all but the
        // first customer of each get the first free `-2`, `-3`...
        let bases: Vec<String> = state.customers.iter().map(|c| component(&c.id)).collect();
        let mut names = bases.clone();
        let mut taken = bases.clone();
        taken.sort_unstable();
        let mut order: Vec<usize> = (0..bases.len()).collect();
        order.sort_by(|&a, &b| bases[a].cmp(&bases[b]).then(a.cmp(&b)));
        for w in order.windows(2) {
            if bases[w[0]] != bases[w[1]] {
                continue;
            }
            let mut n = 2;
            let name = loop {
                let candidate = format!("{}-{n}", bases[w[1]]);
                if let Err(at) = taken.binary_search(&candidate) {
                    taken.insert(at, candidate.clone());
                    break candidate;
                }
                n += 1;
            };
            names[w[1]] = name;
        }
        CustomerNames(names)
    }

    fn customer(&self, c: Idx) -> &str {
        &self.0[c as usize]
    }

    fn account(&self, account: Account) -> String {
        match account {
            Account::Receivable(c) => format!("Assets:Receivable:{}", self.customer(c)),
            Account::CustomerCredit(c) => {
                format!("Liabilities:CustomerCredit:{}", self.customer(c))
            }
            Account::Cash(m) => format!("Assets:Cash:{}", method_component(m)),
            Account::Revenue => "Income:Revenue".into(),
            Account::TaxPayable => "Liabilities:TaxPayable".into(),
            Account::CreditNotes => "Income:CreditNotes".into(),
            Account::GoodwillCredit => "Expenses:GoodwillCredit".into(),
            Account::BadDebt => "Expenses:BadDebt".into(),
        }
    }
}

fn method_component(m: Method) -> &'static str {
    match m {
        Method::Cash => "Cash",
        Method::BankTransfer => "BankTransfer",
        Method::Card => "Card",
        Method::DirectDebit => "DirectDebit",
        Method::Cheque => "Cheque",
        Method::Other => "Other",
    }
}

/// Text as a Beancount account name component: ASCII letters, digits and `-`, starting
/// with an upper-case letter or a digit.
fn component(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    match out.chars().next() {
        Some(c) if c.is_ascii_lowercase() => {
            out.replace_range(..1, &c.to_ascii_uppercase().to_string())
        }
        Some(c) if c.is_ascii_alphanumeric() => {}
        _ => out.insert(0, 'X'),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::component;

    #[test]
    fn customer_ids_become_valid_components() {
        assert_eq!(component("c1"), "C1");
        assert_eq!(component("cust_42"), "Cust-42");
        assert_eq!(component("_x"), "X-x");
        assert_eq!(component("Zoë"), "Zo-");
        assert_eq!(component(""), "X");
    }
}
