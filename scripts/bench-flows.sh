#!/usr/bin/env bash
# bench-flows.sh — `garrison netpol flows` throughput, side by side with a reference commit.
#
# The criterion bench `flows` of garrison-netpol (500,000 default-format records read from memory,
# attributed and checked against a generated cluster's policies, report included, one thread)
# is built from the working tree and from REF, then both run alternately, pinned to one core.
# The host's speed drifts by tens of percent within an hour, so a figure alone says little; the
# reference run next to it shows what the host was doing.
#
# Usage:
#   scripts/bench-flows.sh [REF]          REF defaults to bed7f8f (session 6's code)
#
# Environment (all optional):
#   ROUNDS   alternating rounds, default 5
#   CPU      the core both runs are pinned to, default 1
#
# Prints each round's criterion median (records/s) for both builds, the medians over the
# rounds, the ratio, and PASS or FAIL against 1,000,000 records/s (the working tree's median).
# Exit status: 0 PASS, 1 FAIL, 2 error.
set -euo pipefail

REF="${1:-bed7f8f}"
ROUNDS="${ROUNDS:-5}"
CPU="${CPU:-1}"
RECORDS=500000
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
cleanup() {
    git -C "$ROOT" worktree remove --force "$WORK/ref" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

bench_binary() {
    # The path cargo reports for the bench executable built in directory $1.
    (cd "$1" && cargo bench -p garrison-netpol --bench flows --no-run --message-format=json 2>/dev/null) |
        python3 -c '
import json, sys
for line in sys.stdin:
    message = json.loads(line)
    if message.get("reason") == "compiler-artifact" and message["target"]["name"] == "flows" \
            and message.get("executable"):
        print(message["executable"])
'
}

echo "building the bench from the working tree and from $REF ..." >&2
current="$(bench_binary "$ROOT")"
[ -x "$current" ] || { echo "error: no bench executable for the working tree" >&2; exit 2; }
cp "$current" "$WORK/current"
git -C "$ROOT" worktree add --detach "$WORK/ref" "$REF" >/dev/null 2>&1 ||
    { echo "error: cannot check out $REF" >&2; exit 2; }
# The same target directory: shared dependencies are built once.
reference="$(CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}" bench_binary "$WORK/ref")"
[ -x "$reference" ] || { echo "error: no bench executable for $REF" >&2; exit 2; }
cp "$reference" "$WORK/reference"

run() {
    # One criterion run of build $1 in a fresh directory; prints its median in records/s.
    local dir="$WORK/run-$1-$2"
    mkdir -p "$dir"
    (cd "$dir" && env -u CARGO_TARGET_DIR taskset -c "$CPU" "$WORK/$1" --bench --noplot >/dev/null 2>&1) ||
        { echo "error: the $1 bench failed" >&2; exit 2; }
    python3 - "$dir" "$RECORDS" <<'EOF'
import glob, json, sys
path = glob.glob(sys.argv[1] + "/target/criterion/flows/*/new/estimates.json")[0]
seconds = json.load(open(path))["median"]["point_estimate"] / 1e9
print("%.0f" % (int(sys.argv[2]) / seconds))
EOF
}

declare -a mine theirs
for round in $(seq 1 "$ROUNDS"); do
    theirs+=("$(run reference "$round")")
    mine+=("$(run current "$round")")
    printf 'round %d: working tree %s records/s, %s %s records/s\n' \
        "$round" "${mine[-1]}" "$REF" "${theirs[-1]}"
done

python3 - "${#mine[@]}" "${mine[@]}" "${theirs[@]}" "$REF" <<'EOF'
import statistics, sys
count = int(sys.argv[1])
mine = [float(x) for x in sys.argv[2:2 + count]]
theirs = [float(x) for x in sys.argv[2 + count:2 + 2 * count]]
ref = sys.argv[2 + 2 * count]
ratios = [a / b for a, b in zip(mine, theirs)]
median = statistics.median(mine)
print("median: working tree %.3f M records/s, %s %.3f M records/s; ratio per round %s (median %.2fx)"
      % (median / 1e6, ref, statistics.median(theirs) / 1e6,
         ", ".join("%.2f" % r for r in ratios), statistics.median(ratios)))
print("PASS" if median >= 1e6 else "FAIL", "(target: 1,000,000 records/s median)")
sys.exit(0 if median >= 1e6 else 1)
EOF
