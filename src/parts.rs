//! Pieces of answers shared by command answers (`answer`) and query answers
//! (`queries`), in a module of their own so neither depends on the other for them.

#![warn(missing_docs)]

use serde::Serialize;

use crate::money::Money;
use crate::text::Text;

/// Part of a payment that settled one invoice (or, in a payment void, the part that
/// invoice owes again).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Allocation {
    /// The invoice's id.
    pub invoice: Text,
    /// How much of its amount due that part covers.
    pub amount: Money,
}

/// Credit given back to (or taken from) one credit lot, named by the record that made
/// the lot: a payment (its unallocated part), an `add_credit` or a credit note.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CreditPart {
    /// The id of the payment, credit or credit note whose credit it is.
    pub credit: Text,
    /// How much.
    pub amount: Money,
}
