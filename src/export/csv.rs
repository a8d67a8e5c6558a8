//! The general ledger as CSV (RFC 4180): a header, then one line per posting.

use std::fmt::Write as _;

use crate::money::Money;
use crate::queries::postings::{description, for_each_entry, Line};
use crate::queries::trial_balance::account_name;
use crate::state::State;

/// The column names, in order.
pub const HEADER: &str = "date,entry,account,debit,credit,currency,reference,description";

/// One line per posting in journal order; `entry` is the command's journal seq (the
/// lines of one entry balance), amounts at the currency's minor units with the unused
/// side empty, accounts named as in the trial balance.
pub fn write(state: &State) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str(HEADER);
    out.push_str("\r\n");
    for_each_entry(state, |lines| {
        for line in lines {
            write_line(state, &mut out, line);
        }
    });
    out
}

fn write_line(state: &State, out: &mut String, line: &Line) {
    let amount = Money::new(line.amount.abs(), line.currency).to_string();
    let (debit, credit) = if line.amount.is_sign_positive() {
        (amount.as_str(), "")
    } else {
        ("", amount.as_str())
    };
    let _ = write!(
        out,
        "{},{},{},{},{},{},{},{}\r\n",
        line.date,
        line.seq,
        field(&account_name(state, line.account)),
        debit,
        credit,
        line.currency,
        field(state.record_id(line.record)),
        field(&description(state, line.record)),
    );
}

/// A text field: quoted when it holds a comma, quote or line break, and prefixed with
/// an apostrophe when a spreadsheet would read it as a formula (text typed by users,
/// such as reasons, reaches the file).
fn field(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(field("line\nbreak"), "\"line\nbreak\"");
    }
}
