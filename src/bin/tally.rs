//! `tally check PATH...` runs scenario files; `tally answers FILE` prints each step's
//! answer (for comparing with the wasm build); `tally export --format csv|beancount
//! BACKUP.json` prints the general ledger of a panel backup for an accountant;
//! `tally apply [--from SNAPSHOT] [--to SNAPSHOT] COMMANDS` applies a file of commands
//! (a bulk import) and writes the snapshot; `tally bench` runs the native benchmark;
//! `tally bench-restore SNAPSHOT [RUNS]` times the restore of a snapshot file alone.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

#[path = "tally/apply.rs"]
mod apply;

/// The system allocator, counting the bytes held (requested sizes, so neither malloc's
/// own overhead nor pages it keeps are included): the benchmark's `engine_memory_bytes`
/// is what the engine's state holds, read from here rather than estimated. Native only:
/// for wasm32 (where `cargo test --target wasm32-unknown-unknown` also builds this
/// binary) the engine library brings its own global allocator.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
struct Counting;

/// The count in shards, one a thread (round robin): threads allocating at once (the
/// ingest on two threads) would otherwise pass one counter's cache line back and forth
/// at every allocation. A shard can go negative (bytes freed by another thread than
/// the one that allocated them); their sum is the bytes held.
const SHARDS: usize = 8;

#[repr(align(128))]
struct Shard(AtomicIsize);

static LIVE_BYTES: [Shard; SHARDS] = [const { Shard(AtomicIsize::new(0)) }; SHARDS];
/// Calls to allocate or reallocate, sharded the same way: the benchmark's allocations
/// per command, a count that, unlike time, does not move with the machine.
static CALLS: [Shard; SHARDS] = [const { Shard(AtomicIsize::new(0)) }; SHARDS];
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
static THREADS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// This thread's shard, chosen at its first allocation (`usize::MAX` until then).
    static SHARD: Cell<usize> = const { Cell::new(usize::MAX) };
}

#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
fn count(delta: isize, calls: isize) {
    let shard = SHARD
        .try_with(|shard| {
            if shard.get() == usize::MAX {
                shard.set(THREADS.fetch_add(1, Ordering::Relaxed) % SHARDS);
            }
            shard.get()
        })
        .unwrap_or(0);
    LIVE_BYTES[shard].0.fetch_add(delta, Ordering::Relaxed);
    if calls != 0 {
        CALLS[shard].0.fetch_add(calls, Ordering::Relaxed);
    }
}

// SAFETY: every call is passed to `System` unchanged; the counter only observes sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            count(layout.size() as isize, 1);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            count(layout.size() as isize, 1);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        count(-(layout.size() as isize), 0);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize, 1);
        }
        p
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_bytes() -> usize {
    let held: isize = LIVE_BYTES
        .iter()
        .map(|shard| shard.0.load(Ordering::Relaxed))
        .sum();
    held.max(0) as usize
}

fn alloc_calls() -> u64 {
    let calls: isize = CALLS
        .iter()
        .map(|shard| shard.0.load(Ordering::Relaxed))
        .sum();
    calls.max(0) as u64
}

const COUNTS: tally::workload::bench::AllocatorCounts = tally::workload::bench::AllocatorCounts {
    live_bytes,
    calls: alloc_calls,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("check") if args.len() > 1 => {
            let paths: Vec<PathBuf> = args[1..].iter().map(PathBuf::from).collect();
            let files = match tally::scenario::collect_files(&paths) {
                Ok(files) => files,
                Err(e) => {
                    eprintln!("tally check: {e}");
                    return ExitCode::from(2);
                }
            };
            let mut out = String::new();
            let failed = tally::scenario::check_files(&files, &mut out);
            print!("{out}");
            if failed > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Some("answers") if args.len() == 2 => {
            let text = match std::fs::read_to_string(&args[1]) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("tally answers: {}: {e}", args[1]);
                    return ExitCode::from(2);
                }
            };
            match serde_json::from_str(&text) {
                Ok(scenario) => {
                    let answers = tally::scenario::answers(&scenario);
                    println!("{}", serde_json::Value::Array(answers));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("tally answers: {}: {e}", args[1]);
                    ExitCode::from(2)
                }
            }
        }
        Some("export") => export(&args[1..]),
        Some("apply") => apply::run(&args[1..]),
        Some("bench") => tally::workload::bench::run_cli(&args[1..], COUNTS),
        Some("bench-restore") => tally::workload::bench::restore_cli(&args[1..], COUNTS.live_bytes),
        _ => {
            eprintln!("usage: tally check PATH...    run scenario files (files or folders)\n       tally answers FILE    print every step's answer of a scenario as JSON\n       tally export --format csv|beancount BACKUP.json    print a backup's general ledger\n       tally apply [--from SNAPSHOT] [--to SNAPSHOT] COMMANDS.jsonl    apply commands (one JSON object a line), print each answer, write the snapshot\n       tally bench [--customers N] [--commands N] [--seed N] [--json PATH] [--snapshot PATH]\n       tally bench-restore SNAPSHOT [RUNS]    restore a snapshot file RUNS times");
            ExitCode::from(2)
        }
    }
}

/// `tally export --format csv|beancount BACKUP.json`: replays the backup and prints the
/// file on standard output.
fn export(args: &[String]) -> ExitCode {
    let usage = || {
        eprintln!("usage: tally export --format csv|beancount BACKUP.json");
        ExitCode::from(2)
    };
    let (format, path) = match args {
        [flag, format, path] if flag == "--format" => (format, path),
        [path, flag, format] if flag == "--format" => (format, path),
        _ => return usage(),
    };
    let Some(format) = tally::export::Format::from_name(format) else {
        eprintln!("tally export: unknown format '{format}' (csv or beancount)");
        return usage();
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("tally export: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    match tally::export::ledger_from_backup(&text) {
        Ok(ledger) => {
            print!("{}", ledger.export(format));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tally export: {path}: {e}");
            ExitCode::FAILURE
        }
    }
}
