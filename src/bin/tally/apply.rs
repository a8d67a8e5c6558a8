//! `tally apply [--from SNAPSHOT] [--to SNAPSHOT] COMMANDS`: a bulk import. Applies a
//! file of commands (one JSON object a line, blank lines skipped) in order, on two
//! threads (`Ledger::apply_json_all`: one reads and validates, the other applies), prints
//! each answer as one JSON line on standard output, and writes the resulting snapshot.
//! The snapshot is the import's result: the journal is not kept beside it.
//!
//! The file is read a block at a time, never held whole: an import may be larger than
//! the memory the books need. It is read twice: once to check it is UTF-8 throughout
//! (so a bad byte anywhere refuses the import before a command is applied or an answer
//! printed, as when the file was read whole), then to apply it.

use std::fs::File;
use std::io::{Read, Write};
use std::process::ExitCode;

use tally::answer::Answer;
use tally::Ledger;

/// Answer text gathered before it is written out: one write per this many bytes.
const OUT_CHUNK: usize = 1 << 16;

/// Journal entries held before they are forgotten (the snapshot holds their effect).
const JOURNAL_HELD: u64 = 1024;

/// Bytes of the commands file read at a time (a block is cut after its last newline, so
/// a line longer than this only makes the block longer).
const BLOCK: usize = 8 << 20;

/// Reads `file` a block at a time and passes each run of whole lines (the last may lack
/// its newline) to `lines`, as bytes.
fn for_each_block(mut file: impl Read, mut lines: impl FnMut(&[u8])) -> std::io::Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK);
    loop {
        let kept = buf.len();
        buf.resize(kept + BLOCK, 0);
        let read = file.read(&mut buf[kept..])?;
        buf.truncate(kept + read);
        if read == 0 {
            if !buf.is_empty() {
                lines(&buf);
            }
            return Ok(());
        }
        if let Some(last) = buf.iter().rposition(|&b| b == b'\n') {
            lines(&buf[..=last]);
            buf.drain(..=last);
        }
    }
}

/// Checks that the file is UTF-8 throughout, naming the line of the first bad byte.
fn check_utf8(path: &str) -> Result<(), String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let mut line = 1usize;
    let mut bad = None;
    for_each_block(file, |block| {
        if bad.is_some() {
            return;
        }
        if let Err(e) = std::str::from_utf8(block) {
            let before = &block[..e.valid_up_to()];
            bad = Some(line + before.iter().filter(|&&b| b == b'\n').count());
        }
        line += block.iter().filter(|&&b| b == b'\n').count();
    })
    .map_err(|e| e.to_string())?;
    match bad {
        None => Ok(()),
        Some(line) => Err(format!(
            "line {line} is not UTF-8 text; nothing was applied"
        )),
    }
}

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
    if let Err(e) = check_utf8(o.commands) {
        return fail(o.commands, &e);
    }
    let file = match File::open(o.commands) {
        Ok(file) => file,
        Err(e) => return fail(o.commands, &e),
    };

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut pending = Vec::with_capacity(OUT_CHUNK + 4096);
    let mut write_error = None;
    let (mut accepted, mut refused) = (0usize, 0usize);
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
    let mut changed = false;
    let read = for_each_block(file, |block| {
        // Checked UTF-8 by the first pass, and cut only after a newline (never inside a
        // character); text that is not UTF-8 now was written to the file since.
        let Ok(block) = std::str::from_utf8(block) else {
            changed = true;
            return;
        };
        if changed {
            return;
        }
        let texts = block.lines().filter(|line| !line.trim().is_empty());
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
    });
    // A file that can no longer be read, or changed between the two passes: no snapshot.
    if let Err(e) = read {
        return fail(o.commands, &e);
    }
    if changed {
        return fail(
            o.commands,
            &"changed while it was read; no snapshot written",
        );
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
