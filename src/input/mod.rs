//! Reading commands and queries: `raw` reads any object shape from any serde format,
//! `fields` gives typed access with clear errors, `command` builds typed commands;
//! `json` reads the plain JSON most commands are without serde (native and bulk only).

pub mod command;
pub mod fields;
pub mod ids;
pub mod json;
pub mod raw;
