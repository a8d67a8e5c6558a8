#!/usr/bin/env bash
# Runs every test of the project. Does its own set-up on a fresh machine (Rust wasm
# target, wasm-bindgen CLI, npm packages, Chromium and ChromeDriver).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "set-up"
bash scripts/setup.sh --browser

step "format and lints (native and wasm)"
cargo fmt --all --check
cargo clippy --all-targets --locked -- -D warnings
# The binary and tests/web.rs too: `cargo test --target wasm32-unknown-unknown` builds
# them, so anything native-only in them fails here, in seconds, not at the browser step.
cargo clippy --lib --bins --test web --target wasm32-unknown-unknown --locked -- -D warnings

step "native tests: unit, scenarios, properties"
cargo test --locked

step "scenario check, native (contract scenarios and ours)"
cargo build --release --locked --quiet
target/release/tally check ../shared/scenarios tests/scenarios

step "accountant's export: Beancount checked by bean-check against the trial balance, CSV"
bash scripts/check-beancount.sh

step "wasm build (sizes against the budget)"
bash scripts/build-wasm.sh

step "scenario check, wasm in Node"
node scripts/check-wasm.mjs ../shared/scenarios tests/scenarios

step "JS tests: native/wasm parity, demo data, the store against Chromium's IndexedDB, end-to-end pages"
node --test tests/js/ tests/browser/ tests/e2e/

step "sync server: lints, then its tests against a real PostgreSQL (started and stopped by scripts/test-server.sh)"
cargo clippy -p tally-server --all-targets --locked -- -D warnings
bash scripts/test-server.sh

step "benchmark harness on a small space, in Node (figures not checked)"
bash scripts/build-wasm.sh --bench-shipped
node --test tests/bench/

step "TypeScript declarations (tests/types)"
node_modules/.bin/tsc -p tests/types

step "wasm-bindgen tests in headless Chromium (tests/web.rs)"
bash scripts/test-wasm.sh
