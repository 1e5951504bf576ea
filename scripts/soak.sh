#!/usr/bin/env bash
# Soak and fault run of both webhooks (issue 12): for each of `garrison admission serve` and
# `garrison authz serve`, a real server process on loopback over TLS under 5,000 requests/s of
# valid and invalid requests with slow clients, certificate and policy files rewritten every
# 10 s, resident memory sampled every second, and SIGTERM during load at the end. Prints a
# report per server and exits non-zero when either falls short.
#
#   scripts/soak.sh [SECONDS] [RATE] [CONNECTIONS]     (defaults: 600 5000 16)
#
# The servers run from a release build without the AWS collector (the webhooks do not use it).
# Traffic goes only to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-600}"
rate="${2:-5000}"
connections="${3:-16}"

echo "==> building the release binary and the soak harness"
cargo build --release --locked -p garrison --no-default-features
cargo build --release --locked -p garrison-server --features loadgen --example soak

target="${CARGO_TARGET_DIR:-target}/release"
status=0
for server in admission authz; do
  echo "==> garrison $server serve: $seconds s at $rate/s over $connections connections ($(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg))"
  "$target/examples/soak" "$target/garrison" "$server" "$seconds" "$rate" "$connections" || status=1
done
exit "$status"
