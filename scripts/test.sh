#!/usr/bin/env bash
# Runs every test of the project. Does its own set-up on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "format and lints"
cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings

step "native tests (unit, scenarios, properties)"
cargo test --locked

step "scenario check (contract scenarios and ours)"
cargo run --release --locked --quiet --bin tally -- check ../shared/scenarios tests/scenarios
