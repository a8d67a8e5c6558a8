//! Every answer of `tally bench`'s ingest loop as JSON lines, then a hash of the
//! snapshot the ledger writes after it: two builds that print the same bytes answered
//! and stored the same. `cargo run --release --example answers_dump -- 20000 5000 >
//! out.txt`, once per build, then `cmp`. Arguments: commands (default 20,000),
//! customers (default 5,000), seed (42). A few refused commands are in every space
//! (the generator's own mistakes), so refusals are compared too.

fn main() {
    let arg = |i: usize, default: u64| {
        std::env::args()
            .nth(i)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let (n, customers, seed) = (arg(1, 20_000), arg(2, 5000), arg(3, 42));
    let commands: Vec<String> = tally::workload::generate(customers as usize, n as usize, seed)
        .iter()
        .map(|v| v.to_string())
        .collect();
    let mut out = String::new();
    let (ledger, _) = tally::workload::bench::ingest(&commands, |answer| {
        out.push_str(&serde_json::to_string(answer).unwrap_or_default());
        out.push('\n');
    });
    let snapshot = ledger.snapshot();
    // FNV-1a: enough to tell two snapshots apart, no dependency.
    let hash = snapshot.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    print!("{out}");
    println!("snapshot {} bytes, fnv1a {hash:016x}", snapshot.len());
}
