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
