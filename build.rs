//! Generates the ISO 4217 minor-units table from the `iso_currency` crate.
//!
//! Only `(code, minor units)` of currencies that are in active use is copied into the
//! build: the crate's names, symbols and country lists would cost wasm size for nothing.
//! Superseded codes (BGN, HRK, ...) and codes without minor units (XAU, XDR, ...) are left
//! out, so an engine never takes new money in them.
//!
//! Also sets `cfg(fast_paths)` for the builds that aren't the shipped wasm module (below).

use std::{env, fs, path::PathBuf};

use iso_currency::{Currency, IntoEnumIterator};

/// Codes the crate marks superseded that ISO 4217's current list still holds: VES (928),
/// the bolívar soberano in circulation, listed beside VED (926) since amendment 170.
const STILL_LISTED: [&str; 1] = ["VES"];

fn main() {
    let mut rows: Vec<(String, u16)> = Currency::iter()
        .filter(|c| c.is_superseded().is_none() || STILL_LISTED.contains(&c.code()))
        .filter(|c| !c.is_special())
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
    // `cfg(fast_paths)`: code for speed (or for older snapshots) that the shipped wasm
    // module leaves out to keep within its size budget: on natively and in the bulk
    // module (feature `bulk`), off in the shipped module. One name for what would
    // otherwise be `any(feature = "bulk", not(target_arch = "wasm32"))` at every use.
    println!("cargo::rustc-check-cfg=cfg(fast_paths)");
    let bulk = env::var_os("CARGO_FEATURE_BULK").is_some();
    if bulk || env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("wasm32") {
        println!("cargo::rustc-cfg=fast_paths");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
