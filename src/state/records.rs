//! The records commands create. Records are appended and never deleted; the only fields
//! that change after creation are the running ones (settlements, remaining credit, void
//! marks), and every such change is caused by a later journaled command.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::date::Date;
pub use crate::domain::TaxRounding;
use crate::domain::{LineInput, Method};
use crate::money::{Currency, Minor};

use super::book::Book;
pub use super::lines::{LineSpan, LineView};
use super::texts::TextRef;

pub use super::invoices::{Invoice, InvoiceData, Running};
pub use super::record_ref::{Idx, MaybeIdx, RecordRef};
pub use super::settlements::{Settlement, Source};

/// A customer: who is billed, and its books (one per currency).
#[derive(Clone, Debug)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    /// Billing currency: the default for the customer's invoices and payments.
    pub currency: Currency,
    /// One book per currency the customer has dealt in, in first-use order.
    pub books: Vec<Book>,
}

impl Customer {
    /// Its book in a currency, if it has dealt in that currency.
    pub fn book(&self, currency: Currency) -> Option<&Book> {
        self.books.iter().find(|b| b.currency == currency)
    }

    /// Its book in a currency, opened empty on first use.
    pub fn book_mut(&mut self, currency: Currency) -> &mut Book {
        match self.books.iter().position(|b| b.currency == currency) {
            Some(i) => &mut self.books[i],
            None => {
                self.books.push(Book::new(currency));
                self.books.last_mut().expect("just pushed")
            }
        }
    }
}

/// An invoice line as computed: the input and its rounded amounts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub input: LineInput,
    /// Before tax, after the discount; rounded to minor units.
    #[serde(with = "crate::money::dec")]
    pub net: Decimal,
    /// Rounded to minor units.
    #[serde(with = "crate::money::dec")]
    pub tax: Decimal,
    /// net + tax, exactly.
    #[serde(with = "crate::money::dec")]
    pub gross: Decimal,
}

/// Money received (`record_payment`). Its id and reference are in the state's text
/// arena, its allocations in the state's allocation table.
#[derive(Clone, Debug, PartialEq)]
pub struct Payment {
    /// In minor units of `currency`.
    pub amount: Minor,
    /// The void that reversed it (its index in `payment_voids`), if any.
    pub voided_by: MaybeIdx,
    pub id: TextRef,
    pub reference: Option<TextRef>,
    pub customer: Idx,
    /// The lot holding what the payment left as credit (possibly empty).
    pub lot: Idx,
    /// Where its allocations start in `State::allocations`; they run to the next
    /// payment's start (or the table's end).
    pub allocations: u32,
    pub date: Date,
    pub currency: Currency,
    pub method: Method,
}

/// What a payment settled of one invoice directly, at receipt (never changed). Packed
/// to 4-byte alignment: no padding after the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, packed(4))]
pub struct PaymentAllocation {
    pub invoice: Idx,
    /// In minor units of the payment's currency.
    pub amount: Minor,
}

/// Where a credit lot came from. Released settlement goes back to the lot it came
/// from (a payment's own lot for money it paid directly), so no lot has a release as
/// its origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LotOrigin {
    /// What a payment left after settling invoices (every payment has one, maybe empty).
    Payment(Idx),
    /// A goodwill credit (`add_credit`).
    Grant(Idx),
    /// A credit note without an invoice.
    CreditNote(Idx),
}

