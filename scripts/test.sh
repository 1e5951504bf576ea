#!/usr/bin/env bash
# Installs what the test suite needs and runs all of it: unit and integration tests (with
# --all-targets, which also builds the benchmarks and runs each once as a smoke test) and the
# check docs drift check. Run from anywhere; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d ../shared/corpus/real-manifests ] || [ ! -d ../shared/conformance ]; then
  echo "error: ../shared (corpus and conformance data) is missing next to this checkout" >&2
  exit 1
fi

# The HTML report's test opens the report in headless Chromium (Debian's package).
if ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing chromium for the HTML report test"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# moto's server and boto3 for the AWS collector's tests (crates/garrison-collect/tests/moto.rs,
# which starts moto_server on loopback and fails, never skips, when it cannot).
if ! command -v moto_server >/dev/null 2>&1 || ! python3 -c 'import boto3' 2>/dev/null; then
  echo "==> installing moto[server] and boto3 (pip)"
  python3 -m pip install --quiet 'moto[server]' boto3
fi

echo "==> cargo test (workspace, all targets: libraries, binaries, tests, benchmarks)"
cargo test --workspace --all-targets --locked

# The binary the integration tests just built: `cargo run -p garrison` would unify dependency
# features differently and compile the AWS SDK crates a second time.
garrison="${CARGO_TARGET_DIR:-target}/debug/garrison"
[ -x "$garrison" ] || { echo "error: $garrison was not built by cargo test" >&2; exit 1; }

echo "==> generated check docs are current"
"$garrison" checks docs docs/checks --check

echo "==> generated audit detector docs are current"
"$garrison" audit docs docs/audit --check
