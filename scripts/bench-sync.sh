#!/usr/bin/env bash
# `npm run bench:sync`: the sync server's benchmark (bench/sync.mjs) on a throw-away
# PostgreSQL cluster with fsync on, so every push pays for a real commit. Prints figures.
#   BENCH_SYNC_COMMANDS=1000000 npm run bench:sync    a larger space (default 200,000)
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -p tally-server --profile server --locked --quiet
TALLY_DATA_DIR=$(mktemp -d /tmp/tally-bench-pg.XXXXXX)
chmod 755 "$TALLY_DATA_DIR"
export TALLY_DATA_DIR
cleanup() { bash scripts/pg.sh stop || true; rm -rf "$TALLY_DATA_DIR"; }
trap cleanup EXIT
TALLY_TEST_DATABASE_URL=$(bash scripts/pg.sh start)
export TALLY_TEST_DATABASE_URL
node bench/sync.mjs
