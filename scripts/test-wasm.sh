#!/usr/bin/env bash
# Runs tests/web.rs, the wasm-bindgen-test suite, in headless Chromium: the wasm binding
# with JS values, hostile input, snapshots, the journal, and native/wasm32 parity of the
# idempotency fingerprints. Does its own set-up (Chromium and ChromeDriver need root once).
#   scripts/test-wasm.sh                       the suite
# The runner comes from .cargo/config.toml (wasm-bindgen-test-runner, which adds
# --headless and --no-sandbox itself). Only `--test web`: the other integration tests
# are native-only (files, proptest).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --browser

export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_TIMEOUT=120

run() {
  cargo test --locked --target wasm32-unknown-unknown --test web "$@"
}

# Chrome driven by wasm-bindgen-test-runner occasionally fails to start or loses the
# session; one retry tells that apart from a failing test (which fails twice).
if ! run "$@"; then
  echo "[test-wasm] failed; retrying once (headless Chrome is occasionally flaky)" >&2
  run "$@"
fi
