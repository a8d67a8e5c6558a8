#!/usr/bin/env bash
# Installs what building and testing need, on a fresh machine; quick when all is there.
#   scripts/setup.sh            Rust wasm target, wasm-bindgen CLI, npm packages
#   scripts/setup.sh --browser  the same, plus what tests need: Chromium and ChromeDriver
#                               (Debian packages) and Beancount (PyPI, in target/py)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The CLI must be exactly the wasm-bindgen version in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (found '${have:-none}'; takes a few minutes)"
  # No --locked: the registry mirror can lag the CLI's own lock file.
  cargo install wasm-bindgen-cli --version "$want"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--browser" ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Chromium and ChromeDriver (Debian packages)"
    if [ "$(id -u)" -ne 0 ]; then
      echo "[setup] need root for apt-get: run 'sudo apt-get install chromium chromium-driver'" >&2
      exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi

if [ "${1:-}" = "--browser" ]; then
  # The real bean-check for the accountant's export test, in a project-local venv.
  if [ ! -x target/py/bin/bean-check ]; then
    say "installing beancount 3.2.3 (PyPI) into target/py"
    if ! python3 -m venv target/py; then
      # Debian's own python3 needs its venv package for this.
      rm -rf target/py
      if [ "$(id -u)" -ne 0 ]; then
        echo "[setup] need python3's venv module: run 'sudo apt-get install python3-venv'" >&2
        exit 1
      fi
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv target/py
    fi
    target/py/bin/pip install --quiet --disable-pip-version-check beancount==3.2.3
  fi
fi
