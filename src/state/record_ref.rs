//! How records are addressed: a table index, and which table. Its own module so the
//! books (`book`) and the records (`records`) both use it without depending on each
//! other's contents in a cycle.

use serde::{Deserialize, Serialize};

/// Index of a record in its table.
pub type Idx = u32;

/// An optional index in 4 bytes, where `Option<Idx>` takes 8: `u32::MAX` is none (no
/// table reaches that many records; a snapshot naming it is refused).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaybeIdx(u32);

impl MaybeIdx {
    /// No index.
    pub const NONE: MaybeIdx = MaybeIdx(u32::MAX);

    /// `Some(i)` as a `MaybeIdx`; `None` for the one index it can't hold.
    pub fn of(i: Option<Idx>) -> Option<MaybeIdx> {
        match i {
            None => Some(MaybeIdx::NONE),
            Some(u32::MAX) => None,
            Some(i) => Some(MaybeIdx(i)),
        }
    }

    /// A record's index (below `u32::MAX`, as every table index is).
    pub fn some(i: Idx) -> MaybeIdx {
        MaybeIdx(i)
    }

    /// Whether there is an index.
    pub fn is_some(self) -> bool {
        self != MaybeIdx::NONE
    }

    /// The index, if any.
    pub fn get(self) -> Option<Idx> {
        (self != MaybeIdx::NONE).then_some(self.0)
    }
}

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
