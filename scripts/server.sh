#!/usr/bin/env bash
# `npm run server`: builds the engine for the browser and the sync server, starts the
# project's PostgreSQL (scripts/pg.sh) unless TALLY_DATABASE_URL points elsewhere, and
# serves the API and the panel on http://127.0.0.1:$PORT/ (default 8080).
#   TALLY_OWNER_EMAIL=you@example.com TALLY_OWNER_PASSWORD=... npm run server
# creates the space's first owner when it has none. Ctrl+C stops the server, and the
# PostgreSQL this script started.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build-wasm.sh
cargo build -p tally-server --profile server --locked --quiet

started_pg=
if [ -z "${TALLY_DATABASE_URL:-}" ]; then
  if ! bash scripts/pg.sh status; then started_pg=1; fi
  TALLY_DATABASE_URL=$(bash scripts/pg.sh start)
  export TALLY_DATABASE_URL
fi
if [ -n "$started_pg" ]; then trap 'bash scripts/pg.sh stop' EXIT; fi

export PORT=${PORT:-8080}
# Transparent huge pages for the engine's heap (glibc's malloc asks for them with
# madvise): a big space's state is walked through a TLB miss per page otherwise. Measured
# in docs/performance.md ("Native: huge pages"); a value the caller set is kept.
export GLIBC_TUNABLES=${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1}
target/server/tally-server serve
