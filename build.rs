//! Generates the ISO 4217 minor-units table from the `iso_currency` crate.
//!
//! Only `(code, minor units)` of currencies that are in active use is copied into the
//! build: the crate's names, symbols and country lists would cost wasm size for nothing.
//! Superseded codes (BGN, HRK, ...) and codes without minor units (XAU, XDR, ...) are left
//! out, so an engine never takes new money in them.

use std::{env, fs, path::PathBuf};

use iso_currency::{Currency, IntoEnumIterator};

fn main() {
    let mut rows: Vec<(String, u16)> = Currency::iter()
        .filter(|c| c.is_superseded().is_none() && !c.is_special())
        .filter_map(|c| c.exponent().map(|e| (c.code().to_string(), e)))
        .collect();
    rows.sort();
    let mut out = String::from(
        "/// ISO 4217 codes in active use and their minor units, sorted by code.\n\
         pub(crate) static ISO_4217: &[([u8; 3], u8)] = &[\n",
    );
    for (code, exponent) in rows {
        out.push_str(&format!("    (*b\"{code}\", {exponent}),\n"));
    }
    out.push_str("];\n");
    let path = PathBuf::from(env::var("OUT_DIR").unwrap()).join("iso_4217.rs");
    fs::write(path, out).unwrap();
    println!("cargo:rerun-if-changed=build.rs");
}
