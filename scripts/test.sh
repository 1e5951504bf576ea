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

echo "==> cargo test (workspace, all targets: libraries, binaries, tests, benchmarks)"
cargo test --workspace --all-targets --locked

echo "==> generated check docs are current"
cargo run --quiet --locked -p garrison -- checks docs docs/checks --check

echo "==> generated audit detector docs are current"
cargo run --quiet --locked -p garrison -- audit docs docs/audit --check