/// Credit held for a customer in one currency, kept with its origin. Invoices and
/// refunds take the oldest lots (lowest index) first. Packed to 4-byte alignment (no
/// padding after the one-byte fields; there is a lot for every payment); its origin
/// and end date are read through `origin()` and `valid_until()`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C, packed(4))]
pub struct Lot {
    /// Credit left to use or refund, in minor units of `currency`; the lot is in its
    /// book's lot index while > 0.
    pub remaining: Minor,
    /// How much of it refunds have paid out (minor units). Once non-zero, the payment
    /// that made the lot can't be voided (that money has already left).
    pub refunded: Minor,
    /// The origin's record index; `origin_kind` says which table.
    origin_idx: Idx,
    /// The last day it can be used (an `add_credit` with `valid_until`) as a day
    /// number, `NO_END` for none; after it, invoices, refunds and `apply_credit` pass
    /// it by and `expire_credit` removes it.
    valid_until: i32,
    pub customer: Idx,
    /// The latest of the invoices that ever took from it, as its place in
    /// `State::touches` plus one (0: none). The list (`State::lot_touched`) has
    /// consecutive repeats collapsed and lets `void_payment` find what the payment's
    /// credit paid without scanning every invoice. It may name invoices that no longer
    /// hold any of it (released or voided since); never pruned.
    pub last_touch: u32,
    pub currency: Currency,
    /// 0 payment, 1 grant, 2 credit note.
    origin_kind: u8,
}

/// `Lot::valid_until` of a lot usable for ever (no date has this day number).
const NO_END: i32 = i32::MIN;

/// One invoice that took from a lot, linked to the one before it (its place in
/// `State::touches` plus one; 0: none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Touch {
    pub invoice: Idx,
    pub prev: u32,
}

impl Lot {
    /// A lot with nothing in it yet and no invoice that took from it.
    pub fn new(
        customer: Idx,
        currency: Currency,
        origin: LotOrigin,
        valid_until: Option<Date>,
    ) -> Lot {
        let (origin_kind, origin_idx) = match origin {
            LotOrigin::Payment(i) => (0, i),
            LotOrigin::Grant(i) => (1, i),
            LotOrigin::CreditNote(i) => (2, i),
        };
        Lot {
            remaining: Minor::ZERO,
            refunded: Minor::ZERO,
            origin_idx,
            valid_until: valid_until.map_or(NO_END, Date::day_number),
            customer,
            last_touch: 0,
            currency,
            origin_kind,
        }
    }

    /// Where its credit came from.
    pub fn origin(&self) -> LotOrigin {
        let i = self.origin_idx;
        match self.origin_kind {
            0 => LotOrigin::Payment(i),
            1 => LotOrigin::Grant(i),
            _ => LotOrigin::CreditNote(i),
        }
    }

    /// The last day it can be used, if it has one.
    pub fn valid_until(&self) -> Option<Date> {
        let days = self.valid_until;
        if days == NO_END {
            None
        } else {
            Date::from_day_number(days)
        }
    }

    /// Whether something dated `date` may use it.
    pub fn usable_on(&self, date: Date) -> bool {
        let last = self.valid_until;
        last == NO_END || date.day_number() <= last
    }

    /// Credit left in it.
    pub fn remaining(&self) -> Decimal {
        self.remaining.decimal(self.currency)
    }

    /// What refunds have paid out of it.
    pub fn refunded(&self) -> Decimal {
        self.refunded.decimal(self.currency)
    }
}

/// An `add_credit`: credit granted without money.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub id: String,
    pub customer: Idx,
    pub currency: Currency,
    #[serde(with = "crate::money::dec")]
    pub amount: Decimal,
    pub date: Date,
    pub reason: String,
    /// The lot holding the credit it granted.
    pub lot: Idx,
}

/// An `apply_credit`: which lots paid is in the invoice's settlements.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub customer: Idx,
    pub invoice: Idx,
    #[serde(with = "crate::money::dec")]
    pub amount: Decimal,
    /// The day it was applied (default: the invoice's date); decides which lots are
    /// still usable.
    pub date: Date,
}

/// An `issue_credit_note`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreditNote {
    pub id: String,
    pub customer: Idx,
    /// The invoice it credits; `None` for a credit note that is simply credit.
    pub invoice: Option<Idx>,
    pub currency: Currency,
    /// Its full amount, tax included (`reduced_due` + `released`).
    #[serde(with = "crate::money::dec")]
    pub amount: Decimal,
    pub date: Date,
    pub reason: String,
    /// How much it lowered the invoice's amount due.
    #[serde(with = "crate::money::dec")]
    pub reduced_due: Decimal,
    /// How much earlier settlement it released back to its sources as credit.
    #[serde(with = "crate::money::dec")]
    pub released: Decimal,
    /// The lot it created (a credit note without an invoice).
    pub lot: Option<Idx>,
}

