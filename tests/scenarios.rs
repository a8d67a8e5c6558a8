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

/// Every command of every scenario, bad ones included, answers the same given as JSON
/// text (`apply_json`, which reads plain JSON without serde natively) as given as a
/// value (`apply_from`, through serde): the same answer, byte for byte, at every step.
#[test]
fn json_text_answers_as_the_value_does() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let folders = [
        root.join("../shared/scenarios"),
        root.join("tests/scenarios"),
    ];
    let files = tally::scenario::collect_files(&folders).unwrap();
    let mut commands = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let scenario: serde_json::Value = serde_json::from_str(&text).unwrap();
        let steps = scenario["steps"].as_array().cloned().unwrap_or_default();
        let (mut by_value, mut by_text) = (tally::Ledger::new(), tally::Ledger::new());
        for (i, step) in steps.iter().enumerate() {
            let Some(command) = step.get("command") else {
                continue;
            };
            commands += 1;
            let expected = serde_json::to_string(&by_value.apply_from(command)).unwrap();
            for text in [
                command.to_string(),
                serde_json::to_string_pretty(command).unwrap(),
            ] {
                let mut ledger = by_text.clone();
                let got = serde_json::to_string(&ledger.apply_json(&text)).unwrap();
                assert_eq!(got, expected, "{} step {}", file.display(), i + 1);
            }
            by_text.apply_json(&command.to_string());
        }
    }
    assert!(commands > 100, "{commands} commands");
}
