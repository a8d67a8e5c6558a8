//! Tally: a ledger and credit engine for coworking and flexible-workspace operators.
//!
//! The engine is a pure state machine: [`Ledger::execute`] takes a command and answers
//! what it did (or why it was refused, changing nothing); [`Ledger::query`] answers
//! questions. The commands, queries, errors and money rules are those of the contract
//! (`shared/contract.md`); `docs/` and the README explain the model.
//!
//! Layout: `input` reads and validates, `commands` (private) plan and commit, `state`
//! holds records and books, `queries` answer, `answer` shapes results, `snapshot` saves
//! and restores, `wasm` is the browser binding. The scenario runner (`scenario`) and the
//! benchmark workload (`workload`) are tools around the engine, behind the `tools`
//! feature (on by default; the `tally` binary requires it).

pub mod answer;
mod commands;
pub mod date;
pub mod domain;
pub mod error;
pub mod export;
pub mod input;
mod invoice_math;
pub mod journal;
pub mod ledger;
pub mod limits;
pub mod money;
pub mod parts;
pub mod queries;
#[cfg(feature = "tools")]
pub mod scenario;
pub mod snapshot;
mod sort;
pub mod stable_hash;
pub mod state;
pub mod text;
#[cfg(feature = "tools")]
pub mod workload;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
#[cfg(target_arch = "wasm32")]
mod wasm_alloc;
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
pub mod wasm_bench;

pub use answer::Answer;
pub use error::{Error, ErrorCode};
pub use input::command::Command;
pub use journal::JournalEntry;
pub use ledger::Ledger;
pub use queries::Query;
pub use snapshot::SnapshotPiece;
pub use text::Text;
