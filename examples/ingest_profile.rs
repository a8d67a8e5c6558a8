//! The ingest loop of `tally bench` alone, for profilers: `cargo build --profile profiling
//! --example ingest_profile`, then e.g. `valgrind --tool=callgrind
//! --toggle-collect='ingest_profile::ingest' target/profiling/examples/ingest_profile
//! 20000 200` (instruction counts don't depend on the machine's load) or `valgrind
//! --tool=dhat` (allocations). Arguments: commands (default 20,000), customers (200),
//! and `parse` to run only the reading and validation of each command (`tally bench`'s
//! parse + validate row; select `ingest_profile::parse_validate`) or `two` for the
//! ingest on two threads (`tally bench`'s row of that name). Prints the rate by wall
//! time and, on Linux, by the main thread's CPU time.

/// `tally bench`'s ingest loop (`workload::bench::ingest`), answers dropped. Out of
/// line so a profiler can select it.
#[inline(never)]
fn ingest(commands: &[String]) -> usize {
    let (ledger, refused) = tally::workload::bench::ingest(commands, |_| {});
    std::hint::black_box(&ledger);
    refused
}

/// `tally bench`'s ingest on two threads (`workload::bench::ingest_two_threads`),
/// answers dropped; prints the reading thread's CPU time.
#[inline(never)]
fn ingest_two_threads(commands: &[String]) -> usize {
    let (ledger, refused, reader_cpu) =
        tally::workload::bench::ingest_two_threads(commands, |_| {});
    std::hint::black_box(&ledger);
    if let Some(seconds) = reader_cpu {
        eprintln!("reading thread: {seconds:.3} s of CPU time");
    }
    refused
}

/// `tally bench`'s parse + validate loop: each command read and validated, then dropped.
#[inline(never)]
fn parse_validate(commands: &[String]) -> usize {
    commands
        .iter()
        .filter(|c| {
            let raw = tally::input::json::read_object(c).expect("plain generated JSON");
            std::hint::black_box(tally::Command::from_raw(raw)).is_err()
        })
        .count()
}

/// The thread's CPU time in seconds, where Linux tells it.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanos / 1e9)
}

fn main() {
    let arg = |i: usize, default: usize| {
        std::env::args()
            .nth(i)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let (n, customers) = (arg(1, 20_000), arg(2, 200));
    let commands: Vec<String> = tally::workload::generate(customers, n, 42)
        .iter()
        .map(|v| v.to_string())
        .collect();
    // As `tally bench` does before its ingest: every command validated and held, then
    // dropped, so the heap is in the same state.
    let parsed: Vec<tally::Command> = commands
        .iter()
        .filter_map(|c| {
            tally::ledger::read_command(&mut serde_json::Deserializer::from_str(c)).ok()
        })
        .collect();
    drop(parsed);
    let (wall, cpu) = (std::time::Instant::now(), cpu_seconds());
    let refused = match std::env::args().nth(3).as_deref() {
        Some("parse") => parse_validate(&commands),
        Some("two") => ingest_two_threads(&commands),
        _ => ingest(&commands),
    };
    let rate = |seconds: f64| commands.len() as f64 / seconds;
    print!(
        "{} commands, {refused} refused, {:.0}/s by wall time",
        commands.len(),
        rate(wall.elapsed().as_secs_f64())
    );
    match (cpu, cpu_seconds()) {
        (Some(start), Some(end)) => println!(", {:.0}/s by CPU time", rate(end - start)),
        _ => println!(),
    }
}
