#!/usr/bin/env bash
# bench-100k.sh — end-to-end scale check of the CLI: `garrison scan` of a 100,000-object cluster snapshot
# must take under 3 s wall and under 1 GiB peak RSS (on the project's 2-core machine).
#
# Usage:
#   scripts/bench-100k.sh
#
# What it does:
#   1. builds `garrison` and the `make_snapshot` example of garrison-checks in release mode;
#   2. writes the synthetic snapshot into a temporary directory with
#      `cargo run --release -p garrison-checks --example make_snapshot -- DIR` (the generator the criterion
#      bench `cargo bench -p garrison-checks --bench scan` uses: the objects of shared/corpus/real-manifests
#      replicated under new names and namespaces, CRDs once, kubectl-style List JSON in DIR/k8s/);
#   3. runs `garrison scan DIR --format json > /dev/null` WARMUP times untimed, then RUNS times under GNU
#      `/usr/bin/time` (wall seconds and peak RSS);
#   4. prints every run, the medians, and PASS or FAIL against the limits.
#
# Exit status: 0 PASS, 1 FAIL (a median over a limit), 2 error (build, generation, or a scan that exited
# with something other than 0 or 1; garrison exits 1 when it has findings, which this snapshot has).
#
# Environment (all optional):
#   RUNS            timed runs, default 5
#   WARMUP          untimed runs first, default 1 (the first one's report is checked to be a JSON report)
#   OBJECTS         objects in the snapshot, default 100000
#   SNAPSHOT_DIR    write the snapshot here and keep it (must not exist or be empty); default a temporary
#                   directory removed at exit
#   TIME_LIMIT_S    default 3
#   RSS_LIMIT_MIB   default 1024
#   SKIP_BUILD      1 skips the release builds (uses already built binaries)
#   GARRISON_BIN    default ${CARGO_TARGET_DIR:-target}/release/garrison
#
# The script runs from any working directory: it cd's to the repo root (the parent of scripts/).
set -euo pipefail

die() { printf 'bench-100k: error: %s\n' "$*" >&2; exit 2; }
log() { printf '==> %s\n' "$*" >&2; }

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
cd "$REPO_ROOT"

RUNS="${RUNS:-5}"
WARMUP="${WARMUP:-1}"
OBJECTS="${OBJECTS:-100000}"
TIME_LIMIT_S="${TIME_LIMIT_S:-3}"
RSS_LIMIT_MIB="${RSS_LIMIT_MIB:-1024}"
SKIP_BUILD="${SKIP_BUILD:-0}"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
GARRISON_BIN="${GARRISON_BIN:-$TARGET_DIR/release/garrison}"
MAKE_SNAPSHOT_BIN="$TARGET_DIR/release/examples/make_snapshot"

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer (got '$WARMUP')"
[[ "$OBJECTS" =~ ^[1-9][0-9]*$ ]] || die "OBJECTS must be a positive integer (got '$OBJECTS')"
[[ "$TIME_LIMIT_S" =~ ^[0-9.]+$ ]] || die "TIME_LIMIT_S must be a number (got '$TIME_LIMIT_S')"
[[ "$RSS_LIMIT_MIB" =~ ^[0-9.]+$ ]] || die "RSS_LIMIT_MIB must be a number (got '$RSS_LIMIT_MIB')"

# --- /usr/bin/time --------------------------------------------------------------------------------
TIME_BIN=/usr/bin/time
if ! "$TIME_BIN" -f %M true >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "installing Debian package 'time' for /usr/bin/time"
        { DEBIAN_FRONTEND=noninteractive apt-get install -y -q time \
            || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time; }; } >&2 \
            || die "could not install Debian package 'time' (GNU /usr/bin/time measures the peak RSS)"
    else
        die "GNU /usr/bin/time is missing (Debian package 'time'); it measures the peak RSS"
    fi
fi

# --- build ----------------------------------------------------------------------------------------
if [[ "$SKIP_BUILD" != 1 ]]; then
    log "building garrison and the make_snapshot example (release)"
    cargo build --release -p garrison >&2 || die "cargo build --release -p garrison failed"
    cargo build --release -p garrison-checks --example make_snapshot >&2 \
        || die "cargo build --release -p garrison-checks --example make_snapshot failed"
