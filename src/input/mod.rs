//! Reading commands and queries: `raw` reads any object shape from any serde format,
//! `fields` gives typed access with clear errors, `command` builds typed commands.

pub mod command;
pub mod fields;
pub mod ids;
pub mod raw;
