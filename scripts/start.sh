#!/usr/bin/env bash
# Builds everything and serves the admin panel on http://127.0.0.1:8080/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-wasm.sh
exec node scripts/serve.mjs --port "${PORT:-8080}"
