#!/usr/bin/env bash
# Installs the Debian packages wactor needs to build, test and run, if any are missing.
# Usage: scripts/deps.sh [extra-package...]
set -euo pipefail
pkgs=(cmake make gcc g++ pkg-config clang lld wabt wasi-libc libclang-rt-14-dev-wasm32
      libyaml-dev libcbor-dev libjansson-dev libcmocka-dev "$@")
pkgs+=(groff-base man-db)  # wactor(1): the install test renders and lints it (tests/install_test.sh)
pkgs+=(libsqlite3-dev)  # examples/embed/kv_service.c: the SQLite host actor (host actors, issue 15)
pkgs+=(python3)  # tests/cli/log.sh: parses every JSON log line (json module)
pkgs+=(libmicrohttpd-dev prometheus)  # the admin HTTP server (src/http); promtool checks /metrics in tests
pkgs+=(chromium python3)  # the dashboard in a real browser: tests/dashboard_test.py, docs/dashboard.png
pkgs+=(rustc cargo libstd-rust-dev-wasm32)  # Rust guests: sdk/rust, examples/rust (Debian rustc 1.63, wasm32-wasi std)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
