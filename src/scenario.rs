//! Scenario files (format in the contract): drive a fresh ledger step by step and check
//! each answer against the step's `expect` or `expect_error`.

#![warn(missing_docs)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::ledger::Ledger;

/// The outcome of one scenario.
#[derive(Debug)]
pub struct Outcome {
    /// The scenario's `name` (or the file's path when it could not be read).
    pub name: String,
    /// `None` when every step held; otherwise what went wrong, for a person to read.
    pub failure: Option<String>,
}

/// Runs one scenario given as parsed JSON.
pub fn run(scenario: &Value) -> Outcome {
    let name = scenario
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("(unnamed scenario)")
        .to_string();
    let mut answers = Vec::new();
    let failure = run_steps(scenario, &mut answers).err();
    Outcome { name, failure }
}

/// Every step's answer, in order, up to the first failing step (included): what the
/// wasm build must answer too, step for step.
pub fn answers(scenario: &Value) -> Vec<Value> {
    let mut answers = Vec::new();
    let _ = run_steps(scenario, &mut answers);
    answers
}

fn run_steps(scenario: &Value, answers: &mut Vec<Value>) -> Result<(), String> {
    let steps = scenario
        .get("steps")
        .and_then(Value::as_array)
        .ok_or("the scenario has no \"steps\" array")?;
    let mut ledger = Ledger::new();
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        let answer = match (step.get("command"), step.get("query")) {
            (Some(c), None) => ledger.apply_from(c),
            (None, Some(q)) => ledger.query_from(q),
            _ => {
                return Err(format!(
                    "step {n}: needs exactly one of \"command\" or \"query\""
                ))
            }
        };
        let got = serde_json::to_value(&answer).map_err(|e| format!("step {n}: {e}"))?;
        answers.push(got.clone());
        check_step(step, &got).map_err(|why| format!("step {n}: {why}\n    answer: {got}"))?;
    }
    Ok(())
}

/// Checks one step's answer against its `expect` / `expect_error`. Without either, the
/// step must simply be accepted.
pub fn check_step(step: &Value, got: &Value) -> Result<(), String> {
    let ok = got.get("ok") == Some(&Value::Bool(true));
    if let Some(want) = step.get("expect_error") {
        // A code, or an object matched (fields it names, recursively) against `error`.
        let got_error = got.get("error").filter(|_| !ok);
        let Some(error) = got_error else {
            return Err(format!("expected error {want}, got success"));
        };
        let held = match want {
            Value::Object(_) => matches(want, error, ".error"),
            code if error.get("code") == Some(code) => Ok(()),
            _ => Err(String::new()),
        };
        return held.map_err(|why| {
            let code = error.get("code").unwrap_or(&Value::Null);
            if why.is_empty() {
                format!("expected error {want}, got error {code}")
            } else {
                format!("expected error {want}, got error {code}: {why}")
            }
        });
    }
    if !ok {
        return Err(format!(
            "expected success, got error {}",
            got.get("error").unwrap_or(&Value::Null)
        ));
    }
    match step.get("expect") {
        Some(expect) => matches(expect, got, "").map_err(|why| format!("expected {expect}: {why}")),
        None => Ok(()),
    }
}

/// Objects match field by field (only the expected fields), arrays element by element
/// with the same length, scalars exactly.
pub fn matches(expect: &Value, got: &Value, path: &str) -> Result<(), String> {
    match (expect, got) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, value) in want {
                let here = format!("{path}.{key}");
                match have.get(key) {
                    Some(actual) => matches(value, actual, &here)?,
                    None => return Err(format!("{here} is missing")),
                }
            }
            Ok(())
        }
        (Value::Array(want), Value::Array(have)) => {
            if want.len() != have.len() {
                return Err(format!(
                    "{path} has {} elements, expected {}",
                    have.len(),
                    want.len()
                ));
            }
            for (i, (w, h)) in want.iter().zip(have).enumerate() {
                matches(w, h, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        _ if expect == got => Ok(()),
        _ => Err(format!(
            "{} is {got}, expected {expect}",
            if path.is_empty() { "the answer" } else { path }
        )),
    }
}

/// Every `.json` file under the given files and folders, sorted, deduplicated.
pub fn collect_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
        } else {
            collect(path, &mut files)?;
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            collect(&entry?.path(), files)?;
        }
    } else if path.is_file() {
        if path.extension().is_some_and(|e| e == "json") {
            files.push(path.to_path_buf());
        }
    } else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} does not exist", path.display()),
        ));
    }
    Ok(())
}

/// Runs scenario files and prints one line per scenario (and why a failure failed),
/// ending with `N passed, M failed`. Returns the number failed.
pub fn check_files(files: &[PathBuf], out: &mut String) -> usize {
    let (mut passed, mut failed) = (0, 0);
    for file in files {
        let outcome = match std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()))
        {
            Ok(scenario) => run(&scenario),
            Err(e) => Outcome {
                name: file.display().to_string(),
                failure: Some(format!("can't read the file: {e}")),
            },
        };
        match &outcome.failure {
            None => {
                passed += 1;
                let _ = writeln!(out, "ok    {} ({})", outcome.name, file.display());
            }
            Some(why) => {
                failed += 1;
                let _ = writeln!(out, "FAIL  {} ({})\n  {why}", outcome.name, file.display());
            }
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    failed
}

#[cfg(test)]
mod tests {
    use super::check_step;
    use serde_json::json;

    fn refusal() -> serde_json::Value {
        json!({ "ok": false, "error": { "code": "insufficient_credit", "message": "m",
            "field": "amount", "details": { "available": { "amount": "6.00", "currency": "USD" } } } })
    }

    #[test]
    fn expect_error_as_a_code() {
        assert!(check_step(
            &json!({ "expect_error": "insufficient_credit" }),
            &refusal()
        )
        .is_ok());
        assert!(check_step(&json!({ "expect_error": "conflict" }), &refusal()).is_err());
        assert!(check_step(
            &json!({ "expect_error": "conflict" }),
            &json!({ "ok": true })
        )
        .is_err());
    }

    #[test]
    fn expect_error_as_an_object_matches_the_fields_it_names() {
        let step = |e: serde_json::Value| json!({ "expect_error": e });
        let held = |e| check_step(&step(e), &refusal());
        assert!(held(json!({ "code": "insufficient_credit", "field": "amount" })).is_ok());
        assert!(held(json!({ "details": { "available": { "amount": "6.00" } } })).is_ok());
        let why = held(json!({ "details": { "available": { "amount": "7.00" } } })).unwrap_err();
        assert!(why.contains(".error.details.available.amount"), "{why}");
        assert!(held(json!({ "field": null })).is_err());
        assert!(check_step(&step(json!({ "code": "x" })), &json!({ "ok": true })).is_err());
    }
}
