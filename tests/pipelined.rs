//! `Ledger::apply_json_all` (ingest on two threads, native only) answers and stores
//! exactly what `Ledger::apply_json` on each text in turn does, refusals included.
#![cfg(not(target_arch = "wasm32"))]

use tally::Ledger;

/// A generated space with, every few commands, a text that is refused or answered
/// differently: unreadable JSON, an invalid command (plain and as a dry run), a resend
/// of an earlier command (a duplicate), another command under a taken id (a conflict),
/// a dry run of a valid command, and JSON the direct reader leaves to serde_json.
fn texts(customers: usize, commands: usize, seed: u64) -> Vec<String> {
    let generated: Vec<String> = tally::workload::generate(customers, commands, seed)
        .iter()
        .map(|v| v.to_string())
        .collect();
    let mut out = Vec::new();
    for (i, text) in generated.iter().enumerate() {
        out.push(text.clone());
        if i % 37 != 36 {
            continue;
        }
        let earlier = &generated[i / 2];
        out.push(match (i / 37) % 7 {
            0 => format!("{{\"type\": \"add_credit\", \"id\": \"x{i}\""),
            1 => format!(r#"{{"type":"record_payment","id":"bad{i}","customer":"m00001","amount":"-1","method":"card","date":"2026-01-01"}}"#),
            2 => format!(r#"{{"type":"record_payment","id":"bad{i}","dry_run":true,"amount":"12.00"}}"#),
            3 => earlier.clone(),
            4 => earlier.replacen("\"type\"", "\"at\":\"2026-01-01T00:00:00Z\",\"type\"", 1),
            5 => text.replacen('{', "{\"dry_run\":true,", 1),
            _ => format!(r#"{{"type":"create_customer","id":"esc\u00e9{i}","name":"N\u00e4me \"{i}\"","currency":"EUR"}}"#),
        });
        if (i / 37) % 11 == 3 {
            // A different command under a taken id.
            out.push(format!(
                r#"{{"type":"create_customer","id":"m00000","name":"Other {i}","currency":"USD"}}"#
            ));
        }
    }
    out
}

/// Answers as JSON lines, the journal each held before being forgotten, and the
/// snapshot of the ledger at the end.
fn one_thread(texts: &[String]) -> (Vec<String>, Vec<String>, Vec<u8>) {
    let mut ledger = Ledger::new();
    let (mut answers, mut journal) = (Vec::new(), Vec::new());
    for (i, text) in texts.iter().enumerate() {
        let answer = ledger.apply_json(text);
        answers.push(serde_json::to_string(&answer).unwrap());
        if i % 500 == 499 {
            forget(&mut ledger, &mut journal);
        }
    }
    forget(&mut ledger, &mut journal);
    (answers, journal, ledger.snapshot())
}

fn two_threads(texts: &[String]) -> (Vec<String>, Vec<String>, Vec<u8>) {
    let mut ledger = Ledger::new();
    let (mut answers, mut journal) = (Vec::new(), Vec::new());
    ledger.apply_json_all(texts.iter().map(String::as_str), |ledger, answer| {
        answers.push(serde_json::to_string(&answer).unwrap());
        if answers.len() % 500 == 0 {
            for entry in ledger.journal_since(0) {
                journal.push(serde_json::to_string(entry).unwrap());
            }
            ledger.forget_journal_through(ledger.seq());
        }
    });
    forget(&mut ledger, &mut journal);
    (answers, journal, ledger.snapshot())
}

fn forget(ledger: &mut Ledger, journal: &mut Vec<String>) {
    for entry in ledger.journal_since(0) {
        journal.push(serde_json::to_string(entry).unwrap());
    }
    ledger.forget_journal_through(ledger.seq());
}

#[test]
fn two_threads_answer_and_store_what_one_does() {
    let texts = texts(300, 8000, 7);
    let one = one_thread(&texts);
    let two = two_threads(&texts);
    assert_eq!(one.0.len(), texts.len());
    let refused = one.0.iter().filter(|a| a.contains("\"ok\":false")).count();
    let duplicates = one
        .0
        .iter()
        .filter(|a| a.contains("\"duplicate\":true"))
        .count();
    let dry_runs = one
        .0
        .iter()
        .filter(|a| a.contains("\"dry_run\":true"))
        .count();
    assert!(
        refused > 100 && duplicates > 10 && dry_runs > 20,
        "{refused} {duplicates} {dry_runs}"
    );
    for (i, (a, b)) in one.0.iter().zip(&two.0).enumerate() {
        assert_eq!(a, b, "answer {i} to {}", texts[i]);
    }
    assert_eq!(one.0.len(), two.0.len());
    assert_eq!(one.1, two.1, "journals differ");
    assert!(one.2 == two.2, "snapshots differ");
}

#[test]
fn two_threads_take_no_texts_and_a_few() {
    for n in [0, 1, 3] {
        let texts = texts(2, n, 1);
        assert_eq!(one_thread(&texts[..n]), two_threads(&texts[..n]));
    }
}
