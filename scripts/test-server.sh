#!/usr/bin/env bash
# The sync server's tests against a real PostgreSQL: starts a throw-away cluster through
# scripts/pg.sh (fsync off), builds the server, runs its Rust tests and the HTTP tests
# in tests/server/, and stops PostgreSQL at the end, also on failure.
# Needs the wasm build in www/pkg (scripts/build-wasm.sh) for the parity tests.
#   scripts/test-server.sh [tests/server/FILE.test.mjs ...]   only those HTTP test files
set -euo pipefail
cd "$(dirname "$0")/.."

TALLY_DATA_DIR=$(mktemp -d /tmp/tally-test-pg.XXXXXX)
chmod 755 "$TALLY_DATA_DIR"
export TALLY_DATA_DIR TALLY_PG_FAST=1
cleanup() { bash scripts/pg.sh stop || true; rm -rf "$TALLY_DATA_DIR"; }
trap cleanup EXIT

TALLY_TEST_DATABASE_URL=$(bash scripts/pg.sh start)
export TALLY_TEST_DATABASE_URL

cargo build -p tally-server --profile server --locked --quiet
if [ $# -eq 0 ]; then
  cargo test -p tally-server --profile server --locked
  set -- tests/server/
fi
node --test "$@"
