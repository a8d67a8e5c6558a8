//! The native benchmark (`tally bench`): ingest of a generated space from JSON against
//! the bare JSON parse, snapshot size / write / restore, and preview and balance latency
//! for the customer with the longest history. It prints figures; nothing fails on them.

#![warn(missing_docs)]

use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde::de::IgnoredAny;
use serde_json::{json, Value};

use crate::answer::Answer;
use crate::input::raw::RawMap;
use crate::{Command, Ledger, Query};

struct Options {
    customers: usize,
    commands: usize,
    seed: u64,
    json_out: Option<String>,
    /// Where to write the snapshot's bytes (to measure what gzip makes of them).
    snapshot_out: Option<String>,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        customers: 5000,
        commands: 1_000_000,
        seed: 42,
        json_out: None,
        snapshot_out: None,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--customers" => {
                o.customers = value()?.parse().map_err(|e| format!("--customers: {e}"))?
            }
            "--commands" => {
                o.commands = value()?.parse().map_err(|e| format!("--commands: {e}"))?
            }
            "--seed" => o.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--json" => o.json_out = Some(value()?.clone()),
            "--snapshot" => o.snapshot_out = Some(value()?.clone()),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(o)
}

/// `tally bench [--customers N] [--commands N] [--seed N] [--json PATH] [--snapshot
/// PATH]`: runs the benchmark, prints a table, and writes the figures as JSON (and the
/// snapshot's bytes) to PATH if asked. Exit
/// code 2 for bad options. `counts` reads what the program's allocator counts (the `tally`
/// binary counts in its global allocator), for the engine's memory and allocations.
pub fn run_cli(args: &[String], counts: AllocatorCounts) -> ExitCode {
    let o = match parse_options(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("tally bench: {e}\nusage: tally bench [--customers N] [--commands N] [--seed N] [--json PATH]");
            return ExitCode::from(2);
        }
    };
    let report = run(&o, counts);
    println!("{}", render_table(&report));
    if let Some(path) = &o.json_out {
        if let Err(e) = std::fs::write(
            path,
            serde_json::to_string_pretty(&report).unwrap_or_default(),
        ) {
            eprintln!("tally bench: can't write {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// What the program's global allocator counts, read by the benchmark.
#[derive(Clone, Copy)]
pub struct AllocatorCounts {
    /// The bytes held now.
    pub live_bytes: fn() -> usize,
    /// The calls to allocate or reallocate so far.
    pub calls: fn() -> u64,
}

/// `tally bench-restore PATH [RUNS]`: restores the snapshot at PATH `RUNS` times (3 by
/// default) and prints each time with the minor page faults it took, the first (cold:
/// the process's fresh pages) beside the fastest, the memory the restored ledger holds
/// and the process's peak resident memory: restore alone, without generating and
/// ingesting a space first.
pub fn restore_cli(args: &[String], live_bytes: fn() -> usize) -> ExitCode {
    let usage = "usage: tally bench-restore PATH [RUNS]";
    let (path, runs) = match args {
        [path] => (path, 3),
        [path, runs] => match runs.parse::<usize>() {
            Ok(n) if n > 0 => (path, n),
            _ => {
                eprintln!("tally bench-restore: RUNS must be a positive number\n{usage}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("tally bench-restore: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut best = Duration::MAX;
    let mut first = None;
    for run in 1..=runs {
        let before = live_bytes();
        let faults = minor_faults();
        let t = Instant::now();
        let ledger = match Ledger::restore(&bytes) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("tally bench-restore: {path}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let took = t.elapsed();
        let faults = minor_faults()
            .zip(faults)
            .map(|(after, before)| after - before);
        best = best.min(took);
        first.get_or_insert((took, faults));
        let held = live_bytes().saturating_sub(before);
        println!(
            "run {run}: restore {:.1} ms, {} minor page faults, {} commands, engine memory {:.1} MB",
            took.as_secs_f64() * 1e3,
            counted(faults),
            ledger.state().seq,
            held as f64 / 1e6
        );
        drop(ledger);
    }
    let (first, first_faults) = first.unwrap_or_default();
    println!(
        "snapshot {:.1} MB: restore first (cold) {:.1} ms ({} minor page faults), min of {runs} {:.1} ms; peak resident {}",
        bytes.len() as f64 / 1e6,
        first.as_secs_f64() * 1e3,
        counted(first_faults),
        best.as_secs_f64() * 1e3,
        peak_resident().map_or("unknown".into(), |kb| format!("{:.1} MB", kb as f64 / 1e3)),
    );
    ExitCode::SUCCESS
}

/// A count, or "unknown" where the system doesn't say.
fn counted(n: Option<u64>) -> String {
    n.map_or("unknown".into(), |n| n.to_string())
}

/// The process's minor page faults so far (Linux's `/proc/self/stat`, field 10), where
/// the system says: the fresh pages a restore touches.
fn minor_faults() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(7)?.parse().ok()
}

/// The process's peak resident memory in kB (Linux's `/proc/self/status`, `VmHWM`).
fn peak_resident() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Median and 99th percentile of per-call times, in microseconds.
pub fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort_unstable();
    let at =
        |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e6;
    (at(0.5), at(0.99))
}

fn time_calls(n: usize, mut f: impl FnMut()) -> (f64, f64) {
    let samples = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    percentiles(samples)
}

/// A preview draft of `lines` lines for `customer`.
pub fn preview_query(customer: &str, lines: usize) -> Value {
    let lines: Vec<Value> = (0..lines)
        .map(|i| json!({"description": format!("Line {i}"), "quantity": "2", "unit_price": "49.99", "tax_rate": "0.20", "discount_rate": "0.05"}))
        .collect();
    json!({"type": "preview_invoice", "customer": customer, "date": "2030-01-01", "lines": lines})
}

/// The customer with the most statement entries.
pub fn longest_history(ledger: &Ledger) -> String {
    ledger
        .state()
        .customers
        .iter()
        .max_by_key(|c| c.books.iter().map(|b| b.entries.len()).sum::<usize>())
        .map(|c| c.id.clone())
        .unwrap_or_default()
}

/// Applies each command as JSON text, as the browser store does: every 1,000 commands
/// the journal is read (as if stored) and forgotten, since it lives in storage, not
/// memory. `answered` sees each answer. Answers the ledger and how many were refused.
/// Out of line so a profiler can select it (examples/ingest_profile.rs).
#[inline(never)]
pub fn ingest(commands: &[String], mut answered: impl FnMut(&Answer)) -> (Ledger, usize) {
    let mut ledger = Ledger::new();
    let mut refused = 0usize;
    for (i, c) in commands.iter().enumerate() {
        let answer = ledger.apply_json(c);
        if !answer.is_ok() {
            refused += 1;
        }
        answered(&answer);
        if i % 1000 == 999 {
            std::hint::black_box(ledger.journal_since(0).len());
            ledger.forget_journal_through(ledger.seq());
        }
    }
    (ledger, refused)
}

/// `ingest` on two threads ([`Ledger::apply_json_all`]): the same answers to
/// `answered`, the same journal forgetting. Also answers the CPU time the reading
/// thread spent, where Linux tells it.
#[cfg(not(target_arch = "wasm32"))]
#[inline(never)]
pub fn ingest_two_threads(
    commands: &[String],
    mut answered: impl FnMut(&Answer),
) -> (Ledger, usize, Option<f64>) {
    let mut ledger = Ledger::new();
    let mut refused = 0usize;
    let mut applied = 0usize;
    let mut reader_cpu = None;
    let texts = CpuTimed {
        texts: commands.iter(),
        started: None,
        spent: &mut reader_cpu,
    };
    ledger.apply_json_all(texts, |ledger, answer| {
        if !answer.is_ok() {
            refused += 1;
        }
        answered(&answer);
        if applied % 1000 == 999 {
            std::hint::black_box(ledger.journal_since(0).len());
            ledger.forget_journal_through(ledger.seq());
        }
        applied += 1;
    });
    (ledger, refused, reader_cpu)
}

/// The texts as the reading thread takes them, noting the CPU time that thread spent
/// from the first to the last.
#[cfg(not(target_arch = "wasm32"))]
struct CpuTimed<'a, I> {
    texts: I,
    started: Option<Option<f64>>,
    spent: &'a mut Option<f64>,
}

#[cfg(not(target_arch = "wasm32"))]
impl<'a, I: Iterator<Item = &'a String>> Iterator for CpuTimed<'_, I> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let started = *self.started.get_or_insert_with(thread_cpu_seconds);
        let next = self.texts.next();
        if next.is_none() && self.spent.is_none() {
            *self.spent = started.zip(thread_cpu_seconds()).map(|(a, b)| b - a);
        }
        next.map(String::as_str)
    }
}

/// This thread's CPU time in seconds, where Linux tells it.
pub fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanos / 1e9)
}

fn run(o: &Options, counts: AllocatorCounts) -> Value {
    let live_bytes = counts.live_bytes;
    eprintln!(
        "generating {} commands for {} customers...",
        o.commands, o.customers
    );
    let commands: Vec<String> = super::generate(o.customers, o.commands, o.seed)
        .iter()
        .map(Value::to_string)
        .collect();
    let n = commands.len();
    let bytes: usize = commands.iter().map(String::len).sum();

    let t = Instant::now();
    for c in &commands {
        let _: IgnoredAny = serde_json::from_str(c).expect("generated JSON");
    }
    let parse_only = t.elapsed();

    let (t, calls) = (Instant::now(), (counts.calls)());
    for c in &commands {
        // Read as `Ledger::apply_json` reads: directly where the JSON is plain.
        #[cfg(fast_paths)]
        let plain = crate::input::json::read_object(c);
        #[cfg(not(fast_paths))]
        let plain = None;
        let raw = match plain {
            Some(raw) => raw,
            None => {
                RawMap::read(&mut serde_json::Deserializer::from_str(c)).expect("generated JSON")
            }
        };
        let _ = Command::from_raw(raw);
    }
    let parse_validate = t.elapsed();
    let parse_validate_calls = (counts.calls)() - calls;

    // Apply alone, on commands validated beforehand: where ingest time goes.
    let parsed: Vec<Command> = commands
        .iter()
        .filter_map(|c| {
            crate::ledger::read_command(&mut serde_json::Deserializer::from_str(c)).ok()
        })
        .collect();
    let mut apply_ledger = Ledger::new();
    let (t, calls) = (Instant::now(), (counts.calls)());
    for (i, c) in parsed.into_iter().enumerate() {
        std::hint::black_box(apply_ledger.execute(c));
        if i % 1000 == 999 {
            apply_ledger.forget_journal_through(apply_ledger.seq());
        }
    }
    let apply_only = t.elapsed();
    let apply_only_calls = (counts.calls)() - calls;
    drop(apply_ledger);

    // The same, with each answer written as JSON text into a reused buffer, as the wasm
    // batch door answers (what the browser benchmark's wasm/native ratio compares with,
    // work for work).
    let mut text = Vec::new();
    let (t, calls) = (Instant::now(), (counts.calls)());
    drop(ingest(&commands, |answer| {
        text.clear();
        crate::answer::write_json(answer, &mut text);
        std::hint::black_box(&text);
    }));
    let ingest_text = t.elapsed();
    let ingest_text_calls = (counts.calls)() - calls;

    // The same on two threads: read and validated on one, applied on this one (with
    // the CPU time of each, since a second core busy elsewhere slows the wall time).
    #[cfg(not(target_arch = "wasm32"))]
    let (ingest_two, refused_two, reader_cpu, apply_cpu) = {
        let (t, apply_cpu) = (Instant::now(), thread_cpu_seconds());
        let (ledger_two, refused_two, reader_cpu) = ingest_two_threads(&commands, |_| {});
        let ingest_two = t.elapsed();
        let apply_cpu = apply_cpu.zip(thread_cpu_seconds()).map(|(a, b)| b - a);
        drop(ledger_two);
        (ingest_two, refused_two, reader_cpu, apply_cpu)
    };
    // No threads in wasm (where this module is built for the bench module's exports).
    #[cfg(target_arch = "wasm32")]
    let (ingest_two, refused_two, reader_cpu, apply_cpu) =
        (Duration::MAX, 0, None::<f64>, None::<f64>);

    // Ingest as the browser store does: apply, and once a batch of journal entries is
    // persisted, let the ledger forget them (the journal lives in storage, not memory).
    let held_before = live_bytes();
    let t = Instant::now();
    let (mut ledger, refused) = ingest(&commands, |_| {});
    let ingest = t.elapsed();
    // What the ledger holds once its journal is stored (as the browser store lets it).
    ledger.forget_journal_through(ledger.seq());
    let engine_memory = live_bytes().saturating_sub(held_before);

    let t = Instant::now();
    let snapshot = ledger.snapshot();
    let snapshot_write = t.elapsed();
    if let Some(path) = &o.snapshot_out {
        if let Err(e) = std::fs::write(path, &snapshot) {
            eprintln!("tally bench: {path}: {e}");
        }
    }
    let mut restored_memory = 0;
    let restore = (0..3)
        .map(|_| {
            let held = live_bytes();
            let t = Instant::now();
            let restored = Ledger::restore(&snapshot).expect("own snapshot restores");
            let d = t.elapsed();
            restored_memory = live_bytes().saturating_sub(held);
            drop(restored);
            d
        })
        .min()
        .unwrap_or_default();

    let customer = longest_history(&ledger);
    let entries: usize = ledger
        .state()
        .customers
        .iter()
        .find(|c| c.id == customer)
        .map_or(0, |c| c.books.iter().map(|b| b.entries.len()).sum());
    let preview_json = preview_query(&customer, 10).to_string();
    let preview = read_query(&preview_json);
    let balance_json = json!({"type": "balance", "customer": customer}).to_string();
    let balance = read_query(&balance_json);
    let iterations = 20_000;
    let preview_engine = time_calls(iterations, || {
        std::hint::black_box(ledger.query(&preview));
    });
    let preview_json_io = time_calls(iterations, || {
        std::hint::black_box(serde_json::to_string(&ledger.query_json(&preview_json)).ok());
    });
    let balance_engine = time_calls(iterations, || {
        std::hint::black_box(ledger.query(&balance));
    });
    let balance_json_io = time_calls(iterations, || {
        std::hint::black_box(serde_json::to_string(&ledger.query_json(&balance_json)).ok());
    });
    // Reports over every customer: aged receivables walk each book's history; the
    // trial balance at a past day derives every posting.
    let report = |query: Value| {
        let query = read_query(&query.to_string());
        time_calls(5, || {
            std::hint::black_box(ledger.query(&query));
        })
    };
    let midway = day_in_the_middle(&ledger);
    let aging_now = report(json!({"type": "aging", "as_of": "2099-12-31"}));
    let aging_past = report(json!({"type": "aging", "as_of": midway}));
    let trial_now = report(json!({"type": "trial_balance"}));
    let trial_past = report(json!({"type": "trial_balance", "as_of": midway}));

    let total_memory = live_bytes();
    let parts = super::memory::breakdown(ledger, live_bytes);
    let freed = total_memory.saturating_sub(live_bytes());
    let mut memory_parts: Vec<Value> = parts
        .into_iter()
        .map(|(part, bytes)| json!({"part": part, "bytes": bytes}))
        .collect();
    memory_parts.push(json!({"part": "(all parts)", "bytes": freed}));

    let per_sec = |d: Duration| n as f64 / d.as_secs_f64();
    json!({
        "engine_memory_parts": memory_parts,
        "machine": machine(),
        "commands": n,
        "customers": o.customers,
        "json_bytes": bytes,
        "refused": refused,
        "parse_only_per_sec": per_sec(parse_only),
        "parse_validate_per_sec": per_sec(parse_validate),
        "apply_only_per_sec": per_sec(apply_only),
        "allocations_per_command": {
            "parse_validate": parse_validate_calls as f64 / n as f64,
            "apply_only": apply_only_calls as f64 / n as f64,
            "ingest_text": ingest_text_calls as f64 / n as f64,
        },
        "ingest_per_sec": per_sec(ingest),
        "ingest_seconds": ingest.as_secs_f64(),
        "ingest_text_per_sec": per_sec(ingest_text),
        "ingest_two_threads_per_sec": per_sec(ingest_two),
        "ingest_two_threads_refused": refused_two,
        "ingest_two_threads_reader_cpu_seconds": reader_cpu,
        "ingest_two_threads_applier_cpu_seconds": apply_cpu,
        "engine_memory_bytes": engine_memory,
        "engine_memory_restored_bytes": restored_memory,
        "snapshot_bytes": snapshot.len(),
        "snapshot_write_ms": snapshot_write.as_secs_f64() * 1e3,
        "snapshot_restore_ms": restore.as_secs_f64() * 1e3,
        "longest_history_customer": customer,
        "longest_history_entries": entries,
        "preview_10_lines_us": {"median": preview_engine.0, "p99": preview_engine.1},
        "preview_10_lines_json_us": {"median": preview_json_io.0, "p99": preview_json_io.1},
        "balance_us": {"median": balance_engine.0, "p99": balance_engine.1},
        "balance_json_us": {"median": balance_json_io.0, "p99": balance_json_io.1},
        "aging_all_us": {"median": aging_now.0, "p99": aging_now.1},
        "aging_midway_us": {"median": aging_past.0, "p99": aging_past.1},
        "trial_balance_us": {"median": trial_now.0, "p99": trial_now.1},
        "trial_balance_midway_us": {"median": trial_past.0, "p99": trial_past.1},
    })
}

/// A query the benchmark wrote itself, read as the engine reads any.
fn read_query(json: &str) -> Query {
    Query::from_raw(RawMap::read(&mut serde_json::Deserializer::from_str(json)).expect("json"))
        .expect("valid query")
}

/// The date of the invoice in the middle of the ledger's invoices.
fn day_in_the_middle(ledger: &Ledger) -> String {
    let invoices = &ledger.state().invoices;
    if invoices.is_empty() {
        return "2026-01-01".to_string();
    }
    invoices.date((invoices.len() / 2) as u32).to_string()
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores")
}

fn render_table(r: &Value) -> String {
    let f = |k: &str| r[k].as_f64().unwrap_or(0.0);
    let pair = |k: &str| {
        format!(
            "median {:.1} µs, p99 {:.1} µs",
            r[k]["median"].as_f64().unwrap_or(0.0),
            r[k]["p99"].as_f64().unwrap_or(0.0)
        )
    };
    let mut rows = vec![
        ("machine", r["machine"].as_str().unwrap_or("").to_string()),
        (
            "commands (customers)",
            format!(
                "{} ({}), {:.1} MB of JSON, {} refused",
                r["commands"],
                r["customers"],
                f("json_bytes") / 1e6,
                r["refused"]
            ),
        ),
        (
            "JSON parse only (floor)",
            format!("{:.0} commands/s", f("parse_only_per_sec")),
        ),
        (
            "parse + validate",
            format!("{:.0} commands/s", f("parse_validate_per_sec")),
        ),
        (
            "apply only (validated commands)",
            format!("{:.0} commands/s", f("apply_only_per_sec")),
        ),
        (
            "ingest (parse, validate, apply)",
            format!(
                "{:.0} commands/s ({:.2} s)",
                f("ingest_per_sec"),
                f("ingest_seconds")
            ),
        ),
        (
            "  same, each answer written as JSON text (as wasm applyJson)",
            format!("{:.0} commands/s", f("ingest_text_per_sec")),
        ),
        (
            "ingest on two threads (read + validate · apply)",
            format!(
                "{:.0} commands/s (CPU {:.2} s · {:.2} s)",
                f("ingest_two_threads_per_sec"),
                f("ingest_two_threads_reader_cpu_seconds"),
                f("ingest_two_threads_applier_cpu_seconds")
            ),
        ),
        (
            "allocations a command: parse + validate · apply · ingest writing text",
            format!(
                "{:.2} · {:.2} · {:.2}",
                r["allocations_per_command"]["parse_validate"]
                    .as_f64()
                    .unwrap_or(0.0),
                r["allocations_per_command"]["apply_only"]
                    .as_f64()
                    .unwrap_or(0.0),
                r["allocations_per_command"]["ingest_text"]
                    .as_f64()
                    .unwrap_or(0.0)
            ),
        ),
        (
            "engine memory after ingest · after restore (allocator count)",
            format!(
                "{:.1} MB · {:.1} MB ({:.0} bytes a command)",
                f("engine_memory_bytes") / 1e6,
                f("engine_memory_restored_bytes") / 1e6,
                f("engine_memory_bytes") / f("commands").max(1.0)
            ),
        ),
        (
            "snapshot size",
            format!("{:.1} MB", f("snapshot_bytes") / 1e6),
        ),
        (
            "snapshot write",
            format!("{:.0} ms", f("snapshot_write_ms")),
        ),
        (
            "snapshot restore",
            format!("{:.0} ms", f("snapshot_restore_ms")),
        ),
        (
            "longest history",
            format!(
                "{} ({} statement entries)",
                r["longest_history_customer"].as_str().unwrap_or(""),
                r["longest_history_entries"]
            ),
        ),
        ("preview_invoice, 10 lines", pair("preview_10_lines_us")),
        ("  same, JSON in and out", pair("preview_10_lines_json_us")),
        ("balance", pair("balance_us")),
        ("  same, JSON in and out", pair("balance_json_us")),
        (
            "aging, every customer, after the last day",
            pair("aging_all_us"),
        ),
        ("  as of the middle invoice's day", pair("aging_midway_us")),
        (
            "trial balance, everything recorded",
            pair("trial_balance_us"),
        ),
        (
            "  as of the middle invoice's day",
            pair("trial_balance_midway_us"),
        ),
    ];
    let commands = f("commands").max(1.0);
    if let Some(parts) = r["engine_memory_parts"].as_array() {
        rows.push(("engine memory by part (freed one by one)", String::new()));
        for part in parts {
            let bytes = part["bytes"].as_f64().unwrap_or(0.0);
            rows.push((
                part["part"].as_str().unwrap_or(""),
                format!(
                    "{:.1} MB ({:.0} bytes a command)",
                    bytes / 1e6,
                    bytes / commands
                ),
            ));
        }
    }
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|(k, v)| format!("{k:<width$}  {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}
