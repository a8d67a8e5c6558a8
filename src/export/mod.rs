//! The accountant's files: the general ledger (the `postings` lines) as CSV or as a
//! Beancount ledger, and reading a panel backup to make them from. Pure text in, text
//! out, so the `tally export` command and the wasm build share it.

#![warn(missing_docs)]

mod backup;
mod beancount;
mod csv;

pub use backup::ledger_from_backup;

use crate::ledger::Ledger;

/// A file format for the general ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One line per posting: date, entry, account, debit, credit, currency, reference,
    /// description.
    Csv,
    /// A Beancount ledger: one transaction per command, with balance assertions that
    /// equal the trial balance.
    Beancount,
}

impl Format {
    /// The format named `csv` or `beancount`.
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "csv" => Some(Format::Csv),
            "beancount" => Some(Format::Beancount),
            _ => None,
        }
    }
}

impl Ledger {
    /// The general ledger in `format`.
    pub fn export(&self, format: Format) -> String {
        match format {
            Format::Csv => csv::write(self.state()),
            Format::Beancount => beancount::write(self.state()),
        }
    }
}