/// A `refund_credit`: credit paid back out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Refund {
    pub id: String,
    pub customer: Idx,
    pub currency: Currency,
    #[serde(with = "crate::money::dec")]
    pub amount: Decimal,
    pub method: Method,
    pub date: Date,
    pub reference: Option<String>,
    /// The lots it took the credit from, oldest first, and how much from each.
    #[serde(with = "crate::money::dec_pairs")]
    pub taken: Vec<(Idx, Decimal)>,
}

/// A `void_payment`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentVoid {
    pub id: String,
    /// The payment it voided.
    pub payment: Idx,
    pub date: Date,
    pub reason: Option<String>,
    /// Invoices that owe again, and how much each.
    #[serde(with = "crate::money::dec_pairs")]
    pub reopened: Vec<(Idx, Decimal)>,
    /// Credit withdrawn from the customer.
    #[serde(with = "crate::money::dec")]
    pub withdrawn: Decimal,
}

/// A `void_invoice`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvoiceVoid {
    pub id: String,
    /// The invoice it voided.
    pub invoice: Idx,
    pub date: Date,
    pub reason: Option<String>,
    /// What it still asked for when voided (its statement credit).
    #[serde(with = "crate::money::dec")]
    pub cancelled: Decimal,
    /// Settlement given back as credit, each part to the payment or lot it came from.
    #[serde(with = "crate::money::dec_pairs")]
    pub returned: Vec<(Source, Decimal)>,
}

/// A `configure`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub id: String,
    /// The invoice number format in force after it (always `Some` as written by
    /// `configure`, which stores the current format when none was given).
    pub invoice_number_format: Option<String>,
    /// The tax rounding in force after it; the latest config's is the ledger's.
    pub tax_rounding: TaxRounding,
}

/// A `write_off_invoice`: what an invoice still asked for, written off as bad debt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WriteOff {
    pub id: String,
    pub invoice: Idx,
    pub date: Date,
    pub reason: String,
    /// The amount written off, tax included (the invoice's amount_due then).
    #[serde(with = "crate::money::dec")]
    pub amount: Decimal,
    /// Its tax part, reversed from tax payable; the rest is bad-debt expense.
    #[serde(with = "crate::money::dec")]
    pub tax: Decimal,
}

/// An `expire_credit` run: its removals are `expired_lots[first..first + count]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Expiry {
    pub id: String,
    pub date: Date,
    /// The one customer it was limited to, if any.
    pub customer: Option<Idx>,
    pub first: Idx,
    pub count: u32,
}

/// What one `expire_credit` removed from one lot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExpiredLot {
    /// The run that removed it (its index in `expiries`).
    pub expiry: Idx,
    pub lot: Idx,
    #[serde(with = "crate::money::dec")]
    pub amount: Decimal,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payments_and_lots_have_no_padding() {
        assert_eq!(std::mem::size_of::<Payment>(), 40);
        assert_eq!(std::mem::size_of::<Lot>(), 36);
        assert_eq!(std::mem::size_of::<PaymentAllocation>(), 12);
        assert_eq!(std::mem::size_of::<Currency>(), 1);
    }

    #[test]
    fn a_lot_gives_back_its_origin_and_end() {
        let day = Date::from_day_number(20_000).unwrap();
        for (origin, until) in [
            (LotOrigin::Payment(7), None),
            (LotOrigin::Grant(u32::MAX), Some(day)),
            (LotOrigin::CreditNote(0), Date::from_day_number(-719_162)),
        ] {
            let lot = Lot::new(3, Currency::from_code("EUR").unwrap(), origin, until);
            assert_eq!((lot.origin(), lot.valid_until()), (origin, until));
            assert!(lot.usable_on(day) || until.is_some_and(|u| u < day));
        }
    }
}
