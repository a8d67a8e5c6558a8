//! `tally apply` (the bulk import on two threads) prints, line for line, the answers
//! `Ledger::apply_json` gives each command in turn, writes the snapshot of the same
//! state, continues from a snapshot given with `--from`, and refuses bad arguments and
//! unreadable snapshots without writing anything.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::{Command, Output};

use tally::Ledger;

fn tally(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(args)
        .output()
        .expect("the tally binary runs")
}

/// A folder of its own for each test, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tally-cli-apply-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `tally apply --to DIR/out.snapshot DIR/commands.jsonl` on a file of these bytes: its
/// output, and where the snapshot goes.
fn apply_file(dir: &std::path::Path, bytes: &[u8]) -> (Output, PathBuf) {
    let file = dir.join("commands.jsonl");
    std::fs::write(&file, bytes).unwrap();
    let snapshot = dir.join("out.snapshot");
    let run = tally(&[
        "apply",
        "--to",
        snapshot.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    (run, snapshot)
}

/// Generated commands with a refused one and a blank line among them.
fn commands(count: usize, seed: u64) -> Vec<String> {
    let mut texts: Vec<String> = tally::workload::generate(40, count, seed)
        .iter()
        .map(|v| v.to_string())
        .collect();
    texts.insert(count / 2, r#"{"type":"record_payment","id":"bad","customer":"nobody","amount":"1.00","method":"card","date":"2026-01-01"}"#.into());
    texts
}

/// The answers' lines, and how many were refusals.
fn expected_answers(ledger: &mut Ledger, texts: &[String]) -> (String, usize) {
    let mut out = String::new();
    let mut refused = 0;
    for text in texts {
        let answer = ledger.apply_json(text);
        refused += usize::from(!answer.is_ok());
        out += &serde_json::to_string(&answer).unwrap();
        out.push('\n');
    }
    (out, refused)
}

#[test]
fn applies_a_file_as_one_command_at_a_time_would_and_writes_the_snapshot() {
    let dir = scratch("whole");
    let texts = commands(3_000, 7);
    // A blank line is skipped, not answered.
    let (run, snapshot) = apply_file(&dir, format!("{}\n\n", texts.join("\n")).as_bytes());

    let mut one_by_one = Ledger::new();
    let (expected, refused) = expected_answers(&mut one_by_one, &texts);
    assert_eq!(String::from_utf8(run.stdout).unwrap(), expected);
    // Some commands were refused (the one put in, at least): the exit code says so.
    assert!(refused >= 1);
    let said = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{said}");
    let counts = format!("{} accepted, {refused} refused", texts.len() - refused);
    assert!(said.contains(&counts), "{said}");
    let written = std::fs::read(&snapshot).unwrap();
    assert_eq!(written, one_by_one.snapshot());
    assert!(!dir.join("out.snapshot.partial").exists());
}

#[test]
fn continues_from_a_snapshot() {
    let dir = scratch("from");
    let texts = commands(2_000, 11);
    let (first, rest) = texts.split_at(900);
    let mut one_by_one = Ledger::new();
    expected_answers(&mut one_by_one, first);
    let start = dir.join("start.snapshot");
    std::fs::write(&start, one_by_one.snapshot()).unwrap();
    let file = dir.join("rest.jsonl");
    std::fs::write(&file, rest.join("\n")).unwrap();
    let end = dir.join("end.snapshot");

    let run = tally(&[
        "apply",
        "--from",
        start.to_str().unwrap(),
        "--to",
        end.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);

    let (expected, _) = expected_answers(&mut one_by_one, rest);
    assert_eq!(String::from_utf8(run.stdout).unwrap(), expected);
    assert_eq!(std::fs::read(&end).unwrap(), one_by_one.snapshot());
}

#[test]
fn bad_arguments_and_unreadable_snapshots_write_nothing() {
    let dir = scratch("bad");
    let file = dir.join("commands.jsonl");
    std::fs::write(&file, commands(50, 3).join("\n")).unwrap();
    let to = dir.join("out.snapshot");
    let damaged = dir.join("damaged.snapshot");
    std::fs::write(&damaged, b"not a snapshot").unwrap();
    let (file, to_path) = (file.to_str().unwrap(), to.to_str().unwrap());

    for (args, names) in [
        (vec!["apply"], "usage"),
        (vec!["apply", "--colour", file], "usage"),
        (vec!["apply", "--to", to_path, file, file], "usage"),
        (
            vec!["apply", "--to", to_path, "/nonexistent/commands.jsonl"],
            "/nonexistent/commands.jsonl",
        ),
        (
            vec![
                "apply",
                "--from",
                damaged.to_str().unwrap(),
                "--to",
                to_path,
                file,
            ],
            "damaged.snapshot",
        ),
    ] {
        let run = tally(&args);
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        assert!(run.stdout.is_empty(), "{args:?}");
        let said = String::from_utf8_lossy(&run.stderr);
        assert!(said.contains(names), "{args:?}: {said}");
        assert!(!to.exists(), "{args:?} wrote a snapshot");
    }
}

/// `tally apply` reads its file 8 MiB at a time (src/bin/tally/apply.rs `BLOCK`).
const APPLY_BLOCK: usize = 8 << 20;

#[test]
fn a_file_bigger_than_a_block_is_read_in_blocks_and_answered_as_one() {
    let dir = scratch("blocks");
    let texts = commands(36_000, 11);
    let text = texts.join("\n");
    assert!(
        text.len() > APPLY_BLOCK,
        "the file crosses a block's end ({} bytes)",
        text.len()
    );
    // No newline at the end: the last line is still a command.
    let (run, snapshot) = apply_file(&dir, text.as_bytes());

    let mut one_by_one = Ledger::new();
    let (expected, _) = expected_answers(&mut one_by_one, &texts);
    assert_eq!(String::from_utf8(run.stdout).unwrap(), expected);
    assert_eq!(std::fs::read(&snapshot).unwrap(), one_by_one.snapshot());
}

#[test]
fn a_file_that_is_not_utf8_is_refused_by_line_before_anything_is_applied() {
    let dir = scratch("utf8");
    let mut bytes = commands(10, 5).join("\n").into_bytes();
    // Line 5 ends in a byte that UTF-8 never has.
    let fifth = bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(4)
        .map(|(i, _)| i)
        .unwrap();
    bytes.insert(fifth, 0xFF);
    let (run, snapshot) = apply_file(&dir, &bytes);

    let said = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{said}");
    assert!(said.contains("line 5 is not UTF-8"), "{said}");
    assert!(run.stdout.is_empty(), "no answer printed");
    assert!(!snapshot.exists());
}
