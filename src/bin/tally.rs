//! `tally check PATH...` runs scenario files; `tally bench` runs the native benchmark.

use std::path::PathBuf;
use std::process::ExitCode;

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
        Some("bench") => tally::workload::bench::run_cli(&args[1..]),
        _ => {
            eprintln!("usage: tally check PATH...   run scenario files (files or folders)\n       tally bench [--commands N]   native benchmark");
            ExitCode::from(2)
        }
    }
}
