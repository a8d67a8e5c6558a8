//! `tally apply [--from SNAPSHOT] [--to SNAPSHOT] COMMANDS`: a bulk import. Applies a
//! file of commands (one JSON object a line, blank lines skipped) in order, on two
//! threads (`Ledger::apply_json_all`: one reads and validates, the other applies), prints
//! each answer as one JSON line on standard output, and writes the resulting snapshot.
//! The snapshot is the import's result: the journal is not kept beside it.

use std::io::Write;
use std::process::ExitCode;

use tally::answer::Answer;
use tally::Ledger;

/// Answer text gathered before it is written out: one write per this many bytes.
const OUT_CHUNK: usize = 1 << 16;

/// Journal entries held before they are forgotten (the snapshot holds their effect).
const JOURNAL_HELD: u64 = 1024;

struct Options<'a> {
    from: Option<&'a str>,
    to: Option<&'a str>,
    commands: &'a str,
}

fn options(args: &[String]) -> Option<Options<'_>> {
    let mut from = None;
    let mut to = None;
    let mut commands = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--from" if from.is_none() => from = Some(args.next()?.as_str()),
            "--to" if to.is_none() => to = Some(args.next()?.as_str()),
            flag if flag.starts_with("--") => return None,
            path if commands.is_none() => commands = Some(path),
            _ => return None,
        }
    }
    Some(Options {
        from,
        to,
        commands: commands?,
    })
}

pub fn run(args: &[String]) -> ExitCode {
    let Some(o) = options(args) else {
        eprintln!("usage: tally apply [--from SNAPSHOT] [--to SNAPSHOT] COMMANDS.jsonl");
        return ExitCode::from(2);
    };
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        eprintln!("tally apply: {what}: {e}");
        ExitCode::from(2)
    };
    let mut ledger = match o.from {
        None => Ledger::new(),
        Some(path) => match std::fs::read(path).map_err(|e| e.to_string()) {
            Ok(bytes) => match Ledger::restore(&bytes) {
                Ok(ledger) => ledger,
                Err(e) => return fail(path, &e),
            },
            Err(e) => return fail(path, &e),
        },
    };
    let text = match std::fs::read_to_string(o.commands) {
        Ok(text) => text,
        Err(e) => return fail(o.commands, &e),
    };

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut pending = Vec::with_capacity(OUT_CHUNK + 4096);
    let mut write_error = None;
    let (mut accepted, mut refused) = (0usize, 0usize);
    let texts = text.lines().filter(|line| !line.trim().is_empty());
    // Takes each answer with the seq it leaves the ledger at; true: forget the journal
    // through it (its entries are in the answers printed, and the snapshot keeps state).
    let mut answered = |answer: Answer, seq: u64| {
        match answer.is_ok() {
            true => accepted += 1,
            false => refused += 1,
        }
        tally::answer::write_json(&answer, &mut pending);
        pending.push(b'\n');
        if pending.len() >= OUT_CHUNK {
            if write_error.is_none() {
                write_error = out.write_all(&pending).err();
            }
            pending.clear();
        }
        seq % JOURNAL_HELD == 0
    };
    #[cfg(not(target_arch = "wasm32"))]
    ledger.apply_json_all(texts, |ledger, answer| {
        let seq = ledger.seq();
        if answered(answer, seq) {
            ledger.forget_journal_through(seq);
        }
    });
    // wasm32 (built only because `cargo test --target wasm32-unknown-unknown` builds
    // every binary) has no threads: one text at a time, the same answers.
    #[cfg(target_arch = "wasm32")]
    for text in texts {
        let answer = ledger.apply_json(text);
        let seq = ledger.seq();
        if answered(answer, seq) {
            ledger.forget_journal_through(seq);
        }
    }
    if write_error.is_none() {
        write_error = out.write_all(&pending).and_then(|()| out.flush()).err();
    }
    // Answers that didn't reach their reader: say so, and write no snapshot of books
    // whose answers were lost.
    if let Some(e) = write_error {
        return fail("standard output", &e);
    }

    let mut summary = format!("{accepted} accepted, {refused} refused");
    if let Some(path) = o.to {
        let bytes = ledger.snapshot();
        // Written beside it and renamed: an older snapshot at `path` is never left half
        // overwritten.
        let partial = format!("{path}.partial");
        if let Err(e) =
            std::fs::write(&partial, &bytes).and_then(|()| std::fs::rename(&partial, path))
        {
            return fail(path, &e);
        }
        summary += &format!(
            "; snapshot of seq {} written to {path} ({} bytes)",
            ledger.seq(),
            bytes.len()
        );
    }
    eprintln!("tally apply: {summary}");
    match refused {
        0 => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
