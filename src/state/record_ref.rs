//! How records are addressed: a table index, and which table. Its own module so the
//! books (`book`) and the records (`records`) both use it without depending on each
//! other's contents in a cycle.

use serde::{Deserialize, Serialize};

/// Index of a record in its table.
pub type Idx = u32;

/// What an id names. Ids are unique across all records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordRef {
    /// A customer (`create_customer`).
    Customer(Idx),
    /// An invoice (`issue_invoice`).
    Invoice(Idx),
    /// A payment (`record_payment`).
    Payment(Idx),
    /// A goodwill credit (`add_credit`).
    Grant(Idx),
    /// An application of credit to an invoice (`apply_credit`).
    Application(Idx),
    /// A credit note (`issue_credit_note`).
    CreditNote(Idx),
    /// A refund of credit (`refund_credit`).
    Refund(Idx),
    /// A payment's void (`void_payment`).
    PaymentVoid(Idx),
    /// An invoice's void (`void_invoice`).
    InvoiceVoid(Idx),
    /// A settings change (`configure`).
    Config(Idx),
    /// A write-off of an invoice as bad debt (`write_off_invoice`).
    WriteOff(Idx),
    /// An `expire_credit` run.
    Expiry(Idx),
    /// One lot's removal by an `expire_credit` (a statement entry; its id is the run's).
    ExpiredLot(Idx),
}

impl RecordRef {
    /// The record's kind as a small number (`0..13`) and its index: the packed form
    /// statement entries and snapshots keep.
    pub fn parts(self) -> (u8, Idx) {
        match self {
            RecordRef::Customer(i) => (0, i),
            RecordRef::Invoice(i) => (1, i),
            RecordRef::Payment(i) => (2, i),
            RecordRef::Grant(i) => (3, i),
            RecordRef::Application(i) => (4, i),
            RecordRef::CreditNote(i) => (5, i),
            RecordRef::Refund(i) => (6, i),
            RecordRef::PaymentVoid(i) => (7, i),
            RecordRef::InvoiceVoid(i) => (8, i),
            RecordRef::Config(i) => (9, i),
            RecordRef::WriteOff(i) => (10, i),
            RecordRef::Expiry(i) => (11, i),
            RecordRef::ExpiredLot(i) => (12, i),
        }
    }

    /// The record from [`RecordRef::parts`]; `None` for an unknown kind.
    pub fn from_parts(kind: u8, i: Idx) -> Option<RecordRef> {
        Some(match kind {
            0 => RecordRef::Customer(i),
            1 => RecordRef::Invoice(i),
            2 => RecordRef::Payment(i),
            3 => RecordRef::Grant(i),
            4 => RecordRef::Application(i),
            5 => RecordRef::CreditNote(i),
            6 => RecordRef::Refund(i),
            7 => RecordRef::PaymentVoid(i),
            8 => RecordRef::InvoiceVoid(i),
            9 => RecordRef::Config(i),
            10 => RecordRef::WriteOff(i),
            11 => RecordRef::Expiry(i),
            12 => RecordRef::ExpiredLot(i),
            _ => return None,
        })
    }
}
