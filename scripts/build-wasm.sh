#!/usr/bin/env bash
# Builds the engine for the browser and prints its size.
#   scripts/build-wasm.sh          the shipped module  -> www/pkg/
#   scripts/build-wasm.sh --bench  with benchmark exports (feature `bench`) -> bench/pkg/
# Steps: cargo (wasm32, profile wasm-release: opt-level z, LTO, 1 codegen unit)
#   -> wasm-bindgen --target web
#   -> wasm-opt (npm binaryen; Debian's binaryen 108 breaks wasm-bindgen 0.2.130 output),
#      with the features Rust emits for wasm32 named one by one: --all-features lets it
#      use stringref, which Node 20 and older browsers reject
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

features=()
out=www/pkg
if [ "${1:-}" = "--bench" ]; then
  features=(--features bench)
  out=bench/pkg
fi

cargo build --profile wasm-release --locked --lib --target wasm32-unknown-unknown --quiet "${features[@]}"
rm -rf "$out"
wasm-bindgen target/wasm32-unknown-unknown/wasm-release/tally.wasm \
  --target web --out-dir "$out" --out-name tally_engine
node_modules/.bin/wasm-opt "$out/tally_engine_bg.wasm" -Oz --converge --strip-producers \
  --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
  -o "$out/tally_engine_bg.opt.wasm"
mv "$out/tally_engine_bg.opt.wasm" "$out/tally_engine_bg.wasm"

size() { stat -c %s "$1"; }
gz() { gzip -9 -c "$1" | wc -c; }
wasm=$out/tally_engine_bg.wasm
printf 'engine wasm (%s): %d bytes raw, %d bytes gzipped (budget: 120,000 gzipped)\n' "$out" "$(size "$wasm")" "$(gz "$wasm")"
if [ "$out" = www/pkg ]; then
  js=0; jsgz=0
  while IFS= read -r f; do
    js=$((js + $(size "$f"))); jsgz=$((jsgz + $(gz "$f")))
  done < <(find www -name '*.js' -not -path 'www/pkg/*'; echo www/pkg/tally_engine.js)
  printf 'page JavaScript: %d bytes raw, %d bytes gzipped\n' "$js" "$jsgz"
fi
