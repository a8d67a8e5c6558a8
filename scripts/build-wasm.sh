#!/usr/bin/env bash
# Builds the engine for the browser into www/pkg/ and prints its size.
#   cargo (wasm32, profile wasm-release: opt-level z, LTO, 1 codegen unit) -> wasm-bindgen --target web
#   -> wasm-opt (npm binaryen; Debian's binaryen 108 breaks wasm-bindgen 0.2.130 output),
#      with the features Rust emits for wasm32 named one by one: --all-features lets it
#      use stringref, which Node 20 and older browsers reject
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

cargo build --profile wasm-release --locked --lib --target wasm32-unknown-unknown --quiet
rm -rf www/pkg
wasm-bindgen target/wasm32-unknown-unknown/wasm-release/tally.wasm \
  --target web --out-dir www/pkg --out-name tally_engine
node_modules/.bin/wasm-opt www/pkg/tally_engine_bg.wasm -Oz --converge --strip-producers \
  --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
  -o www/pkg/tally_engine_bg.opt.wasm
mv www/pkg/tally_engine_bg.opt.wasm www/pkg/tally_engine_bg.wasm

size() { stat -c %s "$1"; }
gz() { gzip -9 -c "$1" | wc -c; }
wasm=www/pkg/tally_engine_bg.wasm
printf 'engine wasm: %d bytes raw, %d bytes gzipped (budget: 120,000 gzipped)\n' "$(size $wasm)" "$(gz $wasm)"
js=0; jsgz=0
for f in www/pkg/tally_engine.js www/*.js; do
  [ -f "$f" ] || continue
  js=$((js + $(size "$f"))); jsgz=$((jsgz + $(gz "$f")))
done
printf 'page JavaScript: %d bytes raw, %d bytes gzipped\n' "$js" "$jsgz"
