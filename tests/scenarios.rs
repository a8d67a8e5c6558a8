#![cfg(not(target_arch = "wasm32"))]
//! Every scenario in `../shared/scenarios/` (the contract's examples) and in
//! `tests/scenarios/` (ours, one or more per rule) must pass.

use std::path::PathBuf;

fn run_folder(folder: PathBuf) {
    assert!(folder.is_dir(), "{} is missing", folder.display());
    let files = tally::scenario::collect_files(std::slice::from_ref(&folder)).unwrap();
    assert!(!files.is_empty(), "no scenarios in {}", folder.display());
    let mut out = String::new();
    let failed = tally::scenario::check_files(&files, &mut out);
    println!("{out}");
    assert_eq!(
        failed,
        0,
        "scenarios failed in {}:\n{out}",
        folder.display()
    );
}

#[test]
fn shared_contract_scenarios_pass() {
    run_folder(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/scenarios"));
}

#[test]
fn project_scenarios_pass() {
    run_folder(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios"));
}