fi
[[ -x "$GARRISON_BIN" ]] || die "garrison binary not found at $GARRISON_BIN"
[[ -x "$MAKE_SNAPSHOT_BIN" ]] || die "make_snapshot example not found at $MAKE_SNAPSHOT_BIN"

# --- snapshot -------------------------------------------------------------------------------------
WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/bench-100k.XXXXXX")"
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { rm -rf -- "$WORK_DIR"; }
trap cleanup EXIT
if [[ -n "${SNAPSHOT_DIR:-}" ]]; then
    if [[ -d "$SNAPSHOT_DIR" && -n "$(ls -A -- "$SNAPSHOT_DIR")" ]]; then
        die "SNAPSHOT_DIR $SNAPSHOT_DIR is not empty"
    fi
    SNAPSHOT="$SNAPSHOT_DIR"
else
    SNAPSHOT="$WORK_DIR/snapshot"
fi
log "writing a $OBJECTS-object snapshot to $SNAPSHOT"
"$MAKE_SNAPSHOT_BIN" "$SNAPSHOT" "$OBJECTS" || die "make_snapshot failed"
snapshot_mib="$(du -sm -- "$SNAPSHOT" | cut -f1)"

# --- runs -----------------------------------------------------------------------------------------
# scan OUT -> sets LAST_WALL (s) and LAST_RSS (KiB)
scan() {
    local out="$1" rc=0 stats="$WORK_DIR/time.txt" err="$WORK_DIR/stderr.txt"
    "$TIME_BIN" -f '%e %M' -o "$stats" "$GARRISON_BIN" scan "$SNAPSHOT" --format json >"$out" 2>"$err" || rc=$?
    if [[ "$rc" -ne 0 && "$rc" -ne 1 ]]; then
        printf 'bench-100k: garrison scan exited with status %s; last lines of its stderr:\n' "$rc" >&2
        tail -n 20 "$err" >&2 || true
        die "garrison scan failed (exit $rc)"
    fi
    # GNU time writes "Command exited with non-zero status N" before the figures when the exit code is not 0.
    read -r LAST_WALL LAST_RSS < <(tail -n 1 "$stats")
    [[ "$LAST_WALL" =~ ^[0-9.]+$ && "$LAST_RSS" =~ ^[0-9]+$ ]] || die "cannot read /usr/bin/time's output: $(cat "$stats")"
}

median() { # numbers on stdin -> median
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

for ((w = 1; w <= WARMUP; w++)); do
    if [[ "$w" == 1 ]]; then
        report="$WORK_DIR/report.json"
        scan "$report"
        grep -q '"summary"' "$report" || die "the warm-up scan did not print a JSON report (see $report)"
        rm -f -- "$report"
    else
        scan /dev/null
    fi
    log "warm-up $w: ${LAST_WALL} s, $(mib "$LAST_RSS") MiB"
done

WALLS=() RSSES=()
for ((r = 1; r <= RUNS; r++)); do
    scan /dev/null
    WALLS+=("$LAST_WALL")
    RSSES+=("$LAST_RSS")
    printf 'run %d: %s s, %s MiB peak RSS\n' "$r" "$LAST_WALL" "$(mib "$LAST_RSS")"
done

wall_median="$(printf '%s\n' "${WALLS[@]}" | median)"
rss_median_kib="$(printf '%s\n' "${RSSES[@]}" | median)"
rss_median_mib="$(mib "$rss_median_kib")"
time_ok="$(awk -v t="$wall_median" -v l="$TIME_LIMIT_S" 'BEGIN { print (t < l) ? "yes" : "no" }')"
rss_ok="$(awk -v r="$rss_median_mib" -v l="$RSS_LIMIT_MIB" 'BEGIN { print (r < l) ? "yes" : "no" }')"

echo
echo "garrison scan of a $OBJECTS-object snapshot ($snapshot_mib MiB on disk), $RUNS runs, $(nproc) cores:"
echo "median wall: ${wall_median} s (limit ${TIME_LIMIT_S} s): $([[ "$time_ok" == yes ]] && echo ok || echo OVER)"
echo "median peak RSS: ${rss_median_mib} MiB (limit ${RSS_LIMIT_MIB} MiB): $([[ "$rss_ok" == yes ]] && echo ok || echo OVER)"
if [[ "$time_ok" == yes && "$rss_ok" == yes ]]; then
    echo "PASS"
    exit 0
fi
echo "FAIL"
exit 1
